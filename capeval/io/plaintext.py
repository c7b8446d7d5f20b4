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

from collections.abc import Sequence

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
    lines = source.text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def read_text_hypotheses(source: Source) -> dict[ImageId, str]:
    """Read one hypothesis per line; ids are line numbers starting at 1."""
    entries = (
        HypothesisEntry(f"line {number}", number, line)
        for number, line in enumerate(read_lines(source), start=1)
    )
    return collect_hypotheses(source, entries)


def read_text_references(sources: Sequence[Source]) -> dict[ImageId, list[str]]:
    """Read line-aligned reference files; line i of every file belongs to image i."""
    columns = [read_lines(source) for source in sources]
    first, first_lines = sources[0], columns[0]
    for source, lines in zip(sources[1:], columns[1:], strict=True):
        if len(lines) != len(first_lines):
            source.fail(
                None,
                f"has {len(lines)} lines but {first.name} has {len(first_lines)}; "
                "line-aligned reference files must have the same number of lines",
            )
    entries = []
    for number, row in enumerate(zip(*columns, strict=True), start=1):
        captions = [line for line in row if line.strip()]
        if not captions:
            names = ", ".join(source.name for source in sources)
            first.fail(
                f"line {number}", f"image {number} has no reference: the line is empty in {names}"
            )
        entries.append(ReferenceEntry(f"line {number}", number, captions))
    return collect_references(first, entries)
