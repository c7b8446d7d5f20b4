"""Argument checks shared by the tokenizers, and a batch helper for those that work caption by
caption."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from capeval.errors import CapevalTypeError


def iter_checked(captions: Iterable[str], name: str = "captions") -> Iterator[str]:
    """Yield the captions of `captions`, checking each one is a str as it is read.

    The container is checked at once: a str or bytes (which would be read as its characters
    or byte values), None or any other non-iterable is refused.

    Raises
    ------
    CapevalTypeError
        Naming `name`, for a bad container (at once) or a caption that is not a str (when it
        is reached).
    """
    if isinstance(captions, (str, bytes)) or not isinstance(captions, Iterable):
        raise CapevalTypeError(f"{name} must be an iterable of str captions, not "
                               f"{type(captions).__name__}")
    return _each_checked(captions, name)


def _each_checked(captions: Iterable[object], name: str) -> Iterator[str]:
    for number, caption in enumerate(captions, start=1):
        if not isinstance(caption, str):
            raise CapevalTypeError(f"{name}: caption {number} must be a str, not "
                                   f"{type(caption).__name__}")
        yield caption


def checked_captions(captions: Iterable[str], name: str = "captions") -> list[str]:
    """Return `captions` as a list, each one checked to be a str (see `iter_checked`)."""
    return list(iter_checked(captions, name))


def tokenize_each(tokenize: Callable[[str], list[str]], captions: Iterable[str]) -> list[list[str]]:
    """Apply `tokenize` to each caption; equal captions are tokenized once.

    Returns one token list per caption, in input order; repeats get their own list.
    """
    memo: dict[str, list[str]] = {}
    result = []
    for caption in captions:
        if caption not in memo:
            memo[caption] = tokenize(caption)
        result.append(list(memo[caption]))
    return result
