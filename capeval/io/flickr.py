"""Flickr8k / Flickr30k token files (``Flickr8k.token.txt``): references, one caption a line.

Each line is ``<image file name>#<k><TAB><caption>``, e.g.
``1000268201_693b08cb0e.jpg#0<TAB>A child in a pink dress is climbing up a set of stairs .``;
the image id is the file name (``1000268201_693b08cb0e.jpg``), and an image's references are
its lines in file order. Lines are named by number (``line 7``); blank lines are skipped.
"""
from __future__ import annotations

import re

from capeval.io.collect import ReferenceEntry, collect_references
from capeval.io.ids import ImageId
from capeval.io.plaintext import read_lines
from capeval.io.source import Source

FLICKR_LINE = re.compile(r"(?P<image>[^\t#]+)#(?P<number>[0-9]+)\t(?P<caption>.*)")
"""One line of a token file: image name, ``#``, caption number, a tab, the caption."""


def is_flickr_tokens(source: Source) -> bool:
    """Tell whether the first non-blank line of a text file has the token-file layout."""
    first = next((line for line in read_lines(source) if line.strip()), "")
    return FLICKR_LINE.fullmatch(first) is not None


def read_flickr_references(source: Source) -> dict[ImageId, list[str]]:
    """Read a token file: image file name -> its captions, in file order.

    Raises `CapevalInputError` for a line of another layout or a repeated ``name#k``.
    """
    entries: list[ReferenceEntry] = []
    seen: dict[tuple[str, int], str] = {}
    for number, line in enumerate(read_lines(source), start=1):
        if not line.strip():
            continue
        record = f"line {number}"
        match = FLICKR_LINE.fullmatch(line)
        if match is None:
            source.fail(record, "expected '<image name>#<number><TAB><caption>', as in "
                                "Flickr8k.token.txt")
        key = (match["image"], int(match["number"]))
        if key in seen:
            source.fail(record, f"caption {match['image']}#{match['number']} appears again "
                                f"(first at {seen[key]})")
        seen[key] = record
        entries.append(ReferenceEntry(record, match["image"], [match["caption"]]))
    return collect_references(source, entries)
