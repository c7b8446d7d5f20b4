"""A leaderboard read in chunks (`leaderboard_files`) equals the in-memory leaderboard exactly."""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalInputError
from capeval.io import read_hypotheses, read_references
from capeval.report import format_leaderboard
from capeval.report.leaderboard import leaderboard, leaderboard_files
from tests.golden import GOLDEN_FILES, load_golden
from tests.report.corpus import REFERENCES, SYSTEMS
from tests.streaming.corpus import make_corpus

TEXT_FORMATS = ("table", "json", "csv", "markdown", "latex")
FAST_METRICS = ["bleu", "rouge-l", "cider-d"]


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def write_system(path: Path, captions: dict, seed: int | None = None) -> Path:
    """A system's JSON Lines file, its images shuffled by `seed` (None: in dict order)."""
    ids = list(captions)
    if seed is not None:
        random.Random(seed).shuffle(ids)
    return write_jsonl(path, ({"image_id": i, "caption": captions[i]} for i in ids))


def write_references(path: Path, references: dict) -> Path:
    return write_jsonl(path, ({"image_id": i, "references": refs}
                              for i, refs in references.items()))


def in_memory(systems: dict, references: Path, per_item: Path, **options):
    """The in-memory board of the files, its per-item file written to `per_item`."""
    board = leaderboard({name: read_hypotheses(path) for name, path in systems.items()},
                        read_references(references),
                        sources={name: str(path) for name, path in systems.items()},
                        reference_source=str(references), **options)
    board.write_per_item(per_item)
    return board


def assert_same_boards(systems: dict, references: Path, tmp_path: Path, chunk_sizes,
                       jobs=(1,), suffix=".jsonl", **options) -> None:
    expected = in_memory(systems, references, tmp_path / f"memory{suffix}", **options)
    for chunk_size in chunk_sizes:
        for n_jobs in jobs:
            per_item = tmp_path / f"streamed-{chunk_size}-{n_jobs}{suffix}"
            board = leaderboard_files(systems, references, per_item=per_item,
                                      chunk_size=chunk_size, jobs=n_jobs, **options)
            assert board.per_item is None
            for fmt in TEXT_FORMATS:
                assert format_leaderboard(board, fmt) == format_leaderboard(expected, fmt), fmt
            assert per_item.read_bytes() == (tmp_path / f"memory{suffix}").read_bytes()


@pytest.fixture
def report_corpus(tmp_path):
    """The report tests' corpus: the `markup` system captions the images in reverse order."""
    systems = {name: write_system(tmp_path / f"{name}.jsonl", captions)
               for name, captions in SYSTEMS.items()}
    return systems, write_references(tmp_path / "refs.jsonl", REFERENCES)


@pytest.mark.parametrize("options", [
    {"test": "bs", "baseline": "weak"},
    {"test": "ar", "sort": "BLEU-4"},
    {"n_bootstrap": 0},
], ids=["paired-bs", "paired-ar", "no-bootstrap"])
def test_report_corpus_streamed_equals_in_memory(report_corpus, tmp_path, options):
    systems, references = report_corpus
    assert_same_boards(systems, references, tmp_path, chunk_sizes=(1, 3, 100),
                       n_bootstrap=options.pop("n_bootstrap", 40), seed=0, **options)


def test_all_default_metrics_and_csv_per_item(report_corpus, tmp_path):
    systems, references = report_corpus
    assert_same_boards(systems, references, tmp_path, chunk_sizes=(3,), suffix=".csv",
                       n_bootstrap=20, test="bs")


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda path: path.stem)
def test_golden_corpora_streamed_equal_in_memory(path, tmp_path):
    golden = load_golden(path)
    hypotheses = dict(zip(golden.ids, golden.hypotheses, strict=True))
    last_reference = {image_id: refs[-1] for image_id, refs in
                      zip(golden.ids, golden.references, strict=True)}
    shortened = {image_id: " ".join(caption.split()[1:]) for image_id, caption in
                 hypotheses.items()}
    systems = {"golden": write_system(tmp_path / "golden.jsonl", hypotheses, seed=1),
               "reference": write_system(tmp_path / "reference.jsonl", last_reference, seed=2),
               "shortened": write_system(tmp_path / "shortened.jsonl", shortened, seed=3)}
    references = write_references(tmp_path / "refs.jsonl",
                                  dict(zip(golden.ids, golden.references, strict=True)))
    assert_same_boards(systems, references, tmp_path, chunk_sizes=(4,), metrics=FAST_METRICS,
                       n_bootstrap=30, test="bs")
    board = leaderboard_files(systems, references, metrics=FAST_METRICS, n_bootstrap=0,
                              chunk_size=7)
    for name in ("BLEU-4", "ROUGE-L", "CIDEr-D"):  # the oracle's corpus scores
        np.testing.assert_allclose(board.score("golden", name), golden.corpus_scores[name],
                                   rtol=1e-12)


@pytest.fixture
def generated(tmp_path):
    """300 generated images (int and str ids, 1 to 5 references), 3 systems, each in its own
    shuffled order; references in yet another order."""
    corpus = make_corpus(300, seed=4)
    rng = random.Random(9)
    references = dict(zip(corpus.ids, corpus.references, strict=True))
    shuffled = list(references)
    rng.shuffle(shuffled)
    reference_file = write_references(tmp_path / "refs.jsonl",
                                      {i: references[i] for i in shuffled})
    captions = {"first": dict(zip(corpus.ids, corpus.hypotheses, strict=True)),
                "second": {i: rng.choice(refs) for i, refs in references.items()},
                "third": {i: rng.choice(refs) + " too" for i, refs in references.items()}}
    systems = {name: write_system(tmp_path / f"{name}.jsonl", system, seed=seed)
               for seed, (name, system) in enumerate(captions.items())}
    return systems, reference_file


def test_many_chunks_and_jobs_equal_in_memory(generated, tmp_path):
    systems, references = generated
    assert_same_boards(systems, references, tmp_path, chunk_sizes=(7, 1000), jobs=(1, 2),
                       metrics=FAST_METRICS, n_bootstrap=50, test="bs", baseline="second")


def test_many_chunks_with_meteor_and_a_fixed_df_table(generated, tmp_path):
    systems, references = generated
    table = DocumentFrequencies.from_references(
        [[caption.split() for caption in refs] for refs in read_references(references).values()])
    assert_same_boards(systems, references, tmp_path, chunk_sizes=(23,),
                       metrics=["meteor", "cider-d"], document_frequencies=table,
                       n_bootstrap=20, test="ar")


def test_partial_references_stream_like_in_memory(generated, tmp_path):
    systems, references = generated
    kept = {}
    for name, path in systems.items():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        captions = {json.loads(line)["image_id"]: json.loads(line)["caption"] for line in lines}
        kept[name] = write_system(tmp_path / f"partial-{name}.jsonl",
                                  {i: c for i, c in captions.items() if str(i).endswith(("1", "4"))})
    assert_same_boards(kept, references, tmp_path, chunk_sizes=(5,), metrics=FAST_METRICS,
                       n_bootstrap=10, allow_partial=True)


def error_of(call) -> str:
    with pytest.raises(CapevalInputError) as error:
        call()
    return str(error.value)


@pytest.mark.parametrize("damage", [
    "unknown image", "missing hypothesis", "repeated hypothesis", "other images"])
@pytest.mark.parametrize("system", ["first", "third"])
def test_bad_systems_are_reported_as_in_memory(generated, tmp_path, damage, system):
    systems, references = generated
    path = systems[system]
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if damage == "unknown image":
        lines.insert(5, json.dumps({"image_id": 99999, "caption": "a dog"}) + "\n")
    elif damage == "missing hypothesis":
        del lines[17]
    elif damage == "repeated hypothesis":
        lines.insert(40, lines[3])
    else:  # the same number of images, one of them another
        lines[8] = json.dumps({"image_id": "elsewhere.jpg", "caption": "a cat"}) + "\n"
    path.write_text("".join(lines), encoding="utf-8")

    def memory():
        return in_memory(systems, references, tmp_path / "memory.jsonl", n_bootstrap=0,
                         metrics=FAST_METRICS)

    streamed = error_of(lambda: leaderboard_files(systems, references, n_bootstrap=0,
                                                  metrics=FAST_METRICS, chunk_size=7))
    assert streamed == error_of(memory)
    assert str(path) in streamed
    if damage == "repeated hypothesis":
        assert "line 41" in streamed


def test_a_streamed_board_has_no_per_item_table(report_corpus, tmp_path):
    systems, references = report_corpus
    board = leaderboard_files(systems, references, n_bootstrap=0, metrics=FAST_METRICS)
    with pytest.raises(ValueError, match="per_item"):
        board.write_per_item(tmp_path / "items.jsonl")
