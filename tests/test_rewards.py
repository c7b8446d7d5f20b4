"""RewardScorer: SCST rewards against the reference scorers, conventions, files, concurrency.

Oracles: tests/fixtures/rewards/scst_token_ids.json, written by tools/make_reward_goldens.py
with the vrama91/cider-lineage CIDEr-D scorer (as vendored by self-critical.pytorch) and
pycocoevalcap 1.2's BLEU; and capeval's own corpus metrics (`CiderD` with a
`DocumentFrequencies` table, `Bleu`), whose parity with pycocoevalcap is tested elsewhere.
"""
from __future__ import annotations

import json
import multiprocessing
import threading

import numpy as np
import pytest

from capeval import CapevalInputError
from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics.bleu import Bleu
from capeval.metrics.cider import CiderD
from capeval.rewards import RewardScorer, TokenConvention
from tests.conftest import FIXTURES

GOLDEN = FIXTURES / "rewards" / "scst_token_ids.json"


@pytest.fixture(scope="module")
def golden():
    data = json.loads(GOLDEN.read_text(encoding="utf-8"))
    data["references"] = [np.array(rows) for rows in data["references"]]
    data["candidates"] = np.array(data["candidates"])
    return data


@pytest.fixture(scope="module")
def golden_scorer(golden):
    return RewardScorer(golden["references"])


def scst_words(row, end=0):
    """Words of a token row as self-critical.pytorch's array_to_str writes them."""
    words = []
    for token in row:
        words.append(str(token))
        if token == end:
            break
    return words


def random_token_corpus(seed, n_images=30, width=14, vocabulary=12):
    """Token-id references (1..6 rows per image) and candidate rows with padding and no-end rows."""
    rng = np.random.default_rng(seed)

    def rows(count):
        out = rng.integers(1, vocabulary, size=(count, width))
        ends = rng.integers(0, width + 3, size=count)  # >= width: no end token
        for row, end in zip(out, ends):
            if end < width:
                row[end] = 0
                row[end + 1:] = rng.integers(0, vocabulary + 3, size=width - end - 1)
        return out

    references = [rows(int(rng.integers(1, 7))) for _ in range(n_images)]
    candidates = rows(4 * n_images)
    candidates[::7, 1] = vocabulary + 5  # ids never seen in the references
    images = rng.integers(0, n_images, size=candidates.shape[0])
    return references, candidates, images


# -- parity with the reference scorers ------------------------------------------------------
def test_cider_d_equals_the_vrama91_scorer_exactly(golden, golden_scorer):
    scores = golden_scorer.cider_d(golden["candidates"], golden["image_ids"])
    assert scores.dtype == np.float64 and scores.shape == (len(golden["cider_d"]),)
    assert scores.tolist() == golden["cider_d"]  # bit for bit, not approximately


def test_bleu_equals_pycocoevalcap(golden, golden_scorer):
    scores = golden_scorer.bleu(golden["candidates"], golden["image_ids"])
    np.testing.assert_allclose(scores, golden["bleu_4"], rtol=1e-12, atol=1e-15)


def test_scores_computes_both_rewards_in_one_pass(golden, golden_scorer):
    both = golden_scorer.scores(golden["candidates"], golden["image_ids"])
    assert list(both) == ["CIDEr-D", "BLEU-4"]
    assert both["CIDEr-D"].tolist() == golden["cider_d"]
    np.testing.assert_allclose(both["BLEU-4"], golden["bleu_4"], rtol=1e-12, atol=1e-15)


def test_golden_covers_the_edge_cases(golden):
    candidates = golden["candidates"]
    assert (candidates[:, 0] == 0).any()                                  # empty caption
    assert (candidates != 0).all(axis=1).any()                            # no end token
    after_end = [(row[np.argmax(row == 0) + 1:] != 0).any() for row in candidates
                 if (row == 0).any()]
    assert any(after_end)                                                 # garbage after the end
    seen = {int(t) for refs in golden["references"] for t in refs.ravel()}
    assert {int(t) for t in candidates.ravel()} - seen                    # unseen ids
    assert {len(refs) for refs in golden["references"]} >= {1, 6}
    assert 0.0 in golden["cider_d"] and max(golden["cider_d"]) > 5


@pytest.mark.parametrize("seed", range(3))
def test_equals_capeval_cider_d_and_bleu_with_the_same_table(seed):
    references, candidates, images = random_token_corpus(seed)
    scorer = RewardScorer(references)
    ref_words = [[scst_words(row) for row in rows] for rows in references]
    table = DocumentFrequencies.from_references(ref_words)
    hyps = [scst_words(row) for row in candidates]
    refs = [ref_words[image] for image in images]
    expected = CiderD(table).sentence_scores(hyps, refs)[:, 0]
    np.testing.assert_array_equal(scorer.cider_d(candidates, images), expected)
    expected_bleu = Bleu(4).sentence_scores(hyps, refs)[:, 3]
    np.testing.assert_array_equal(scorer.bleu(candidates, images), expected_bleu)


def test_rewards_of_a_candidate_do_not_depend_on_the_batch(golden, golden_scorer):
    candidates, images = golden["candidates"], np.array(golden["image_ids"])
    one_by_one = [golden_scorer.cider_d(candidates[i:i + 1], images[i:i + 1])[0]
                  for i in range(0, len(images), 17)]
    assert one_by_one == golden["cider_d"][::17]


# -- inputs and conventions -----------------------------------------------------------------
def test_string_candidates_score_like_token_rows(golden, golden_scorer):
    strings = [" ".join(scst_words(row)) for row in golden["candidates"]]
    assert golden_scorer.cider_d(strings, golden["image_ids"]).tolist() == golden["cider_d"]


def test_string_references_score_like_token_references(golden):
    strings = [[" ".join(scst_words(row)) for row in rows] for rows in golden["references"]]
    scorer = RewardScorer(strings)
    assert scorer.cider_d(golden["candidates"], golden["image_ids"]).tolist() == golden["cider_d"]


def test_mapping_references_use_their_ids():
    scorer = RewardScorer({"dog.jpg": ["a dog runs", "a dog"], "cat.jpg": ["a cat sits"]})
    assert scorer.image_ids == ["dog.jpg", "cat.jpg"]
    scores = scorer.cider_d(["a dog runs", "a dog runs"], ["dog.jpg", "cat.jpg"])
    assert scores[0] > 0 and scores[1] == 0


def test_three_dimensional_reference_array(golden):
    padded = np.zeros((len(golden["references"]), 6, 16), dtype=np.int64)
    ragged = []
    for image, rows in enumerate(golden["references"]):
        padded[image, : len(rows)] = rows
        ragged.append(list(rows) + [np.zeros(16, dtype=np.int64)] * (6 - len(rows)))
    # Padding rows are references too (a caption "0"), so compare with the same ragged input.
    scores = RewardScorer(padded).cider_d(golden["candidates"], golden["image_ids"])
    assert scores.tolist() == RewardScorer(ragged).cider_d(golden["candidates"],
                                                           golden["image_ids"]).tolist()


@pytest.mark.parametrize("convention, expected", [
    (TokenConvention(), [["5", "6", "0"], ["5", "6", "7", "8"], ["0"]]),
    (TokenConvention(include_end_token=False), [["5", "6"], ["5", "6", "7", "8"], []]),
    (TokenConvention(end_token=None), [["5", "6", "0", "7"], ["5", "6", "7", "8"],
                                       ["0", "0", "0", "0"]]),
    (TokenConvention(end_token=2, pad_token=0), [["5", "6"], ["5", "6", "7", "8"], []]),
])
def test_token_conventions(convention, expected):
    rows = np.array([[5, 6, 0, 7], [5, 6, 7, 8], [0, 0, 0, 0]])
    lengths = convention.row_lengths(rows)
    assert [list(map(str, row[:n])) for row, n in zip(rows, lengths)] == expected


def test_without_end_token_convention_scores_like_word_strings():
    references, candidates, images = random_token_corpus(5)
    convention = TokenConvention(include_end_token=False)
    scorer = RewardScorer(references, include_end_token=False)
    strings = RewardScorer([[" ".join(map(str, convention.caption_tokens(r))) for r in rows]
                            for rows in references])
    words = [" ".join(map(str, convention.caption_tokens(row))) for row in candidates]
    np.testing.assert_array_equal(scorer.cider_d(candidates, images),
                                  strings.cider_d(words, images))


def test_empty_captions():
    references = [[np.array([0, 0])], [np.array([3, 4, 0]), np.array([0, 5])]]
    scorer = RewardScorer(references, include_end_token=False)
    candidates = np.array([[0, 0, 0], [3, 4, 0], [0, 3, 4], [9, 0, 0]])
    images = [0, 1, 1, 0]
    ref_words = [[[]], [["3", "4"], []]]
    hyps = [[], ["3", "4"], [], ["9"]]
    table = DocumentFrequencies.from_references(ref_words)
    refs = [ref_words[i] for i in images]
    np.testing.assert_allclose(scorer.cider_d(candidates, images),
                               CiderD(table).sentence_scores(hyps, refs)[:, 0], rtol=1e-12)
    np.testing.assert_allclose(scorer.bleu(candidates, images),
                               Bleu(4).sentence_scores(hyps, refs)[:, 3], rtol=1e-12)
    assert scorer.cider_d(np.zeros((0, 3), dtype=int), []).shape == (0,)


def test_external_document_frequencies_change_the_idf():
    references, candidates, images = random_token_corpus(6)
    ref_words = [[scst_words(row) for row in rows] for rows in references]
    bigger = DocumentFrequencies.from_references(ref_words * 3 + [[["1", "2", "3"]]])
    scorer = RewardScorer(references, document_frequencies=bigger)
    hyps = [scst_words(row) for row in candidates]
    expected = CiderD(bigger).sentence_scores(hyps, [ref_words[i] for i in images])[:, 0]
    np.testing.assert_allclose(scorer.cider_d(candidates, images), expected, rtol=1e-12,
                               atol=1e-12)
    assert not np.allclose(expected, RewardScorer(references).cider_d(candidates, images))


def test_max_order_and_sigma():
    references, candidates, images = random_token_corpus(7)
    scorer = RewardScorer(references, max_order=2, sigma=3.5)
    ref_words = [[scst_words(row) for row in rows] for rows in references]
    table = DocumentFrequencies.from_references(ref_words, max_order=2)
    hyps = [scst_words(row) for row in candidates]
    refs = [ref_words[i] for i in images]
    expected = CiderD(table, sigma=3.5, max_order=2).sentence_scores(hyps, refs)[:, 0]
    np.testing.assert_allclose(scorer.cider_d(candidates, images), expected, rtol=1e-12)
    np.testing.assert_allclose(scorer.bleu(candidates, images),
                               Bleu(2).sentence_scores(hyps, refs)[:, 1], rtol=1e-12)


def test_very_long_candidates_use_the_computed_penalty():
    scorer = RewardScorer([["1 2 3 4"]])
    long = np.full((1, 600), 1)
    long[0, :4] = [1, 2, 3, 4]
    reference = CiderD(scorer.document_frequencies).sentence_scores(
        [list(map(str, long[0]))], [[["1", "2", "3", "4"]]])[0, 0]
    assert scorer.cider_d(long, [0])[0] == pytest.approx(reference, rel=1e-12, abs=1e-300)


# -- errors --------------------------------------------------------------------------------
@pytest.mark.parametrize("references, message", [
    ([[]], "image 0 has no reference caption"),
    ({"a": "one string"}, "image 'a': references must be a list of captions"),
    ([["a b", [1, 2]]], "image 0: references mix strings and token ids"),
    ([[[1, -2]]], r"image 0, reference 0: token ids must be non-negative, got -2"),
    ([[[1.5, 2.0]]], "image 0, reference 0: token ids must be integers, got dtype float64"),
    ([[3]], "image 0, reference 0: expected a string or a sequence of token ids, got int"),
    ([[[2**63, 1]]], r"image 0, reference 0: token id 9223372036854775808 is too large"),
    ([[np.array([2**63], dtype=np.uint64)]], r"image 0, reference 0: token id 2\*\*63|too large"),
    (np.zeros((2, 3)), r"3-D array"),
    ({}, "references hold no image"),
    ([], "references hold no image"),
    ({1: ["a b"], "1": ["c d"]}, "image ids 1 and '1' name the same image"),
])
def test_bad_references(references, message):
    with pytest.raises((ValueError, TypeError), match=message):
        RewardScorer(references)


def test_duplicate_ids_and_bad_options():
    with pytest.raises(ValueError, match="appears twice"):
        RewardScorer(_DuplicateKeys())
    with pytest.raises(ValueError, match="max_order must be a positive integer"):
        RewardScorer([["a b"]], max_order=0)
    with pytest.raises(ValueError, match="sigma must be positive"):
        RewardScorer([["a b"]], sigma=0)
    with pytest.raises(ValueError, match="end_token must be a non-negative integer"):
        RewardScorer([["a b"]], end_token=-1)
    table = DocumentFrequencies.from_references([[["a", "b"]]], max_order=2)
    with pytest.raises(ValueError, match="cover orders up to 2"):
        RewardScorer([["a b"]], document_frequencies=table)


class _DuplicateKeys(dict):
    """A mapping whose keys repeat (as a pandas Series index can)."""

    def __iter__(self):
        return iter(["x", "x"])

    def values(self):
        return [["a"], ["b"]]


@pytest.mark.parametrize("candidates, image_ids, error, message", [
    (np.array([[1, 0]]), [99], ValueError, "candidate 0: image id 99 is not in the references"),
    (np.array([[1, 0]]), [0, 0], ValueError, r"got 1 candidates but image_ids of shape \(2,\)"),
    (np.array([[1.0, 0.0]]), [0], TypeError, "token ids must be integers"),
    (np.array([[1, -1]]), [0], ValueError, "token ids must be non-negative"),
    (np.array([1, 0]), [0], ValueError, "2-D array"),
    (["a b", 3], [0, 0], TypeError, "candidate 1 is int, expected str"),
    ("a b", [0], TypeError, "not one string"),
    ([[1, 2], [1]], [0, 0], TypeError, "rectangular 2-D array"),
    ([[2**63, 1]], [0], ValueError, "token id 9223372036854775808 is too large"),
    (np.array([[2**64 - 1, 0]], dtype=np.uint64), [0], ValueError,
     "token id 18446744073709551615 is too large"),
    (np.array([[True, False]]), [0], TypeError, "token ids must be integers, got dtype bool"),
])
def test_bad_candidates(golden_scorer, candidates, image_ids, error, message):
    with pytest.raises(error, match=message):
        golden_scorer.cider_d(candidates, image_ids)


def test_edge_batches_score_like_their_plain_equivalents(golden_scorer):
    """uint64 ids, rows of length 0 and empty batches are scored, not refused."""
    image_id = golden_scorer.image_ids[0]
    rows = np.array([[5, 6, 0]], dtype=np.int64)
    np.testing.assert_array_equal(golden_scorer.cider_d(rows.astype(np.uint64), [image_id]),
                                  golden_scorer.cider_d(rows, [image_id]))
    np.testing.assert_array_equal(golden_scorer.cider_d(np.zeros((2, 0), dtype=np.int64),
                                                        [image_id, image_id]),
                                  golden_scorer.cider_d(["", ""], [image_id, image_id]))
    empty = golden_scorer.cider_d([], [])
    assert empty.shape == (0,) and empty.dtype == np.float64
    assert golden_scorer.scores([], [])["CIDEr-D"].shape == (0,)


# -- files ---------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["npz", "json"])
def test_saved_scorer_gives_identical_scores(tmp_path, golden, golden_scorer, suffix):
    path = tmp_path / f"train.{suffix}"
    golden_scorer.save(path)
    loaded = RewardScorer.load(path)
    assert loaded.image_ids == golden_scorer.image_ids
    assert loaded.cider_d(golden["candidates"], golden["image_ids"]).tolist() == golden["cider_d"]
    np.testing.assert_array_equal(loaded.bleu(golden["candidates"], golden["image_ids"]),
                                  golden_scorer.bleu(golden["candidates"], golden["image_ids"]))


def test_json_file_is_readable_and_version_stamped(tmp_path):
    scorer = RewardScorer({"img1": [[5, 6, 0, 0], [5, 0, 0, 0]]}, sigma=5.0)
    scorer.save(tmp_path / "refs.json")
    data = json.loads((tmp_path / "refs.json").read_text())
    assert data["format"] == "capeval-reward-references" and data["version"] == 1
    assert data["images"] == [{"image_id": "img1", "references": ["5 6 0", "5 0"]}]
    assert data["settings"] == {"max_order": 4, "sigma": 5.0, "end_token": 0,
                                "include_end_token": True, "pad_token": None}
    assert data["document_frequencies"]["document_frequencies"]["2"]["5 6"] == 1
    assert RewardScorer.load(tmp_path / "refs.json").sigma == 5.0


@pytest.mark.parametrize("content, message", [
    ("{", "invalid JSON"),
    ('{"format": "other"}', "not a capeval-reward-references file"),
    ('{"format": "capeval-reward-references", "version": 2}', "file version 2"),
    ('{"format": "capeval-reward-references", "version": 1, "settings": {}}', "'settings'"),
])
def test_bad_files_name_the_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CapevalInputError, match=message) as error:
        RewardScorer.load(path)
    assert str(error.value).startswith(str(path))


def test_inconsistent_and_missing_npz_files(tmp_path):
    with pytest.raises(CapevalInputError, match="cannot read"):
        RewardScorer.load(tmp_path / "missing.npz")
    RewardScorer([["a b", "b c"]]).save(tmp_path / "ok.npz")
    with np.load(tmp_path / "ok.npz") as archive:
        arrays = dict(archive)
    arrays["refs_per_image"] = np.array([3])
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(CapevalInputError, match="3 references announced, 2 stored"):
        RewardScorer.load(tmp_path / "bad.npz")
    (tmp_path / "refs.txt").write_text("x")
    with pytest.raises(CapevalInputError, match="end in .json or .npz"):
        RewardScorer.load(tmp_path / "refs.txt")


# -- concurrency ---------------------------------------------------------------------------
def test_threads_share_one_scorer(golden, golden_scorer):
    candidates, images = golden["candidates"], np.array(golden["image_ids"])
    results = {}

    def work(worker):
        order = np.random.default_rng(worker).permutation(len(images))
        for _ in range(5):
            scores = golden_scorer.cider_d(candidates[order], images[order])
        results[worker] = scores[np.argsort(order)]

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[worker].tolist() == golden["cider_d"] for worker in range(4))


def _score_in_worker(args):
    path, candidates, images = args
    return RewardScorer.load(path).cider_d(candidates, images).tolist()


def test_spawned_processes_load_the_saved_scorer(tmp_path, golden, golden_scorer):
    path = tmp_path / "train.npz"
    golden_scorer.save(path)
    halves = np.array_split(np.arange(len(golden["image_ids"])), 2)
    jobs = [(path, golden["candidates"][half], np.array(golden["image_ids"])[half])
            for half in halves]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        results = pool.map(_score_in_worker, jobs)
    assert [s for part in results for s in part] == golden["cider_d"]
