"""Write hypotheses as a COCO results file and per-image scores as a JSON Lines or CSV table."""
from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from capeval.errors import CapevalInputError
from capeval.io.ids import ImageId
from capeval.io.source import PathLike

PER_ITEM_EXTENSIONS = (".jsonl", ".csv")
"""File extensions `write_per_item` understands."""


def write_results(path: PathLike, ids: Sequence[ImageId], captions: Sequence[str]) -> None:
    """Write a COCO results file: a JSON list of ``{"image_id", "caption"}``, one per line.

    Parameters
    ----------
    path : path
    ids : sequence of N image ids (int or str)
    captions : sequence of N str
    """
    lines = [
        json.dumps({"image_id": image_id, "caption": caption}, ensure_ascii=False)
        for image_id, caption in zip(ids, captions, strict=True)
    ]
    Path(path).write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")


def write_per_item(path: PathLike, table: Any) -> None:
    """Write one record per image, ``image_id`` first, as JSON Lines or CSV (by extension).

    Parameters
    ----------
    path : path
        Ending in ``.jsonl`` or ``.csv``.
    table : pandas.DataFrame or iterable of mappings
        A DataFrame indexed by image id (as ``capeval.evaluate(...).per_item``) or with an
        ``image_id`` column, or records each holding ``image_id`` and score columns. Scores
        are written at full precision; NaN becomes null (JSON) or an empty cell (CSV).

    Raises
    ------
    CapevalInputError
        For an extension other than ``.jsonl`` or ``.csv``.
    ValueError
        For a record without ``image_id``.
    """
    records = [{key: _plain(value) for key, value in record.items()} for record in _records(table)]
    for number, record in enumerate(records, start=1):
        if "image_id" not in record:
            raise ValueError(f"per-item record {number} has no 'image_id'")
    columns = list(dict.fromkeys(key for record in records for key in record))
    if "image_id" in columns:
        columns.remove("image_id")
    with PerItemWriter(path, columns) as writer:
        writer.write([[record.get(column) for column in writer.columns] for record in records])


class PerItemWriter:
    """Writes per-image records to a JSON Lines or CSV file as they come (`write_per_item`).

    Parameters
    ----------
    path : path
        Ending in ``.jsonl`` or ``.csv``; opened (truncated) at once, closed by `close` or
        on leaving a ``with`` block.
    score_columns : sequence of str
        The columns after ``image_id``, e.g. ``("BLEU-1", ..., "CIDEr-D")``.

    Raises
    ------
    CapevalInputError
        For an extension other than ``.jsonl`` or ``.csv``.
    """

    def __init__(self, path: PathLike, score_columns: Sequence[str]) -> None:
        path = Path(path)
        self._jsonl = path.suffix.lower() == ".jsonl"
        if path.suffix.lower() not in PER_ITEM_EXTENSIONS:
            raise CapevalInputError(
                str(path), None, f"per-item file must end in {' or '.join(PER_ITEM_EXTENSIONS)}"
            )
        self.columns = ["image_id", *score_columns]
        self._stream = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._stream, lineterminator="\n")
        if not self._jsonl:
            self._csv.writerow(self.columns)

    def __enter__(self) -> PerItemWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        """Write rows of plain values in `columns` order (NaN is written as null/empty)."""
        for row in rows:
            values = [None if isinstance(value, float) and math.isnan(value) else value
                      for value in row]
            if self._jsonl:
                line = dict(zip(self.columns, values, strict=True))
                self._stream.write(json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n")
            else:
                self._csv.writerow(["" if value is None else value for value in values])

    def write_scores(self, ids: Sequence[ImageId], scores: Any) -> None:
        """Write S images: their ids and an array of shape (S, C) of their scores."""
        self.write([image_id, *row] for image_id, row in zip(ids, scores.tolist(), strict=True))

    def close(self) -> None:
        self._stream.close()


def _records(table: Any) -> Iterable[Mapping[str, Any]]:
    import pandas as pd  # only here: writing a table is the one place that needs pandas

    if isinstance(table, pd.DataFrame):
        if "image_id" not in table.columns:
            table = table.rename_axis("image_id").reset_index()
        return table.to_dict(orient="records")
    return table


def _plain(value: Any) -> Any:
    """Turn NumPy scalars into Python ones and NaN into None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
