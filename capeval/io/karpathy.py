"""Karpathy split JSON (``dataset_coco.json``, ``dataset_flickr8k.json``, ...): references.

Layout: ``{"images": [{"cocoid"/"imgid"/"filename": .., "split": .., "sentences":
[{"raw": .., "tokens": [..]}, ..]}, ..]}``. Each image's references are its sentences'
``raw`` strings (``tokens`` are ignored: captions are tokenized by the evaluation).

The image id is the field `id_field` of each image; by default ``cocoid`` when the first
image has it (COCO, so ids match COCO results files), else ``imgid``, else ``filename``.
`split` keeps only images of the given split(s), e.g. ``"test"``. Image entries are named
by their 1-based position: ``image entry 4``.
"""
from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from capeval.errors import option_name
from capeval.io.collect import ReferenceEntry, collect_references
from capeval.io.ids import ImageId, canonical_id
from capeval.io.source import Source, type_name

DEFAULT_ID_FIELDS = ("cocoid", "imgid", "filename")
"""The id fields tried, in order, when none is chosen; the first image decides."""


def is_karpathy(data: Any) -> bool:
    """Tell whether parsed JSON has the Karpathy layout (``images[0]`` has ``sentences``)."""
    images = data.get("images") if isinstance(data, dict) else None
    return (
        isinstance(images, list)
        and bool(images)
        and isinstance(images[0], dict)
        and "sentences" in images[0]
    )


def read_karpathy_references(
    source: Source,
    id_field: str | None = None,
    split: str | Collection[str] | None = None,
) -> dict[ImageId, list[str]]:
    """Read references from a Karpathy split JSON file.

    Parameters
    ----------
    source : Source
    id_field : str, optional
        The image field holding the id (``"cocoid"``, ``"imgid"``, ``"filename"``, ...);
        default: the first of `DEFAULT_ID_FIELDS` that the first image has.
    split : str or collection of str, optional
        Keep only images whose ``split`` is this (or one of these); default: all images.

    Returns
    -------
    dict
        Image id -> its ``raw`` sentences, in file order.
    """
    data = source.json
    if not is_karpathy(data):
        source.fail(
            None,
            "not Karpathy JSON: expected {\"images\": [{\"sentences\": [...], ...}, ...]}",
        )
    images = data["images"]
    if id_field is None:
        id_field = next((f for f in DEFAULT_ID_FIELDS if f in images[0]), None)
        if id_field is None:
            source.fail(
                "image entry 1",
                f"no id field: none of {', '.join(DEFAULT_ID_FIELDS)}; choose one with "
                f"{option_name('id_field')}",
            )
    splits: set[str] | None = None
    if split is not None:
        splits = {split} if isinstance(split, str) else set(split)
    entries = list(_entries(source, images, id_field, splits))
    if not entries and splits is not None:
        present = sorted({str(image.get("split")) for image in images})
        source.fail(
            None,
            f"no image in split {', '.join(sorted(splits))} (splits present: {', '.join(present)})",
        )
    return collect_references(source, entries)


def _entries(
    source: Source, images: list[Any], id_field: str, splits: set[str] | None
) -> Iterator[ReferenceEntry]:
    seen: dict[ImageId, str] = {}
    for number, image in enumerate(images, start=1):
        record = f"image entry {number}"
        if not isinstance(image, dict):
            source.fail(record, f"expected a JSON object (got {type_name(image)})")
        if splits is not None:
            if "split" not in image:
                source.fail(record, "missing 'split' (needed to select a split)")
            if image["split"] not in splits:
                continue
        if id_field not in image:
            source.fail(record, f"missing {id_field!r}")
        try:
            image_id = canonical_id(image[id_field], id_field)
        except ValueError as error:
            source.fail(record, str(error))
        if image_id in seen:
            source.fail(record, f"image {image_id!r} appears again (first at {seen[image_id]}); "
                                "every image entry must have its own id")
        seen[image_id] = record
        yield ReferenceEntry(record, image_id, _raw_sentences(source, record, image))


def _raw_sentences(source: Source, record: str, image: dict[str, Any]) -> list[str]:
    if "sentences" not in image:
        source.fail(record, "missing 'sentences'")
    sentences = image["sentences"]
    if not isinstance(sentences, list):
        source.fail(record, f"'sentences' must be a list (got {type_name(sentences)})")
    captions = []
    for number, sentence in enumerate(sentences, start=1):
        where = f"{record}, sentence {number}"
        if not isinstance(sentence, dict):
            source.fail(where, f"expected a JSON object (got {type_name(sentence)})")
        if "raw" not in sentence:
            source.fail(where, "missing 'raw'")
        if not isinstance(sentence["raw"], str):
            source.fail(where, f"'raw' is not a string (got {type_name(sentence['raw'])})")
        captions.append(sentence["raw"])
    return captions
