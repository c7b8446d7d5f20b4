"""Batch helpers for tokenizers that work caption by caption."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from capeval.errors import CapevalTypeError


def checked_captions(captions: Iterable[str]) -> list[str]:
    """Return `captions` as a list after checking that each one is a str.

    Raises
    ------
    CapevalTypeError
        If a caption is not a str.
    """
    captions = list(captions)
    for caption in captions:
        if not isinstance(caption, str):
            raise CapevalTypeError(f"a caption must be a str, not {type(caption).__name__}")
    return captions


def tokenize_each(tokenize: Callable[[str], list[str]], captions: Iterable[str]) -> list[list[str]]:
    """Apply `tokenize` to each caption; equal captions are tokenized once.

    Returns one token list per caption, in input order; repeats get their own list.
    """
    memo: dict[str, list[str]] = {}
    result = []
    for caption in checked_captions(captions):
        if caption not in memo:
            memo[caption] = tokenize(caption)
        result.append(list(memo[caption]))
    return result
