"""Caption tokenizers: ``ptb`` (pycocoevalcap's PTBTokenizer, reproduced) and ``none``.

Each tokenizer maps a caption string to a list of token strings. Tokenizers work on batches
because that is how evaluation uses them; a caption's tokens never depend on its neighbours.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import import_module
from itertools import accumulate

TOKENIZERS: dict[str, str] = {
    "ptb": "capeval.tokenizers.ptb",
    "none": "capeval.tokenizers.whitespace",
}
"""Tokenizer name -> module providing ``tokenize_batch(captions)`` and ``SIGNATURE``."""


def _module(method: str):
    if method not in TOKENIZERS:
        raise ValueError(f"unknown tokenizer {method!r}; choose from {', '.join(TOKENIZERS)}")
    return import_module(TOKENIZERS[method])


def tokenize(
    captions: Iterable[str], method: str = "ptb", *, following: Sequence[str] = ()
) -> list[list[str]]:
    """Tokenize each caption; returns one token list per caption, in input order.

    Parameters
    ----------
    captions : iterable of str
    method : {"ptb", "none"}, default="ptb"
        ``ptb`` reproduces pycocoevalcap's PTBTokenizer (CoreNLP 3.4.1, lowercased, its
        punctuation filter); ``none`` splits pre-tokenized text on whitespace.
    following : sequence of str, default=()
        The captions that come after `captions` in the same stream (see
        `stream_lookahead`). Today's tokenizers give each caption tokens of its own, so
        they ignore it.
    """
    return _module(method).tokenize_batch(captions)


def stream_lookahead(rest: Iterable[str]) -> tuple[str, ...]:
    """Return the captions of `rest` (the stream after a block) that the block's tokens can
    depend on, for `tokenize`'s `following`; reads `rest` lazily."""
    return ()


def tokenize_groups(
    groups: Sequence[Sequence[str]], method: str = "ptb"
) -> list[list[list[str]]]:
    """Tokenize groups of captions in one batch; returns the same nesting of token lists.

    E.g. ``[hypotheses, *references_per_image]`` or ``[*references_per_image, *systems]``:
    one call, so repeated captions are tokenized once and the tokenizer is set up once.
    """
    flat = tokenize([caption for group in groups for caption in group], method)
    ends = accumulate(len(group) for group in groups)
    return [flat[end - len(group):end] for group, end in zip(groups, ends, strict=True)]


def tokenizer_signature(method: str) -> str:
    """Return the short signature string of a tokenizer, e.g. ``"ptb-corenlp-3.4.1"``."""
    return _module(method).SIGNATURE
