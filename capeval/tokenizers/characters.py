"""The ``char`` tokenizer: one token per CJK character, for character-level CJK scoring.

Rules, applied to each caption in this order:

1. Every character of a CJK script is a token of its own: Han ideographs (all CJK Unified
   Ideograph blocks and extensions, compatibility ideographs, radicals, ``々``, ``〇``),
   Hiragana, Katakana (with ``ー`` and half-width Katakana), Hangul syllables and jamo, and
   Bopomofo.
2. Whitespace (any Unicode space, including U+3000) separates tokens and is dropped.
3. Any other run of letters, digits and combining marks (Unicode categories L*, N*, M*) is
   one token: ``NBA``, ``T`` (in ``T恤``), ``2019``, ``café``. Runs are lowercased, as the
   PTB protocol lowercases (``NBA`` -> ``nba``; full-width ``Ｔ`` -> ``ｔ``).
4. Every other character (punctuation and symbols) is a token of its own: ``3.5`` gives
   ``3``, ``.``, ``5``.
5. Punctuation tokens are removed (`capeval.tokenizers.punctuation`: full-width ``，。！？、``
   and ASCII ``,.!?`` alike); symbols such as ``+``, ``~`` or ``￥`` are kept.

No segmenter is involved, so this tokenizer needs no extra.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import groupby

from capeval.tokenizers.batch import tokenize_each
from capeval.tokenizers.punctuation import is_punctuation

SIGNATURE = "char-1"
"""Bumped whenever the rules above change."""
METEOR_MODULES = ("exact",)
"""METEOR's stem, synonym and paraphrase data are English: exact matching only."""

CJK_RANGES = (
    "\u1100-\u11ff"        # Hangul Jamo
    "\u2e80-\u2fdf"        # CJK Radicals Supplement, Kangxi Radicals
    "\u3005\u3007\u3021-\u3029\u3038-\u303b"  # ideographic iteration mark, number zero, ...
    "\u3040-\u30ff"        # Hiragana, Katakana (with the prolonged sound mark)
    "\u3100-\u312f"        # Bopomofo
    "\u3130-\u318f"        # Hangul Compatibility Jamo
    "\u31a0-\u31bf"        # Bopomofo Extended
    "\u31f0-\u31ff"        # Katakana Phonetic Extensions
    "\u3400-\u4dbf"        # CJK Unified Ideographs Extension A
    "\u4e00-\u9fff"        # CJK Unified Ideographs
    "\ua960-\ua97f"        # Hangul Jamo Extended-A
    "\uac00-\ud7af"        # Hangul Syllables
    "\ud7b0-\ud7ff"        # Hangul Jamo Extended-B
    "\uf900-\ufaff"        # CJK Compatibility Ideographs
    "\uff66-\uff9f"        # Half-width Katakana
    "\U00020000-\U0003ffff"  # CJK Unified Ideographs Extensions B-H, compatibility supplement
)
_CJK = re.compile(f"[{CJK_RANGES}]")


def _kind(char: str) -> str:
    """Return ``"cjk"``, ``"space"``, ``"word"`` (letter, digit or mark) or ``"other"``."""
    if _CJK.match(char):
        return "cjk"
    if char.isspace():
        return "space"
    return "word" if unicodedata.category(char)[0] in "LNM" else "other"


def tokenize(caption: str) -> list[str]:
    """Return the tokens of one caption by the rules of this module."""
    tokens = []
    for kind, chars in groupby(caption, key=_kind):
        if kind == "word":
            tokens.append("".join(chars).lower())
        elif kind != "space":
            tokens.extend(chars)
    return [token for token in tokens if not is_punctuation(token)]


def tokenize_batch(captions: Iterable[str]) -> list[list[str]]:
    """Tokenize each caption into characters (CJK) and lowercased runs (other scripts)."""
    return tokenize_each(tokenize, captions)
