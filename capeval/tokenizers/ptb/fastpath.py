"""Fast path for ordinary captions: split on spaces, tokenize each word once, reuse it.

A caption takes the fast path when it holds only ASCII letters, digits, spaces and
``, ; : ? ! ' " -``, with at most one period, at its end, and no digit on both sides of
a run of spaces. Every lexer rule that can look at or match beyond a space needs some
other character there: a period (abbreviations and acronyms before the next word,
``. . .``), ``<`` (SGML tags), ``(`` or a digit after the space (phone numbers,
``3 1/2``). In such a caption each space-separated chunk therefore tokenizes exactly as
it does alone followed by a space (or, for the last chunk, by the caption's end), so
the caption's tokens are the concatenation of its chunks' tokens. The chunk tokens come
from the general lexer and are memoized; real captions reuse a small vocabulary of
chunks, so almost every chunk is a dictionary hit. ``tests/tokenizers/test_ptb_fastpath.py``
checks the argument against the general lexer on many generated captions.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from capeval.tokenizers.ptb.rules import SPLIT_WORDS

# Letters and spaces, and maybe a final period: most captions.
_PLAIN_CAPTION = re.compile(r"[A-Za-z ]*\.? *")
_FAST_CAPTION = re.compile(r"""[A-Za-z0-9,;:?!'"\- ]*\.? *""")
_DIGIT_GAP = re.compile("[0-9] +[0-9]")
_LETTERS = re.compile("[A-Za-z]+")
_SPLIT_WORDS = frozenset(SPLIT_WORDS)
# A chunk in the middle of a caption is tokenized followed by this (then dropped again).
_NEXT_CHUNK = " a"
_NEXT_CHUNK_TOKEN = "a"


class FastPath:
    """Tokenizes fast-path captions from memoized chunk tokenizations.

    Parameters
    ----------
    tokenize_general : callable
        The full tokenizer (caption -> tokens) used for chunks not seen before.
    max_entries : int, default=500_000
        The memo is emptied when it grows past this many chunks.
    """

    def __init__(self, tokenize_general: Callable[[str], list[str]],
                 max_entries: int = 500_000) -> None:
        self._general = tokenize_general
        self._max_entries = max_entries
        self._inner: dict[str, list[str]] = {}
        self._last: dict[str, list[str]] = {}

    def tokenize(self, caption: str) -> list[str] | None:
        """Tokens of ``caption``, or None if it does not qualify for the fast path."""
        if _PLAIN_CAPTION.fullmatch(caption):
            tokens = caption.lower().split()
            if _SPLIT_WORDS.isdisjoint(tokens):
                if tokens and tokens[-1][-1] == ".":
                    if tokens.pop() != ".":  # a lone period is always dropped
                        tokens += self._last_chunk(caption)
                return tokens
        elif _FAST_CAPTION.fullmatch(caption) is None or _DIGIT_GAP.search(caption):
            return None
        chunks = caption.split()
        if not chunks:
            return []
        inner = self._inner
        tokens = []
        for chunk in chunks[:-1]:
            chunk_tokens = inner.get(chunk)
            if chunk_tokens is None:
                chunk_tokens = self._tokenize_chunk(chunk, _NEXT_CHUNK)
                self._remember(inner, chunk, chunk_tokens)
            tokens += chunk_tokens
        return tokens + self._last_chunk(caption)

    def _last_chunk(self, caption: str) -> list[str]:
        """Tokens of the caption's last chunk, followed by the caption's end."""
        # One trailing space stands for any number: the lexer looks at most two characters
        # past a chunk's end and finds a space and then a space or a line break.
        last = caption.rsplit(None, 1)[-1]
        if caption[-1] == " ":
            last += " "
        tokens = self._last.get(last)
        if tokens is None:
            tokens = self._tokenize_chunk(last, "")
            self._remember(self._last, last, tokens)
        return tokens

    def _tokenize_chunk(self, chunk: str, following: str) -> list[str]:
        if _LETTERS.fullmatch(chunk) and chunk.lower() not in _SPLIT_WORDS:
            return [chunk.lower()]  # a plain word is one token in any context
        tokens = self._general(chunk + following)
        if following:
            if not tokens or tokens[-1] != _NEXT_CHUNK_TOKEN:
                raise AssertionError(f"chunk {chunk!r} is not independent of the next one")
            del tokens[-1]
        return tokens

    def _remember(self, memo: dict[str, list[str]], chunk: str, tokens: list[str]) -> None:
        if len(memo) >= self._max_entries:
            memo.clear()
        memo[chunk] = tokens
