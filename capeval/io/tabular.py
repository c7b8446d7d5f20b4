"""Tables of captions: CSV, TSV (header row) and JSON Lines (one object per line).

A table has an id field and one or more caption fields:

- *long form*, one caption field: each row gives one caption (or, in JSON Lines, a list
  of captions); rows repeating an id add references to that image;
- *wide form*, several caption fields (``caption_1`` .. ``caption_5``): each row gives
  several references; an empty, null or missing cell means "no such reference".

Fields are found by name (case-insensitive) unless chosen: the id among `ID_FIELDS`; the
captions among the role's own names (`REFERENCE_FIELDS` or `HYPOTHESIS_FIELDS`), then
`CAPTION_FIELDS`, first as one plain name, else as numbered names of one stem
(``ref1``, ``caption_2``, ``sentence-3``, ordered by number). Rows are named by the line
where they start (``line 5``; the header is line 1). TSV has no quoting: a cell is
everything between tabs, quotes included. CSV follows RFC 4180 quoting.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any, Literal, NamedTuple

from capeval.errors import option_name
from capeval.io.collect import (
    HypothesisEntry,
    ReferenceEntry,
    collect_hypotheses,
    collect_references,
)
from capeval.io.ids import ImageId, canonical_id
from capeval.io.source import Source, loads_strict, type_name

Role = Literal["references", "hypotheses"]

ID_FIELDS = ("image_id", "id", "image", "img_id", "imgid", "cocoid", "image_name",
             "filename", "file_name", "img")
REFERENCE_FIELDS = ("reference", "references", "ref", "refs")
HYPOTHESIS_FIELDS = ("hypothesis", "hypotheses", "hyp", "prediction", "pred", "candidate")
CAPTION_FIELDS = ("caption", "captions", "sentence", "sentences", "text", "raw")

_ROLE_FIELDS = {"references": REFERENCE_FIELDS, "hypotheses": HYPOTHESIS_FIELDS}
_NUMBERED = re.compile(r"(?P<stem>.*?)[ _.-]?(?P<number>[0-9]+)")


class Row(NamedTuple):
    """One record of a table: where it starts and its values by field name."""

    record: str
    values: dict[str, Any]


def read_table_references(
    source: Source,
    table_format: str,
    id_field: str | None = None,
    caption_fields: str | Sequence[str] | None = None,
) -> dict[ImageId, list[str]]:
    """Read references from a CSV, TSV or JSON Lines table (long or wide form)."""
    return collect_references(
        source, table_reference_entries(source, table_format, id_field, caption_fields)
    )


def read_table_hypotheses(
    source: Source,
    table_format: str,
    id_field: str | None = None,
    caption_field: str | None = None,
) -> dict[ImageId, str]:
    """Read hypotheses from a CSV, TSV or JSON Lines table: one row and caption per image."""
    return collect_hypotheses(
        source, table_hypothesis_entries(source, table_format, id_field, caption_field)
    )


def table_reference_entries(
    source: Source,
    table_format: str,
    id_field: str | None = None,
    caption_fields: str | Sequence[str] | None = None,
) -> Iterator[ReferenceEntry]:
    """Yield the references of each row of a table, reading the file row by row."""
    fields, rows = table_rows(source, table_format)
    id_field = choose_id_field(source, fields, id_field)
    captions = _choose_caption_fields(source, fields, caption_fields, "references")
    wide = len(captions) > 1
    for row in rows:
        yield ReferenceEntry(row.record, _row_id(source, row, id_field),
                             list(_row_references(source, row, captions, wide)))


def table_hypothesis_entries(
    source: Source,
    table_format: str,
    id_field: str | None = None,
    caption_field: str | None = None,
) -> Iterator[HypothesisEntry]:
    """Yield the hypothesis of each row of a table, reading the file row by row."""
    fields, rows = table_rows(source, table_format)
    id_field = choose_id_field(source, fields, id_field)
    (caption,) = _choose_caption_fields(source, fields, caption_field, "hypotheses")
    for row in rows:
        yield HypothesisEntry(row.record, _row_id(source, row, id_field),
                              _string(source, row, caption))


def read_table(source: Source, table_format: str) -> tuple[list[str], list[Row]]:
    """Return the field names (in order of first appearance) and the rows of a table."""
    fields, rows = table_rows(source, table_format)
    return fields, list(rows)


def table_rows(source: Source, table_format: str) -> tuple[list[str], Iterator[Row]]:
    """Return the field names (in order of first appearance) and an iterator over the rows.

    `table_format` is ``"csv"``, ``"tsv"`` or ``"jsonl"``. The file is read row by row; a
    JSON Lines file is read twice (first for its field names, the union over all records).
    """
    if table_format == "jsonl":
        fields: dict[str, None] = {}
        records = 0
        for row in jsonl_rows(source):
            fields.update(dict.fromkeys(row.values))
            records += 1
        if not records:
            source.fail(None, "holds no records (only blank lines)")
        return list(fields), jsonl_rows(source)
    return _delimited_rows(source, table_format)


def jsonl_rows(source: Source) -> Iterator[Row]:
    """Yield the JSON object of every non-blank line, named ``line <n>``."""
    for number, line in enumerate(source.lines(), start=1):
        if not line.strip():
            continue
        try:
            value = loads_strict(line)
        except json.JSONDecodeError as error:
            source.fail(f"line {number}, column {error.colno}", f"malformed JSON: {error.msg}")
        except ValueError as error:
            source.fail(f"line {number}", str(error))
        if not isinstance(value, dict):
            source.fail(f"line {number}", f"expected a JSON object (got {type_name(value)})")
        yield Row(f"line {number}", value)


def _delimited_rows(source: Source, table_format: str) -> tuple[list[str], Iterator[Row]]:
    lines = _universal_lines(source.lines())
    if table_format == "csv":
        reader = csv.reader(lines, strict=True)
    else:  # TSV: no quoting at all
        reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE, strict=True)
    records = _delimited_records(source, table_format, reader)
    first = next(records, None)
    if first is None:
        source.fail(None, "holds no rows (only blank lines)")
    header = _check_header(source, *first)
    return header, _header_rows(source, header, records)


def _delimited_records(
    source: Source, table_format: str, reader: Any
) -> Iterator[tuple[str, list[str]]]:
    """Yield (record, cells) for each non-blank row, naming a row by the line it starts on."""
    start = 1
    try:
        for cells in reader:
            record, start = f"line {start}", reader.line_num + 1
            if cells:
                yield record, cells
    except csv.Error as error:
        source.fail(f"line {reader.line_num}", f"malformed {table_format.upper()}: {error}")


def _header_rows(
    source: Source, header: list[str], records: Iterator[tuple[str, list[str]]]
) -> Iterator[Row]:
    count = 0
    for record, cells in records:
        if len(cells) != len(header):
            source.fail(
                record, f"expected {len(header)} cells as in the header, found {len(cells)}"
            )
        count += 1
        yield Row(record, dict(zip(header, cells, strict=True)))
    if not count:
        source.fail(None, "has a header but no rows")


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")


def _universal_lines(lines: Iterator[str]) -> Iterator[str]:
    """Re-cut ``text.split("\\n")`` pieces at ``\\n``, ``\\r`` and ``\\r\\n``, keeping the line
    ends, as ``io.StringIO(text, newline="")`` does (what the csv module expects)."""
    pending = None
    for line in lines:
        if pending is not None:
            yield from _LONE_CR.split(pending + "\n")
        pending = line
    if pending:
        yield from (piece for piece in _LONE_CR.split(pending) if piece)


def _check_header(source: Source, record: str, cells: list[str]) -> list[str]:
    header = [cell.strip() for cell in cells]
    for index, name in enumerate(header):
        if name and name in header[:index]:
            source.fail(record, f"column {name!r} appears twice in the header")
    return header


def _find(fields: Sequence[str], names: Sequence[str]) -> list[str]:
    """Fields equal to one of `names` (ignoring case), in the order of `names`."""
    by_name = {field.lower(): field for field in fields}
    return [by_name[name] for name in names if name in by_name]


def _check_chosen(source: Source, fields: Sequence[str], chosen: Sequence[str]) -> None:
    for field in chosen:
        if field not in fields:
            source.fail(None, f"no field {field!r} (fields: {', '.join(fields)})")


def choose_id_field(source: Source, fields: Sequence[str], id_field: str | None) -> str:
    if id_field is not None:
        _check_chosen(source, fields, [id_field])
        return id_field
    found = _find(fields, ID_FIELDS)
    if not found:
        source.fail(
            None,
            f"no id field among ({', '.join(fields)}); expected one of "
            f"{', '.join(ID_FIELDS)}, or choose one with {option_name('id_field')}",
        )
    return found[0]


def _choose_caption_fields(
    source: Source,
    fields: Sequence[str],
    chosen: str | Sequence[str] | None,
    role: Role,
) -> list[str]:
    if chosen is not None:
        chosen = [chosen] if isinstance(chosen, str) else list(chosen)
        if not chosen:
            source.fail(None, "no caption field chosen")
        _check_chosen(source, fields, chosen)
        return chosen
    for names in (_ROLE_FIELDS[role], CAPTION_FIELDS):
        plain = _find(fields, names)
        if len(plain) > 1:
            source.fail(
                None,
                f"several fields could hold the captions ({', '.join(plain)}); choose with "
                f"{option_name('caption_fields')}",
            )
        if plain:
            return plain
        numbered = _numbered_fields(fields, names)
        if len(numbered) > 1:
            source.fail(
                None,
                "several groups of numbered caption fields "
                f"({'; '.join(', '.join(group) for group in numbered)}); "
                f"choose with {option_name('caption_fields')}",
            )
        if numbered:
            if role == "hypotheses":
                source.fail(
                    None,
                    f"several caption fields ({', '.join(numbered[0])}) but hypotheses need "
                    f"one; choose it with {option_name('caption_field')}",
                )
            return numbered[0]
    role_names = ", ".join(_ROLE_FIELDS[role] + CAPTION_FIELDS)
    source.fail(
        None,
        f"no caption field among ({', '.join(fields)}); expected one of {role_names} "
        "(or numbered: caption_1, caption_2, ...), or choose with "
        f"{option_name('caption_fields')}",
    )


def _numbered_fields(fields: Sequence[str], names: Sequence[str]) -> list[list[str]]:
    """Groups of fields named ``<name><sep><number>``, one group per name, by number."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for field in fields:
        match = _NUMBERED.fullmatch(field.lower())
        if match and match["stem"] in names:
            groups.setdefault(match["stem"], []).append((int(match["number"]), field))
    return [[field for _, field in sorted(group)] for group in groups.values()]


def _row_id(source: Source, row: Row, field: str) -> ImageId:
    if field not in row.values:
        source.fail(row.record, f"missing {field!r}")
    try:
        return canonical_id(row.values[field], field)
    except ValueError as error:
        source.fail(row.record, str(error))


def _string(source: Source, row: Row, field: str) -> str:
    """The value of a field that must hold one caption."""
    if field not in row.values:
        source.fail(row.record, f"missing {field!r}")
    value = row.values[field]
    if not isinstance(value, str):
        source.fail(row.record, f"{field} is not a string (got {type_name(value)})")
    return value


def _row_references(source: Source, row: Row, fields: list[str], wide: bool) -> Iterator[str]:
    """Yield the reference captions of one row.

    Long form keeps every caption (even empty); wide form skips empty, whitespace-only,
    null and missing cells.
    """
    if not wide:
        value = row.values.get(fields[0])
        if isinstance(value, list):
            for number, item in enumerate(value, start=1):
                if not isinstance(item, str):
                    source.fail(row.record, f"{fields[0]} item {number} is not a string "
                                            f"(got {type_name(item)})")
            yield from value
        else:
            yield _string(source, row, fields[0])
        return
    for field in fields:
        value = row.values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if not isinstance(value, str):
            source.fail(row.record, f"{field} is not a string (got {type_name(value)})")
        yield value
