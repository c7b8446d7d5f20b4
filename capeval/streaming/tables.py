"""The corpus df table of a streamed run: chunk tables merged as they come (`TableMerger`), or,
in bounded memory, only the n-grams of two or more images (`FrequentCounter`).

CIDEr-D scores with the n-grams found in two or more images (`DocumentFrequencies.frequent`),
but which those are is known only at the end of the df pass, and the exact table of every
n-gram grows with the corpus (9.6 M rows for a million synthetic images, 1.8 M of them
frequent). So the chunk tables are merged in memory up to a row budget, then spilled to disk
as rows (words of the n-gram, df, first position), each into one of `BUCKETS` files per order
chosen by a hash of its words. Every bucket holds all rows of its n-grams, so each is
summed and pruned alone; the kept rows are put back in order of first appearance and linked
into a trie. The result equals ``TableMerger`` + ``result(frequent=True)`` array for array.

Letters used in shapes: R rows of one order, n the order.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from capeval.document_frequencies import FREQUENT, DocumentFrequencies

SPILL_ROWS = 1_000_000
"""Rows of all orders held in memory before they are written to the bucket files."""

BUCKETS = 64
"""Bucket files per order (a power of two: the top bits of a row's hash choose its file)."""


class TableMerger:
    """Merges the df tables of consecutive chunks pairwise as they come (a binary counter), so
    memory and time stay within a log factor of the final table's."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, DocumentFrequencies]] = []

    @property
    def empty(self) -> bool:
        return not self._stack

    def add(self, table: DocumentFrequencies) -> None:
        level = 0
        while self._stack and self._stack[-1][0] == level:
            _, previous = self._stack.pop()
            table = DocumentFrequencies.merge([previous, table])
            level += 1
        self._stack.append((level, table))

    def result(self, *, frequent: bool = False, **metadata: str) -> DocumentFrequencies:
        """Return the table of all chunks added (see `DocumentFrequencies.merge`)."""
        return DocumentFrequencies.merge([table for _, table in self._stack],
                                         frequent=frequent, **metadata)


class FrequentCounter:
    """Adds the df tables of consecutive chunks; returns the table of their frequent n-grams.

    Parameters
    ----------
    directory : path
        An existing, empty directory for the bucket files (removed by the caller).
    spill_rows, buckets : int, optional
        Default `SPILL_ROWS` and `BUCKETS`; the result does not depend on them.
    """

    def __init__(self, directory: str | Path, *, spill_rows: int | None = None,
                 buckets: int = BUCKETS) -> None:
        if buckets & (buckets - 1):
            raise ValueError(f"buckets must be a power of two, got {buckets}")
        self._directory = Path(directory)
        self._spill_rows = SPILL_ROWS if spill_rows is None else spill_rows
        self._buckets = buckets
        self._pending = TableMerger()
        self._pending_rows = 0
        self._words: dict[str, int] = {}
        self._rows_seen = 0  # rows spilled so far: the first position of the next spill
        self._n_images = 0
        self._metadata: dict | None = None
        self._max_order = 0

    @property
    def empty(self) -> bool:
        return self._metadata is None

    def add(self, table: DocumentFrequencies) -> None:
        """Add the table of the next chunk of images (in corpus order)."""
        if self._metadata is None:
            self._metadata, self._max_order = dict(table.metadata), table.max_order
        self._pending.add(table)
        self._pending_rows += sum(len(df) for df in table.df)
        if self._pending_rows >= self._spill_rows:
            self._spill()

    def result(self) -> DocumentFrequencies:
        """Return the table of the n-grams found in two or more of all images added."""
        if self._metadata is None:
            raise ValueError("no table to merge")
        self._spill()
        n_words = len(self._words)
        row_keys: list[np.ndarray] = []  # per order, prefix row * V + last word (unigrams: word)
        prefixes, last_words, dfs = [], [], []
        for order in range(1, self._max_order + 1):
            words, df = self._frequent_rows(order)
            # The prefix is frequent too (it is in every image its extension is in): walk down
            # the trie to its row.
            prefix = np.full(len(df), -1, dtype=np.int64)
            for column in range(order - 1):
                query = words[:, 0] if column == 0 else prefix * n_words + words[:, column]
                prefix = _rows_of(row_keys[column], query)
            row_keys.append(words[:, 0] if order == 1 else prefix * n_words + words[:, -1])
            prefixes.append(prefix)
            last_words.append(np.ascontiguousarray(words[:, -1]))
            dfs.append(df)
        return DocumentFrequencies(self._n_images, tuple(self._words), tuple(prefixes),
                                   tuple(last_words), tuple(dfs),
                                   {**self._metadata, "kept": FREQUENT})

    def _spill(self) -> None:
        """Write the pending merged table's rows to the bucket files."""
        if self._pending.empty:
            return
        table = self._pending.result()
        self._pending, self._pending_rows = TableMerger(), 0
        self._n_images += table.n_images
        to_global = np.fromiter((self._words.setdefault(w, len(self._words))
                                 for w in table.vocabulary), np.int64, len(table.vocabulary))
        words = np.zeros((0, 0), dtype=np.int64)
        for order in range(1, table.max_order + 1):
            last = to_global[table.word[order - 1]][:, None]
            words = last if order == 1 else np.hstack([words[table.prefix[order - 1]], last])
            rows = len(words)
            first = self._rows_seen + np.arange(rows, dtype=np.int64)
            self._rows_seen += rows
            block = np.hstack([words, table.df[order - 1][:, None], first[:, None]])
            bucket = _bucket_of(words, self._buckets)
            by_bucket = np.argsort(bucket, kind="stable")
            ends = np.searchsorted(bucket[by_bucket], np.arange(1, self._buckets + 1))
            for number, part in enumerate(np.split(block[by_bucket], ends[:-1])):
                if len(part):
                    with self._path(order, number).open("ab") as stream:
                        stream.write(np.ascontiguousarray(part).tobytes())

    def _frequent_rows(self, order: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the words (R, n) and df (R,) of the frequent n-grams of one order, in order
        of first appearance, from the bucket files."""
        kept_words, kept_df, kept_first = [], [], []
        for number in range(self._buckets):
            path = self._path(order, number)
            if not path.exists():
                continue
            block = np.fromfile(path, dtype=np.int64).reshape(-1, order + 2)
            words, df, first = block[:, :order], block[:, order], block[:, order + 1]
            by_words = np.lexsort(words.T[::-1])
            words, df, first = words[by_words], df[by_words], first[by_words]
            starts = np.flatnonzero(np.r_[True, np.any(words[1:] != words[:-1], axis=1)])
            total = np.add.reduceat(df, starts)
            kept = total >= 2
            kept_words.append(words[starts[kept]])
            kept_df.append(total[kept])
            kept_first.append(np.minimum.reduceat(first, starts)[kept])
        if not kept_df:
            return np.zeros((0, order), dtype=np.int64), np.zeros(0, dtype=np.int64)
        by_first = np.argsort(np.concatenate(kept_first))
        return np.concatenate(kept_words)[by_first], np.concatenate(kept_df)[by_first]

    def _path(self, order: int, number: int) -> Path:
        return self._directory / f"order{order}-bucket{number}.i64"


def _rows_of(keys: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Return the row of each query in `keys` (distinct; every query is one of them)."""
    by_key = np.argsort(keys)
    return by_key[np.searchsorted(keys, query, sorter=by_key)]


def _bucket_of(words: np.ndarray, buckets: int) -> np.ndarray:
    """Return the bucket of each row of word ids (R, n): top bits of a multiplicative hash."""
    multiplier = np.uint64(0x9E3779B97F4A7C15)
    hashed = np.zeros(len(words), dtype=np.uint64)
    for column in words.T:
        hashed = (hashed ^ column.astype(np.uint64)) * multiplier  # wraps around 2**64
    shift = np.uint64(64 - buckets.bit_length() + 1)
    return (hashed >> shift).astype(np.int64) if buckets > 1 else np.zeros(len(words), np.int64)
