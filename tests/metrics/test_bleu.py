"""BLEU: statistics and formula checks; reference parity is in test_golden_scores.py."""
from __future__ import annotations

import math

import numpy as np
import pytest

from capeval.metrics.bleu import Bleu
from tests.metrics import naive
from tests.metrics.corpora import random_corpus


@pytest.mark.parametrize("seed", range(5))
def test_statistics_equal_a_naive_count(seed):
    hyps, refs = random_corpus(seed)
    stats = Bleu().segment_stats(hyps, refs)
    expected = [naive.bleu_stats(h, r) for h, r in zip(hyps, refs)]
    np.testing.assert_array_equal(stats, expected)


@pytest.mark.parametrize(
    "hyp, refs, ref_len",
    [
        (["a", "b", "c"], [["a"], ["a", "b", "c", "d", "e"]], 1),  # |1-3| = 2 = |5-3|: shorter
        (["a", "b", "c"], [["a", "b"], ["a", "b", "c", "d"]], 2),
        (["a", "b"], [["x", "y", "z"], ["a", "b", "c", "d"]], 3),
        ([], [["a", "b"], []], 0),
    ],
)
def test_closest_reference_length_breaks_ties_to_the_shorter(hyp, refs, ref_len):
    assert Bleu().segment_stats([hyp], [refs])[0, 1] == ref_len


def test_clipping_uses_the_maximum_count_of_any_single_reference():
    stats = Bleu(max_order=1).segment_stats([["the"] * 4], [[["the", "the"], ["the", "x"]]])
    assert stats[0, 2] == 2  # not 3 = counts summed over references


def test_degenerate_statistics_give_zero_not_errors():
    bleu = Bleu()
    assert np.all(bleu.scores_from_stats(np.zeros(10)) == 0)
    empty = bleu.sentence_scores([[]], [[["a", "dog"]]])
    assert np.all(empty == 0)


def test_perfect_match_scores_one_up_to_the_reference_fudges():
    scores = Bleu().sentence_scores([["a", "dog", "runs", "fast"]], [[["a", "dog", "runs", "fast"]]])
    np.testing.assert_allclose(scores, 1.0, atol=1e-8)


def test_corpus_score_is_the_score_of_summed_statistics():
    hyps, refs = random_corpus(7)
    bleu = Bleu()
    stats = bleu.segment_stats(hyps, refs)
    corpus = bleu.corpus_score(hyps, refs)
    np.testing.assert_allclose(list(corpus.values()), bleu.scores_from_stats(stats.sum(0)))


def test_scores_from_stats_is_vectorized_and_pure():
    hyps, refs = random_corpus(3)
    bleu = Bleu()
    stats = bleu.segment_stats(hyps, refs)
    before = stats.copy()
    batched = bleu.scores_from_stats(np.stack([stats, stats]))
    assert batched.shape == (2, len(hyps), 4)
    np.testing.assert_array_equal(stats, before)


def test_max_order_and_names():
    bleu = Bleu(max_order=2)
    assert bleu.score_names == ("BLEU-1", "BLEU-2")
    assert len(bleu.stat_names) == 6
    with pytest.raises(ValueError, match="max_order"):
        Bleu(max_order=0)


def test_nbsp_inside_a_token_splits_for_bleu_as_in_the_reference():
    # pycocoevalcap splits the tokenized string with str.split(), which breaks at U+00A0.
    stats = Bleu().segment_stats([["3\u00a01/2", "inch"]], [[["3", "1/2", "inch"]]])
    assert stats[0, 0] == 3 and stats[0, 2] == 3


def _reference_formula(row: list[float]) -> list[float]:
    """The reference scorer's per-image BLEU from one statistics row, in Python floats."""
    hyp_len, ref_len, correct, guess = row[0], row[1], row[2:6], row[6:10]
    scores, product = [], 1.0
    for k in range(4):
        product *= (correct[k] + 1e-15) / (guess[k] + 1e-9)
        scores.append(product ** (1.0 / (k + 1)))
    ratio = (hyp_len + 1e-15) / (ref_len + 1e-9)
    return [s * math.exp(1 - 1 / ratio) for s in scores] if ratio < 1 else scores


def test_scores_are_the_c_librarys_on_every_cpu():
    # NumPy's exp and fractional power differ from the C library in the last bit for a few
    # percent of inputs on AVX-512 CPUs; the reference uses math.exp and float **.
    rng = np.random.default_rng(0)
    guess = rng.integers(1, 30, size=(20_000, 4))
    correct = np.minimum(guess, rng.integers(0, 30, size=(20_000, 4)))
    lengths = rng.integers(1, 40, size=(20_000, 2))
    stats = np.column_stack([lengths, correct, guess]).astype(np.float64)
    expected = [_reference_formula(row) for row in stats.tolist()]
    np.testing.assert_array_equal(Bleu().scores_from_stats(stats), expected)
