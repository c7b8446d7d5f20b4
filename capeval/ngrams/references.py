"""The prepared reference side of the n-gram metrics: idf lookup and per-image n-gram tables.

`IdfTrie` gives the inverse document frequency ``log(N) - log(max(1, df))`` of any n-gram,
looked up order by order as (id of its first n-1 words, last word). It stores only the n-grams
found in at least two images: an n-gram found in one image or in none has idf ``log(N)`` either
way, and so does every extension of it (an extension is never in more images than its prefix).
That keeps the tables small enough to stay in the CPU cache while a training loop runs.

`ReferenceVectors` holds, for each image, one *row* per distinct n-gram of its references
(orders 1..max_order), with that n-gram's count in each reference, plus every reference's
TF-IDF norm per order and its length. Rows of an image are contiguous, and each row has a key
``(row of its first n-1 words) * V + last word`` (for unigrams, ``(R + image) * V + word``,
R rows in all), so a batch can match candidate n-grams against just its images' rows.

Letters used in shapes: N images, K maximum references per image, V words in the vocabulary,
M rows (distinct (image, n-gram) pairs), n the maximum n-gram order.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from capeval.arrays import positions

from capeval.document_frequencies import DocumentFrequencies
from capeval.ngrams.vocabulary import EncodedCaptions
from capeval.ngrams.occurrences import Occurrences, iter_occurrences


class IdfTrie:
    """Inverse document frequencies of the n-grams of a `DocumentFrequencies` table.

    Lookups take word ids of a vocabulary whose first ids are the table's words (later ids,
    words the table does not know, are outside the trie). Built once per table and order
    (`for_table`), whatever the references scored with it.

    Parameters
    ----------
    table : DocumentFrequencies
    max_order : int
    """

    def __init__(self, table: DocumentFrequencies, max_order: int) -> None:
        n_words = len(table.vocabulary)
        self.n_words = n_words
        self.max_order = max_order
        self.log_images = np.log(float(table.n_images))
        self._unigram = np.full(n_words, -1, dtype=np.int64)
        self._keys: list[np.ndarray] = []  # per order, sorted
        self._hashed: list[pd.Index] | None = None  # the same keys, hashed (`hash_keys`)
        self._idf: list[np.ndarray] = []
        previous_ids = np.zeros(0, dtype=np.int64)  # ids of the previous order
        for order in range(1, max_order + 1):
            df = table.df[order - 1]
            rows = np.flatnonzero(df >= 2)
            words = table.word[order - 1][rows]
            keys = (words if order == 1
                    else previous_ids[table.prefix[order - 1][rows]] * n_words + words)
            # Ids in key order, looked up by binary search: no hash table to hold beside the
            # keys (bench_scale's 1M-image peak depends on it).
            by_key = np.argsort(keys, kind="stable")
            keys, rows = keys[by_key], rows[by_key]
            ids = np.full(df.size, -1, dtype=np.int64)
            ids[rows] = np.arange(rows.size)
            if order == 1:
                self._unigram[keys] = ids[rows]
            self._keys.append(keys)
            # Same expression as the reference scorers: log(N) - log(max(1.0, df)). The extra
            # last entry is the idf of n-grams outside the trie (id -1).
            idf = self.log_images - np.log(np.maximum(1.0, df[rows].astype(np.float64)))
            self._idf.append(np.append(idf, self.log_images))
            previous_ids = ids

    @classmethod
    def for_table(cls, table: DocumentFrequencies, max_order: int) -> IdfTrie:
        """Return the trie of `table` up to `max_order`, built on first use and kept with it."""
        return table.cached(("idf-trie", max_order), lambda: cls(table, max_order))

    def hash_keys(self) -> None:
        """Look n-grams up in hash tables of the keys from now on: the same ids, faster for the
        small batches of a training loop, for a hash table per order (idempotent).

        The trie is the one cached with its table (`for_table`), so every later user of that
        table's trie looks up by hash too; streamed runs, which build their own tables, keep
        the binary search and its smaller memory.
        """
        if self._hashed is None:
            self._hashed = [pd.Index(keys) for keys in self._keys]
            for index in self._hashed:
                index.get_indexer(index[:1])  # build each table now, not in a scoring thread

    def unigrams(self, words: np.ndarray) -> np.ndarray:
        """Return the ids of single words (word ids, -1 for none), -1 where not in the trie."""
        ids = np.full(words.size, -1, dtype=np.int64)
        known = (words >= 0) & (words < self.n_words)
        ids[known] = self._unigram[words[known]]
        return ids

    def extend(self, order: int, prefix_ids: np.ndarray, words: np.ndarray) -> np.ndarray:
        """Return the ids of n-grams given the ids of their first n-1 words and their last word.

        Entries with a prefix id or word id of -1 are -1, as are n-grams not in the trie.
        """
        ids = np.full(words.size, -1, dtype=np.int64)
        known = np.flatnonzero((prefix_ids >= 0) & (words >= 0) & (words < self.n_words))
        if known.size:
            queries = prefix_ids[known] * self.n_words + words[known]
            ids[known] = (positions(self._keys[order - 1], queries) if self._hashed is None
                          else self._hashed[order - 1].get_indexer(queries))
        return ids

    def idf(self, order: int, ids: np.ndarray) -> np.ndarray:
        """Return the idf of n-grams of one order by id (-1: ``log N``), dtype float64."""
        return self._idf[order - 1][ids]

    def idf_squared(self, order: int, ids: np.ndarray) -> np.ndarray:
        """Return ``pow(idf, 2)`` (libm, as Python's ``**``) of n-grams of one order by id."""
        return np.float_power(self._idf[order - 1][ids], 2.0)  # a stored copy: 8 bytes an n-gram


@dataclass(frozen=True, eq=False)
class ReferenceVectors:
    """Per-image reference n-gram rows, norms and lengths (see the module docstring).

    Attributes
    ----------
    n_words : int
        V, the vocabulary size used in row keys.
    max_order : int
    refs_per_image : ndarray of shape (N,), dtype int64
    row_start : ndarray of shape (N + 1,), dtype int64
        Rows of image i are ``row_start[i]:row_start[i + 1]``.
    row_key : ndarray of shape (M,), dtype int64
    row_ngram : ndarray of shape (M,), dtype int32 (int64 for huge tries)
        `IdfTrie` id of the row's n-gram (of the row's order), -1 if not in the trie.
    row_counts : ndarray of shape (M, K), unsigned integer dtype
        Occurrences of the row's n-gram in each reference of its image (0 past the last one).
    ref_norms : ndarray of shape (N, K, n), dtype float64
        TF-IDF norm of each reference per order (0 past the last reference).
    ref_lengths : ndarray of shape (N, K), dtype int64
        Words per reference (0 past the last reference).
    """

    n_words: int
    max_order: int
    refs_per_image: np.ndarray
    row_start: np.ndarray
    row_key: np.ndarray
    row_ngram: np.ndarray
    row_counts: np.ndarray
    ref_norms: np.ndarray
    ref_lengths: np.ndarray

    @property
    def n_rows(self) -> int:
        return self.row_key.size

    def unigram_keys(self, images: np.ndarray, words: np.ndarray) -> np.ndarray:
        """Return the row keys of single words in given images (shapes (E,), (E,) -> (E,))."""
        return (self.n_rows + images) * self.n_words + words

    def rows_of(self, images: np.ndarray) -> np.ndarray:
        """Return the ids of all rows of the given (distinct) images, concatenated."""
        starts = self.row_start[images]
        sizes = self.row_start[images + 1] - starts
        offsets = np.cumsum(sizes) - sizes
        return np.repeat(starts - offsets, sizes) + np.arange(sizes.sum(), dtype=np.int64)

    def row_index(self, images: np.ndarray) -> tuple[np.ndarray, pd.Index]:
        """Return `rows_of` the given (distinct) images and a hash index of their keys.

        The index of every image's rows is built once and kept: a full evaluation against
        prepared references asks for it on every call.
        """
        if len(images) == len(self.refs_per_image):
            return np.arange(self.n_rows, dtype=np.int64), self._all_rows
        rows = self.rows_of(images)
        return rows, pd.Index(self.row_key[rows])

    @cached_property
    def _all_rows(self) -> pd.Index:
        return pd.Index(self.row_key)

    @classmethod
    def build(
        cls, references: EncodedCaptions, refs_per_image: np.ndarray, trie: IdfTrie,
        n_words: int, occurrences: Iterable[Occurrences],
    ) -> ReferenceVectors:
        """Compute the rows, norms and lengths of encoded references.

        Parameters
        ----------
        references : EncodedCaptions
            All references, image by image; every word must be in the vocabulary.
        refs_per_image : ndarray of shape (N,), dtype int64
        trie : IdfTrie
        n_words : int
            V, the size of the vocabulary of `references`.
        occurrences : iterable of Occurrences
            Those of `reference_occurrences`.
        """
        n_images, max_order = refs_per_image.size, trie.max_order
        max_refs = int(refs_per_image.max()) if n_images else 0
        image_of_ref = np.repeat(np.arange(n_images, dtype=np.int64), refs_per_image)
        slot_of_ref = np.arange(image_of_ref.size) - np.repeat(
            np.cumsum(refs_per_image) - refs_per_image, refs_per_image)
        words = references.words
        ref_norms = np.zeros((n_images, max_refs, max_order))
        ref_lengths = np.zeros((n_images, max_refs), dtype=np.int64)
        ref_lengths[image_of_ref, slot_of_ref] = references.lengths
        count_dtype = np.min_scalar_type(max(int(references.lengths.max(initial=0)), 1))

        # Per order: rows numbered by (image, n-gram) code, image-major by construction.
        images, prefixes, last_words, ngrams, counts = [], [], [], [], []
        previous_ngram = np.zeros(0, dtype=np.int64)  # trie ids of the previous order's rows
        for occ in occurrences:
            first = occ.first
            row_words = words[occ.start[first] + occ.order - 1]
            if occ.order == 1:
                ngram = trie.unigrams(row_words)
            else:
                ngram = trie.extend(occ.order, previous_ngram[occ.prefix_code[first]], row_words)
            idf = trie.idf(occ.order, ngram)
            # Distinct n-grams of each reference, in order of first appearance in it: the
            # norm sums their squared weights in that order, as the reference scorers do.
            entry, entry_keys = pd.factorize(occ.caption * first.size + occ.code)
            entry_count = np.bincount(entry, minlength=len(entry_keys))
            entry_caption, entry_row = np.divmod(np.asarray(entry_keys, dtype=np.int64),
                                                 first.size)
            weights = entry_count * idf[entry_row]
            squares = np.bincount(entry_caption, np.float_power(weights, 2.0),
                                  minlength=image_of_ref.size)
            ref_norms[image_of_ref, slot_of_ref, occ.order - 1] = np.sqrt(squares)
            row_counts = np.zeros((first.size, max_refs), dtype=count_dtype)
            row_counts[entry_row, slot_of_ref[entry_caption]] = entry_count

            images.append(image_of_ref[occ.caption[first]])
            prefixes.append(occ.prefix_code[first])
            last_words.append(row_words)
            ngrams.append(ngram)
            counts.append(row_counts)
            previous_ngram = ngram

        # Number rows image-major, then by order, then by code.
        order_offsets = np.cumsum([0, *map(len, images)])
        n_rows = int(order_offsets[-1])
        new_id = np.empty(n_rows, dtype=np.int64)
        image_of_row = np.concatenate([np.zeros(0, dtype=np.int64), *images])
        new_id[np.argsort(image_of_row, kind="stable")] = np.arange(n_rows)
        keys = np.empty(n_rows, dtype=np.int64)
        for index, (image, prefix, word) in enumerate(zip(images, prefixes, last_words,
                                                          strict=True)):
            own = new_id[order_offsets[index]:order_offsets[index + 1]]
            if index == 0:
                keys[own] = (n_rows + image) * n_words + word
            else:
                keys[own] = new_id[order_offsets[index - 1] + prefix] * n_words + word
        all_ngrams = np.concatenate([np.zeros(0, dtype=np.int64), *ngrams])
        id_dtype = np.int32 if all_ngrams.max(initial=0) < 2**31 else np.int64
        row_ngram = np.empty(n_rows, dtype=id_dtype)
        row_ngram[new_id] = all_ngrams
        row_counts = np.zeros((n_rows, max_refs), dtype=count_dtype)
        if counts:
            row_counts[new_id] = np.concatenate(counts)
        row_start = np.concatenate([[0], np.cumsum(np.bincount(image_of_row, minlength=n_images))])
        return cls(n_words, max_order, refs_per_image, row_start, keys, row_ngram, row_counts,
                   ref_norms, ref_lengths)


def reference_occurrences(references: EncodedCaptions, refs_per_image: np.ndarray,
                          max_order: int) -> Iterator[Occurrences]:
    """Yield the n-gram occurrences of N images' references, each image's references one group.

    `references` holds ``refs_per_image.sum()`` captions, image by image (shape of
    `refs_per_image`: (N,)).
    """
    image_of_ref = np.repeat(np.arange(refs_per_image.size, dtype=np.int64), refs_per_image)
    return iter_occurrences(references.words, references.lengths, image_of_ref, max_order)
