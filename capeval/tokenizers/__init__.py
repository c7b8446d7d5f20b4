"""Caption tokenizers: ``ptb`` (pycocoevalcap's PTBTokenizer, reproduced), ``none``, and
segmenters for Chinese (``jieba``, ``char``), Japanese (``mecab``) and Korean (``kiwi``).

Each tokenizer maps a caption string to a list of token strings. Tokenizers work on batches
because that is how evaluation uses them; a caption's tokens never depend on its neighbours.
A tokenizer module provides ``tokenize_batch(captions)`` and ``SIGNATURE``; one for a language
other than English also sets ``METEOR_MODULES`` (the METEOR matching modules that apply).
The segmenters other than ``char`` need an optional extra (``capeval[zh]``, ``capeval[ja]``,
``capeval[ko]``); using one without it raises `CapevalUsageError` naming the extra.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import import_module
from itertools import accumulate

from capeval.errors import CapevalUsageError

TOKENIZERS: dict[str, str] = {
    "ptb": "capeval.tokenizers.ptb",
    "none": "capeval.tokenizers.whitespace",
    "jieba": "capeval.tokenizers.chinese",
    "char": "capeval.tokenizers.characters",
    "mecab": "capeval.tokenizers.japanese",
    "kiwi": "capeval.tokenizers.korean",
}
"""Tokenizer name -> module providing ``tokenize_batch(captions)`` and ``SIGNATURE``."""


def _module(method: str):
    if method not in TOKENIZERS:
        raise CapevalUsageError(f"unknown tokenizer {method!r}; choose from "
                                f"{', '.join(TOKENIZERS)}", option="tokenizer")
    return import_module(TOKENIZERS[method])


def tokenize(captions: Iterable[str], method: str = "ptb") -> list[list[str]]:
    """Tokenize each caption; returns one token list per caption, in input order.

    Parameters
    ----------
    captions : iterable of str
    method : {"ptb", "none", "jieba", "char", "mecab", "kiwi"}, default="ptb"
        ``ptb`` reproduces pycocoevalcap's PTBTokenizer (CoreNLP 3.4.1, lowercased, its
        punctuation filter); ``none`` splits pre-tokenized text on whitespace; ``jieba``
        segments Chinese as AIC-ICC does, ``char`` splits CJK text into characters, ``mecab``
        segments Japanese, ``kiwi`` Korean (see docs/languages.md).
    """
    return _module(method).tokenize_batch(captions)


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


def meteor_modules(method: str) -> tuple[str, ...] | None:
    """Return the METEOR modules that apply to a tokenizer's language (None: all, English)."""
    return getattr(_module(method), "METEOR_MODULES", None)
