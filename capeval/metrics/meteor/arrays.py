"""NumPy idioms the METEOR modules share: expanding counts into rows and sorted joins."""
from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from capeval.arrays import search

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Columns = TypeVar("Columns", bound="DataclassInstance")


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (row, offset) pairs enumerating ``range(counts[row])`` for every row, in order."""
    row = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return row, np.arange(len(row)) - starts[row]


def join(sorted_keys: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return every (query index, key index) with ``sorted_keys[key] == queries[query]``.

    Pairs come ordered by query, then key index.
    """
    low, high = search(sorted_keys, queries, ("left", "right"))
    row, offset = expand(high - low)
    return row, low[row] + offset


def take_rows(columns: Columns, index: np.ndarray) -> Columns:
    """Return a dataclass of equal-length arrays with only the rows `index` of each field."""
    return type(columns)(*(getattr(columns, field.name)[index] for field in fields(columns)))
