"""The ``mecab`` tokenizer: Japanese captions segmented by MeCab with UniDic-lite.

MeCab runs through fugashi with the dictionary of the ``unidic-lite`` package, named explicitly
(so an installed full ``unidic`` does not silently change the segmentation). Tokens are the
surface forms of MeCab's words. Every whitespace character (including U+3000) is read as a
plain space, which MeCab treats as a word boundary and drops. Tokens are lowercased
(``T`` -> ``t``, full-width ``Ｔ`` -> ``ｔ``) and punctuation tokens (``。``, ``、``, ``「``, ``！``, ...;
see `capeval.tokenizers.punctuation`) are removed, as the PTB protocol removes punctuation;
PTB's own lexer and filter are not applied.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from capeval.tokenizers.batch import tokenize_each
from capeval.tokenizers.extras import require, version
from capeval.tokenizers.punctuation import is_punctuation

fugashi = require("fugashi", tokenizer="mecab", extra="ja")
unidic_lite = require("unidic_lite", tokenizer="mecab", extra="ja")

SIGNATURE = f"mecab-fugashi-{version('fugashi')}-unidic-lite-{version('unidic-lite')}"
METEOR_MODULES = ("exact",)
"""METEOR's stem, synonym and paraphrase data are English: exact matching only."""

_WHITESPACE = re.compile(r"\s+")


@cache
def tagger() -> Any:
    """Return the MeCab tagger on UniDic-lite (set up once)."""
    dicdir = unidic_lite.DICDIR
    return fugashi.Tagger(f'-d "{dicdir}" -r "{os.path.join(dicdir, "mecabrc")}"')


def tokenize(caption: str) -> list[str]:
    """Return MeCab's lowercased surface forms of one caption, punctuation removed."""
    words = (word.surface.lower() for word in tagger()(_WHITESPACE.sub(" ", caption)))
    return [word for word in words if word.strip() and not is_punctuation(word)]


def tokenize_batch(captions: Iterable[str]) -> list[list[str]]:
    """Segment each caption with MeCab (UniDic-lite)."""
    return tokenize_each(tokenize, captions)
