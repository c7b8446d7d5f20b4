"""Cut a stream of images into chunks that carry their tokenization context.

PTB tokenization reads the captions of one call as one stream: a caption's tokens can
depend on the captions after it (see `capeval.tokenizers.stream_lookahead`). A chunk
therefore carries, for its hypotheses and for its references, the few captions of the later
chunks that its tokens can depend on, so tokenizing chunk by chunk gives the tokens of one
pass over the whole stream.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Generic, NamedTuple, TypeVar

from capeval.tokenizers import stream_lookahead

_Item = TypeVar("_Item")


class Images(NamedTuple):
    """C consecutive images of a stream: ids, one hypothesis each, their references."""

    ids: list
    hypotheses: list[str]
    references: list[list[str]]


class Chunk(NamedTuple):
    """Images to tokenize, with the captions that follow them in their two streams."""

    images: Images
    hypotheses_following: tuple[str, ...]
    """The look-ahead of the hypothesis stream after this chunk (empty: the stream ends)."""
    references_following: tuple[str, ...]
    """The look-ahead of the reference stream (all captions, image by image)."""


class _Peekable(Generic[_Item]):
    """An iterator whose next items can be looked at without being consumed."""

    def __init__(self, items: Iterable[_Item]) -> None:
        self._items = iter(items)
        self._ahead: deque[_Item] = deque()

    def take(self, count: int) -> list[_Item]:
        taken = [self._ahead.popleft() for _ in range(min(count, len(self._ahead)))]
        taken.extend(islice(self._items, count - len(taken)))
        return taken

    def upcoming(self) -> Iterator[_Item]:
        """Yield the next items without consuming them (reads the source as needed)."""
        yield from list(self._ahead)
        for item in self._items:
            self._ahead.append(item)
            yield item


def chunked(
    images: Iterable[tuple[object, str, Sequence[str]]], size: int
) -> Iterator[Chunk]:
    """Group (id, hypothesis, references) triples into chunks of `size` images, in order.

    Parameters
    ----------
    images : iterable of (image id, str, sequence of str)
        In the order of the tokenization streams (the reference image order).
    size : int
        Images per chunk (the last chunk may be smaller).
    """
    source = _Peekable(images)
    while batch := source.take(size):
        ids, hypotheses, references = (list(column) for column in zip(*batch, strict=True))
        yield Chunk(
            Images(ids, hypotheses, [list(refs) for refs in references]),
            stream_lookahead(hypothesis for _, hypothesis, _ in source.upcoming()),
            stream_lookahead(chain.from_iterable(refs for _, _, refs in source.upcoming())),
        )
