"""N-gram count matrices for a whole corpus at once, built with NumPy and SciPy sparse arrays.

Captions are interned to integer word ids; every n-gram of order n gets a dense id by pairing
the id of its (n-1)-gram prefix with its last word, so the n-grams form a trie. The counts of
each order are a sparse (captions x n-grams) matrix, which BLEU and CIDEr-D combine with sparse
elementwise operations instead of per-caption dictionaries.

Words are what pycocoevalcap's n-gram metrics see: ``" ".join(tokens).split()``. PTB tokens may
contain U+00A0 (``3\\u00a01/2``); BLEU and CIDEr-D split there, ROUGE-L does not.

Letters used in shapes: C captions, W words in the corpus, G distinct n-grams of one order.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import pandas as pd
from scipy import sparse


@dataclass(frozen=True)
class NgramOrder:
    """The n-grams of one order n in C captions.

    Attributes
    ----------
    counts : scipy.sparse.csr_array of shape (C, G), dtype int64
        Occurrences of n-gram g in caption c; canonical (sorted indices, no duplicates).
    prefix : ndarray of shape (G,), dtype int64
        Id of each n-gram's first n-1 words among the (n-1)-grams; -1 for unigrams.
    last_word : ndarray of shape (G,), dtype int64
        Word id of each n-gram's last word.
    """

    counts: sparse.csr_array
    prefix: np.ndarray
    last_word: np.ndarray


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


@dataclass(frozen=True)
class CorpusNgrams:
    """The n-gram counts of orders 1..max_order of C captions.

    Attributes
    ----------
    words : CorpusWords
    orders : list of NgramOrder
        ``orders[n - 1]`` holds the n-grams of order n.
    """

    words: CorpusWords
    orders: list[NgramOrder]

    @property
    def vocabulary(self) -> list[str]:
        return self.words.vocabulary

    @property
    def lengths(self) -> np.ndarray:
        return self.words.lengths


def count_corpus_ngrams(
    captions: Sequence[Sequence[str]] | CorpusWords, max_order: int
) -> CorpusNgrams:
    """Count the n-grams of orders 1..max_order of `captions`.

    Parameters
    ----------
    captions : sequence of C token sequences, or their `intern_words`
    max_order : int
        Highest n-gram order counted.
    """
    words = captions if isinstance(captions, CorpusWords) else intern_words(captions)
    word_ids, lengths, n_words = words.word_ids, words.lengths, len(words.vocabulary)
    # Words left in the caption from each position onwards, that position included.
    remaining = np.repeat(np.cumsum(lengths), lengths) - np.arange(word_ids.size)

    orders = []
    starts = np.arange(word_ids.size, dtype=np.int64)  # positions where an n-gram starts
    gram_ids = word_ids
    for order in range(1, max_order + 1):
        if order == 1:
            n_grams = n_words
            prefix = np.full(n_words, -1, dtype=np.int64)
            last_word = np.arange(n_words, dtype=np.int64)
        else:
            keep = remaining[starts] >= order
            starts = starts[keep]
            prefix_ids = gram_ids[keep]
            last_ids = word_ids[starts + order - 1]
            gram_ids, representative = factorize(prefix_ids * n_words + last_ids)
            n_grams = representative.size
            prefix, last_word = prefix_ids[representative], last_ids[representative]
        grams_per_caption = np.maximum(lengths - order + 1, 0)
        indptr = np.concatenate([[0], np.cumsum(grams_per_caption)])
        counts = sparse.csr_array(
            (np.ones(gram_ids.size, dtype=np.int64), gram_ids.copy(), indptr),
            shape=(lengths.size, n_grams),
        )
        counts.sum_duplicates()  # in place, hence the copy of gram_ids
        orders.append(NgramOrder(counts, prefix, last_word))
    return CorpusNgrams(words, orders)


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
    codes, uniques = pd.factorize(keys)
    codes = codes.astype(np.int64, copy=False)
    representative = np.empty(len(uniques), dtype=np.int64)
    representative[codes] = np.arange(keys.size, dtype=np.int64)
    return codes, representative


def lookup(table_keys: np.ndarray, table_values: np.ndarray, query_keys: np.ndarray) -> np.ndarray:
    """Return the value of each query key in a table of distinct keys, 0 where it is absent.

    Shapes: table_keys (N,), table_values (N,), query_keys (Q,) -> (Q,).
    """
    found = pd.Index(table_keys).get_indexer(query_keys)
    return np.append(table_values, np.zeros(1, table_values.dtype))[found]


def max_over_row_groups(matrix: sparse.csr_array, group_sizes: np.ndarray) -> sparse.csr_array:
    """Return the elementwise maximum over consecutive groups of rows.

    Parameters
    ----------
    matrix : csr_array of shape (R, G)
    group_sizes : ndarray of shape (S,), dtype int64
        Rows per group (each >= 1), summing to R (e.g. the references of each image).

    Returns
    -------
    csr_array of shape (S, G)
        Row s holds, for each column, the maximum over the rows of group s.
    """
    first = np.cumsum(group_sizes) - group_sizes
    maxima = matrix[first]
    # The k-th row of every group at once; a group with fewer rows repeats its last one,
    # which leaves its maximum unchanged.
    for k in range(1, int(group_sizes.max(initial=1))):
        maxima = maxima.maximum(matrix[first + np.minimum(k, group_sizes - 1)])
    return maxima


def scale_columns(matrix: sparse.csr_array, factors: np.ndarray) -> sparse.csr_array:
    """Return ``matrix * factors`` (column j scaled by factors[j]) as a float64 csr_array.

    Shapes: matrix (N, G), factors (G,). (SciPy's broadcasting ``*`` returns a COO array.)
    """
    data = matrix.data * factors[matrix.indices]
    return sparse.csr_array((data, matrix.indices, matrix.indptr), shape=matrix.shape)
