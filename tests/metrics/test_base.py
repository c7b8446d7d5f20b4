"""The metric base: segments validation, statistics shape, registry."""
from __future__ import annotations

import gc
import weakref

import pytest

from capeval.metrics import DEFAULT_METRICS, METRICS, get_metric
from capeval.metrics.base import Candidates, ReferenceSet, Segments


def test_segments_validate_their_inputs():
    with pytest.raises(ValueError, match="2 hypotheses but 1 reference lists"):
        Segments([["a"], ["b"]], [[["a"]]])
    with pytest.raises(ValueError, match="segment 1 has no reference caption"):
        Segments([["a"], ["b"]], [[["a"]], []])


@pytest.mark.parametrize("name", sorted(METRICS))
def test_every_metric_reports_named_statistics_and_scores(name):
    metric = get_metric(name)
    stats = metric.segment_stats([["a", "dog"], []], [[["a", "dog"]], [["x"], []]])
    assert stats.shape == (2, len(metric.stat_names))
    assert metric.sentence_scores([["a"]], [[["a"]]]).shape == (1, len(metric.score_names))
    assert set(metric.corpus_score([["a"]], [[["a"]]])) == set(metric.score_names)


def test_a_shared_segments_object_gives_the_same_stats_as_separate_calls():
    hyps, refs = [["a", "dog"], ["a", "cat", "runs"]], [[["a", "dog"]], [["the", "cat", "runs"]]]
    segments = Segments(hyps, refs)
    for name in METRICS:
        metric = get_metric(name)
        assert (metric.segment_stats(segments) == metric.segment_stats(hyps, refs)).all()


def test_registry():
    assert set(DEFAULT_METRICS) <= set(METRICS)
    assert get_metric("BLEU").name == "BLEU"
    with pytest.raises(ValueError, match="unknown metric 'spice'"):
        get_metric("spice")


@pytest.mark.parametrize("hypotheses, references, message", [
    (["a man riding"], [[["a", "woman"]]], "hypothesis 0 is a string; metrics take token lists"),
    ([["a"]], ["a woman sitting"], "references of segment 0 are one string"),
    ([["a"]], [["a woman sitting"]], "reference 0 of segment 0 is a string"),
    ("a man", [[["a"]]], "hypotheses must be a sequence of segments, not one string"),
])
def test_strings_are_never_read_as_token_lists(hypotheses, references, message):
    from capeval import CapevalTypeError

    for name in METRICS:
        with pytest.raises(CapevalTypeError, match=message):
            get_metric(name).segment_stats(hypotheses, references)


def test_the_first_bad_caption_is_reported_wherever_it_is():
    from capeval import CapevalTypeError, CapevalUsageError
    from capeval.limits import MAX_CAPTION_TOKENS
    from capeval.metrics.base import check_hypothesis_tokens, check_reference_tokens

    long = ["a"] * (MAX_CAPTION_TOKENS + 1)
    ok = [["a", "dog"]] * 50
    check_hypothesis_tokens(ok + [["a"] * MAX_CAPTION_TOKENS])
    check_reference_tokens([[["a"]], [["b"], ["a"] * MAX_CAPTION_TOKENS]] + [ok] * 3)
    with pytest.raises(CapevalUsageError, match="^hypothesis 50: caption of 1,001 tokens"):
        check_hypothesis_tokens(ok + [long, "a string later"])
    with pytest.raises(CapevalTypeError, match="^hypothesis 51 is a string"):
        check_hypothesis_tokens(ok + [["b"], "a string", long])
    with pytest.raises(CapevalUsageError, match="^reference 1 of segment 2: caption of 1,001"):
        check_reference_tokens([ok, ok, [["a"], long], []])
    with pytest.raises(CapevalUsageError, match="^segment 2 has no reference caption"):
        check_reference_tokens([ok, ok, [], [long]])
    with pytest.raises(CapevalTypeError, match="^reference 0 of segment 1 is a string"):
        check_reference_tokens([ok, ("a b",), [long]])
    with pytest.raises(TypeError):
        check_hypothesis_tokens(ok + [3])


def test_unknown_metric_names_are_usage_errors():
    from capeval import CapevalTypeError, CapevalUsageError

    with pytest.raises(CapevalUsageError, match="unknown metric 'blue'; choose from bleu") as caught:
        get_metric("blue")
    assert caught.value.option == "metrics"
    with pytest.raises(CapevalTypeError, match="got int"):
        get_metric(4)


def test_candidates_and_their_segments_share_caches_without_a_reference_cycle():
    was_enabled = gc.isenabled()
    gc.disable()  # only reference counting frees them below
    try:
        candidates = Candidates(ReferenceSet([[["a", "dog"]]]), [["a", "cat"]])
        segments = candidates.segments()
        assert segments.candidates() is candidates and candidates.segments() is segments
        alive = weakref.ref(candidates)
        del candidates, segments
        assert alive() is None
    finally:
        if was_enabled:
            gc.enable()
