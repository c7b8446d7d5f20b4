"""Streamed evaluation equals the in-memory path exactly, whatever the chunking and --jobs.

The oracle is `capeval.evaluate` on the same files read whole (itself checked against
pycocoevalcap by the golden tests): corpus scores are compared with ``==`` (bit-identical
floats), per-image files byte for byte, errors by their message.
"""
from __future__ import annotations

import json
import random
import re

import numpy as np
import pytest

import capeval
from capeval import CapevalInputError
from capeval.document_frequencies import DocumentFrequencies
from capeval.io import read_hypotheses, read_references, write_per_item
from capeval.streaming import document_frequencies_of_files, evaluate_files, tables
from capeval.tokenizers import tokenize
from tests.golden import GOLDEN_FILES, load_golden
from tests.streaming.corpus import make_corpus, write_files

NGRAM_METRICS = ["bleu", "rouge-l", "cider-d"]
CHUNKED_METRICS = ["bleu", "meteor", "rouge-l", "cider-d"]
"""The metrics compared across many chunks (every per-image row is independent of the
other images of a call)."""


def in_memory(hypotheses, references, tmp_path, metrics, **options):
    """The in-memory result and its per-image file's bytes."""
    result = capeval.evaluate(read_hypotheses(hypotheses), read_references(references),
                              metrics, **options)
    path = tmp_path / "in_memory.jsonl"
    write_per_item(path, result.per_item)
    return result, path.read_bytes()


def streamed(hypotheses, references, tmp_path, metrics, **options):
    path = tmp_path / "streamed.jsonl"
    result = evaluate_files(hypotheses, references, metrics, per_item=path, **options)
    return result, path.read_bytes()


@pytest.fixture(scope="module")
def golden_files(tmp_path_factory):
    """Each golden corpus as JSON Lines references and shuffled JSON Lines hypotheses."""
    directory = tmp_path_factory.mktemp("golden")
    files = []
    for path in GOLDEN_FILES:
        golden = load_golden(path)
        refs, hyps = directory / f"{golden.name}.refs.jsonl", directory / f"{golden.name}.hyps.jsonl"
        refs.write_text("".join(json.dumps({"image_id": i, "references": r}) + "\n"
                                for i, r in zip(golden.ids, golden.references)), encoding="utf-8")
        order = list(range(len(golden.ids)))
        random.Random(7).shuffle(order)
        hyps.write_text("".join(json.dumps({"image_id": golden.ids[k],
                                            "caption": golden.hypotheses[k]}) + "\n"
                                for k in order), encoding="utf-8")
        files.append(pytest.param(hyps, refs, id=golden.name))
    return files


@pytest.mark.parametrize("index", range(len(GOLDEN_FILES)))
@pytest.mark.parametrize(("chunk_size", "metrics"), [
    (1, NGRAM_METRICS), (16, NGRAM_METRICS), (10_000, NGRAM_METRICS)])
def test_golden_corpora_streamed_equal_in_memory(golden_files, index, chunk_size, metrics,
                                                 tmp_path):
    hyps, refs = golden_files[index].values
    expected, expected_items = in_memory(hyps, refs, tmp_path, metrics)
    result, items = streamed(hyps, refs, tmp_path, metrics, chunk_size=chunk_size)
    assert result.corpus == expected.corpus
    assert items == expected_items
    assert result.signature == expected.signature
    assert result.n_images == len(expected.ids)


@pytest.mark.parametrize("index", range(len(GOLDEN_FILES)))
def test_golden_corpora_with_the_df_pass_on_disk_equal_in_memory(golden_files, index, tmp_path,
                                                                 monkeypatch):
    monkeypatch.setattr(tables, "SPILL_ROWS", 1)  # every chunk's table goes to bucket files
    hyps, refs = golden_files[index].values
    expected, expected_items = in_memory(hyps, refs, tmp_path, NGRAM_METRICS)
    result, items = streamed(hyps, refs, tmp_path, NGRAM_METRICS, chunk_size=3)
    assert result.corpus == expected.corpus
    assert items == expected_items


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """600 images, references spread over a CSV, hypotheses in another order."""
    return write_files(make_corpus(600, seed=3), tmp_path_factory.mktemp("generated"))


@pytest.fixture(scope="module")
def generated_in_memory(generated, tmp_path_factory):
    return in_memory(generated.hypotheses, generated.references,
                     tmp_path_factory.mktemp("oracle"), CHUNKED_METRICS)


@pytest.mark.parametrize(("chunk_size", "jobs", "spill_rows"),
                         [(37, 1, None), (37, 2, None), (100, 3, None), (600, 2, None),
                          (37, 1, 200), (23, 2, 1)])
def test_many_chunks_equal_in_memory(generated, generated_in_memory, chunk_size, jobs,
                                     spill_rows, tmp_path, monkeypatch):
    if spill_rows is not None:  # the df pass goes to bucket files every few chunks
        monkeypatch.setattr(tables, "SPILL_ROWS", spill_rows)
    expected, expected_items = generated_in_memory
    result, items = streamed(generated.hypotheses, generated.references, tmp_path,
                             CHUNKED_METRICS, chunk_size=chunk_size, jobs=jobs)
    assert result.corpus == expected.corpus
    assert items == expected_items
    assert result.signature == expected.signature


def test_all_metrics_in_one_chunk_with_two_jobs_equal_in_memory(generated, tmp_path):
    metrics = capeval.metrics.DEFAULT_METRICS
    expected, expected_items = in_memory(generated.hypotheses, generated.references, tmp_path,
                                         metrics)
    result, items = streamed(generated.hypotheses, generated.references, tmp_path, metrics,
                             chunk_size=1000, jobs=2)
    assert result.corpus == expected.corpus
    assert items == expected_items


def test_csv_per_item_file_equals_in_memory(generated, tmp_path):
    expected = capeval.evaluate(read_hypotheses(generated.hypotheses),
                                read_references(generated.references), CHUNKED_METRICS)
    write_per_item(tmp_path / "in_memory.csv", expected.per_item)
    evaluate_files(generated.hypotheses, generated.references, CHUNKED_METRICS,
                   per_item=tmp_path / "streamed.csv", chunk_size=50)
    assert ((tmp_path / "streamed.csv").read_bytes()
            == (tmp_path / "in_memory.csv").read_bytes())


def test_allow_partial_scores_the_same_subset(generated, tmp_path):
    lines = generated.hypotheses.read_text().splitlines(keepends=True)
    partial = tmp_path / "partial.jsonl"
    partial.write_text("".join(lines[::2]))
    expected, expected_items = in_memory(partial, generated.references, tmp_path,
                                         CHUNKED_METRICS, allow_partial=True)
    result, items = streamed(partial, generated.references, tmp_path, CHUNKED_METRICS,
                             allow_partial=True, chunk_size=29)
    assert result.corpus == expected.corpus
    assert items == expected_items
    assert result.n_images == len(lines[::2])


def test_given_document_frequencies_are_used_unchanged(generated, tmp_path):
    refs = read_references(generated.references)
    table = DocumentFrequencies.from_references(
        [tokenize(captions) for captions in list(refs.values())[:100]])
    expected, expected_items = in_memory(generated.hypotheses, generated.references, tmp_path,
                                         ["cider-d"], document_frequencies=table)
    result, items = streamed(generated.hypotheses, generated.references, tmp_path, ["cider-d"],
                             document_frequencies=table, chunk_size=600)
    assert result.corpus == expected.corpus
    assert items == expected_items
    assert result.signature["CIDEr-D.df"] == table.description()


@pytest.mark.parametrize("chunk_size", [1, 45, 1000])
def test_document_frequencies_of_files_equal_the_whole_table(generated, chunk_size):
    refs = read_references(generated.references)
    whole = DocumentFrequencies.from_references([tokenize(c) for c in refs.values()])
    table = document_frequencies_of_files(generated.references, chunk_size=chunk_size)
    assert table.n_images == whole.n_images
    assert table.vocabulary == whole.vocabulary
    for name in ("prefix", "word", "df"):
        for ours, theirs in zip(getattr(table, name), getattr(whole, name), strict=True):
            np.testing.assert_array_equal(ours, theirs)


# -- validation: the in-memory messages, nothing dropped ----------------------------------------
def error_of(function, *args, **kwargs) -> str:
    with pytest.raises(CapevalInputError) as raised:
        function(*args, **kwargs)
    return str(raised.value)


def both_errors(hyps, refs, **options) -> tuple[str, str]:
    def whole():
        capeval.evaluate(read_hypotheses(hyps), read_references(refs), NGRAM_METRICS,
                         sources=(str(hyps), str(refs)), **options)

    return (error_of(evaluate_files, hyps, refs, NGRAM_METRICS, chunk_size=2, **options),
            error_of(whole))


@pytest.mark.parametrize(("hypotheses", "references"), [
    ('{"image_id": 1, "caption": "a"}\n{"image_id": 9, "caption": "b"}\n', None),  # unknown
    ('{"image_id": 1, "caption": "a"}\n', None),  # missing
    ('{"image_id": 8, "caption": "a"}\n{"image_id": 9, "caption": "b"}\n', None),  # no match
    ('{"image_id": 1, "caption": "a"}\n{"image_id": "1", "caption": "b"}\n', None),  # repeated
    ('{"image_id": 1, "caption": "a"}\n{"image_id": 2, "caption": 3}\n', None),  # bad record
    ('{"image_id": 1, "caption": "a"}\n{"image_id": 2}\n', None),  # missing field
    ('{"image_id": 1, "caption": "a"}\n{"image_id": 2, "caption": "b"\n', None),  # bad JSON
    ('{"image_id": 1, "caption": "a"}\n', "image_id,caption_1,caption_2\n1,x,\n2,,\n"),
])
def test_bad_input_fails_as_in_memory(tmp_path, hypotheses, references):
    hyps = tmp_path / "hyps.jsonl"
    hyps.write_text(hypotheses)
    refs = tmp_path / "refs.csv"
    refs.write_text(references or "image_id,caption\n1,a dog\n2,a cat\n1,the dog\n")
    streamed_error, whole_error = both_errors(hyps, refs)
    assert streamed_error == whole_error


def test_invalid_utf8_fails_as_in_memory(tmp_path):
    hyps = tmp_path / "hyps.txt"
    hyps.write_bytes(b"a dog\r\nthe \xff cat\n")
    refs = tmp_path / "refs.txt"
    refs.write_text("a dog\na cat\n")
    streamed_error, whole_error = both_errors(hyps, refs)
    assert streamed_error == whole_error == f"{hyps}:line 2: invalid UTF-8 at byte offset 11 (byte 0xff)"


def test_line_aligned_text_files_stream(tmp_path):
    corpus = make_corpus(50, seed=5)
    (tmp_path / "hyps.txt").write_text("\n".join(corpus.hypotheses) + "\n")
    refs = []
    for k in range(2):
        path = tmp_path / f"refs{k}.txt"
        path.write_text("\r\n".join(r[k] if len(r) > k else "" for r in corpus.references))
        refs.append(path)
    expected, expected_items = in_memory(tmp_path / "hyps.txt", refs, tmp_path, CHUNKED_METRICS)
    result, items = streamed(tmp_path / "hyps.txt", refs, tmp_path, CHUNKED_METRICS,
                             chunk_size=7)
    assert result.corpus == expected.corpus
    assert items == expected_items


def test_a_per_item_file_that_cannot_be_written_is_named_not_its_temporary(generated):
    # The rows go to a hidden temporary file next to the per-item file; errors name the file
    # the user asked for. /proc accepts no new files, even for root.
    with pytest.raises(capeval.CapevalUsageError, match=r"^/proc/items\.csv: cannot write"):
        evaluate_files(generated.hypotheses, generated.references, ["bleu"],
                       per_item="/proc/items.csv")


def test_tokens_cross_processes_as_json_text_unchanged():
    from capeval.human import hold_out
    from capeval.streaming.work import (
        Settings,
        TokenizedImages,
        chunk_statistics,
        decode_images,
        encode_images,
        encoded_fold_frequencies,
        encoded_statistics,
        reference_frequencies,
    )

    images = TokenizedImages(
        [3, "b"], [["caf\u00e9", '"quoted"', "back\\slash"], []],
        [[["caf\u00e9", "\u00fcber"], ["a", "\u2028"]], [["\x00x"], ["", "a b"], ["tab\t"]]])
    encoded = encode_images(images)
    assert all(isinstance(text, str) for text in encoded.hypotheses + encoded.references)
    assert decode_images(encoded) == images
    from capeval.evaluation import resolve_metrics

    settings = Settings.of(resolve_metrics(["bleu", "cider-d"], None, tokenizer="none"), "none")
    bound = settings.with_document_frequencies(reference_frequencies(settings, images))
    other = [["caf\u00e9", "\u00fcber"], ["a"]]  # a second system's captions of the images
    others = [encode_images(TokenizedImages(images.ids, other, images.references)).hypotheses]

    def same(rows, expected_rows):
        assert len(rows) == len(expected_rows)
        for stats, captions, references in zip(rows, *zip(*expected_rows), strict=True):
            expected = chunk_statistics(bound, TokenizedImages(images.ids, captions, references))
            assert all((stats[name] == expected[name]).all() for name in expected)

    all_references = images.references
    same(encoded_statistics(bound, (encoded, [], None, False)),
         [(images.hypotheses, all_references)])
    same(encoded_statistics(bound, (encoded, others, None, False)),
         [(images.hypotheses, all_references), (other, all_references)])
    held = hold_out(images.references, 1)
    same(encoded_statistics(bound, (encoded, others, 1, False)),
         [(images.hypotheses, held.references), (other, held.references)])
    same(encoded_statistics(bound, (encoded, others, 1, True)),
         [(held.held_out, held.references), (images.hypotheses, held.references),
          (other, held.references)])
    fold_table = encoded_fold_frequencies(settings, (encoded, 0)).to_json_dict()
    assert fold_table == reference_frequencies(settings, TokenizedImages(
        images.ids, images.hypotheses, hold_out(images.references, 0).references)
    ).to_json_dict()


@pytest.mark.parametrize("max_order", [0, -1, 2.0, "4"])
def test_document_frequencies_of_files_reject_a_bad_max_order_before_reading(max_order,
                                                                           tmp_path):
    with pytest.raises(ValueError, match=f"max_order must be a positive integer, got "
                                         f"{re.escape(repr(max_order))}"):
        document_frequencies_of_files(tmp_path / "not-read.jsonl", max_order=max_order)
