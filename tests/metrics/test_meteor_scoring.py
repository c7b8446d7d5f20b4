"""METEOR scores from statistics: the jar's formula, evaluation order, pow and EVAL aggregate.

Oracle: values printed by meteor-1.5.jar, as recorded in the capeval METEOR specification
(sections 1.3, 3.3, 3.4 and 9): the C09 worked example, the three-line ``EVAL`` example, the
C18 line re-scored by a jar running without paraphrases, and ``Math.pow`` results of HotSpot.
"""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

from capeval.metrics.meteor import Meteor
from capeval.metrics.meteor.scoring import Parameters, is_perfect, java_pow, meteor_scores
from tests.conftest import FIXTURES

WEIGHTS = (1.0, 0.6, 0.8, 0.6)


def row(*groups):
    return np.array([value for group in groups for value in group], dtype=np.float64)


C09 = row([5, 6, 2, 3], [3, 3, 2, 2], [0] * 12, [2, 5, 5])
EVAL_EXAMPLE = np.array([
    row([5, 5, 2, 2], [2, 2, 2, 2], [0] * 8, [1, 1, 0, 0], [1, 5, 5]),  # perfect
    row([6, 6, 4, 3], [2, 2, 3, 3], [0] * 12, [2, 5, 5]),
    row([2, 2, 1, 1], [1, 1, 1, 1], [0] * 12, [1, 2, 2]),  # perfect
])


def test_worked_example_is_bit_identical():
    assert meteor_scores(C09, WEIGHTS) == 0.4645695216158345


def test_eval_aggregate_leaves_out_the_chunks_of_perfect_segments():
    metric = Meteor()
    summable = EVAL_EXAMPLE.copy()
    summable[is_perfect(summable), 20] = 0  # what Meteor stores
    assert metric.scores_from_stats(summable.sum(axis=0))[0] == 0.4958818357754605
    assert meteor_scores(EVAL_EXAMPLE.sum(axis=0), WEIGHTS) == pytest.approx(0.443, abs=1e-3)


def test_zeroed_chunks_leave_the_segment_score_unchanged():
    cases = [json.loads(line) for line in
             (FIXTURES / "meteor" / "conformance.jsonl").read_text().splitlines()]
    stats = np.array([[float(v) for v in case["stats"].split()] for case in cases])
    perfect = is_perfect(stats)
    assert perfect.sum() > 10
    zeroed = stats.copy()
    zeroed[perfect, 20] = 0
    np.testing.assert_array_equal(meteor_scores(zeroed, WEIGHTS), meteor_scores(stats, WEIGHTS))


def test_fewer_modules_reweight_and_ignore_the_extra_slots():
    c18 = row([5, 5, 2, 2], [2, 2, 2, 2], [0] * 8, [1, 1, 0, 0], [1, 5, 5])
    assert meteor_scores(c18, WEIGHTS) == 0.890909090909091
    assert meteor_scores(c18, WEIGHTS[:3]) == 0.7272727272727273  # frag 0: all words matched


@pytest.mark.parametrize("stats", [
    row([0, 6, 0, 3], [0] * 19),  # empty hypothesis: 0/0
    row([3, 0, 1, 0], [0] * 19),  # empty reference
    row([0, 0, 0, 0], [0] * 19),
    row([3, 6, 1, 3], [0] * 19),  # no match
])
def test_degenerate_statistics_score_zero(stats):
    assert meteor_scores(stats, WEIGHTS) == 0.0


def test_java_pow_uses_hotspot_results_where_the_c_library_differs():
    assert java_pow(12 / 47, 0.2) == 0.7610561111586592
    assert math.pow(12 / 47, 0.2) != java_pow(12 / 47, 0.2)
    assert java_pow(24 / 94, 0.2) == java_pow(12 / 47, 0.2)  # same double
    assert java_pow(0.4, 0.2) == math.pow(0.4, 0.2)
    assert java_pow(12 / 47, 0.3) == math.pow(12 / 47, 0.3)


def test_the_override_reaches_segment_scores():
    # frag = 12/47: 12 chunks over 47 matched words on each side
    stats = row([47, 47, 0, 0], [47, 47, 0, 0], [0] * 12, [12, 47, 47])
    expected = 1.0 * (1.0 - 0.6 * 0.7610561111586592)
    assert meteor_scores(stats, WEIGHTS) == expected


def test_parameters_change_the_score_and_are_validated():
    assert meteor_scores(C09, WEIGHTS, Parameters(alpha=0.9)) != meteor_scores(C09, WEIGHTS)
    with pytest.raises(ValueError, match="gamma"):
        Parameters(gamma=float("nan"))


def test_scores_from_stats_is_pure_and_broadcasts():
    metric = Meteor()
    stats = np.stack([C09, C09 * 2])
    before = stats.copy()
    scores = metric.scores_from_stats(stats[np.newaxis])
    assert scores.shape == (1, 2, 1)
    np.testing.assert_array_equal(stats, before)
    assert metric.scores_from_stats(C09).shape == (1,)
