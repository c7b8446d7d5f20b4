"""Caption tokenizers: ``ptb`` (pycocoevalcap's PTBTokenizer, reproduced), ``ptb-caption``,
``none``, and segmenters for Chinese (``jieba``, ``char``), Japanese (``mecab``) and Korean
(``kiwi``).

Each tokenizer maps a caption string to a list of token strings. A call tokenizes one
*stream* of captions: with ``ptb``, as in pycocoevalcap, a caption's tokens can depend on
the captions after it (docs/ptb.md, "Stream context"), so the references of an evaluation
are one stream and the hypotheses another. ``ptb-caption`` and ``none`` tokenize each
caption on its own; so do ``char``, ``mecab`` and ``kiwi`` (``jieba`` ends in PTB, with its
stream context). A tokenizer for a language other than English also sets ``METEOR_MODULES``
(the METEOR matching modules that apply). ``jieba``, ``mecab`` and ``kiwi`` need an optional
extra (``capeval[zh]``, ``capeval[ja]``, ``capeval[ko]``); using one without it raises
`CapevalUsageError` naming the extra.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from importlib import import_module

from capeval.errors import CapevalUsageError
from capeval.tokenizers.batch import checked_captions, iter_checked
from capeval.tokenizers.ptb.tokenizer import stream_lookahead

__all__ = ["TOKENIZERS", "meteor_modules", "stream_lookahead", "tokenize", "tokenize_in_order",
           "tokenize_references", "tokenizer_signature"]

TOKENIZERS: dict[str, str] = {
    "ptb": "capeval.tokenizers.ptb",
    "ptb-caption": "capeval.tokenizers.ptb.caption_context",
    "none": "capeval.tokenizers.whitespace",
    "jieba": "capeval.tokenizers.chinese",
    "char": "capeval.tokenizers.characters",
    "mecab": "capeval.tokenizers.japanese",
    "kiwi": "capeval.tokenizers.korean",
}
"""Tokenizer name -> module providing ``tokenize_batch(captions)`` and ``SIGNATURE``.

A module whose tokens depend on the following captions also sets ``STREAM_CONTEXT = True``
and takes ``tokenize_batch(captions, following)``.
"""


def _module(method: str):
    if method not in TOKENIZERS:
        raise CapevalUsageError(f"unknown tokenizer {method!r}; choose from "
                                f"{', '.join(TOKENIZERS)}", option="tokenizer")
    return import_module(TOKENIZERS[method])


def tokenize(
    captions: Iterable[str], method: str = "ptb", *, following: Iterable[str] = ()
) -> list[list[str]]:
    """Tokenize one stream of captions; returns one token list per caption, in input order.

    Parameters
    ----------
    captions : iterable of str
        Consecutive captions of one stream.
    method : {"ptb", "ptb-caption", "none", "jieba", "char", "mecab", "kiwi"}, default="ptb"
        ``ptb`` reproduces pycocoevalcap's PTBTokenizer on the stream (CoreNLP 3.4.1,
        lowercased, its punctuation filter); ``ptb-caption`` tokenizes each caption as if
        the caption ``a dog`` followed it; ``none`` splits pre-tokenized text on whitespace;
        ``jieba`` segments Chinese as AIC-ICC does, ``char`` splits CJK text into characters,
        ``mecab`` segments Japanese, ``kiwi`` Korean (see docs/languages.md).
    following : iterable of str, default=()
        The captions after ``captions`` in the same stream (none: ``captions`` end it), for
        tokenizing a stream block by block: ``tokenize(block, following=rest)`` equals the
        block's part of ``tokenize([*block, *rest])``. Only ``stream_lookahead(following)``
        is read, so a block may carry just that. Ignored by context-free tokenizers.

    Raises
    ------
    CapevalTypeError
        If `captions` or `following` is a str, bytes or not iterable, or holds an item that
        is not a str (of `following`, among the items read).
    CapevalUsageError
        For an unknown tokenizer, or one whose optional extra is not installed.
    """
    module = _module(method)
    checked = checked_captions(captions)
    lookahead = stream_lookahead(iter_checked(following, "following"))  # checked for all
    if getattr(module, "STREAM_CONTEXT", False):
        return module.tokenize_batch(checked, lookahead)
    return module.tokenize_batch(checked)


def tokenize_in_order(
    captions: Sequence[str], order: Sequence[int] | None = None, method: str = "ptb"
) -> list[list[str]]:
    """Tokenize ``captions`` as one stream taken in ``order``; return them in their places.

    Parameters
    ----------
    captions : sequence of N str
    order : sequence of int, optional
        A permutation of ``range(N)``: the stream is ``captions[order[0]], captions[order[1]],
        ...`` (default: as given). E.g. hypotheses in the references' image order, as
        pycocoevalcap's ``COCOEvalCap`` tokenizes them.
    method : str, default="ptb"

    Returns
    -------
    list of N token lists; item i belongs to ``captions[i]``.
    """
    positions = _permutation(order, len(captions))
    tokens = tokenize([captions[i] for i in positions], method)
    result: list[list[str]] = [[] for _ in captions]
    for i, caption_tokens in zip(positions, tokens, strict=True):
        result[i] = caption_tokens
    return result


def tokenize_references(
    references: Sequence[Sequence[str]], order: Sequence[int] | None = None, method: str = "ptb"
) -> list[list[list[str]]]:
    """Tokenize the reference captions of N images as one stream, image by image.

    The stream is every caption of ``references[order[0]]`` (in their order), then of
    ``references[order[1]]``, ... (default order: as given), as pycocoevalcap tokenizes
    ``gts``. Returns the same nesting: item i holds the token lists of ``references[i]``.
    """
    positions = _permutation(order, len(references))
    tokens = tokenize([caption for i in positions for caption in references[i]], method)
    result: list[list[list[str]]] = [[] for _ in references]
    end = 0
    for i in positions:
        start, end = end, end + len(references[i])
        result[i] = tokens[start:end]
    return result


def _permutation(order: Sequence[int] | None, size: int) -> Sequence[int]:
    if order is None:
        return range(size)
    if len(order) != size or set(order) != set(range(size)):
        raise ValueError(f"order must be a permutation of range({size})")
    return order


def tokenizer_signature(method: str) -> str:
    """Return the short signature string of a tokenizer, e.g. ``"ptb-corenlp-3.4.1"``."""
    return _module(method).SIGNATURE


def meteor_modules(method: str) -> tuple[str, ...] | None:
    """Return the METEOR modules that apply to a tokenizer's language (None: all, English)."""
    return getattr(_module(method), "METEOR_MODULES", None)
