"""``capeval tokenize``: one caption per stdin line -> one tokenized caption per stdout line."""
from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Iterator
from importlib import import_module
from itertools import chain, islice
from typing import BinaryIO

import click

from capeval.io.source import MAX_LINE_BYTES, STDIN, Source
from capeval.tokenizers import TOKENIZERS, stream_lookahead, tokenize

BATCH_LINES = 10_000


def read_captions(stream: BinaryIO) -> Iterator[str]:
    """Yield the lines of ``stream`` decoded as UTF-8, without their line ends, one at a time.

    Lines end at ``\\n`` only; a ``\\r`` before it belongs to the line end, any other
    ``\\r`` is part of the caption. Raises ``CapevalInputError`` naming the line, as every
    reader does (`capeval.io.source.Source.decode_line`), for invalid UTF-8, a NUL byte or a
    line longer than `capeval.io.source.MAX_LINE_BYTES`.
    """
    source = Source(STDIN)  # names the input "<stdin>" in messages
    offset = 0
    for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES), b""), start=1):
        line = source.decode_line(raw, number, offset)
        offset += len(raw)
        if line.endswith("\n"):
            line = line[:-2] if line.endswith("\r\n") else line[:-1]
        yield line


@click.command("tokenize")
@click.option(
    "--tokenizer",
    "method",
    type=click.Choice(sorted(TOKENIZERS)),
    default="ptb",
    show_default=True,
    help="ptb: pycocoevalcap's PTBTokenizer, the input one stream; ptb-caption: each line "
    "on its own; none: split on whitespace; jieba (Chinese, as AIC-ICC), char (CJK "
    "characters), mecab (Japanese), kiwi (Korean).",
)
def tokenize_command(method: str) -> None:
    """Tokenize captions read from stdin, one per line, as pycocoevalcap does.

    Prints one line per input line (an empty line for a caption with no tokens), tokens
    separated by single spaces, lowercased, punctuation removed. Input and output are
    UTF-8; a line ends at "\\n" (or "\\r\\n"). Tokens may contain U+00A0 (e.g. "3 1/2").
    With ptb the input is one stream, as in one pycocoevalcap call: a line's tokens can
    depend on the lines after it, so from a terminal or a pipe a line is answered once the
    lines it depends on have arrived (possibly only at the end of input); ptb-caption and
    none answer each line at once. A file is read in batches.
    """
    stdin: BinaryIO = sys.stdin.buffer  # the byte streams under click's (and its test runner's)
    captions = read_captions(stdin)
    out: BinaryIO = sys.stdout.buffer
    batch_lines = BATCH_LINES if _is_regular_file(stdin) else 1
    stream_context = getattr(import_module(TOKENIZERS[method]), "STREAM_CONTEXT", False)
    batch = list(islice(captions, batch_lines))
    while batch:
        after: list[str] = []
        if stream_context:
            after = list(islice(captions, batch_lines))
            after += stream_lookahead(chain(after, captions))[len(after):]  # what it read on
        lines = (" ".join(tokens) + "\n" for tokens in tokenize(batch, method, following=after))
        out.write("".join(lines).encode("utf-8"))
        out.flush()
        batch = after or list(islice(captions, batch_lines))


def _is_regular_file(stream: BinaryIO) -> bool:
    """Tell a file redirected to stdin (read in batches) from a terminal or pipe (line by line)."""
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError, io.UnsupportedOperation):  # no file descriptor (tests)
        return False
