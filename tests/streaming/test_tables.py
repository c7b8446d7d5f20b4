"""The bounded-memory df pass (`FrequentCounter`) builds the very table an in-memory merge of
every chunk table, pruned to the n-grams of two or more images, builds."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.document_frequencies import DocumentFrequencies
from capeval.streaming.tables import FrequentCounter, TableMerger


def chunk_tables(n_images=240, chunk=7, seed=3, longest=9):
    """Df tables of consecutive chunks of random captions (Zipf-like words, so some n-grams
    recur across chunks and most occur once; some captions shorter than 4 words)."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"w{index}" for index in range(80)]
    weights = 1.0 / np.arange(1, 81)
    weights /= weights.sum()
    images = [[list(rng.choice(vocabulary, size=rng.integers(1, longest), p=weights))
               for _ in range(rng.integers(1, 5))] for _ in range(n_images)]
    return [DocumentFrequencies.from_references(images[start:start + chunk], 4, source="t")
            for start in range(0, n_images, chunk)]


def merged_frequent(tables):
    merger = TableMerger()
    for table in tables:
        merger.add(table)
    return merger.result(frequent=True)


def assert_same_table(actual, expected):
    assert actual.n_images == expected.n_images
    assert actual.vocabulary == expected.vocabulary
    assert actual.metadata == expected.metadata
    for name in ("prefix", "word", "df"):
        for got, want in zip(getattr(actual, name), getattr(expected, name), strict=True):
            assert got.dtype == want.dtype and np.array_equal(got, want), name


@pytest.mark.parametrize("spill_rows", [1, 40, 10**9], ids=["every chunk", "some", "never"])
@pytest.mark.parametrize("buckets", [1, 4, 64])
def test_spilled_counts_equal_the_in_memory_merge(tmp_path, spill_rows, buckets):
    tables = chunk_tables()
    counter = FrequentCounter(tmp_path, spill_rows=spill_rows, buckets=buckets)
    for table in tables:
        counter.add(table)
    expected = merged_frequent(tables)
    assert sum(map(len, expected.df)) > 0 and len(expected.df[3]) > 0
    assert_same_table(counter.result(), expected)


def test_orders_longer_than_every_caption_are_empty(tmp_path):
    tables = chunk_tables(n_images=30, longest=3)  # captions of 1 or 2 words
    counter = FrequentCounter(tmp_path, spill_rows=5)
    for table in tables:
        counter.add(table)
    result = counter.result()
    assert len(result.df[2]) == len(result.df[3]) == 0
    assert_same_table(result, merged_frequent(tables))


def test_a_single_chunk_and_a_table_of_single_image_ngrams(tmp_path):
    (table,) = chunk_tables(n_images=1, chunk=1)
    counter = FrequentCounter(tmp_path)
    counter.add(table)
    assert_same_table(counter.result(), merged_frequent([table]))


def test_nothing_added_and_bad_bucket_counts_are_refused(tmp_path):
    with pytest.raises(ValueError, match="no table"):
        FrequentCounter(tmp_path).result()
    with pytest.raises(ValueError, match="power of two"):
        FrequentCounter(tmp_path, buckets=6)
