"""From capeval segments to what METEOR compares: normalized captions and (hyp, ref) pairs.

pycocoevalcap sends each image as ``SCORE ||| ref_1 ||| ... ||| ref_n ||| hyp`` to the jar,
after deleting ``|||`` from the hypothesis; the jar splits that line on ``|||`` and trims each
field. A ``|||`` inside a reference therefore splits it into two references; that is
reproduced here. Every distinct field is normalized once, and every distinct normalized caption
and (hypothesis, reference) pair is numbered once, so duplicates cost nothing. The references
are normalized once per reference set (`ReferenceCaptions`, what `Meteor` prepares).

Letters: S segments, C distinct captions, P distinct (hypothesis, reference) pairs.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TypeVar

import numpy as np

from capeval.metrics.base import Tokens
from capeval.arrays import expand
from capeval.metrics.meteor.text import tokenize_fields
from capeval.ngrams.vocabulary import EncodedCaptions, WordIndex

T = TypeVar("T")


def hypothesis_field(tokens: Tokens) -> str:
    """Return the hypothesis text as pycocoevalcap sends it (``|||`` deleted)."""
    return " ".join(tokens).replace("|||", "").replace("  ", " ")


def reference_fields(references: Sequence[Tokens]) -> list[str]:
    """Return the reference fields the jar reads from pycocoevalcap's line (split on ``|||``)."""
    return " ||| ".join(" ".join(tokens) for tokens in references).split("|||")


@dataclass(frozen=True)
class ReferenceCaptions:
    """The normalized reference captions of N images: METEOR's prepared reference side.

    Attributes
    ----------
    captions : list of tuples of str
        Each distinct normalized reference caption.
    image_starts : ndarray of shape (N + 1,), int64
    image_captions : ndarray, int64
        ``image_captions[image_starts[n]:image_starts[n + 1]]`` is the caption of each
        reference field of image n, in reference order.
    vocabulary : WordIndex
        The words of all the captions, numbered in order of first appearance.
    encoded : EncodedCaptions
        Every caption as word ids of `vocabulary`.
    """

    captions: list[tuple[str, ...]]
    image_starts: np.ndarray
    image_captions: np.ndarray
    vocabulary: WordIndex
    encoded: EncodedCaptions
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return ``build()``, computed once per `key` for these references (e.g. the
        paraphrase table's phrases in them)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @classmethod
    def build(cls, references: Sequence[Sequence[Tokens]],
              prefixes: Mapping[str, str]) -> ReferenceCaptions:
        """Normalize the references of N images (each distinct field once)."""
        per_image = list(map(reference_fields, references))
        counts = np.fromiter(map(len, per_image), dtype=np.int64, count=len(per_image))
        captions, numbers = _number_captions(list(chain.from_iterable(per_image)), prefixes)
        vocabulary = WordIndex(list(dict.fromkeys(chain.from_iterable(captions))))
        return cls(captions, np.concatenate([[0], np.cumsum(counts)]), numbers, vocabulary,
                   vocabulary.encode_words(captions))


def _number_captions(fields: Sequence[str], prefixes: Mapping[str, str]
                     ) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """Normalize each distinct field once and number the distinct captions in order of first
    appearance; return the captions and the number of each field, shape (len(fields),)."""
    distinct_fields = list(dict.fromkeys(fields))
    numbers: dict[tuple[str, ...], int] = {}
    number_of = dict(zip(distinct_fields,
                         [numbers.setdefault(tokens, len(numbers))
                          for tokens in tokenize_fields(distinct_fields, prefixes)],
                         strict=True))
    return list(numbers), np.fromiter(map(number_of.__getitem__, fields), dtype=np.int64,
                                      count=len(fields))


@dataclass(frozen=True)
class Corpus:
    """Distinct normalized captions and sentence pairs of S segments.

    Attributes
    ----------
    captions : list of C tuples of str
        Normalized, lowercased tokens of each distinct caption.
    words : list of str
        Distinct words, word id = index: the references' vocabulary
        (`ReferenceCaptions.vocabulary`, its first `reference_words`), then the hypotheses'
        other words in order of first appearance.
    tokens : ndarray of shape (sum of caption lengths,), int64
        The word ids of all captions, caption after caption.
    offsets : ndarray of shape (C + 1,), int64
        Caption c is ``tokens[offsets[c]:offsets[c + 1]]``.
    pairs : ndarray of shape (P, 2), int64
        The (hyp, ref) caption indices of each distinct sentence pair.
    reference_captions : ndarray, int64, increasing
        Caption c < ``len(reference_captions)`` is the reference caption
        ``reference_captions[c]`` of the `ReferenceCaptions`; the hypotheses follow.
    segment_starts : ndarray of shape (S + 1,), int64
    segment_pairs : ndarray, int64
        ``segment_pairs[segment_starts[s]:segment_starts[s + 1]]`` is the pair of each
        reference field of segment s, in reference order.
    reference_words : int
        How many of `words` are the references' vocabulary.
    """

    captions: list[tuple[str, ...]]
    words: list[str]
    tokens: np.ndarray
    offsets: np.ndarray
    pairs: np.ndarray
    reference_captions: np.ndarray
    segment_starts: np.ndarray
    segment_pairs: np.ndarray
    reference_words: int = 0

    @classmethod
    def build(cls, hypotheses: Sequence[Tokens], images: np.ndarray,
              references: ReferenceCaptions, prefixes: Mapping[str, str]) -> Corpus:
        """Normalize and number the hypotheses and pair them with their images' references.

        Parameters
        ----------
        hypotheses : sequence of S token sequences
        images : ndarray of shape (S,), int64
            The image (index into `references`) of each hypothesis.
        references : ReferenceCaptions
        prefixes : mapping
            Nonbreaking prefixes for the normalizer.
        """
        counts = np.diff(references.image_starts)[images]
        segment, offset = expand(counts)
        reference = references.image_captions[references.image_starts[images][segment] + offset]
        # Only the reference captions of these images (then the hypotheses) are in the corpus.
        used, reference = np.unique(reference, return_inverse=True)
        n_used = max(len(used), 1)
        hypothesis_captions, hypothesis = _number_captions(
            list(map(hypothesis_field, hypotheses)), prefixes)
        distinct, segment_pairs = np.unique(hypothesis[segment] * n_used + reference.reshape(-1),
                                            return_inverse=True)
        pairs = np.stack([distinct // n_used + len(used), distinct % n_used], axis=1)
        captions = [references.captions[caption] for caption in used.tolist()]
        captions += hypothesis_captions
        known = references.encoded
        hypothesis_words = references.vocabulary.encode_words(hypothesis_captions)
        row, position = expand(known.lengths[used])
        starts = np.cumsum(known.lengths) - known.lengths
        tokens = np.concatenate([known.identity[starts[used][row] + position],
                                 hypothesis_words.identity])
        lengths = np.concatenate([known.lengths[used], hypothesis_words.lengths])
        return cls(captions, [*references.vocabulary.vocabulary, *hypothesis_words.new_words],
                   tokens, np.concatenate([[0], np.cumsum(lengths)]), pairs, used,
                   np.concatenate([[0], np.cumsum(counts)]), segment_pairs.reshape(-1),
                   len(references.vocabulary))

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
