"""The ``none`` tokenizer: captions are already tokenized; split them on whitespace."""
from __future__ import annotations

from collections.abc import Iterable

SIGNATURE = "none"


def tokenize_batch(captions: Iterable[str]) -> list[list[str]]:
    """Split each caption on runs of whitespace (Python ``str.split()``)."""
    return [caption.split() for caption in captions]
