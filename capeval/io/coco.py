"""COCO caption files: annotations JSON (references) and results JSON (hypotheses).

Annotations: ``{"images": [{"id": ..}, ..], "annotations": [{"image_id": .., "caption": ..}, ..]}``;
``images`` is optional, but when present it must list exactly the annotated images.
Results: ``[{"image_id": .., "caption": ..}, ..]``, one record per image; other keys are
ignored. Records are named by their 1-based position: ``annotation 3``, ``record 17``.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from capeval.io.collect import (
    HypothesisEntry,
    ReferenceEntry,
    collect_hypotheses,
    collect_references,
)
from capeval.io.ids import ImageId, canonical_id
from capeval.io.source import Source, type_name

SWAP_HINT = "were references and hypotheses swapped?"


def read_coco_references(source: Source) -> dict[ImageId, list[str]]:
    """Read references from a COCO annotations file, grouped by image."""
    data = source.json
    if isinstance(data, list):
        source.fail(
            None,
            "is a JSON list, the layout of COCO results (hypotheses); references in JSON "
            "need COCO annotations ({\"annotations\": [...]}) or Karpathy "
            f"({{\"images\": [{{\"sentences\": [...]}}]}}); {SWAP_HINT}",
        )
    if not isinstance(data, dict) or "annotations" not in data:
        source.fail(None, "not COCO annotations: no 'annotations' list at the top level")
    annotations = data["annotations"]
    if not isinstance(annotations, list):
        source.fail(None, f"'annotations' must be a list (got {type_name(annotations)})")
    references = collect_references(source, _annotation_entries(source, annotations))
    if "images" in data:
        # The order of 'images' is pycocoevalcap's image order (``coco.getImgIds()``).
        order = _check_images(source, data["images"], references)
        references = {image_id: references[image_id] for image_id in order}
    return references


def read_coco_hypotheses(source: Source) -> dict[ImageId, str]:
    """Read hypotheses from a COCO results file: a list of ``{image_id, caption}`` records."""
    data = source.json
    if not isinstance(data, list):
        if isinstance(data, dict) and ("annotations" in data or "images" in data):
            source.fail(
                None,
                "holds references (a JSON object with \"images\"/\"annotations\"), not "
                f"hypotheses; COCO results are a JSON list of {{image_id, caption}}; {SWAP_HINT}",
            )
        source.fail(
            None,
            f"COCO results must be a JSON list of {{image_id, caption}} records "
            f"(got {type_name(data)})",
        )
    return collect_hypotheses(source, _result_entries(source, data))


def read_coco_caption_sets(source: Source) -> dict[ImageId, list[str]]:
    """Read several captions per image from a COCO results list (repeated ``image_id``s)."""
    data = source.json
    if not isinstance(data, list):
        source.fail(None, "caption sets in JSON must be a COCO results list of "
                          f"{{image_id, caption}} records (got {type_name(data)})")
    entries = (ReferenceEntry(entry.record, entry.image_id, [entry.caption])
               for entry in _result_entries(source, data))
    return collect_references(source, entries)


def _record_fields(source: Source, record: str, item: Any) -> tuple[ImageId, str]:
    """Return the canonical id and the caption of one ``{image_id, caption}`` object."""
    if not isinstance(item, dict):
        source.fail(record, f"expected a JSON object (got {type_name(item)})")
    for key in ("image_id", "caption"):
        if key not in item:
            source.fail(record, f"missing {key!r}")
    try:
        image_id = canonical_id(item["image_id"], "image_id")
    except ValueError as error:
        source.fail(record, str(error))
    caption = item["caption"]
    if not isinstance(caption, str):
        source.fail(record, f"caption is not a string (got {type_name(caption)})")
    return image_id, caption


def _annotation_entries(source: Source, annotations: list[Any]) -> Iterator[ReferenceEntry]:
    for number, item in enumerate(annotations, start=1):
        record = f"annotation {number}"
        image_id, caption = _record_fields(source, record, item)
        yield ReferenceEntry(record, image_id, [caption])


def _result_entries(source: Source, results: list[Any]) -> Iterator[HypothesisEntry]:
    for number, item in enumerate(results, start=1):
        record = f"record {number}"
        image_id, caption = _record_fields(source, record, item)
        yield HypothesisEntry(record, image_id, caption)


def _check_images(
    source: Source, images: Any, references: dict[ImageId, list[str]]
) -> list[ImageId]:
    """Check that ``images`` lists exactly the images that have annotations; return them in
    the order listed."""
    if not isinstance(images, list):
        source.fail(None, f"'images' must be a list (got {type_name(images)})")
    listed: dict[ImageId, None] = {}
    for number, item in enumerate(images, start=1):
        record = f"images entry {number}"
        if not isinstance(item, dict):
            source.fail(record, f"expected a JSON object (got {type_name(item)})")
        if "id" not in item:
            source.fail(record, "missing 'id'")
        try:
            image_id = canonical_id(item["id"], "id")
        except ValueError as error:
            source.fail(record, str(error))
        if image_id not in references:
            source.fail(record, f"image {image_id!r} has no captions in 'annotations'")
        listed[image_id] = None
    unlisted = [image_id for image_id in references if image_id not in listed]
    if unlisted:
        source.fail(
            None,
            f"{len(unlisted)} annotated image(s) are missing from 'images', "
            f"e.g. {unlisted[0]!r}",
        )
    return list(listed)
