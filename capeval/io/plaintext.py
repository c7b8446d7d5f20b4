"""Plain text: one caption per line; the image id is the line number, from 1.

Hypotheses: line i is the hypothesis of image i; an empty line is an empty hypothesis.
References: one or more line-aligned files; file k holds the k-th reference of every image,
so line i of every file belongs to image i. An empty (or whitespace-only) line means "no
k-th reference for this image" (images may have different numbers of references); an image
whose line is empty in every file is an error. All reference files must have the same
number of lines.

Lines end at ``\\n`` only (a ``\\r`` before it is dropped); other Unicode line separators
inside a caption are kept as part of it, so no caption can shift onto the next image. A
final newline does not start another line.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from capeval.io.collect import (
    HypothesisEntry,
    ReferenceEntry,
    collect_hypotheses,
    collect_references,
)
from capeval.io.ids import ImageId
from capeval.io.source import Source


def read_lines(source: Source) -> list[str]:
    """Split a text file into lines as described in the module docstring."""
    return list(iter_lines(source))


def iter_lines(source: Source) -> Iterator[str]:
    """Yield the lines of `read_lines` one by one, reading the file line by line."""
    pending = None
    for line in source.lines():
        if pending is not None:
            yield pending[:-1] if pending.endswith("\r") else pending
        pending = line
    if pending:
        yield pending[:-1] if pending.endswith("\r") else pending


def read_text_hypotheses(source: Source) -> dict[ImageId, str]:
    """Read one hypothesis per line; ids are line numbers starting at 1."""
    return collect_hypotheses(source, text_hypothesis_entries(source))


def text_hypothesis_entries(source: Source) -> Iterator[HypothesisEntry]:
    """Yield the hypothesis of each line, reading the file line by line."""
    for number, line in enumerate(iter_lines(source), start=1):
        yield HypothesisEntry(f"line {number}", number, line)


def read_text_references(sources: Sequence[Source]) -> dict[ImageId, list[str]]:
    """Read line-aligned reference files; line i of every file belongs to image i."""
    return collect_references(sources[0], text_reference_entries(sources))


def text_reference_entries(sources: Sequence[Source]) -> Iterator[ReferenceEntry]:
    """Yield the references of each line of line-aligned files, reading them line by line.

    The files' line counts are checked first (one extra pass when there are several).
    """
    first = sources[0]
    if len(sources) > 1:
        counts = [sum(1 for _ in iter_lines(source)) for source in sources]
        for source, count in zip(sources[1:], counts[1:], strict=True):
            if count != counts[0]:
                source.fail(
                    None,
                    f"has {count} lines but {first.name} has {counts[0]}; "
                    "line-aligned reference files must have the same number of lines",
                )
    columns = [iter_lines(source) for source in sources]
    for number, row in enumerate(zip(*columns, strict=True), start=1):
        captions = [line for line in row if line.strip()]
        if not captions:
            names = ", ".join(source.name for source in sources)
            first.fail(
                f"line {number}", f"image {number} has no reference: the line is empty in {names}"
            )
        yield ReferenceEntry(f"line {number}", number, captions)
