"""Captions as the reward scorer sees them: flat word identities, from token ids or strings.

Token-id captions follow the conventions of self-critical sequence training (SCST) code such as
ruotianluo/self-critical.pytorch, whose ``array_to_str`` writes the ids of a row up to and
including the first end token (id 0 there), separated by spaces, and scores those strings with
CIDEr-D. So here:

* a row of token ids ends at its first ``end_token``; later positions are padding and ignored;
* with ``include_end_token=True`` (the SCST default) the end token itself is a word of the
  caption, in candidates and references alike; with False it is dropped;
* a row without an end token is a caption of all its tokens (SCST label arrays truncate long
  captions that way);
* an optional ``pad_token`` (different from the end token) also ends a caption and is never a
  word.

Token id t is the word ``str(t)`` (``"0"`` for the end token), so document frequencies computed
from token ids and from ``array_to_str`` strings are the same table. String captions are
already tokenized: their words are ``caption.split()``.

Letters used in shapes: C captions, T row length, W words of all captions.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from capeval.errors import CapevalTypeError, CapevalUsageError

MAX_TOKEN_ID = 2**63 - 1
"""Largest token id (token ids are int64)."""

@dataclass(frozen=True)
class TokenConvention:
    """How rows of token ids become captions (see the module docstring).

    Parameters
    ----------
    end_token : int or None, default=0
        Id that ends a caption; None means every token of a row is a word.
    include_end_token : bool, default=True
        Whether the end token is a word of the caption (SCST: yes).
    pad_token : int or None, default=None
        Id that also ends a caption and is never a word (only if different from `end_token`).
    """

    end_token: int | None = 0
    include_end_token: bool = True
    pad_token: int | None = None

    def __post_init__(self) -> None:
        for name in ("end_token", "pad_token"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, np.integer)) or value < 0):
                raise ValueError(f"{name} must be a non-negative integer or None, got {value!r}")

    def row_lengths(self, rows: np.ndarray) -> np.ndarray:
        """Return the caption length (words) of each row of token ids.

        Parameters
        ----------
        rows : ndarray of shape (C, T), integer dtype

        Returns
        -------
        ndarray of shape (C,), dtype int64
        """
        n_rows, width = rows.shape
        lengths = np.full(n_rows, width, dtype=np.int64)
        if width == 0:
            return lengths
        if self.end_token is not None:
            is_end = rows == self.end_token
            has_end = is_end.any(axis=1)
            lengths[has_end] = is_end[has_end].argmax(axis=1) + int(self.include_end_token)
        if self.pad_token is not None and self.pad_token != self.end_token:
            is_pad = rows == self.pad_token
            has_pad = is_pad.any(axis=1)
            lengths[has_pad] = np.minimum(lengths[has_pad], is_pad[has_pad].argmax(axis=1))
        return lengths

    def caption_tokens(self, tokens: np.ndarray) -> np.ndarray:
        """Return the words of one row of token ids, shape (T,) -> (L,)."""
        return tokens[: self.row_lengths(tokens[np.newaxis])[0]]

    def as_dict(self) -> dict:
        return {"end_token": self.end_token, "include_end_token": self.include_end_token,
                "pad_token": self.pad_token}


def as_token_rows(rows) -> np.ndarray:
    """Return `rows` as a 2-D int64 array of token ids in 0..MAX_TOKEN_ID.

    An empty sequence is 0 captions (shape (0, 0)); rows of length 0 are empty captions.

    Raises
    ------
    CapevalTypeError
        For ragged rows or ids that are not integers.
    CapevalUsageError
        For another number of dimensions, or a negative or too large id.
    """
    try:
        array = np.asarray(rows)
    except ValueError:
        raise CapevalTypeError("token ids must be a rectangular 2-D array (captions x "
                               "positions): pad ragged rows with the end or pad token") from None
    if array.ndim == 1 and array.size == 0:
        array = array.reshape(0, 0)
    if array.ndim != 2:
        raise CapevalUsageError(f"token ids must be a 2-D array (captions x positions), got "
                                f"shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        _raise_not_integers(rows, array)
    if array.size and array.dtype.kind == "u" and array.max() > MAX_TOKEN_ID:
        raise CapevalUsageError(f"token id {array.max()} is too large (token ids are below 2**63)")
    array = array.astype(np.int64, copy=False)
    if array.size and array.min() < 0:
        raise CapevalUsageError(f"token ids must be non-negative, got {array.min()}")
    return array


def _raise_not_integers(rows, array: np.ndarray):
    """Raise for a non-integer array; Python ints of 2**63 and more are named as such."""
    if array.dtype != bool and not isinstance(rows, np.ndarray):
        values = np.asarray(rows, dtype=object).ravel().tolist()
        if all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values):
            largest = max(values)
            if largest > MAX_TOKEN_ID:
                raise CapevalUsageError(f"token id {largest} is too large (token ids are below "
                                        "2**63)")
    raise CapevalTypeError(f"token ids must be integers, got dtype {array.dtype}")
