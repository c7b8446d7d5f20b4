"""The `Meteor` metric: registry, options, statistics contract, workers and robustness.

Oracles: the jar's behaviour as the capeval METEOR specification records it (``|||`` handling
of pycocoevalcap, best reference = first highest score, EVAL aggregate from summed statistics);
otherwise properties that must hold whatever the scores (determinism across worker counts,
equal inputs give equal outputs, valid ranges).
"""
from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from capeval.metrics import DEFAULT_METRICS, get_metric
from capeval.metrics.base import Candidates, ReferenceSet
from capeval.metrics.meteor import Meteor
from capeval.metrics.meteor import metric as metric_module
from capeval.metrics.meteor.scoring import CHUNKS, STAT_NAMES
from capeval.streaming.work import Settings
from tests.conftest import FIXTURES

HYPS = [s.split() for s in ["a man rides a horse", "two dogs play in the snow",
                            "a child in a pink dress climbs stairs", ""]]
REFS = [[s.split() for s in refs] for refs in [
    ["a person rides a horse", "a man is riding a brown horse"],
    ["two dogs play in the snow"],
    ["a little girl climbing into a wooden playhouse", "a girl going into a building"],
    ["a dog"],
]]


@pytest.fixture(scope="module")
def meteor():
    return Meteor()


def test_registered_and_in_the_default_metrics():
    assert isinstance(get_metric("meteor"), Meteor)
    assert DEFAULT_METRICS == ("bleu", "meteor", "rouge-l", "cider-d")
    metric = Meteor()
    assert metric.score_names == ("METEOR",) and len(metric.stat_names) == 23


def test_signature_names_the_settings():
    signature = Meteor(modules=("exact", "stem"), beam_size=10).signature()
    assert signature["modules"] == "exact,stem" and signature["weights"] == "1,0.6"
    assert signature["beam"] == "10" and signature["params"] == "0.85,0.2,0.6,0.75"


@pytest.mark.parametrize("options, message", [
    ({"modules": ()}, "1 to 4 modules"),
    ({"modules": ("exact", "wordnet")}, "unknown METEOR module 'wordnet'"),
    ({"modules": ("exact", "exact")}, "listed twice"),
    ({"weights": (1.0, 0.5)}, "2 METEOR module weights for 4 modules"),
    ({"beam_size": 0}, "beam_size"),
    ({"paraphrase_table": "/no/such/table.gz"}, "/no/such/table.gz: cannot read"),
    ({"paraphrase_table": "table.txt"}, "a paraphrase table is a .npz"),
    ({"alpha": float("inf")}, "alpha"),
    ({"threads": 0}, "threads must be a positive integer"),
    ({"threads": 2.0}, "threads must be a positive integer"),
])
def test_bad_options_are_rejected_with_a_message(options, message):
    with pytest.raises(ValueError, match=message):
        Meteor(**options)


def test_segment_statistics_are_the_jar_lines_with_perfect_chunks_left_out(meteor):
    jar = meteor.jar_stats(HYPS, REFS)
    stats = meteor.segment_stats(HYPS, REFS)
    assert stats.shape == (4, len(STAT_NAMES))
    assert jar[1, CHUNKS] == 1 and stats[1, CHUNKS] == 0  # the identical pair is perfect
    np.testing.assert_array_equal(np.delete(stats, CHUNKS, axis=1),
                                  np.delete(jar, CHUNKS, axis=1))
    np.testing.assert_array_equal(meteor.scores_from_stats(stats), meteor.scores_from_stats(jar))


def test_corpus_score_is_the_score_of_summed_statistics(meteor):
    stats = meteor.segment_stats(HYPS, REFS)
    corpus = meteor.corpus_score(HYPS, REFS)["METEOR"]
    assert corpus == meteor.scores_from_stats(stats.sum(axis=0))[0]
    assert corpus != pytest.approx(meteor.sentence_scores(HYPS, REFS).mean())


def test_best_reference_is_the_first_highest_scoring_one(meteor):
    stats = meteor.jar_stats([["a", "dog"]], [[["a", "dog", "x"], ["a", "dog", "y"]]])
    assert stats[0, 1] == 3  # both references score alike; the first one's stats are kept
    tied = meteor.jar_stats([["a", "dog"]], [[["a", "cat"], ["a", "dog", "x"]]])
    alone = meteor.jar_stats([["a", "dog"]], [[["a", "dog", "x"]]])
    np.testing.assert_array_equal(tied, alone)


def test_modules_can_be_chosen_and_ordered():
    hyps, refs = [["a", "kid", "plays"]], [[["a", "child", "plays"]]]
    assert Meteor(modules=("exact",)).sentence_scores(hyps, refs)[0, 0] < \
        Meteor(modules=("exact", "synonym")).sentence_scores(hyps, refs)[0, 0]
    stats = Meteor(modules=("synonym", "exact")).jar_stats(hyps, refs)
    # slot 1 (synonym): kid ~ child; slot 2 (exact): "a" (function word) and "plays"
    assert stats[0, 4:12].tolist() == [1, 1, 0, 0, 1, 1, 1, 1]


def test_a_user_paraphrase_table_replaces_the_default(tmp_path):
    path = tmp_path / "mine.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("0.5\nequine\nhorse\n")
    hyps, refs = [["an", "equine", "runs"]], [[["an", "horse", "runs"]]]
    default = Meteor().jar_stats(hyps, refs)
    mine = Meteor(paraphrase_table=path).jar_stats(hyps, refs)
    assert default[0, 16:20].sum() == 0
    assert mine[0, 16:20].tolist() == [1, 1, 0, 0]


def test_prepared_references_score_as_fresh_ones(meteor):
    """The references' paraphrase phrases are found once per prepared set: later calls with
    other hypotheses, some of the images only, or repeated images score as fresh calls do."""
    references = ReferenceSet(REFS)
    prepared = meteor.prepare_references(references)
    swapped = [["a", "girl", "going", "into", "a", "building"], *HYPS[1:]]
    for hyps, images in [(HYPS, [0, 1, 2, 3]), (swapped, [2, 1, 0, 3]),
                         ([HYPS[2], HYPS[0], HYPS[2]], [2, 0, 2])]:
        got = meteor.candidate_stats(Candidates(references, hyps, np.array(images)), prepared)
        expected = meteor.segment_stats(hyps, [REFS[i] for i in images])
        np.testing.assert_array_equal(got, expected)
    assert expected[:, 16:20].sum()  # paraphrase matches were part of it


# -- threads: blocks of hypotheses scored side by side ------------------------------------
@pytest.mark.parametrize("threads, max_block, n_blocks", [(2, 2000, 2), (3, 2000, 3),
                                                         (7, 2000, 7), (1, 100, 4),
                                                         (2, 100, 4), (3, 60, 6)])
def test_every_number_of_threads_and_blocks_gives_the_same_statistics(
        monkeypatch, threads, max_block, n_blocks):
    """The goldens' 305 segments (rare words whose stems and synsets are computed, paraphrase
    pairs) in blocks of 40 to `max_block` segments, scored by 1 to 7 threads."""
    golden = json.loads((FIXTURES / "golden" / "meteor.json").read_text(encoding="utf-8"))
    hyps = [segment["hyp"].split(" ") for segment in golden["segments"]]
    refs = [[ref.split(" ") for ref in segment["refs"]] for segment in golden["segments"]]
    one = Meteor(threads=1).jar_stats(hyps, refs)
    monkeypatch.setattr(metric_module, "_MIN_BLOCK", 40)
    monkeypatch.setattr(metric_module, "_MAX_BLOCK", max_block)
    metric = Meteor(threads=threads)
    blocks = metric._blocks(len(hyps))
    assert len(blocks) == n_blocks and blocks[-1].stop == len(hyps)
    assert all(block.stop - block.start <= max_block for block in blocks)
    np.testing.assert_array_equal(metric.jar_stats(hyps, refs), one)


def test_one_thread_scores_every_block_in_the_calling_thread(monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a thread pool was started")

    expected = Meteor().jar_stats(HYPS, REFS)
    monkeypatch.setattr(metric_module, "_MAX_BLOCK", 2)
    monkeypatch.setattr(metric_module, "ThreadPoolExecutor", no_pool)
    metric = Meteor(threads=1)
    assert len(metric._blocks(len(HYPS))) == 2
    np.testing.assert_array_equal(metric.jar_stats(HYPS, REFS), expected)


def test_small_calls_and_gz_tables_stay_in_one_block(tmp_path):
    assert len(Meteor(threads=4)._blocks(metric_module._MIN_BLOCK * 2)) == 2
    assert len(Meteor(threads=4)._blocks(metric_module._MIN_BLOCK - 1)) == 1
    table = _gz(tmp_path / "t.gz", b"0.5\nequine\nhorse\n")
    assert len(Meteor(threads=4, paraphrase_table=table)._blocks(10**6)) == 1


def test_a_streamed_run_scores_meteor_on_one_core_per_process():
    default, chosen = Meteor(), Meteor(threads=2)
    assert default.single_threaded().threads == 1 and default.threads is None
    assert chosen.single_threaded() is chosen
    settings = Settings.of([default, chosen], "ptb")
    assert [metric.threads for metric in settings.metrics] == [1, 2]


# -- robustness: inputs the jar mishandles or that stress the implementation ------------------
def test_separator_in_a_hypothesis_is_deleted(meteor):
    np.testing.assert_array_equal(meteor.jar_stats([["a", "|||", "dog"]], [[["a", "dog"]]]),
                                  meteor.jar_stats([["a", "dog"]], [[["a", "dog"]]]))


def test_separator_in_a_reference_splits_it_in_two(meteor):
    split = meteor.jar_stats([["a", "dog", "runs"]], [[["a", "dog", "|||", "runs"]]])
    two = meteor.jar_stats([["a", "dog", "runs"]], [[["a", "dog"], ["runs"]]])
    np.testing.assert_array_equal(split, two)


def test_line_breaks_inside_tokens_separate_words(meteor):
    np.testing.assert_array_equal(
        meteor.jar_stats([["a\ndog", "runs\r"]], [[["a", "dog\r\nruns"]]]),
        meteor.jar_stats([["a", "dog", "runs"]], [[["a", "dog", "runs"]]]))


def test_non_ascii_captions(meteor):
    scores = meteor.sentence_scores([["über", "café", "😀"], ["собака"]],
                                    [[["über", "café", "😀"]], [["кот"]]])
    assert scores[:, 0].tolist() == [1.0, 0.0]


def test_empty_hypotheses_and_references_score_zero(meteor):
    stats = meteor.jar_stats([[], ["a", "dog"], []], [[["a", "dog"]], [[]], [[]]])
    assert meteor.scores_from_stats(stats)[:, 0].tolist() == [0.0, 0.0, 0.0]
    assert stats[:, :4].tolist() == [[0, 2, 0, 1], [2, 0, 1, 0], [0, 0, 0, 0]]


def test_long_captions(meteor):
    rng = np.random.default_rng(0)
    words = ["a", "dog", "man", "runs", "on", "the", "grass", "with", "ball", "red", "is"]
    hyps = [list(rng.choice(words, 200)) for _ in range(3)]
    refs = [[list(rng.choice(words, 200)), list(rng.choice(words, 150))] for _ in range(3)]
    stats = meteor.jar_stats(hyps, refs)
    scores = meteor.scores_from_stats(stats)[:, 0]
    assert (stats[:, 0] == 200).all() and ((scores > 0) & (scores < 1)).all()
    assert meteor.sentence_scores(hyps[:1], refs[:1])[0, 0] == scores[0]


def test_duplicate_segments_get_identical_results(meteor):
    stats = meteor.jar_stats(HYPS + HYPS[::-1], REFS + REFS[::-1])
    np.testing.assert_array_equal(stats[:4], stats[4:][::-1])


# -- paraphrase tables given by the user: every malformed file is one CapevalInputError --------
def _gz(path, data: bytes):
    with gzip.open(path, "wb") as handle:
        handle.write(data)
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: (p / "t.gz").write_bytes(b"not gzip at all") and p / "t.gz", "is not gzip"),
    (lambda p: (p / "t.gz").write_bytes(gzip.compress(b"0.5\nequine\nhorse\n" * 200)[:40])
     and p / "t.gz", "broken or truncated gzip"),
    (lambda p: _gz(p / "t.gz", b"0.5\n\xff\xfe\nhorse\n"), "not UTF-8"),
    (lambda p: _gz(p / "t.gz", b""), "has no entries"),
    (lambda p: _gz(p / "t.gz", b"high\nequine\nhorse\n"),
     "t.gz:line 1: probability 'high' is not a number"),
    (lambda p: _gz(p / "t.gz", b"0.5\nequine\nhorse\n0.1\nfoal\n"), "t.gz:line 4: expected"),
    (lambda p: (p / "t.npz").write_bytes(b"\x93NUMPY garbage") and p / "t.npz",
     "not a .npz archive"),
    (lambda p: np.savez(p / "t.npz", meta=np.zeros(2)) or p / "t.npz",
     "not a valid paraphrase table"),
])
def test_malformed_paraphrase_tables_are_input_errors(tmp_path, make, message):
    from capeval import CapevalInputError

    path = make(tmp_path)
    with pytest.raises(CapevalInputError, match=message) as caught:
        Meteor(paraphrase_table=path).jar_stats([["an", "equine"]], [[["a", "horse"]]])
    assert "allow_pickle" not in str(caught.value)
    assert str(caught.value).startswith(str(path))
