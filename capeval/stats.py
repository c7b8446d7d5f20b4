"""Bootstrap confidence intervals and paired significance tests on sufficient statistics.

Nothing here re-scores text. A resampled corpus is a weighted sum of the per-image statistic
rows a metric already computed (`capeval.metrics.base`), scored with the metric's pure
``scores_from_stats``; all resamples of all systems are scored in one vectorized call.

Statistics arrays have shape (..., F, S, K): leading axes for systems, then F *folds* of the
same S images (F = 1 normally; the leave-one-reference-out human baseline of `capeval.human`
has one fold per held-out reference), then K statistics. The score of a corpus is the mean
over folds of the metric's score of each fold's column sums. Resampling and swapping act on
images, identically in every fold.

CIDEr-D under resampling: its per-image scores are computed once, with document frequencies
from the full reference corpus (or the given table), and are resampled as they are. The df
is *not* recomputed on each resample (a resample repeats images, which would inflate the df
of their n-grams); a resampled CIDEr-D is therefore exactly what re-scoring the resampled
text with a fixed df table of the full corpus gives.

Letters: B resamples (or randomization trials), S images, F folds, K statistics, C scores.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from capeval.metrics.base import Metric

_CHUNK_ELEMENTS = 1 << 22
"""Rows of resampling weights are built this many elements at a time, to bound memory."""


@dataclass(frozen=True)
class _Draws:
    """B rows of S random values, redrawn block by block from a saved generator state.

    Holding B x S values (8 bytes each) would grow with the corpus, so only the state before
    the draws is kept; every pass over the rows draws them again, block by block, giving the
    values one ``draw(rng, (B, S))`` call gives (NumPy's generators consume their bit stream
    value by value, whatever the block sizes).
    """

    n_rows: int
    n_images: int
    state: dict
    bit_generator: type

    @classmethod
    def start(cls, n_images: int, n_rows: int, rng: np.random.Generator) -> _Draws:
        _check_sizes(n_images, n_rows)
        return cls(n_rows, n_images, copy.deepcopy(dict(rng.bit_generator.state)),
                   type(rng.bit_generator))

    def blocks(self, draw, rng: np.random.Generator | None = None) -> Iterator[np.ndarray]:
        """Yield the rows drawn by ``draw(rng, shape)``, a block of rows at a time.

        Without `rng`, a copy of the saved generator draws them; with it, `rng` itself (at
        the saved state) draws them, so that it ends where one call would leave it.
        """
        if rng is None:
            rng = np.random.Generator(self.bit_generator())
            rng.bit_generator.state = self.state
        step = max(1, _CHUNK_ELEMENTS // self.n_images)
        for begin in range(0, self.n_rows, step):
            yield draw(rng, (min(step, self.n_rows - begin), self.n_images))


def _draw_indices(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.integers(0, shape[1], size=shape)


def _draw_swaps(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    return rng.random(shape) < 0.5


@dataclass(frozen=True)
class Bootstrap:
    """B resamples of S images drawn with replacement, shared by every system and metric.

    The resamples are redrawn whenever they are used (see `_Draws`), so memory does not grow
    with B x S.
    """

    draws: _Draws

    @classmethod
    def draw(cls, n_images: int, n_samples: int, rng: np.random.Generator) -> Bootstrap:
        """Draw `n_samples` resamples of `n_images` images from `rng` (advancing it)."""
        draws = _Draws.start(n_images, n_samples, rng)
        for _ in draws.blocks(_draw_indices, rng):
            pass
        return cls(draws)

    @property
    def n_samples(self) -> int:
        return self.draws.n_rows

    @property
    def indices(self) -> np.ndarray:
        """ndarray of shape (B, S), dtype int64: row b lists the images of resample b."""
        return np.vstack(list(self.draws.blocks(_draw_indices)))

    def totals(self, stats: np.ndarray) -> np.ndarray:
        """Return the column sums of every resample.

        Parameters
        ----------
        stats : ndarray of shape (..., S, K)

        Returns
        -------
        ndarray of shape (B, ..., K)
        """
        n_images = self.draws.n_images
        flat, restore = _images_first(stats, n_images)
        totals = np.empty((self.n_samples, flat.shape[1]))
        start = 0
        for rows in self.draws.blocks(_draw_indices):
            offsets = np.arange(rows.shape[0])[:, np.newaxis] * n_images
            weights = np.bincount((rows + offsets).ravel(), minlength=rows.size)
            totals[start:start + rows.shape[0]] = (
                weights.reshape(rows.shape).astype(np.float64) @ flat)
            start += rows.shape[0]
        return restore(totals)


@dataclass(frozen=True)
class Randomization:
    """B approximate-randomization trials: which images swap system and baseline outputs.

    Redrawn whenever used, as `Bootstrap`.
    """

    draws: _Draws

    @classmethod
    def draw(cls, n_images: int, n_trials: int, rng: np.random.Generator) -> Randomization:
        """Draw `n_trials` independent fair coin flips per image from `rng` (advancing it)."""
        draws = _Draws.start(n_images, n_trials, rng)
        for _ in draws.blocks(_draw_swaps, rng):
            pass
        return cls(draws)

    @property
    def n_samples(self) -> int:
        return self.draws.n_rows

    @property
    def swaps(self) -> np.ndarray:
        """ndarray of shape (B, S), dtype bool: True where trial b exchanges the two systems'
        statistics of image s (probability 1/2)."""
        return np.vstack(list(self.draws.blocks(_draw_swaps)))

    def totals(self, system: np.ndarray, baseline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the column sums of the two shuffled pseudo-systems of every trial.

        Parameters
        ----------
        system, baseline : ndarray of shape (..., S, K)

        Returns
        -------
        (ndarray of shape (B, ..., K), ndarray of shape (B, ..., K))
            Totals of the pseudo-system (the system with swapped images taken from the
            baseline) and of the pseudo-baseline.
        """
        difference, restore = _images_first(np.asarray(baseline) - np.asarray(system),
                                            self.draws.n_images)
        moved = np.empty((self.n_samples, difference.shape[1]))
        start = 0
        for swaps in self.draws.blocks(_draw_swaps):
            moved[start:start + swaps.shape[0]] = swaps.astype(np.float64) @ difference
            start += swaps.shape[0]
        moved = restore(moved)
        system_total = np.sum(system, axis=-2)
        baseline_total = np.sum(baseline, axis=-2)
        return system_total + moved, baseline_total - moved


def corpus_scores(metric: Metric, stats: np.ndarray) -> np.ndarray:
    """Return the corpus scores of statistics of shape (..., F, S, K) as (..., C).

    Each fold's rows are summed and scored; the scores are averaged over the F folds.
    """
    return fold_mean(metric, np.sum(stats, axis=-2))


def fold_mean(metric: Metric, totals: np.ndarray) -> np.ndarray:
    """Score totals of shape (..., F, K) and average over folds: returns (..., C)."""
    return metric.scores_from_stats(totals).mean(axis=-2)


def bootstrap_scores(metric: Metric, stats: np.ndarray, bootstrap: Bootstrap) -> np.ndarray:
    """Return the corpus scores of every resample.

    Parameters
    ----------
    metric : Metric
    stats : ndarray of shape (..., F, S, K)
    bootstrap : Bootstrap

    Returns
    -------
    ndarray of shape (B, ..., C)
    """
    return fold_mean(metric, bootstrap.totals(stats))


def confidence_interval(samples: np.ndarray, level: float) -> np.ndarray:
    """Return the percentile bootstrap interval of each score.

    The bounds are the (1 - level)/2 and (1 + level)/2 quantiles of the resampled scores
    (linear interpolation), e.g. the 2.5th and 97.5th percentiles for level 0.95.

    Parameters
    ----------
    samples : ndarray of shape (B, ...)
    level : float in (0, 1)

    Returns
    -------
    ndarray of shape (..., 2)
        Low and high bound.
    """
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be between 0 and 1, got {level!r}")
    low, high = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return np.stack([low, high], axis=-1)


def p_value(extreme: np.ndarray, n_samples: int) -> np.ndarray:
    """Return (c + 1) / (n + 1), c the number of samples at least as extreme as observed.

    The +1 keeps the test valid for few samples (the observed data counts as one sample);
    the same estimate as multeval and sacrebleu.
    """
    return (np.asarray(extreme).sum(axis=0) + 1.0) / (n_samples + 1.0)


def paired_bootstrap_p(
    system_samples: np.ndarray,
    baseline_samples: np.ndarray,
    system_scores: np.ndarray,
    baseline_scores: np.ndarray,
) -> np.ndarray:
    """Two-sided paired bootstrap test (Koehn, 2004) of a system against a baseline.

    Both systems are resampled with the same images (one `Bootstrap`). The bootstrap
    differences ``d_b`` vary around the observed difference ``d``; shifted by ``-d`` they
    estimate the difference's distribution under the null hypothesis of equal quality
    (Berg-Kirkpatrick et al., 2012). A resample counts as extreme when ``|d_b - d| >= |d|``;
    identical systems therefore get p = 1.

    Parameters
    ----------
    system_samples, baseline_samples : ndarray of shape (B, ..., C)
        Scores of the same resamples (`bootstrap_scores`).
    system_scores, baseline_scores : ndarray of shape (..., C)
        Observed corpus scores.

    Returns
    -------
    ndarray of shape (..., C)
        p-values.
    """
    observed = np.asarray(system_scores) - np.asarray(baseline_scores)
    differences = np.asarray(system_samples) - np.asarray(baseline_samples)
    extreme = np.abs(differences - observed) >= np.abs(observed)
    return p_value(extreme, differences.shape[0])


def approximate_randomization_p(
    metric: Metric, system: np.ndarray, baseline: np.ndarray, randomization: Randomization
) -> np.ndarray:
    """Two-sided paired approximate randomization test (Noreen, 1989; Riezler and Maxwell, 2005).

    Under the null hypothesis the two systems' outputs for an image are exchangeable. Each
    trial swaps them on a random half of the images; a trial counts as extreme when the score
    difference of the two pseudo-systems is at least the observed one in absolute value.

    Parameters
    ----------
    metric : Metric
    system, baseline : ndarray of shape (..., F, S, K)
    randomization : Randomization

    Returns
    -------
    ndarray of shape (..., C)
        p-values.
    """
    observed = corpus_scores(metric, system) - corpus_scores(metric, baseline)
    system_totals, baseline_totals = randomization.totals(system, baseline)
    shuffled = fold_mean(metric, system_totals) - fold_mean(metric, baseline_totals)
    return p_value(np.abs(shuffled) >= np.abs(observed), randomization.n_samples)


def _images_first(stats: np.ndarray, n_images: int):
    """Reshape (..., S, K) to (S, M) and return it with a function mapping (B, M) to (B, ..., K)."""
    stats = np.asarray(stats, dtype=np.float64)
    if stats.ndim < 2 or stats.shape[-2] != n_images:
        raise ValueError(f"statistics of shape {stats.shape} do not have {n_images} images on "
                         "their second-to-last axis")
    lead, n_stats = stats.shape[:-2], stats.shape[-1]
    flat = np.moveaxis(stats, -2, 0).reshape(n_images, -1)
    return flat, lambda totals: totals.reshape(totals.shape[0], *lead, n_stats)


def _check_sizes(n_images: int, n_samples: int) -> None:
    if n_images < 1:
        raise ValueError(f"cannot resample {n_images} images")
    if n_samples < 1:
        raise ValueError(f"the number of samples must be positive, got {n_samples}")
