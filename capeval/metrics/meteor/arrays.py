"""NumPy idioms the METEOR modules share: sorted joins and row selection."""
from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from capeval.arrays import expand, search

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Columns = TypeVar("Columns", bound="DataclassInstance")


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
