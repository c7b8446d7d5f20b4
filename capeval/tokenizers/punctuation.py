"""The punctuation rule of the segmenting tokenizers (``char``, ``mecab``, ``kiwi``).

A token is punctuation when every one of its characters is in a Unicode punctuation category
(Pc, Pd, Ps, Pe, Pi, Pf, Po): ``。``, ``、``, ``「``, ``！``, ``.``, ``,``, ``-``, ``...``.
Symbols (categories S*: ``$``, ``+``, ``~``, ``￥``) and letters or digits are not.
"""
from __future__ import annotations

import unicodedata


def is_punctuation(token: str) -> bool:
    """Return whether `token` is non-empty and made of punctuation characters only."""
    return bool(token) and all(unicodedata.category(char).startswith("P") for char in token)
