"""METEOR scores from the jar's 23 statistics, with the jar's floating-point behaviour.

A statistics row (K = 23) is laid out as the jar prints it after ``SCORE``:

=====  ==========================================================================
0, 1   hypothesis and reference length (tokens)
2, 3   function words in hypothesis and reference
4-19   for each of the 4 module slots: hyp content, ref content, hyp function, ref
       function words matched
20     chunks
21, 22 hypothesis and reference words matched
=====  ==========================================================================

The arithmetic follows the jar's evaluation order exactly (IEEE double, Java division
semantics: x/0 is +-inf and 0/0 is NaN), and ``Math.pow(frag, 0.2)`` uses the jar's results
for the fractions where HotSpot's intrinsic and the C library disagree, so scores are
bit-identical to ``meteor-1.5.jar`` on OpenJDK 17 / x86_64.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from capeval.arrays import distinct

N_STATS = 23
N_SLOTS = 4
CHUNKS = 20
STAT_NAMES = (
    "tst_len", "ref_len", "tst_func", "ref_func",
    *(f"{kind}_{slot}" for slot in range(1, N_SLOTS + 1)
      for kind in ("tst_content", "ref_content", "tst_func_matched", "ref_func_matched")),
    "chunks", "tst_matched", "ref_matched",
)
_TST_MATCHED = [4 + 4 * slot + offset for slot in range(N_SLOTS) for offset in (0, 2)]
_REF_MATCHED = [4 + 4 * slot + offset for slot in range(N_SLOTS) for offset in (1, 3)]

# Math.pow(frag, 0.2) on HotSpot x86_64 where it differs from the C library's pow (1-2 ulp);
# frag = 2 * chunks / (hyp matches + ref matches). Measured with OpenJDK 17.0.15 over all
# fractions 2c/M, c <= 60, M <= 240 (capeval METEOR specification, section 9).
_JAVA_POW_0_2 = {
    14 / 111: 0.6609384404935977,
    34 / 235: 0.6793322164844211,
    12 / 47: 0.7610561111586592,
    37 / 104: 0.8132679863036546,
    74 / 193: 0.8255338432894582,
    88 / 207: 0.8427571879385563,
    88 / 167: 0.8797377743687556,
    100 / 173: 0.8961707798109799,
    51 / 80: 0.9138944456197073,
    110 / 117: 0.9877370960092116,
    45 / 47: 0.9913406873113763,
}


@dataclass(frozen=True)
class Parameters:
    """METEOR's parameters; defaults are the jar's ``-l en`` (task "rank") values."""

    alpha: float = 0.85  # weight of recall in the harmonic mean
    beta: float = 0.20  # exponent of the fragmentation penalty
    gamma: float = 0.60  # maximum fragmentation penalty
    delta: float = 0.75  # weight of content words (function words get 1 - delta)

    def __post_init__(self) -> None:
        for name in ("alpha", "beta", "gamma", "delta"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise ValueError(f"METEOR parameter {name} must be a finite number, got {value!r}")


def java_pow(base: float, exponent: float) -> float:
    """Return ``Math.pow(base, exponent)`` as the jar computes it (see `_JAVA_POW_0_2`)."""
    if exponent == 0.2 and base in _JAVA_POW_0_2:
        return _JAVA_POW_0_2[base]
    return math.pow(base, exponent)


def is_perfect(stats: np.ndarray) -> np.ndarray:
    """Return whether each row has every word matched, in one chunk.

    Parameters
    ----------
    stats : ndarray of shape (..., 23)

    Returns
    -------
    ndarray of shape (...), dtype bool
    """
    stats = np.asarray(stats, dtype=np.float64)
    return ((stats[..., _TST_MATCHED].sum(axis=-1) == stats[..., 0])
            & (stats[..., _REF_MATCHED].sum(axis=-1) == stats[..., 1])
            & (stats[..., CHUNKS] == 1))


def meteor_scores(stats: np.ndarray, weights: tuple[float, ...],
                  parameters: Parameters = Parameters()) -> np.ndarray:
    """Return the jar's score of each statistics row.

    Parameters
    ----------
    stats : ndarray of shape (..., 23)
        Rows of jar statistics, or column sums of them (see `Meteor` for how chunks of
        "perfect" segments are excluded from sums, as the jar's ``EVAL`` does).
    weights : tuple of float
        Scoring weight of each configured module slot (at most 4); slots beyond it count
        towards "every word matched" but not towards the weighted matches.
    parameters : Parameters

    Returns
    -------
    ndarray of shape (...), dtype float64, in [0, 1]
    """
    stats = np.asarray(stats, dtype=np.float64)
    alpha, beta, gamma, delta = (parameters.alpha, parameters.beta, parameters.gamma,
                                 parameters.delta)
    tst_len, ref_len, tst_func, ref_func = (stats[..., k] for k in range(4))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tst_weighted_len = delta * (tst_len - tst_func) + (1.0 - delta) * tst_func
        ref_weighted_len = delta * (ref_len - ref_func) + (1.0 - delta) * ref_func
        tst_weighted = np.zeros(stats.shape[:-1])
        ref_weighted = np.zeros(stats.shape[:-1])
        for slot, weight in enumerate(weights):
            tst_weighted = tst_weighted + stats[..., 4 + 4 * slot] * weight * delta
        for slot, weight in enumerate(weights):
            ref_weighted = ref_weighted + stats[..., 5 + 4 * slot] * weight * delta
        for slot, weight in enumerate(weights):
            tst_weighted = tst_weighted + stats[..., 6 + 4 * slot] * weight * (1.0 - delta)
        for slot, weight in enumerate(weights):
            ref_weighted = ref_weighted + stats[..., 7 + 4 * slot] * weight * (1.0 - delta)
        precision = tst_weighted / tst_weighted_len
        recall = ref_weighted / ref_weighted_len
        fmean = 1.0 / (((1.0 - alpha) / precision) + (alpha / recall))
        frag = stats[..., CHUNKS] / ((stats[..., 21] + stats[..., 22]) / 2)
        frag = np.where(is_perfect(stats), 0.0, frag)
        # Few distinct fractions: the (scalar) power of each once.
        fractions = distinct(frag.ravel())
        powered = np.array([java_pow(value, beta) for value in fractions.tolist()],
                           dtype=np.float64)[np.searchsorted(fractions, frag)]
        penalty = gamma * powered
        score = fmean * (1.0 - penalty)
    return np.where(np.isnan(score), 0.0, np.maximum(score, 0.0))
