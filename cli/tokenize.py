"""``capeval tokenize``: one caption per stdin line -> one tokenized caption per stdout line."""
from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from itertools import islice
from typing import BinaryIO

import click

from capeval import CapevalInputError
from capeval.tokenizers import TOKENIZERS, tokenize

BATCH_LINES = 10_000


def read_captions(stream: BinaryIO, source: str = "<stdin>") -> Iterator[str]:
    """Yield the lines of ``stream`` decoded as UTF-8, without their line ends.

    Lines end at ``\\n`` only; a ``\\r`` before it belongs to the line end, any other
    ``\\r`` is part of the caption. Raises ``CapevalInputError`` naming the line if it is not
    valid UTF-8.
    """
    for number, raw in enumerate(stream, start=1):
        if raw.endswith(b"\n"):
            raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            reason = f"invalid UTF-8 (byte 0x{raw[error.start]:02x} at byte offset {error.start})"
            raise CapevalInputError(source, f"line {number}", reason) from None


@click.command("tokenize")
@click.option(
    "--tokenizer",
    "method",
    type=click.Choice(sorted(TOKENIZERS)),
    default="ptb",
    show_default=True,
    help="ptb: pycocoevalcap's PTBTokenizer; none: split on whitespace.",
)
def tokenize_command(method: str) -> None:
    """Tokenize captions read from stdin, one per line, as pycocoevalcap does.

    Prints one line per input line (an empty line for a caption with no tokens), tokens
    separated by single spaces, lowercased, punctuation removed. Input and output are
    UTF-8; a line ends at "\\n" (or "\\r\\n"). Tokens may contain U+00A0 (e.g. "3 1/2").
    From a terminal or a pipe each line is answered at once; a file is read in batches.
    """
    stdin = click.get_binary_stream("stdin")
    captions = read_captions(stdin)
    out = click.get_binary_stream("stdout")
    batch_lines = BATCH_LINES if _is_regular_file(stdin) else 1
    while batch := list(islice(captions, batch_lines)):
        lines = (" ".join(tokens) + "\n" for tokens in tokenize(batch, method))
        out.write("".join(lines).encode("utf-8"))
        out.flush()


def _is_regular_file(stream: BinaryIO) -> bool:
    """Tell a file redirected to stdin (read in batches) from a terminal or pipe (line by line)."""
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):  # no file descriptor (tests)
        return False
