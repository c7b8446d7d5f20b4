"""capeval.stats against a slow reference that re-scores resampled *text* with the metric.

BLEU statistics are integer counts, so resampled sums (and hence scores) are bitwise equal in
any summation order; ROUGE-L and CIDEr-D statistics are real-valued, so their sums agree to
rounding (rtol 1e-12). The slow CIDEr-D path scores every resample with a fixed df table of the
full references, which is how `capeval.stats` treats CIDEr-D's df under resampling.
"""
from __future__ import annotations

import numpy as np
import pytest

from capeval import stats
from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics.bleu import Bleu
from capeval.metrics.cider import CiderD
from capeval.metrics.rouge import RougeL
from capeval.stats import (
    Bootstrap,
    Randomization,
    approximate_randomization_p,
    bootstrap_scores,
    confidence_interval,
    corpus_scores,
    p_value,
    paired_bootstrap_p,
)
from tests.metrics.corpora import random_corpus

N_SAMPLES = 40


@pytest.fixture(scope="module")
def corpus():
    hyps, refs = random_corpus(seed=7, n_images=15, max_refs=4)
    baseline, _ = random_corpus(seed=8, n_images=15, max_refs=4)
    baseline[:4] = hyps[:4]  # identical outputs on some images, as real systems have
    return hyps, baseline, refs


def metric_pairs(refs):
    """(fast metric, slow metric) pairs; the slow CIDEr-D uses the full corpus's df table."""
    table = DocumentFrequencies.from_references(refs)
    return [(Bleu(), Bleu()), (RougeL(), RougeL()), (CiderD(), CiderD(table))]


def assert_same(fast, slow, metric):
    if isinstance(metric, Bleu):
        np.testing.assert_array_equal(fast, slow)
    else:
        np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-15)


def rescore(metric, hyps, refs, images):
    """Score the corpus made of `images` (with repeats) by re-scoring its text."""
    scores = metric.corpus_score([hyps[i] for i in images], [refs[i] for i in images])
    return np.array(list(scores.values()))


@pytest.mark.parametrize("which", [0, 1, 2], ids=["BLEU", "ROUGE-L", "CIDEr-D"])
def test_bootstrap_scores_equal_rescored_resampled_text(corpus, which):
    hyps, _, refs = corpus
    fast_metric, slow_metric = metric_pairs(refs)[which]
    bootstrap = Bootstrap.draw(len(hyps), N_SAMPLES, np.random.default_rng(0))
    stats = fast_metric.segment_stats(hyps, refs)[np.newaxis]  # one fold
    fast = bootstrap_scores(fast_metric, stats, bootstrap)
    slow = np.array([rescore(slow_metric, hyps, refs, row) for row in bootstrap.indices])
    assert fast.shape == (N_SAMPLES, len(fast_metric.score_names))
    assert_same(fast, slow, fast_metric)


def test_bootstrap_totals_match_indexing_for_stacked_systems(corpus):
    hyps, baseline, refs = corpus
    metric = Bleu()
    stats = np.stack([metric.segment_stats(h, refs) for h in (hyps, baseline)])[:, None]
    bootstrap = Bootstrap.draw(len(hyps), 7, np.random.default_rng(3))
    totals = bootstrap.totals(stats)  # (B, systems, folds, K)
    assert totals.shape == (7, 2, 1, len(metric.stat_names))
    expected = stats[:, :, bootstrap.indices].sum(axis=-2)  # (systems, folds, B, K)
    np.testing.assert_array_equal(totals, np.moveaxis(expected, 2, 0))


@pytest.mark.parametrize("which", [0, 1, 2], ids=["BLEU", "ROUGE-L", "CIDEr-D"])
def test_paired_bootstrap_p_equals_slow_count(corpus, which):
    hyps, baseline, refs = corpus
    fast_metric, slow_metric = metric_pairs(refs)[which]
    bootstrap = Bootstrap.draw(len(hyps), N_SAMPLES, np.random.default_rng(0))
    system_stats = fast_metric.segment_stats(hyps, refs)[np.newaxis]
    baseline_stats = fast_metric.segment_stats(baseline, refs)[np.newaxis]
    fast = paired_bootstrap_p(
        bootstrap_scores(fast_metric, system_stats, bootstrap),
        bootstrap_scores(fast_metric, baseline_stats, bootstrap),
        corpus_scores(fast_metric, system_stats),
        corpus_scores(fast_metric, baseline_stats),
    )
    everything = range(len(hyps))
    observed = (rescore(slow_metric, hyps, refs, everything)
                - rescore(slow_metric, baseline, refs, everything))
    extreme = np.zeros_like(observed)
    for row in bootstrap.indices:
        difference = (rescore(slow_metric, hyps, refs, row)
                      - rescore(slow_metric, baseline, refs, row))
        extreme += np.abs(difference - observed) >= np.abs(observed)
    np.testing.assert_array_equal(fast, (extreme + 1) / (N_SAMPLES + 1))


@pytest.mark.parametrize("which", [0, 1, 2], ids=["BLEU", "ROUGE-L", "CIDEr-D"])
def test_approximate_randomization_p_equals_slow_count(corpus, which):
    hyps, baseline, refs = corpus
    fast_metric, slow_metric = metric_pairs(refs)[which]
    randomization = Randomization.draw(len(hyps), N_SAMPLES, np.random.default_rng(0))
    fast = approximate_randomization_p(
        fast_metric,
        fast_metric.segment_stats(hyps, refs)[np.newaxis],
        fast_metric.segment_stats(baseline, refs)[np.newaxis],
        randomization,
    )
    everything = range(len(hyps))
    observed = (rescore(slow_metric, hyps, refs, everything)
                - rescore(slow_metric, baseline, refs, everything))
    extreme = np.zeros_like(observed)
    for swap in randomization.swaps:
        pseudo_system = [b if s else h for h, b, s in zip(hyps, baseline, swap, strict=True)]
        pseudo_baseline = [h if s else b for h, b, s in zip(hyps, baseline, swap, strict=True)]
        difference = (rescore(slow_metric, pseudo_system, refs, everything)
                      - rescore(slow_metric, pseudo_baseline, refs, everything))
        extreme += np.abs(difference) >= np.abs(observed)
    np.testing.assert_array_equal(fast, (extreme + 1) / (N_SAMPLES + 1))


@pytest.mark.parametrize("n_images", [1, 7, 61])
def test_draws_redrawn_in_blocks_equal_one_call_of_the_generator(monkeypatch, n_images):
    monkeypatch.setattr(stats, "_CHUNK_ELEMENTS", 20)  # blocks of one to a few rows
    rng, one_call = np.random.default_rng(11), np.random.default_rng(11)
    bootstrap = Bootstrap.draw(n_images, 9, rng)
    randomization = Randomization.draw(n_images, 5, rng)
    np.testing.assert_array_equal(bootstrap.indices,
                                  one_call.integers(0, n_images, size=(9, n_images)))
    np.testing.assert_array_equal(randomization.swaps, one_call.random((5, n_images)) < 0.5)
    assert rng.random() == one_call.random()  # both generators end at the same state
    values = np.random.default_rng(2).random((3, n_images, 2))
    np.testing.assert_allclose(bootstrap.totals(values),
                               values[:, bootstrap.indices].sum(axis=-2).swapaxes(0, 1),
                               rtol=1e-13)


def test_same_seed_same_draws_and_seed_zero_is_a_seed():
    first = Bootstrap.draw(50, 20, np.random.default_rng(0)).indices
    again = Bootstrap.draw(50, 20, np.random.default_rng(0)).indices
    other = Bootstrap.draw(50, 20, np.random.default_rng(1)).indices
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    swaps = Randomization.draw(50, 20, np.random.default_rng(0)).swaps
    np.testing.assert_array_equal(swaps, Randomization.draw(50, 20, np.random.default_rng(0)).swaps)
    assert 0.3 < swaps.mean() < 0.7


def test_identical_systems_are_never_significant(corpus):
    hyps, _, refs = corpus
    metric = Bleu()
    stats = metric.segment_stats(hyps, refs)[np.newaxis]
    bootstrap = Bootstrap.draw(len(hyps), 25, np.random.default_rng(0))
    samples = bootstrap_scores(metric, stats, bootstrap)
    scores = corpus_scores(metric, stats)
    np.testing.assert_array_equal(paired_bootstrap_p(samples, samples, scores, scores), 1.0)
    randomization = Randomization.draw(len(hyps), 25, np.random.default_rng(0))
    np.testing.assert_array_equal(
        approximate_randomization_p(metric, stats, stats, randomization), 1.0)


def test_clearly_better_system_gets_the_smallest_p(corpus):
    _, baseline, refs = corpus
    metric = Bleu()
    perfect = [r[0] for r in refs]  # a reference scores far above random captions
    system_stats = metric.segment_stats(perfect, refs)[np.newaxis]
    baseline_stats = metric.segment_stats(baseline, refs)[np.newaxis]
    randomization = Randomization.draw(len(refs), 99, np.random.default_rng(0))
    p = approximate_randomization_p(metric, system_stats, baseline_stats, randomization)
    np.testing.assert_array_equal(p, 1 / 100)


def test_corpus_scores_average_folds():
    metric = Bleu(max_order=1)
    # two folds of two images: hyp_len, ref_len, matches_1, total_1
    stats = np.array([[[2, 2, 1, 2], [2, 2, 1, 2]], [[2, 2, 2, 2], [2, 2, 2, 2]]], float)
    expected = (metric.scores_from_stats(stats[0].sum(0)) + metric.scores_from_stats(
        stats[1].sum(0))) / 2
    np.testing.assert_allclose(corpus_scores(metric, stats), expected)
    np.testing.assert_allclose(expected, [0.75], rtol=1e-9)


@pytest.mark.parametrize("level, low, high", [(0.95, 2.475, 96.525), (0.5, 24.75, 74.25)])
def test_confidence_interval_is_the_percentile_interval(level, low, high):
    # quantile q of 0..99 with linear interpolation is 99 q
    samples = np.arange(100, dtype=float)[:, None] * np.array([[1.0, 2.0]])  # (B, C)
    interval = confidence_interval(samples, level)
    np.testing.assert_allclose(interval, [[low, high], [2 * low, 2 * high]])


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1])
def test_confidence_level_outside_the_open_unit_interval_is_rejected(level):
    with pytest.raises(ValueError, match="confidence level"):
        confidence_interval(np.zeros((3, 1)), level)


def test_p_value_counts_the_observed_sample():
    assert p_value(np.array([True, False, False]), 3) == 0.5
    assert p_value(np.zeros(9, bool), 9) == 0.1


@pytest.mark.parametrize("images, samples", [(0, 5), (5, 0)])
def test_empty_draws_are_rejected(images, samples):
    with pytest.raises(ValueError):
        Bootstrap.draw(images, samples, np.random.default_rng(0))
    with pytest.raises(ValueError):
        Randomization.draw(images, samples, np.random.default_rng(0))


def test_statistics_of_another_corpus_are_rejected():
    bootstrap = Bootstrap.draw(4, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="do not have 4 images"):
        bootstrap.totals(np.zeros((1, 5, 2)))
