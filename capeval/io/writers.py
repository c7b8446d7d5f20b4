"""Write hypotheses as a COCO results file and per-image scores as a JSON Lines or CSV table."""
from __future__ import annotations

import csv
import json
import math
import numbers
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from capeval.errors import CapevalTypeError, CapevalUsageError, option_name
from capeval.io.ids import ImageId, canonical_id
from capeval.io.source import PathLike

PER_ITEM_EXTENSIONS = (".jsonl", ".csv")
"""File extensions `write_per_item` understands."""


def check_output_path(path: PathLike, suffixes: Sequence[str] = (), option: str = "path") -> Path:
    """Check, before any work, that a file can be written at `path`.

    Parameters
    ----------
    path : path
    suffixes : sequence of str, optional
        Accepted extensions (lowercase, with their dot); default: any.
    option : str, default="path"
        The argument `path` was given as (its flag in the CLI), for the message.

    Returns
    -------
    Path

    Raises
    ------
    CapevalUsageError
        Naming the option and the path, when the extension is not one of `suffixes`, the
        path is a folder, or its folder is missing or not writable.
    """
    path = Path(path)
    where = f"{option_name(option)} {os.fspath(path)}"
    if suffixes and path.suffix.lower() not in suffixes:
        raise CapevalUsageError(f"{where}: the file name must end in {' or '.join(suffixes)}",
                                option=option)
    if path.is_dir():
        raise CapevalUsageError(f"{where}: is a folder; give a file name", option=option)
    folder = path.parent
    if not folder.is_dir():
        problem = "is not a folder" if folder.exists() else "does not exist"
        raise CapevalUsageError(f"{where}: the folder {os.fspath(folder)} {problem}",
                                option=option)
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists()
                                                    and not os.access(path, os.W_OK)):
        raise CapevalUsageError(f"{where}: not writable (permission denied)", option=option)
    return path


def write_results(path: PathLike, ids: Sequence[ImageId], captions: Sequence[str]) -> None:
    """Write a COCO results file: a JSON list of ``{"image_id", "caption"}``, one per line.

    What is written is what `read_hypotheses` (and ``capeval score``) read back unchanged.

    Parameters
    ----------
    path : path
    ids : sequence (or array) of N image ids: int (NumPy integers too) or non-empty str
    captions : sequence of N str

    Raises
    ------
    CapevalUsageError
        For lengths that differ or two ids naming one image (``1`` and ``"1"``).
    CapevalTypeError
        For an id that is not an integer or a string, or a caption that is not a string.
    """
    path = check_output_path(path)
    ids, captions = list(ids), list(captions)
    if len(ids) != len(captions):
        raise CapevalUsageError(f"got {len(ids)} image ids but {len(captions)} captions")
    records: list[str] = []
    seen: dict[ImageId, int] = {}
    for number, (image_id, caption) in enumerate(zip(ids, captions, strict=True), start=1):
        try:
            key = canonical_id(image_id)
        except ValueError as error:
            raise CapevalTypeError(f"record {number}: {error}") from None
        if key in seen:
            raise CapevalUsageError(f"record {number}: image id {image_id!r} names the same image "
                                    f"as record {seen[key]}")
        seen[key] = number
        if not isinstance(caption, str):
            raise CapevalTypeError(f"record {number}: caption is not a string (got "
                                   f"{type(caption).__name__})")
        plain_id = int(image_id) if isinstance(image_id, numbers.Integral) else str(image_id)
        records.append(json.dumps({"image_id": plain_id, "caption": str(caption)},
                                  ensure_ascii=False))
    with writing(path):
        path.write_text("[\n" + ",\n".join(records) + "\n]\n", encoding="utf-8")


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
    CapevalUsageError
        For an extension other than ``.jsonl`` or ``.csv``, or a path that cannot be written.
    ValueError
        For a record without ``image_id``.
    """
    path = check_output_path(path, PER_ITEM_EXTENSIONS)
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
    reported_as : path, optional
        The file errors name (default `path`): a temporary file is reported as the file it
        becomes.

    Raises
    ------
    CapevalUsageError
        For an extension other than ``.jsonl`` or ``.csv``, or a file that cannot be written.
    """

    def __init__(self, path: PathLike, score_columns: Sequence[str],
                 reported_as: PathLike | None = None) -> None:
        self.path = path = check_output_path(path, PER_ITEM_EXTENSIONS, option="per_item")
        self.reported_as = path if reported_as is None else reported_as
        self._jsonl = path.suffix.lower() == ".jsonl"
        self.columns = ["image_id", *score_columns]
        with writing(self.reported_as):
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
        with writing(self.reported_as):
            self._write(rows)

    def _write(self, rows: Iterable[Sequence[Any]]) -> None:
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
        with writing(self.reported_as):
            self._stream.close()


@contextmanager
def writing(path: PathLike) -> Iterator[None]:
    """Report a failed write (no permission, disk full) as a usage error naming the file.

    For the writes that `check_output_path` cannot foresee, around any code writing `path`.
    """
    try:
        yield
    except OSError as error:
        raise CapevalUsageError(f"{os.fspath(path)}: cannot write: {error.strerror or error}"
                                ) from None


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
