"""Turn the records a reader found into the final mappings, checking what spans records.

Readers yield one entry per record (a JSON object, a CSV row, a line); this module groups
them by image: references of one image may come from several records, a hypothesis must
come from exactly one.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import NamedTuple

from capeval.io.ids import ImageId
from capeval.io.source import Source

logger = logging.getLogger("capeval")


class ReferenceEntry(NamedTuple):
    """Reference captions of one image found in one record (possibly none)."""

    record: str
    image_id: ImageId
    captions: list[str]


class HypothesisEntry(NamedTuple):
    """The hypothesis caption of one image, found in one record."""

    record: str
    image_id: ImageId
    caption: str


def collect_references(
    source: Source, entries: Iterable[ReferenceEntry]
) -> dict[ImageId, list[str]]:
    """Group reference captions by image, in order of first appearance.

    Raises `CapevalInputError` when there are no entries, or when an image ends up without
    any caption (naming the record where the image first appears). Logs a warning when
    some reference captions are empty strings (they are kept: they count in the scores).
    """
    references: dict[ImageId, list[str]] = {}
    first_record: dict[ImageId, str] = {}
    for entry in entries:
        references.setdefault(entry.image_id, []).extend(entry.captions)
        first_record.setdefault(entry.image_id, entry.record)
    if not references:
        source.fail(None, "holds no references")
    empty = 0
    for image_id, captions in references.items():
        if not captions:
            source.fail(first_record[image_id], f"image {image_id!r} has no reference captions")
        empty += sum(1 for caption in captions if not caption.strip())
    if empty:
        logger.warning(
            "%s: %d reference caption(s) are empty; they are kept and count in the scores",
            source.name,
            empty,
        )
    return references


def collect_hypotheses(source: Source, entries: Iterable[HypothesisEntry]) -> dict[ImageId, str]:
    """Map each image to its one hypothesis, in file order.

    Raises `CapevalInputError` when there are no entries, or when an image has a second
    hypothesis (naming the records of both).
    """
    hypotheses: dict[ImageId, str] = {}
    first_record: dict[ImageId, str] = {}
    for entry in entries:
        if entry.image_id in hypotheses:
            source.fail(
                entry.record,
                f"second hypothesis for image {entry.image_id!r} "
                f"(the first is at {first_record[entry.image_id]})",
            )
        hypotheses[entry.image_id] = entry.caption
        first_record[entry.image_id] = entry.record
    if not hypotheses:
        source.fail(None, "holds no hypotheses")
    return hypotheses
