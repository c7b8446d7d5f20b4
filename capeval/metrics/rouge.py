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
from capeval.ngrams import CorpusWords, factorize, lookup


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
        words = segments.words()
        if not words.tokens_are_words:
            return np.fromiter(
                (self._f_measure(hyp, refs)
                 for hyp, refs in zip(segments.hypotheses, segments.references, strict=True)),
                dtype=np.float64, count=len(segments),
            )
        n_segments = len(segments)
        ref_image = segments.reference_image()
        hyp_len, ref_len = words.lengths[:n_segments], words.lengths[n_segments:]
        common = _batched_lcs(words, n_segments, ref_image)
        # An empty caption is one empty token to the reference: "" and "" have an LCS of 1.
        common[(hyp_len[ref_image] == 0) & (ref_len == 0)] = 1
        precision = common / np.maximum(hyp_len, 1)[ref_image]
        recall = common / np.maximum(ref_len, 1)
        first = np.cumsum(segments.references_per_segment()) - segments.references_per_segment()
        precision = np.maximum.reduceat(precision, first)
        recall = np.maximum.reduceat(recall, first)
        beta2 = self.beta**2
        with np.errstate(invalid="ignore", divide="ignore"):
            f = (1 + beta2) * precision * recall / (recall + beta2 * precision)
        return np.where((precision != 0) & (recall != 0), f, 0.0)

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


WORD_BITS = 64
"""Hypotheses up to this many words take the vectorized LCS (one uint64 per pair)."""


def _batched_lcs(words: CorpusWords, n_segments: int, ref_image: np.ndarray) -> np.ndarray:
    """Return the LCS length of every (hypothesis, reference) pair, shape (R,), float64.

    The bit-parallel recurrence of `lcs_length`, run for all pairs at once on uint64 rows (one
    step per reference position); pairs whose hypothesis is longer than `WORD_BITS` words fall
    back to Python integers. Caption c < S of `words` is hypothesis c, caption S + r is
    reference r, which belongs to hypothesis ``ref_image[r]``.
    """
    starts, lengths, n_words = words.starts(), words.lengths, len(words.vocabulary)
    hyp_len = lengths[:n_segments]
    # Bit mask of the positions of each (hypothesis, word): position i sets bit i.
    hyp_caption = np.repeat(np.arange(n_segments), hyp_len)
    position = np.arange(hyp_caption.size) - np.repeat(starts[:n_segments], hyp_len)
    hyp_words = words.word_ids[:hyp_caption.size]
    short = position < WORD_BITS
    codes, representative = factorize(hyp_caption[short] * n_words + hyp_words[short])
    masks = np.zeros(representative.size, dtype=np.uint64)
    np.bitwise_or.at(masks, codes, np.left_shift(np.uint64(1), position[short].astype(np.uint64)))
    table = (hyp_caption[short] * n_words + hyp_words[short])[representative]

    # Each reference word's mask in its hypothesis, laid out as (R, longest reference).
    ref_len, ref_starts = lengths[n_segments:], starts[n_segments:] - hyp_caption.size
    ref_of_word = np.repeat(np.arange(ref_len.size), ref_len)
    ref_words = words.word_ids[hyp_caption.size:]
    matches = lookup(table, masks, ref_image[ref_of_word] * n_words + ref_words)
    column = np.arange(ref_words.size) - np.repeat(ref_starts, ref_len)
    grid = np.zeros((ref_len.size, int(ref_len.max(initial=0))), dtype=np.uint64)
    grid[ref_of_word, column] = matches

    pair_len = hyp_len[ref_image]
    full = np.where(pair_len >= WORD_BITS, ~np.uint64(0),
                    np.left_shift(np.uint64(1), np.minimum(pair_len, WORD_BITS - 1).astype(
                        np.uint64)) - np.uint64(1))
    row = full.copy()
    for j in range(grid.shape[1]):  # uint64 arithmetic wraps, which drops the carry as masking would
        common = row & grid[:, j]
        row = ((row + common) | (row - common)) & full
    lcs = (pair_len - np.bitwise_count(row)).astype(np.float64)

    for r in np.flatnonzero(pair_len > WORD_BITS):  # long hypotheses: Python integers
        hyp = words.word_ids[starts[ref_image[r]]:][:pair_len[r]].tolist()
        ref = ref_words[ref_starts[r]:][:ref_len[r]].tolist()
        lcs[r] = lcs_length(_position_masks(hyp), len(hyp), ref)
    return lcs


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
