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
from dataclasses import dataclass
from itertools import chain

import numpy as np

from capeval.arrays import expand
from capeval.metrics.base import Candidates, ReferenceSet, SegmentMeanMetric, Segments, Tokens
from capeval.ngrams import factorize, lookup
from capeval.ngrams.vocabulary import EncodedCaptions, WordIndex


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

    def prepare_references(self, references: ReferenceSet) -> ReferenceTokens:
        """Number the references' tokens once: the reference side of every later call."""
        return ReferenceTokens.build(references.references)

    def _segment_stats(self, segments: Segments) -> np.ndarray:
        candidates = segments.candidates()
        return self._candidate_stats(candidates, self.prepare_references(candidates.references))

    def _candidate_stats(self, candidates: Candidates, prepared: ReferenceTokens) -> np.ndarray:
        scores = self._candidate_scores(candidates, prepared)
        return np.column_stack([scores, np.ones_like(scores)])

    def _candidate_scores(self, candidates: Candidates, prepared: ReferenceTokens) -> np.ndarray:
        if not (prepared.tokens_are_words and _all_words(candidates.hypotheses)):
            segments = candidates.segments()
            return np.fromiter(
                (self._f_measure(hyp, refs)
                 for hyp, refs in zip(segments.hypotheses, segments.references, strict=True)),
                dtype=np.float64, count=len(segments),
            )
        hypotheses = prepared.index.encode_words(candidates.hypotheses)
        n_refs = np.diff(prepared.image_starts)[candidates.images]
        ref_image, offset = expand(n_refs)  # the candidate of each (candidate, reference)
        references = prepared.image_starts[candidates.images][ref_image] + offset
        ref_len = prepared.tokens.lengths[references]
        word, position = expand(ref_len)
        ref_tokens = prepared.tokens.identity[prepared.starts[references][word] + position]
        hyp_len = hypotheses.lengths
        common = _batched_lcs(hypotheses.identity, hyp_len, ref_tokens, ref_len, ref_image)
        # An empty caption is one empty token to the reference: "" and "" have an LCS of 1.
        common[(hyp_len[ref_image] == 0) & (ref_len == 0)] = 1
        precision = common / np.maximum(hyp_len, 1)[ref_image]
        recall = common / np.maximum(ref_len, 1)
        first = np.cumsum(n_refs) - n_refs
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


@dataclass(frozen=True)
class ReferenceTokens:
    """The references of N images with their tokens numbered: ROUGE-L's prepared side.

    Attributes
    ----------
    index : WordIndex
        The distinct tokens of the references.
    tokens : EncodedCaptions
        Every reference, image after image (R captions).
    starts : ndarray of shape (R,), int64
        Where each reference's tokens start in ``tokens.identity``.
    image_starts : ndarray of shape (N + 1,), int64
        The references of image n are ``image_starts[n]:image_starts[n + 1]``.
    tokens_are_words : bool
        Whether every token is one whitespace-free word (else the scores take the
        per-segment path, which compares tokens as they are).
    """

    index: WordIndex
    tokens: EncodedCaptions
    starts: np.ndarray
    image_starts: np.ndarray
    tokens_are_words: bool

    @classmethod
    def build(cls, references: Sequence[Sequence[Tokens]]) -> ReferenceTokens:
        flat = list(chain.from_iterable(references))
        index = WordIndex(list(dict.fromkeys(chain.from_iterable(flat))))
        tokens = index.encode_words(flat)
        per_image = np.fromiter(map(len, references), dtype=np.int64, count=len(references))
        return cls(index, tokens, np.cumsum(tokens.lengths) - tokens.lengths,
                   np.concatenate([[0], np.cumsum(per_image)]), _all_words(flat))


def _all_words(captions: Sequence[Tokens]) -> bool:
    """Whether every token of `captions` is exactly one whitespace-free word."""
    return all(token.split() == [token] for token in dict.fromkeys(chain.from_iterable(captions)))


WORD_BITS = 64
"""Hypotheses up to this many words take the vectorized LCS (one uint64 per pair)."""


def _batched_lcs(hyp_tokens: np.ndarray, hyp_len: np.ndarray, ref_tokens: np.ndarray,
                 ref_len: np.ndarray, ref_image: np.ndarray) -> np.ndarray:
    """Return the LCS length of every (hypothesis, reference) pair, shape (R,), float64.

    The bit-parallel recurrence of `lcs_length`, run for all pairs at once on uint64 rows (one
    step per reference position); pairs whose hypothesis is longer than `WORD_BITS` words fall
    back to Python integers.

    Parameters
    ----------
    hyp_tokens : ndarray of shape (hyp_len.sum(),), int64
        Token ids (non-negative, equal for equal tokens) of S hypotheses, one after another.
    hyp_len : ndarray of shape (S,), int64
    ref_tokens : ndarray of shape (ref_len.sum(),), int64
        Token ids of R references, one after another.
    ref_len : ndarray of shape (R,), int64
    ref_image : ndarray of shape (R,), int64
        The hypothesis each reference is compared with.
    """
    n_words = int(max(hyp_tokens.max(initial=-1), ref_tokens.max(initial=-1))) + 1
    hyp_starts = np.cumsum(hyp_len) - hyp_len
    # Bit mask of the positions of each (hypothesis, word): position i sets bit i.
    hyp_caption, position = expand(hyp_len)
    short = position < WORD_BITS
    keys = hyp_caption[short] * n_words + hyp_tokens[short]
    codes, representative = factorize(keys)
    masks = np.zeros(representative.size, dtype=np.uint64)
    np.bitwise_or.at(masks, codes, np.left_shift(np.uint64(1), position[short].astype(np.uint64)))
    table = keys[representative]

    # Each reference word's mask in its hypothesis, laid out as (R, longest reference).
    ref_of_word, column = expand(ref_len)
    matches = lookup(table, masks, ref_image[ref_of_word] * n_words + ref_tokens)
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

    ref_starts = np.cumsum(ref_len) - ref_len
    for r in np.flatnonzero(pair_len > WORD_BITS):  # long hypotheses: Python integers
        hyp = hyp_tokens[hyp_starts[ref_image[r]]:][:pair_len[r]].tolist()
        ref = ref_tokens[ref_starts[r]:][:ref_len[r]].tolist()
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
