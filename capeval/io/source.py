"""One input file: its display name, its text (strict UTF-8) and its parsed JSON.

Every problem found while reading is raised as `CapevalInputError` naming the file, and the
line (for text) or line and column (for JSON) where it is. The path ``-`` is standard input
(named ``<stdin>``); no input may exceed `capeval.limits.MAX_INPUT_BYTES`.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

from capeval.errors import CapevalInputError, CapevalTypeError
from capeval.limits import MAX_INPUT_BYTES

PathLike = str | os.PathLike[str]

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

_CHUNK_BYTES = 1 << 24

MAX_LINE_BYTES = 1 << 24
"""Longest line of a line-based file (16 MiB): more is binary data or a whole document."""

STDIN = "-"
"""The path that means standard input."""


class _DuplicateKey(Exception):
    def __init__(self, key: str, pairs: list[tuple[str, Any]]) -> None:
        self.key = key
        shown = ", ".join(f"{json.dumps(k, ensure_ascii=False)}: "
                          f"{json.dumps(v, ensure_ascii=False)}" for k, v in pairs[:4])
        self.preview = "{" + shown[:80]


def unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for `json.loads` that refuses a key repeated in one object."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key, pairs)
            seen.add(key)
    return obj


def loads_strict(text: str) -> Any:
    """Parse JSON, raising ValueError (not keeping the last value) for a repeated key."""
    try:
        return json.loads(text, object_pairs_hook=unique_object)
    except _DuplicateKey as error:
        raise ValueError(f"the key {error.key!r} appears twice in one object "
                         f"({error.preview}...)") from None


class Source:
    """A file to read, loaded lazily and at most once.

    Parameters
    ----------
    path : str or os.PathLike
        The file. Its display name (in error messages) is the path as given.
    """

    def __init__(self, path: PathLike) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise CapevalTypeError(f"a file is a path (str or os.PathLike), not "
                                   f"{type(path).__name__}")
        self.path = Path(path)
        self.is_stdin = os.fspath(path) == STDIN
        self.name = "<stdin>" if self.is_stdin else os.fspath(path)

    def fail(self, record: str | None, reason: str) -> NoReturn:
        """Raise `CapevalInputError` for this file; `record` is e.g. ``"line 5"``."""
        raise CapevalInputError(self.name, record, reason)

    @property
    def suffix(self) -> str:
        """The file extension, lowercased, with its dot (``".json"``), or ``""``."""
        return self.path.suffix.lower()

    @cached_property
    def text(self) -> str:
        """The file decoded as UTF-8 (a leading byte-order mark is dropped).

        Raises `CapevalInputError` when the file cannot be read, is empty (no bytes), is
        UTF-16 or is not valid UTF-8 (naming the line and byte offset).
        """
        try:
            data = self._read_bytes()
        except OSError as error:
            self._fail_open(error)
        start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
        self._check_start(data)
        try:
            return data[start:].decode("utf-8")
        except UnicodeDecodeError as error:
            offset = start + error.start
            self._fail_utf8(data, offset, data.count(b"\n", 0, offset) + 1)

    def lines(self) -> Iterator[str]:
        """Yield the lines of the file as ``text.split("\\n")`` would, reading it line by line.

        Memory stays bounded by the longest line (unless `text` was already read). Raises
        `CapevalInputError` as `text` does; an invalid byte is reported when its line is
        reached.
        """
        if "text" in self.__dict__ or self.is_stdin:
            yield from self.text.split("\n")
            return
        try:
            stream = self.path.open("rb")
        except OSError as error:
            self._fail_open(error)
        with stream:
            head = stream.read(len(_UTF8_BOM) + 1)
            self._check_start(head)
            stream.seek(len(_UTF8_BOM) if head.startswith(_UTF8_BOM) else 0)
            offset, number, last = stream.tell(), 0, b""
            while line := stream.readline(MAX_LINE_BYTES):
                number, last = number + 1, line
                text = self.decode_line(line, number, offset)
                yield text[:-1] if text.endswith("\n") else text
                offset += len(line)
            if last.endswith(b"\n"):
                yield ""

    def decode_line(self, line: bytes, number: int, offset: int) -> str:
        """Decode one line read with ``readline(MAX_LINE_BYTES)`` (its line end included).

        `number` is its 1-based line number and `offset` the byte offset where it starts.
        Raises `CapevalInputError` for a NUL byte (binary data), a line of `MAX_LINE_BYTES`
        without its end, or invalid UTF-8, naming the line and the byte offset.
        """
        if b"\0" in line:
            self._fail_nul(offset + line.index(b"\0"))
        if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
            self.fail(f"line {number}", f"longer than {MAX_LINE_BYTES:,} bytes: not a "
                                        "caption file")
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as error:
            self._fail_utf8(line, error.start, number, offset)

    def _check_start(self, data: bytes) -> None:
        """Fail for a file that is empty (but for a byte-order mark) or UTF-16 encoded."""
        start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
        if len(data) == start:
            self.fail(None, "file is empty")
        if data.startswith(_UTF16_BOMS):
            self.fail(None, "file is UTF-16 encoded; save it as UTF-8")

    def _fail_utf8(self, data: bytes, index: int, line: int, base: int = 0) -> NoReturn:
        self.fail(
            f"line {line}",
            f"invalid UTF-8 at byte offset {base + index} (byte 0x{data[index]:02x})",
        )

    def _fail_open(self, error: OSError) -> NoReturn:
        if isinstance(error, FileNotFoundError):
            self.fail(None, "no such file")
        if isinstance(error, IsADirectoryError):
            self.fail(None, "is a directory, not a file")
        self.fail(None, f"cannot read: {error.strerror or error}")

    def _fail_nul(self, offset: int) -> NoReturn:
        self.fail(None, f"not UTF-8 text: a NUL byte at byte offset {offset} "
                        "(binary data, or UTF-16/32 text)")

    def _read_bytes(self) -> bytes:
        """Read the whole input in chunks, stopping at the size limit or at a NUL byte.

        Text never holds NUL bytes, so binary data (``/dev/zero``, an ``.npz`` given as
        captions) is refused at once instead of being read to the limit.
        """
        if self.is_stdin:
            return self._read_chunks(sys.stdin.buffer)
        with self.path.open("rb") as handle:
            return self._read_chunks(handle)

    def _read_chunks(self, handle: BinaryIO) -> bytes:
        chunks, size = [], 0
        while chunk := handle.read(_CHUNK_BYTES):
            nul = chunk.find(b"\0")
            if nul >= 0:
                self._fail_nul(size + nul)
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_INPUT_BYTES:
                self.fail(None, f"larger than {MAX_INPUT_BYTES >> 20} MiB, the input size limit "
                                "(capeval.limits.MAX_INPUT_BYTES)")
        return b"".join(chunks)

    @cached_property
    def json(self) -> Any:
        """The file parsed as one JSON document.

        Raises `CapevalInputError` naming the line and column of a syntax error, with a
        hint when the file looks like JSON Lines.
        """
        if not self.text.strip():
            self.fail(None, "file holds only whitespace, no JSON")
        try:
            return json.loads(self.text, object_pairs_hook=unique_object)
        except json.JSONDecodeError as error:
            reason = f"malformed JSON: {error.msg}"
            if error.msg == "Extra data" and error.lineno > 1:
                reason += " (one JSON value per line is JSON Lines: name the file .jsonl)"
            self.fail(f"line {error.lineno}, column {error.colno}", reason)
        except _DuplicateKey as error:
            self.fail(None, f"the key {error.key!r} appears twice in one object "
                            f"({error.preview}...); JSON readers would keep only the last value")


def type_name(value: object) -> str:
    """Name the type of a value read from a file: ``"null"``, ``"int"``, ``"list"``, ..."""
    return "null" if value is None else type(value).__name__
