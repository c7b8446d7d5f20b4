"""From capeval segments to what METEOR compares: normalized captions and (hyp, ref) pairs.

pycocoevalcap sends each image as ``SCORE ||| ref_1 ||| ... ||| ref_n ||| hyp`` to the jar,
after deleting ``|||`` from the hypothesis; the jar splits that line on ``|||`` and trims each
field. A ``|||`` inside a reference therefore splits it into two references; that is
reproduced here. Every distinct field is normalized once, and every distinct normalized caption
and (hypothesis, reference) pair is numbered once, so duplicates cost nothing.

Letters: S segments, C distinct captions, P distinct (hypothesis, reference) pairs.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from capeval.metrics.base import Tokens
from capeval.metrics.meteor.arrays import expand
from capeval.metrics.meteor.text import tokenize_field


def hypothesis_field(tokens: Tokens) -> str:
    """Return the hypothesis text as pycocoevalcap sends it (``|||`` deleted)."""
    return " ".join(tokens).replace("|||", "").replace("  ", " ")


def reference_fields(references: Sequence[Tokens]) -> list[str]:
    """Return the reference fields the jar reads from pycocoevalcap's line (split on ``|||``)."""
    return " ||| ".join(" ".join(tokens) for tokens in references).split("|||")


@dataclass(frozen=True)
class Corpus:
    """Distinct normalized captions and sentence pairs of S segments.

    Attributes
    ----------
    captions : list of C tuples of str
        Normalized, lowercased tokens of each distinct caption.
    words : list of str
        The distinct words of all captions; word id = index.
    tokens : ndarray of shape (sum of caption lengths,), int64
        The word ids of all captions, caption after caption.
    offsets : ndarray of shape (C + 1,), int64
        Caption c is ``tokens[offsets[c]:offsets[c + 1]]``.
    pairs : ndarray of shape (P, 2), int64
        The (hyp, ref) caption indices of each distinct sentence pair.
    segment_pairs : list of S lists of int
        The pair of each reference field of each segment, in reference order.
    """

    captions: list[tuple[str, ...]]
    words: list[str]
    tokens: np.ndarray
    offsets: np.ndarray
    pairs: np.ndarray
    segment_pairs: list[list[int]]

    @classmethod
    def build(cls, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]],
              prefixes: Mapping[str, str]) -> Corpus:
        """Normalize and number the captions of validated segments.

        Parameters
        ----------
        hypotheses : sequence of S token sequences
        references : sequence of S sequences of token sequences
        prefixes : mapping
            Nonbreaking prefixes for the normalizer.
        """
        field_caption: dict[str, int] = {}
        caption_id: dict[tuple[str, ...], int] = {}
        captions: list[tuple[str, ...]] = []

        def caption_of(field: str) -> int:
            index = field_caption.get(field)
            if index is None:
                tokens = tokenize_field(field, prefixes)
                index = caption_id.setdefault(tokens, len(captions))
                if index == len(captions):
                    captions.append(tokens)
                field_caption[field] = index
            return index

        pair_id: dict[tuple[int, int], int] = {}
        segment_pairs = []
        for hyp_tokens, ref_tokens in zip(hypotheses, references, strict=True):
            hyp = caption_of(hypothesis_field(hyp_tokens))
            segment_pairs.append([
                pair_id.setdefault((hyp, caption_of(field)), len(pair_id))
                for field in reference_fields(ref_tokens)
            ])
        words = list(dict.fromkeys(chain.from_iterable(captions)))
        word_id = {word: index for index, word in enumerate(words)}
        lengths = np.fromiter(map(len, captions), dtype=np.int64, count=len(captions))
        tokens = np.fromiter(map(word_id.__getitem__, chain.from_iterable(captions)),
                             dtype=np.int64, count=int(lengths.sum()))
        pairs = np.array(list(pair_id), dtype=np.int64).reshape(-1, 2)
        return cls(captions, words, tokens, np.concatenate([[0], np.cumsum(lengths)]), pairs,
                   segment_pairs)

    @property
    def lengths(self) -> np.ndarray:
        """Number of words of each caption, shape (C,)."""
        return np.diff(self.offsets)

    def caption_words(self, captions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Enumerate the words of `captions` (caption indices).

        Returns
        -------
        row, position, word : ndarrays of shape (total length of those captions,)
            Index into `captions`, position in the caption and word id of each word, ordered
            by row, then position.
        """
        row, position = expand(self.lengths[captions])
        return row, position, self.tokens[self.offsets[captions][row] + position]

    def pair_words(self, side: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Enumerate the words of every pair's hypothesis (`side` 0) or reference (1).

        Returns
        -------
        pair, position, word : as `caption_words` of that side's captions
        """
        return self.caption_words(self.pairs[:, side])
