"""ROUGE-L exactly as pycocoevalcap computes it (Lin, 2004).

Matches ``pycocoevalcap.rouge.rouge.Rouge().compute_score``: the longest common subsequence
(LCS) of the hypothesis with each reference gives precision LCS/|hyp| and recall LCS/|ref|;
precision and recall are maximised *separately* over the references, then combined as
F = (1 + beta^2) P R / (R + beta^2 P) with beta = 1.2. The corpus score is the mean of the
per-image scores.

Like the reference, a caption is the list of its tokens, and an empty caption counts as one
empty token (pycocoevalcap splits the caption string with ``split(" ")``, and ``"".split(" ")``
is ``[""]``). So an empty hypothesis scores 0, except against an empty reference, where both
P and R are 1.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from capeval.metrics.base import SegmentMeanMetric, Segments


class RougeL(SegmentMeanMetric):
    """ROUGE-L F-measure with pycocoevalcap's beta (recall weighted 1.2 times precision).

    Parameters
    ----------
    beta : float, default=1.2
    """

    name = "ROUGE-L"
    score_names = ("ROUGE-L",)

    def __init__(self, beta: float = 1.2) -> None:
        if not beta > 0:
            raise ValueError(f"beta must be positive, got {beta!r}")
        self.beta = float(beta)

    def signature(self) -> dict[str, str]:
        return {"beta": f"{self.beta:g}"}

    def _segment_scores(self, segments: Segments) -> np.ndarray:
        return np.fromiter(
            (
                self._f_measure(hyp, refs)
                for hyp, refs in zip(segments.hypotheses, segments.references, strict=True)
            ),
            dtype=np.float64,
            count=len(segments),
        )

    def _f_measure(self, hypothesis: Sequence[str], references: Sequence[Sequence[str]]) -> float:
        hypothesis = hypothesis or ("",)
        masks = _position_masks(hypothesis)
        precision = recall = 0.0
        for reference in references:
            reference = reference or ("",)
            common = lcs_length(masks, len(hypothesis), reference)
            precision = max(precision, common / len(hypothesis))
            recall = max(recall, common / len(reference))
        if precision == 0 or recall == 0:
            return 0.0
        beta2 = self.beta**2
        return (1 + beta2) * precision * recall / (recall + beta2 * precision)


def _position_masks(tokens: Sequence[str]) -> dict[str, int]:
    """Map each token to a bit mask of the positions where it occurs in `tokens`."""
    masks: dict[str, int] = {}
    for position, token in enumerate(tokens):
        masks[token] = masks.get(token, 0) | (1 << position)
    return masks


def lcs_length(masks: dict[str, int], length: int, other: Sequence[str]) -> int:
    """Return the length of the longest common subsequence of a caption and `other`.

    Bit-parallel algorithm of Allison and Dix (1986) in Hyyrö's formulation (2004): one
    machine-word-like step per token of `other`, on Python integers of `length` bits.

    Parameters
    ----------
    masks : dict
        `_position_masks` of the first caption.
    length : int
        Number of tokens of the first caption.
    other : sequence of str
        The second caption.
    """
    full = (1 << length) - 1
    row = full
    for match in filter(None, map(masks.get, other)):
        common = row & match
        row = ((row + common) | (row - common)) & full
    return length - row.bit_count()
