"""NumPy helpers shared by the metrics."""
from __future__ import annotations

import numpy as np


def distinct(values: np.ndarray) -> np.ndarray:
    """Return the sorted distinct values of a 1-D array, as ``np.unique(values)``.

    By sorting: NumPy 2.3+ answers a plain ``np.unique`` call from a hash table, which took
    0.40 s for 330,000 int64 keys where sorting takes 0.009 s (NumPy 2.4.6, this project's
    2-core machine).
    """
    ordered = np.sort(values, kind="stable")
    keep = np.ones(ordered.size, dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]
