"""Captions as flat arrays of word ids against a fixed vocabulary.

A caption's words are ``" ".join(tokens).split()`` (`caption_words`), as pycocoevalcap's
n-gram metrics split it. Words outside the vocabulary get the id -1 and still an identity of
their own, so that their repeats are counted.

Letters used in shapes: C captions, T row length, W words of all captions.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, repeat

import numpy as np


def caption_words(tokens: Sequence[str]) -> list[str]:
    """Return the words of a tokenized caption: ``" ".join(tokens).split()``."""
    return " ".join(tokens).split()


@dataclass(frozen=True)
class EncodedCaptions:
    """C captions as flat arrays.

    Attributes
    ----------
    identity : ndarray of shape (W,), dtype int64
        Non-negative; equal words have equal identities (also words outside the vocabulary).
    words : ndarray of shape (W,), dtype int64
        Vocabulary id of each word, -1 for words outside the vocabulary.
    lengths : ndarray of shape (C,), dtype int64
    new_words : tuple of str
        The words outside the vocabulary, by identity: word ``new_words[i]`` has identity
        ``V + i`` (V the vocabulary size). Filled by `WordIndex.encode_words` only.
    """

    identity: np.ndarray
    words: np.ndarray
    lengths: np.ndarray
    new_words: tuple[str, ...] = ()

    def __len__(self) -> int:
        return self.lengths.size


class WordIndex:
    """A vocabulary of word strings, with fast encoding of token-id rows and of strings.

    Parameters
    ----------
    vocabulary : sequence of str
        Distinct words; word id i is ``vocabulary[i]``. Words that spell a non-negative
        integer (``"0"``, ``"17"``) are reachable from token ids.
    """

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.vocabulary = tuple(vocabulary)
        self._ids = {word: index for index, word in enumerate(self.vocabulary)}
        if len(self._ids) != len(self.vocabulary):
            raise ValueError("the vocabulary lists a word twice")

    @cached_property
    def _token_words(self) -> np.ndarray:
        """Word id of each token id t (the word ``str(t)``), -1 if not a word; built on the
        first `encode_rows` (callers with strings never need it)."""
        numeric = [(int(word), index) for index, word in enumerate(self.vocabulary)
                   if word.isdigit() and word.isascii() and str(int(word)) == word]
        table = np.full(max((token for token, _ in numeric), default=-1) + 1, -1,
                        dtype=np.int64)
        for token, index in numeric:
            table[token] = index
        return table

    def __len__(self) -> int:
        return len(self.vocabulary)

    def encode_rows(self, rows: np.ndarray, lengths: np.ndarray) -> EncodedCaptions:
        """Encode a matrix of token ids, caption c being the first ``lengths[c]`` ids of row c.

        Token id t is the word ``str(t)``.

        Parameters
        ----------
        rows : ndarray of shape (C, T), dtype int64, non-negative
        lengths : ndarray of shape (C,), dtype int64
        """
        identity = rows[np.arange(rows.shape[1]) < lengths[:, np.newaxis]].astype(np.int64)
        return EncodedCaptions(identity, self._token_word_ids(identity), lengths)

    def encode_strings(self, captions: Sequence[str]) -> EncodedCaptions:
        """Encode pre-tokenized strings; words are ``caption.split()``."""
        return self.encode_words([caption.split() for caption in captions])

    def encode_words(self, captions: Sequence[Sequence[str]]) -> EncodedCaptions:
        """Encode captions given as sequences of words."""
        lengths = np.fromiter(map(len, captions), dtype=np.int64, count=len(captions))
        tokens = list(chain.from_iterable(captions))
        words = np.fromiter(map(self._ids.get, tokens, repeat(-1)), dtype=np.int64,
                            count=len(tokens))
        identity = words
        unknown = np.flatnonzero(words < 0)
        index: dict[str, int] = {}
        if unknown.size:
            # Unknown words still need identities of their own, so that repeats are counted.
            identity = words.copy()
            identity[unknown] = [len(self) + index.setdefault(tokens[i], len(index))
                                 for i in unknown.tolist()]
        return EncodedCaptions(identity, words, lengths, tuple(index))

    def _token_word_ids(self, tokens: np.ndarray) -> np.ndarray:
        table = self._token_words
        if table.size == 0:
            return np.full(tokens.size, -1, dtype=np.int64)
        words = table[np.minimum(tokens, table.size - 1)]
        words[tokens >= table.size] = -1
        return words
