"""Read references and hypotheses from caption files of any supported format."""
from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from capeval.errors import option_name
from capeval.io.coco import (
    SWAP_HINT,
    read_coco_caption_sets,
    read_coco_hypotheses,
    read_coco_references,
)
from capeval.io.collect import HypothesisEntry, ReferenceEntry
from capeval.io.detect import resolve_format
from capeval.io.flickr import read_flickr_references
from capeval.io.ids import ImageId
from capeval.io.karpathy import read_karpathy_references
from capeval.io.plaintext import (
    read_text_hypotheses,
    read_text_references,
    text_hypothesis_entries,
    text_reference_entries,
)
from capeval.io.source import PathLike, Source
from capeval.io.tabular import (
    read_table_hypotheses,
    read_table_references,
    table_hypothesis_entries,
    table_reference_entries,
)

logger = logging.getLogger("capeval")

_TABLES = ("csv", "tsv", "jsonl")
_OPTION_FORMATS = {
    "id_field": ("karpathy",) + _TABLES,
    "caption_fields": _TABLES,
    "caption_field": _TABLES,
    "split": ("karpathy",),
}
"""Option name -> the formats it applies to; giving it for another format is an error."""


def read_references(
    paths: PathLike | Iterable[PathLike],
    format: str | None = None,
    *,
    id_field: str | None = None,
    caption_fields: str | Sequence[str] | None = None,
    split: str | Collection[str] | None = None,
) -> dict[ImageId, list[str]]:
    """Read reference captions, grouped by image.

    Parameters
    ----------
    paths : path or iterable of paths
        One file of any format, or several line-aligned plain-text files (file k holds the
        k-th reference of every image).
    format : {"coco", "karpathy", "flickr", "json", "jsonl", "csv", "tsv", "text"}, optional
        Overrides detection from the extension (and from the content: JSON layouts, and
        Flickr8k token files among ``.txt`` files).
    id_field : str, optional
        The id column (CSV/TSV), key (JSON Lines) or image field (Karpathy: ``"cocoid"``,
        ``"imgid"``, ``"filename"``); default: detected.
    caption_fields : str or sequence of str, optional
        The caption column(s) or key(s) of a table; several mean wide form.
    split : str or collection of str, optional
        Karpathy only: keep images of this split (or these splits), e.g. ``"test"``.

    Returns
    -------
    dict
        Canonical image id (see `capeval.io.ids`) -> its reference captions, in file order.

    Raises
    ------
    CapevalInputError
        Naming the file, the record and the problem, for any bad input.
    """
    sources, source_format = _reference_sources(paths, format, id_field, caption_fields, split)
    source = sources[0]
    if source_format == "text":
        return read_text_references(sources)
    if source_format == "coco":
        return read_coco_references(source)
    if source_format == "karpathy":
        return read_karpathy_references(source, id_field, split)
    if source_format == "flickr":
        return read_flickr_references(source)
    return read_table_references(source, source_format, id_field, caption_fields)


def reference_entries(
    paths: PathLike | Iterable[PathLike],
    format: str | None = None,
    *,
    id_field: str | None = None,
    caption_fields: str | Sequence[str] | None = None,
    split: str | Collection[str] | None = None,
) -> tuple[Source, Iterator[ReferenceEntry]]:
    """Read reference captions record by record, for files too large to hold in memory.

    Takes the arguments of `read_references`. Line-based files (plain text, CSV, TSV, JSON
    Lines) are read line by line; COCO and Karpathy JSON are parsed whole (one document)
    and then yielded image by image (record ``image <id>``). Checks that span records
    (an image without any caption, see `capeval.io.collect`) are the caller's.

    Returns
    -------
    (Source, iterator of ReferenceEntry)
        The first file (for messages) and the entries in file order.
    """
    sources, source_format = _reference_sources(paths, format, id_field, caption_fields, split)
    source = sources[0]
    if source_format == "text":
        return source, text_reference_entries(sources)
    if source_format == "coco":
        references = read_coco_references(source)
    elif source_format == "karpathy":
        references = read_karpathy_references(source, id_field, split)
    elif source_format == "flickr":
        references = read_flickr_references(source)
    else:
        return source, table_reference_entries(source, source_format, id_field, caption_fields)
    return source, (ReferenceEntry(f"image {image_id!r}", image_id, captions)
                    for image_id, captions in references.items())


def _reference_sources(
    paths: PathLike | Iterable[PathLike],
    format: str | None,
    id_field: str | None,
    caption_fields: str | Sequence[str] | None,
    split: str | Collection[str] | None,
) -> tuple[list[Source], str]:
    """Return the reference files and their format, checking the options apply to it."""
    if isinstance(paths, (str, os.PathLike)) or not isinstance(paths, Iterable):
        paths = [paths]  # one path (anything else is refused by Source)
    sources = [Source(path) for path in paths]
    if not sources:
        raise ValueError("no reference file given")
    formats = [resolve_format(source, format) for source in sources]
    options = {"id_field": id_field, "caption_fields": caption_fields, "split": split}
    if len(sources) > 1:
        for source, source_format in zip(sources, formats, strict=True):
            if source_format != "text":
                source.fail(
                    None,
                    "several reference files must all be line-aligned plain text "
                    f"(this one is {source_format})",
                )
        _check_options(sources[0], "text", options)
        logger.info("reading references from %d line-aligned text files", len(sources))
        return sources, "text"
    _check_options(sources[0], formats[0], options)
    logger.info("%s: reading references as %s", sources[0].name, formats[0])
    return sources, formats[0]


def read_hypotheses(
    path: PathLike,
    format: str | None = None,
    *,
    id_field: str | None = None,
    caption_field: str | None = None,
) -> dict[ImageId, str]:
    """Read hypothesis captions, one per image.

    Parameters
    ----------
    path : path
    format : {"coco", "json", "jsonl", "csv", "tsv", "text"}, optional
        Overrides detection from the extension (and, for JSON, from the layout).
    id_field : str, optional
        The id column (CSV/TSV) or key (JSON Lines); default: detected.
    caption_field : str, optional
        The caption column or key of a table; default: detected.

    Returns
    -------
    dict
        Canonical image id -> its hypothesis, in file order.

    Raises
    ------
    CapevalInputError
        Naming the file, the record and the problem, for any bad input (including a second
        hypothesis for one image).
    """
    source, source_format = _hypothesis_source(path, format, id_field, caption_field)
    if source_format == "coco":
        return read_coco_hypotheses(source)
    if source_format == "text":
        return read_text_hypotheses(source)
    return read_table_hypotheses(source, source_format, id_field, caption_field)


def hypothesis_entries(
    path: PathLike,
    format: str | None = None,
    *,
    id_field: str | None = None,
    caption_field: str | None = None,
) -> tuple[Source, Iterator[HypothesisEntry]]:
    """Read hypothesis captions record by record, for files too large to hold in memory.

    Takes the arguments of `read_hypotheses`; reads as `reference_entries` does. A second
    hypothesis for an image is the caller's to detect.

    Returns
    -------
    (Source, iterator of HypothesisEntry)
    """
    source, source_format = _hypothesis_source(path, format, id_field, caption_field)
    if source_format == "coco":
        hypotheses = read_coco_hypotheses(source)
        return source, (HypothesisEntry(f"image {image_id!r}", image_id, caption)
                        for image_id, caption in hypotheses.items())
    if source_format == "text":
        return source, text_hypothesis_entries(source)
    return source, table_hypothesis_entries(source, source_format, id_field, caption_field)


def _hypothesis_source(
    path: PathLike, format: str | None, id_field: str | None, caption_field: str | None
) -> tuple[Source, str]:
    source = Source(path)
    source_format = resolve_format(source, format)
    _check_options(source, source_format, {"id_field": id_field, "caption_field": caption_field})
    logger.info("%s: reading hypotheses as %s", source.name, source_format)
    if source_format in ("karpathy", "flickr"):
        kind = "Karpathy JSON" if source_format == "karpathy" else "a Flickr token file"
        source.fail(None, f"holds references ({kind}), not hypotheses; {SWAP_HINT}")
    return source, source_format


def read_caption_sets(
    path: PathLike,
    format: str | None = None,
    *,
    id_field: str | None = None,
    caption_field: str | None = None,
) -> dict[ImageId, list[str]]:
    """Read several hypothesis captions per image (for the diversity metrics).

    The image id may repeat: in a COCO results list (one ``{image_id, caption}`` record per
    caption) or in the rows of a CSV/TSV/JSON Lines table (long form; or wide form, with
    several caption columns named by `caption_field`, comma-separated). An image's captions
    keep their file order.

    Raises
    ------
    CapevalInputError
        Naming the file, the record and the problem, for any bad input (a plain-text file has
        no image ids and cannot hold caption sets).
    """
    source = Source(path)
    source_format = resolve_format(source, format)
    _check_options(source, source_format, {"id_field": id_field, "caption_field": caption_field})
    logger.info("%s: reading caption sets as %s", source.name, source_format)
    if source_format == "coco":
        return read_coco_caption_sets(source)
    if source_format in ("text", "karpathy", "flickr"):
        source.fail(None, f"caption sets need image ids: a COCO results list or a CSV/TSV/"
                          f"JSON Lines table with repeated ids (this file is {source_format})")
    fields = caption_field.split(",") if caption_field else None
    return read_table_references(source, source_format, id_field, fields)


def _check_options(source: Source, source_format: str, options: Mapping[str, object]) -> None:
    for name, value in options.items():
        if value is not None and source_format not in _OPTION_FORMATS[name]:
            source.fail(
                None,
                f"option {option_name(name)} does not apply to {source_format} files "
                f"(only to {', '.join(_OPTION_FORMATS[name])})",
            )
