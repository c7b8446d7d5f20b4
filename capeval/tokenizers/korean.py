"""The ``kiwi`` tokenizer: Korean captions split into morphemes by Kiwi (kiwipiepy).

Tokens are the forms of the morphemes Kiwi's default model finds (``달리고`` -> ``달리``,
``고``), lowercased, with punctuation morphemes removed (``.``, ``!``, ``、``; see
`capeval.tokenizers.punctuation`); symbols and foreign words stay. Whitespace only separates.
PTB's lexer and filter are not applied.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import cache
from typing import Any

from capeval.tokenizers.batch import tokenize_each
from capeval.tokenizers.extras import require, version
from capeval.tokenizers.punctuation import is_punctuation

kiwipiepy = require("kiwipiepy", tokenizer="kiwi", extra="ko")

SIGNATURE = f"kiwi-{version('kiwipiepy')}-model-{version('kiwipiepy_model')}"
METEOR_MODULES = ("exact",)
"""METEOR's stem, synonym and paraphrase data are English: exact matching only."""


@cache
def analyzer() -> Any:
    """Return the Kiwi analyzer with its default model (loaded once, single-threaded)."""
    with warnings.catch_warnings():  # kiwipiepy notes that 0 meant "all cores" before 0.21
        warnings.simplefilter("ignore", DeprecationWarning)
        return kiwipiepy.Kiwi(num_workers=0)


def tokenize(caption: str) -> list[str]:
    """Return the lowercased morpheme forms of one caption, punctuation removed."""
    forms = (token.form.lower() for token in analyzer().tokenize(caption))
    return [form for form in forms if form.strip() and not is_punctuation(form)]


def tokenize_batch(captions: Iterable[str]) -> list[list[str]]:
    """Split each caption into morphemes with Kiwi."""
    return tokenize_each(tokenize, captions)
