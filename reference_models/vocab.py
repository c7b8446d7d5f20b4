"""Word vocabulary: words seen at least a threshold number of times, plus four special tokens."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

NULL, START, END, UNK = "<NULL>", "<START>", "<END>", "<UNK>"
SPECIAL_TOKENS = (NULL, START, END, UNK)
"""Padding, start of caption, end of caption, rare word; always ids 0..3 in this order."""
NULL_ID, START_ID, END_ID, UNK_ID = range(4)


@dataclass(frozen=True)
class Vocabulary:
    """An id for every word; ids 0..3 are `SPECIAL_TOKENS`.

    Parameters
    ----------
    words : tuple of str
        Word of each id, starting with `SPECIAL_TOKENS`.
    """

    words: tuple[str, ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if tuple(self.words[:4]) != SPECIAL_TOKENS:
            raise ValueError(f"a vocabulary must start with {SPECIAL_TOKENS}")
        index = {word: i for i, word in enumerate(self.words)}
        if len(index) != len(self.words):
            raise ValueError("a vocabulary must not repeat a word")
        object.__setattr__(self, "_index", index)

    @classmethod
    def build(cls, captions: Iterable[Sequence[str]], min_count: int = 1) -> Vocabulary:
        """Return the vocabulary of words occurring at least `min_count` times in `captions`.

        Words are ordered by decreasing count, ties alphabetically, so the result does not
        depend on the order of the captions.
        """
        if min_count < 1:
            raise ValueError(f"min_count must be at least 1, got {min_count}")
        counts = Counter(word for caption in captions for word in caption)
        kept = sorted(
            (w for w, n in counts.items() if n >= min_count and w not in SPECIAL_TOKENS),
            key=lambda w: (-counts[w], w),
        )
        return cls(SPECIAL_TOKENS + tuple(kept))

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, captions: Sequence[Sequence[str]], max_length: int) -> np.ndarray:
        """Return captions as a time-major id array for teacher forcing.

        Each column is ``<START> w_1 .. w_k <END> <NULL> ...`` with k <= `max_length` (longer
        captions are cut) and unknown words mapped to ``<UNK>``.

        Returns
        -------
        ndarray of shape (max_length + 2, N), dtype int32
            Row t is the input at step t; row t + 1 is its target.
        """
        ids = np.full((max_length + 2, len(captions)), NULL_ID, dtype=np.int32)
        ids[0] = START_ID
        for n, caption in enumerate(captions):
            words = [self._index.get(w, UNK_ID) for w in caption[:max_length]]
            ids[1 : len(words) + 1, n] = words
            ids[len(words) + 1, n] = END_ID
        return ids

    def decode(self, ids: np.ndarray) -> list[list[str]]:
        """Return the words of each row of `ids` (N, T) up to its first ``<END>``.

        ``<NULL>`` and ``<START>`` are skipped.
        """
        captions = []
        for row in np.asarray(ids):
            words = []
            for i in row.tolist():
                if i == END_ID:
                    break
                if i not in (NULL_ID, START_ID):
                    words.append(self.words[i])
            captions.append(words)
        return captions
