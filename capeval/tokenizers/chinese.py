"""The ``jieba`` tokenizer: Chinese captions as the AI Challenger (AIC-ICC) evaluation scores them.

AIC-ICC's fork of coco-caption (``AI_Challenger_2017/Evaluation/caption_eval``) prepares each
hypothesis with ``jieba.cut(caption.strip().replace('。', ''), cut_all=False)`` (precise mode,
HMM for unknown words), joins the words with spaces, and then runs the COCO pipeline unchanged:
CoreNLP's PTBTokenizer (lowercased) and its punctuation filter. This tokenizer does exactly
that, with capeval's PTB tokenizer. The filter removes ASCII punctuation only: full-width
``，`` or ``！`` stay tokens, as in AIC-ICC; ``“`` and ``”`` become quote tokens and are removed.
(AIC-ICC's reference file is already segmented; here references go through the same steps as
hypotheses. Pre-segmented references are scored as given with ``--tokenizer none``.)

jieba's dictionary is read from the package on first use, without the cache file jieba would
otherwise write to the temporary directory.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from capeval.tokenizers import ptb
from capeval.tokenizers.extras import require, version

jieba = require("jieba", tokenizer="jieba", extra="zh")

SIGNATURE = f"jieba-{version('jieba')}-precise+{ptb.SIGNATURE}"
STREAM_CONTEXT = True
"""PTB's tokens can depend on the captions after them (docs/ptb.md, "Stream context")."""
METEOR_MODULES = ("exact",)
"""METEOR's stem, synonym and paraphrase data are English: exact matching only."""

_FULL_STOP = "。"


@cache
def segmenter() -> Any:
    """Return a jieba tokenizer with its default dictionary loaded (built once, no cache file)."""
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
    tokenizer.initialized = True
    return tokenizer


def segment(caption: str) -> str:
    """Return `caption` as AIC-ICC segments it: stripped, ``。`` removed, words space-joined."""
    return " ".join(segmenter().cut(caption.strip().replace(_FULL_STOP, ""), cut_all=False))


def tokenize_batch(captions: Iterable[str], following: Iterable[str] = ()) -> list[list[str]]:
    """Segment each caption with jieba, then tokenize the stream as pycocoevalcap does (PTB
    and its filter; `following` are the stream's next captions, segmented the same way)."""
    segmented = [segment(caption) for caption in captions]
    return ptb.tokenize_batch(segmented, ptb.stream_lookahead(map(segment, following)))
