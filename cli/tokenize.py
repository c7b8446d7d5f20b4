"""``capeval tokenize``: one caption per stdin line -> one tokenized caption per stdout line."""
from __future__ import annotations

import sys

import click

from capeval.tokenizers import TOKENIZERS, tokenize


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
    separated by single spaces. Input must be UTF-8.
    """
    stdin = click.get_text_stream("stdin", encoding="utf-8", errors="strict")
    try:
        captions = [line.rstrip("\n") for line in stdin]
    except UnicodeDecodeError as error:
        from capeval import CapevalInputError

        raise CapevalInputError("<stdin>", None, f"invalid UTF-8 ({error.reason})") from None
    out = sys.stdout
    for tokens in tokenize(captions, method):
        out.write(" ".join(tokens) + "\n")
