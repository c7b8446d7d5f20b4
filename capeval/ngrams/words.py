"""Interned words of many captions, for the metrics that compare captions word by word.

Words are what pycocoevalcap's n-gram metrics see: ``" ".join(tokens).split()``. PTB tokens may
contain U+00A0 (``3\u00a01/2``); BLEU and CIDEr-D split there, ROUGE-L does not.

Letters used in shapes: C captions, W words in the corpus.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np


@dataclass(frozen=True)
class CorpusWords:
    """The words of C captions, interned to integer ids.

    Attributes
    ----------
    vocabulary : list of str
        Words by word id.
    word_ids : ndarray of shape (W,), dtype int64
        The words of all captions, concatenated.
    lengths : ndarray of shape (C,), dtype int64
        Words per caption.
    tokens_are_words : bool
        Whether every token was exactly one word, so that ``word_ids`` also numbers the
        tokens themselves (false if some token held whitespace or was empty).
    """

    vocabulary: list[str]
    word_ids: np.ndarray
    lengths: np.ndarray
    tokens_are_words: bool

    def starts(self) -> np.ndarray:
        """Return the position of each caption's first word in `word_ids`, shape (C,)."""
        return np.cumsum(self.lengths) - self.lengths


def intern_words(captions: Sequence[Sequence[str]]) -> CorpusWords:
    """Intern the words of `captions` (each a token sequence).

    Tokens are interned first; only if some distinct token is not exactly one whitespace-free
    word (rare: U+00A0 inside PTB tokens, or empty tokens) are the ids re-mapped to words.
    """
    lengths = np.fromiter(map(len, captions), dtype=np.int64, count=len(captions))
    tokens = list(chain.from_iterable(captions))
    token_index = {token: index for index, token in enumerate(dict.fromkeys(tokens))}
    token_ids = np.fromiter(map(token_index.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    pieces = [token.split() for token in token_index]
    if all(len(words) == 1 and words[0] == token for words, token in zip(pieces, token_index)):
        return CorpusWords(list(token_index), token_ids, lengths, tokens_are_words=True)

    word_index = {word: index for index, word in enumerate(dict.fromkeys(chain(*pieces)))}
    words_per_token = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
    piece_ids = np.fromiter(
        (word_index[word] for words in pieces for word in words), dtype=np.int64
    )
    piece_offsets = np.concatenate([[0], np.cumsum(words_per_token)])
    # Expand every token occurrence into its words: a ragged gather.
    counts = words_per_token[token_ids]
    first = np.repeat(piece_offsets[token_ids], counts)
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    caption_of_token = np.repeat(np.arange(len(captions)), lengths)
    word_lengths = np.bincount(caption_of_token, weights=counts, minlength=len(captions))
    return CorpusWords(list(word_index), piece_ids[first + within],
                       word_lengths.astype(np.int64), tokens_are_words=False)


def factorize(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return dense codes of `keys` and, for each code, the index of one key with that code.

    Returns
    -------
    codes : ndarray of shape keys.shape, dtype int64
        Codes numbered in order of first appearance.
    representative : ndarray of shape (number of distinct keys,), dtype int64
    """
    import pandas as pd  # here, not at the top: METEOR alone never needs pandas (0.4 s import)

    codes, uniques = pd.factorize(keys)
    codes = codes.astype(np.int64, copy=False)
    representative = np.empty(len(uniques), dtype=np.int64)
    representative[codes] = np.arange(keys.size, dtype=np.int64)
    return codes, representative


def lookup(table_keys: np.ndarray, table_values: np.ndarray, query_keys: np.ndarray) -> np.ndarray:
    """Return the value of each query key in a table of distinct keys, 0 where it is absent.

    Shapes: table_keys (N,), table_values (N,), query_keys (Q,) -> (Q,).
    """
    import pandas as pd

    found = pd.Index(table_keys).get_indexer(query_keys)
    return np.append(table_values, np.zeros(1, table_values.dtype))[found]
