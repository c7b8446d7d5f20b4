"""Document frequency files: format, round trip and clear errors for bad files."""
from __future__ import annotations

import json

import numpy as np
import pytest

from capeval import CapevalInputError
from capeval.document_frequencies import DocumentFrequencies

REFS = [[["a", "dog", "runs"], ["a", "dog"]], [["a", "cat"]], [["dog", "runs", "fast"]]]


def test_json_file_is_readable_and_counts_images_not_captions(tmp_path):
    path = tmp_path / "df.json"
    DocumentFrequencies.from_references(REFS, max_order=2).save(path)
    data = json.loads(path.read_text())
    assert data["format"] == "capeval-document-frequencies" and data["version"] == 1
    assert data["n_images"] == 3
    assert data["document_frequencies"]["1"]["a"] == 2  # in two images' references (3 captions)
    assert data["document_frequencies"]["2"]["dog runs"] == 2


def test_round_trip_preserves_the_table(tmp_path):
    table = DocumentFrequencies.from_references(REFS)
    for suffix in ("json", "npz"):
        table.save(tmp_path / f"t.{suffix}")
        loaded = DocumentFrequencies.load(tmp_path / f"t.{suffix}")
        assert loaded.n_images == table.n_images
        assert (loaded.to_json_dict()["document_frequencies"]
                == table.to_json_dict()["document_frequencies"])


@pytest.mark.parametrize(
    "content, message",
    [
        ("not json", "invalid JSON"),
        ('{"format": "other"}', "not a capeval-document-frequencies file"),
        ('{"format": "capeval-document-frequencies", "version": 9}', "file version 9"),
        ('{"format": "capeval-document-frequencies", "version": 1, "n_images": 0}', "n_images"),
        ('{"format": "capeval-document-frequencies", "version": 1, "n_images": 2, '
         '"max_order": 2, "document_frequencies": {"1": {"a": 1}, "2": {"b c": 1}}}',
         "its prefix 'b' is missing"),
    ],
)
def test_bad_json_files_give_clear_errors(tmp_path, content, message):
    path = tmp_path / "df.json"
    path.write_text(content)
    with pytest.raises(CapevalInputError, match=message) as error:
        DocumentFrequencies.load(path)
    assert str(error.value).startswith(str(path))


def test_missing_and_bad_npz_files(tmp_path):
    with pytest.raises(CapevalInputError, match="cannot read"):
        DocumentFrequencies.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "bad.npz", x=np.zeros(2))
    with pytest.raises(CapevalInputError, match="invalid document frequency file"):
        DocumentFrequencies.load(tmp_path / "bad.npz")
    (tmp_path / "text.npz").write_text("not an archive")
    with pytest.raises(CapevalInputError, match=r"invalid document frequency file \(not a \.npz"):
        DocumentFrequencies.load(tmp_path / "text.npz")
    with pytest.raises(CapevalInputError, match=r"\.json or \.npz"):
        DocumentFrequencies.load(tmp_path / "df.pkl")


def test_tables_embed_in_other_files_as_arrays_or_json():
    table = DocumentFrequencies.from_references(REFS, source="refs.json")
    from_arrays = DocumentFrequencies.from_arrays(table.to_arrays(), "embedded")
    from_json = DocumentFrequencies.from_json_dict(json.loads(json.dumps(table.to_json_dict())),
                                                   "embedded")
    for loaded in (from_arrays, from_json):
        assert loaded.n_images == table.n_images and loaded.metadata == table.metadata
        assert (loaded.to_json_dict()["document_frequencies"]
                == table.to_json_dict()["document_frequencies"])


def test_embedded_tables_name_their_source():
    arrays = DocumentFrequencies.from_references(REFS).to_arrays()
    del arrays["df_2"]
    with pytest.raises(CapevalInputError, match="^rewards.npz: invalid document frequency file"):
        DocumentFrequencies.from_arrays(arrays, "rewards.npz")
    data = DocumentFrequencies.from_references(REFS).to_json_dict()
    data["max_order"] = 0
    with pytest.raises(CapevalInputError, match="^rewards.json: max_order must be a positive"):
        DocumentFrequencies.from_json_dict(data, "rewards.json")


def test_frequent_table_keeps_the_ngrams_of_two_images_and_the_same_cider_scores():
    from capeval.metrics import get_metric
    from tests.metrics.corpora import random_corpus

    refs = REFS + [[["a", "dog", "runs", "fast"], ["a", "cat", "runs"]]]
    table = DocumentFrequencies.from_references(refs)
    frequent = table.frequent()
    kept = frequent.to_json_dict()["document_frequencies"]
    assert kept["1"] == {"a": 3, "dog": 3, "runs": 3, "cat": 2, "fast": 2}
    assert kept["2"] == {"a dog": 2, "dog runs": 3, "runs fast": 2, "a cat": 2}
    assert kept["3"] == {"a dog runs": 2, "dog runs fast": 2} and kept["4"] == {}
    assert frequent.n_images == table.n_images
    hyps = [["a", "dog", "runs", "fast"], ["a", "cat"], ["dog", "runs"], ["a", "cat", "runs"]]
    scores = [get_metric("cider-d", document_frequencies=t).segment_stats(hyps, refs)
              for t in (table, frequent)]
    assert np.array_equal(scores[0], scores[1])
    hyps, refs = random_corpus(seed=3, n_images=200)
    table = DocumentFrequencies.from_references(refs)
    scores = [get_metric("cider-d", document_frequencies=t).segment_stats(hyps, refs)
              for t in (table, table.frequent())]
    assert np.array_equal(scores[0], scores[1])
    with pytest.raises(ValueError, match="cannot be merged"):
        DocumentFrequencies.merge([frequent, table])


def test_merging_to_the_frequent_table_equals_pruning_the_merged_table():
    from tests.metrics.corpora import random_corpus

    _, refs = random_corpus(seed=5, n_images=300)
    chunks = [DocumentFrequencies.from_references(refs[start:start + 37])
              for start in range(0, len(refs), 37)]
    whole = DocumentFrequencies.merge(chunks)
    assert (whole.to_json_dict() == DocumentFrequencies.from_references(refs).to_json_dict())
    pruned = DocumentFrequencies.merge(chunks, frequent=True)
    assert pruned.to_json_dict() == whole.frequent().to_json_dict()
    assert pruned.metadata["kept"] == "df>=2" and pruned.n_images == 300
    assert any(len(df) for df in pruned.df[1:])  # the corpus has repeated n-grams
