"""Distinct n-grams of many captions, order by order, with NumPy and one hash pass per order.

Captions are flat: `identity` holds one non-negative integer per word (equal words, equal
integers) and `lengths` the words per caption. Captions are partitioned into *groups* (each
candidate is its own group; the references of one image form one group). For each order n,
every occurrence of an n-gram gets a *code* that is dense over the distinct (group, n-gram)
pairs and numbers them in order of first appearance. Codes of order n come from the code of
the (n-1)-gram at the same position and the identity of the n-th word, so no n-gram is ever
spelled out.

Letters used in shapes: W words, C captions, P occurrences of one order, G distinct
(group, n-gram) pairs of one order.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Occurrences:
    """The n-grams of one order, as occurrences and as distinct (group, n-gram) codes.

    Attributes
    ----------
    order : int
    start : ndarray of shape (P,), dtype int64
        Flat index of the first word of each occurrence, increasing (caption-major).
    caption : ndarray of shape (P,), dtype int64
    code : ndarray of shape (P,), dtype int64
        Code of each occurrence, in ``range(G)``, numbered in order of first appearance.
    prefix_code : ndarray of shape (P,), dtype int64
        Code (of order n-1) of the occurrence's first n-1 words; for unigrams, the group.
    first : ndarray of shape (G,), dtype int64
        Index (into the P occurrences) of the first occurrence of each code.
    count : ndarray of shape (G,), dtype int64
        Occurrences of each code.
    """

    order: int
    start: np.ndarray
    caption: np.ndarray
    code: np.ndarray
    prefix_code: np.ndarray
    first: np.ndarray
    count: np.ndarray


def iter_occurrences(
    identity: np.ndarray, lengths: np.ndarray, groups: np.ndarray, max_order: int
) -> Iterator[Occurrences]:
    """Yield the `Occurrences` of orders 1..max_order (stopping early when none are left).

    Parameters
    ----------
    identity : ndarray of shape (W,), dtype int64
        Non-negative word identities, captions concatenated.
    lengths : ndarray of shape (C,), dtype int64
    groups : ndarray of shape (C,), dtype int64
        Non-negative group of each caption; n-grams are distinct per group.
    max_order : int
    """
    n_words = identity.size
    caption = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    start = np.arange(n_words, dtype=np.int64)
    # Words left in the caption from each position on, that position included.
    remaining = np.repeat(np.cumsum(lengths), lengths) - start
    base = int(identity.max()) + 1 if n_words else 1
    code = groups[caption]  # order 0: every position belongs to its caption's group
    for order in range(1, max_order + 1):
        if order > 1:
            keep = remaining >= order
            start, caption, code = start[keep], caption[keep], code[keep]
            remaining = remaining[keep]
        if start.size == 0:
            return
        prefix = code
        code, uniques = pd.factorize(prefix * base + identity[start + order - 1])
        code = code.astype(np.int64, copy=False)
        first = np.empty(len(uniques), dtype=np.int64)
        first[code[::-1]] = np.arange(code.size - 1, -1, -1, dtype=np.int64)
        count = np.bincount(code, minlength=len(uniques))
        yield Occurrences(order, start, caption, code, prefix, first, count)
