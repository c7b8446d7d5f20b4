"""BLEU-1..4 exactly as pycocoevalcap computes it (Papineni et al., 2002).

Matches ``pycocoevalcap.bleu.bleu.Bleu(4).compute_score`` (which calls its BleuScorer with
``option='closest'``): clipped n-gram precision against the maximum count over all references,
brevity penalty with the reference length closest to the hypothesis length (ties to the
shorter), and the reference's additive fudges: 1e-15 on every match count and on the
hypothesis length, 1e-9 on every n-gram total and on the reference length. Per-image scores are
the same formula applied to one image's statistics, as the reference reports them.

The statistics come from the shared n-gram engine (`capeval.ngrams.scoring.bleu_stats`).
"""
from __future__ import annotations

import math

import numpy as np

from capeval.arrays import libm
from capeval.collector import paused_collector
from capeval.metrics.base import Candidates, Metric, ReferenceSet
from capeval.metrics.ngram_data import candidate_ngrams, reference_ngrams
from capeval.ngrams.prepared import NgramReferences, check_max_order
from capeval.ngrams.scoring import bleu_stats

TINY = 1e-15
"""Added to match counts and to the hypothesis length (pycocoevalcap's ``tiny``)."""
SMALL = 1e-9
"""Added to n-gram totals and to the reference length (pycocoevalcap's ``small``)."""


class Bleu(Metric):
    """BLEU-1..max_order with pycocoevalcap's smoothing and 'closest' reference length.

    Statistics per segment (K = 2 + 2 * max_order): hypothesis length, closest reference
    length, clipped matches of each order, then n-gram totals of each order.

    Parameters
    ----------
    max_order : int, default=4
        Highest n-gram order; scores BLEU-1..BLEU-max_order are reported.
    """

    name = "BLEU"

    def __init__(self, max_order: int = 4) -> None:
        check_max_order(max_order)
        self.max_order = max_order
        self.score_names = tuple(f"BLEU-{n}" for n in range(1, max_order + 1))
        self.stat_names = (
            "hyp_len",
            "ref_len",
            *(f"matches_{n}" for n in range(1, max_order + 1)),
            *(f"total_{n}" for n in range(1, max_order + 1)),
        )

    def signature(self) -> dict[str, str]:
        return {"n": str(self.max_order), "ref_len": "closest", "smooth": "coco"}

    @paused_collector()
    def prepare_references(self, references: ReferenceSet) -> NgramReferences:
        return reference_ngrams(references, self.max_order, None)

    def _candidate_stats(self, candidates: Candidates, prepared: NgramReferences) -> np.ndarray:
        return bleu_stats(candidate_ngrams(candidates, prepared), prepared.vectors)

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        stats = np.asarray(stats, dtype=np.float64)
        n = self.max_order
        hyp_len, ref_len = stats[..., 0], stats[..., 1]
        precisions = (stats[..., 2 : 2 + n] + TINY) / (stats[..., 2 + n : 2 + 2 * n] + SMALL)
        exponents = 1.0 / np.arange(1, n + 1)
        # The reference's math.exp and float ** (the C library's results, see `libm`).
        scores = libm(math.pow, np.cumprod(precisions, axis=-1), exponents)
        ratio = (hyp_len + TINY) / (ref_len + SMALL)
        brevity = np.ones_like(ratio)
        short = ratio < 1
        brevity[short] = libm(math.exp, 1 - 1 / ratio[short])
        return scores * brevity[..., np.newaxis]
