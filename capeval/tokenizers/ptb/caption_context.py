"""The ``ptb-caption`` tokenizer: PTB tokens of each caption on its own.

Every caption is tokenized as if the caption ``a dog`` followed it, so its tokens never
depend on the other captions of a call. This differs from pycocoevalcap's stream context
(the ``ptb`` tokenizer) only for captions listed in docs/ptb.md ("Stream context").
"""
from __future__ import annotations

from collections.abc import Iterable

from capeval.tokenizers.ptb.tokenizer import SIGNATURE as STREAM_SIGNATURE
from capeval.tokenizers.ptb.tokenizer import default_tokenizer

SIGNATURE = f"{STREAM_SIGNATURE}-caption"


def tokenize_batch(captions: Iterable[str]) -> list[list[str]]:
    """Tokenize each caption in the per-caption context; one token list per caption."""
    return default_tokenizer().tokenize_each(captions)
