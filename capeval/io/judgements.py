"""Judged captions for meta-evaluation: a JSON list or a JSON Lines file of objects.

Each object holds a candidate caption, a list of reference captions, a human score (a
number, or a list of numbers that is averaged, e.g. three experts' ratings) and optionally
an image id. Records are named ``record <n>`` (JSON list) or ``line <n>`` (JSON Lines); the
file is read as every reader reads (`capeval.io.source.Source`: UTF-8, a leading byte-order
mark dropped, ``-`` for standard input).
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from capeval.errors import CapevalInputError
from capeval.io.ids import ImageId, canonical_id
from capeval.io.source import PathLike, Source, loads_strict, type_name
from capeval.io.tabular import Row, jsonl_rows

FIELD_NAMES = {
    "candidate": ("candidate", "hypothesis", "caption", "prediction"),
    "references": ("references", "refs", "reference"),
    "human": ("human", "human_score", "score", "rating", "judgement", "judgment"),
    "id": ("image_id", "image", "id", "img_id"),
}
"""Accepted field names of a judgement record, first match wins (case-insensitive)."""


@dataclass(frozen=True)
class Judgement:
    """A human score for one candidate caption of an image."""

    candidate: str
    references: list[str]
    human: float
    image_id: ImageId | None = None


def read_judgements(
    path: PathLike,
    *,
    candidate_field: str | None = None,
    references_field: str | None = None,
    human_field: str | None = None,
    id_field: str | None = None,
) -> list[Judgement]:
    """Read judged captions from a JSON list or a JSON Lines file of objects.

    Field names are found among `FIELD_NAMES` unless given. Rows with the same image id
    must give the same references (they count once in CIDEr-D's document frequencies).

    Raises
    ------
    CapevalInputError
        Naming the file and the record, for unreadable files and malformed records.
    """
    source = Source(path)
    chosen = {"candidate": candidate_field, "references": references_field,
              "human": human_field, "id": id_field}
    judgements: list[Judgement] = []
    first_seen: dict[ImageId, tuple[str, list[str]]] = {}
    for row in _records(source):
        judgement = _judgement(source, row, chosen)
        if judgement.image_id is not None:
            where, references = first_seen.setdefault(judgement.image_id,
                                                      (row.record, judgement.references))
            if references != judgement.references:
                source.fail(row.record, f"image {judgement.image_id!r} has other references "
                                        f"than at {where}; the rows of one image must give the "
                                        "same references (they count once in CIDEr-D's "
                                        "document frequencies)")
        judgements.append(judgement)
    if not judgements:
        source.fail(None, "no judgements")
    return judgements


def _records(source: Source) -> Iterator[Row]:
    """Yield the objects of a JSON list (``record <n>``) or of JSON Lines (``line <n>``)."""
    if not source.text.lstrip().startswith("["):
        try:
            yield from jsonl_rows(source)
        except CapevalInputError:
            if "\n" in source.text.strip() and isinstance(_whole_document(source), dict):
                source.fail(None, "holds one JSON object over several lines; judgements are a "
                                  "JSON list of objects or JSON Lines (one object per line)")
            raise
        return
    for number, value in enumerate(source.json, start=1):
        if not isinstance(value, dict):
            source.fail(f"record {number}", f"expected a JSON object (got {type_name(value)})")
        yield Row(f"record {number}", value)


def _whole_document(source: Source) -> Any:
    """The file parsed as one JSON document, or None if it is not one."""
    try:
        return loads_strict(source.text)
    except ValueError:
        return None


def _field_name(record: Mapping[str, Any], role: str, chosen: str | None) -> str | None:
    """The key of the first field of `role` in `record` (ignoring case), or None."""
    lowered = {key.lower(): key for key in record}
    names = (chosen,) if chosen else FIELD_NAMES[role]
    return next((lowered[name.lower()] for name in names if name.lower() in lowered), None)


def _required(record: Mapping[str, Any], role: str, chosen: str | None) -> Any:
    """The value of the field of `role`; ValueError naming the names looked for if none."""
    key = _field_name(record, role, chosen)
    if key is None:
        names = (chosen,) if chosen else FIELD_NAMES[role]
        raise ValueError(f"no {role} field (looked for {', '.join(names)})")
    return record[key]


def _judgement(source: Source, row: Row, chosen: Mapping[str, str | None]) -> Judgement:
    try:
        candidate = _required(row.values, "candidate", chosen["candidate"])
        references = _required(row.values, "references", chosen["references"])
        human = _required(row.values, "human", chosen["human"])
        image_id = None
        if chosen["id"] is not None or _field_name(row.values, "id", None) is not None:
            image_id = canonical_id(_required(row.values, "id", chosen["id"]), "the image id")
        if not isinstance(candidate, str):
            raise ValueError(f"the candidate is not a string (got {type_name(candidate)})")
        if (not isinstance(references, list) or not references
                or not all(isinstance(r, str) for r in references)):
            raise ValueError("references must be a non-empty list of strings")
        scores = human if isinstance(human, list) else [human]
        if not scores or not all(isinstance(s, (int, float)) and not isinstance(s, bool)
                                 and math.isfinite(s) for s in scores):
            raise ValueError(f"the human score must be a number or a list of numbers, got "
                             f"{human!r}")
    except ValueError as error:
        source.fail(row.record, str(error))
    return Judgement(candidate, references, math.fsum(scores) / len(scores), image_id)
