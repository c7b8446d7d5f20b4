"""Tell a caption file's format from its extension and, for JSON, from its layout."""
from __future__ import annotations

import json

from capeval.errors import CapevalInputError
from capeval.io.flickr import is_flickr_tokens
from capeval.io.karpathy import is_karpathy
from capeval.io.source import Source

FORMATS = ("coco", "karpathy", "flickr", "json", "jsonl", "csv", "tsv", "text")
"""Format names accepted as an override. ``json`` means "COCO or Karpathy, from the layout";
``flickr`` is a Flickr8k/Flickr30k token file (``name.jpg#k<TAB>caption``)."""

EXTENSIONS = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "text",
    ".token": "text",
}
"""Extension (lowercase) -> format; ``json`` is then resolved from the file's layout."""


def resolve_format(source: Source, format: str | None = None) -> str:
    """Return the format to read `source` with: one of `FORMATS` except ``json``.

    Parameters
    ----------
    source : Source
    format : str, optional
        An explicit choice among `FORMATS`; default: from the extension, else the content.

    Raises
    ------
    CapevalInputError
        For an unknown format name, a JSON layout that is neither COCO nor Karpathy, or a
        file whose format cannot be told.
    """
    if format is None:
        format = EXTENSIONS.get(source.suffix) or _sniff(source)
        if format == "text" and is_flickr_tokens(source):
            return "flickr"
    elif format not in FORMATS:
        source.fail(None, f"unknown format {format!r}; accepted formats: {', '.join(FORMATS)}")
    return json_layout(source) if format == "json" else format


def json_layout(source: Source) -> str:
    """Return ``"coco"`` or ``"karpathy"`` for a JSON file, from its top-level layout."""
    data = source.json
    if isinstance(data, list) or (isinstance(data, dict) and "annotations" in data):
        return "coco"
    if is_karpathy(data):
        return "karpathy"
    source.fail(
        None,
        "JSON layout not recognised: expected COCO annotations "
        '({"images": [...], "annotations": [...]}), COCO results ([{"image_id": .., '
        '"caption": ..}, ...]) or Karpathy ({"images": [{"sentences": [...]}, ...]})',
    )


def _sniff(source: Source) -> str:
    """Tell JSON and JSON Lines from the content of a file with an unknown extension."""
    head = source.text.lstrip()
    if head.startswith(("{", "[")):
        try:
            source.json  # noqa: B018 - parse now (cached for the reader), to tell JSON Lines
        except CapevalInputError:
            first_line = head.split("\n", 1)[0]
            try:
                if isinstance(json.loads(first_line), dict):
                    return "jsonl"
            except json.JSONDecodeError:
                pass
            raise
        return "json"
    source.fail(
        None,
        "cannot tell the format from the file name or content; use an extension "
        f"({', '.join(EXTENSIONS)}) or choose the format: {', '.join(FORMATS)}",
    )
