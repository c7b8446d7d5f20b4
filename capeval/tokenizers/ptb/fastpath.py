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
CAPTION_FOLLOWER = "\na dog"
"""Lexer text after a caption in the per-caption context: a line break, the caption ``a dog``."""

# (tokens, whether they depend on the text after the caption's line break)
Lexed = tuple[list[str], bool]


class FastPath:
    """Tokenizes fast-path captions from memoized chunk tokenizations.

    Parameters
    ----------
    lex : callable
        The full lexer: ``lex(caption, following)`` -> `Lexed`, where ``following`` is the
        lexer text after the caption (``""``: end of input); used for chunks not seen before.
    max_entries : int, default=500_000
        A memo is emptied when it grows past this many chunks.
    """

    def __init__(self, lex: Callable[[str, str], Lexed], max_entries: int = 500_000) -> None:
        self._lex = lex
        self._max_entries = max_entries
        self._inner: dict[str, list[str]] = {}
        self._last: dict[tuple[str, bool], Lexed] = {}

    def tokenize(self, caption: str, at_end: bool = False) -> Lexed | None:
        """Tokens of ``caption`` at the end of the input or followed by the caption
        ``a dog``, and whether another following caption could change them; None if the
        caption does not qualify for the fast path."""
        if _PLAIN_CAPTION.fullmatch(caption):
            tokens = caption.lower().split()
            if _SPLIT_WORDS.isdisjoint(tokens):
                if tokens and tokens[-1][-1] == ".":
                    if tokens.pop() != ".":  # a lone period is always dropped
                        last, depends = self._last_chunk(caption, at_end)
                        return tokens + last, depends  # a new list: the memo's stays intact
                return tokens, False
        elif _FAST_CAPTION.fullmatch(caption) is None or _DIGIT_GAP.search(caption):
            return None
        chunks = caption.split()
        if not chunks:
            return [], False
        inner = self._inner
        tokens = []
        for chunk in chunks[:-1]:
            chunk_tokens = inner.get(chunk)
            if chunk_tokens is None:
                chunk_tokens = self._inner_chunk(chunk)
                self._remember(inner, chunk, chunk_tokens)
            tokens += chunk_tokens
        last, depends = self._last_chunk(caption, at_end)
        return tokens + last, depends

    def _last_chunk(self, caption: str, at_end: bool) -> Lexed:
        """Tokens of the caption's last chunk, followed by the caption's end."""
        # Up to two trailing spaces stand for any number: the lexer looks at most two
        # characters past a chunk's end unless it reads past the line break (``depends``).
        last = caption.rsplit(None, 1)[-1]
        last += caption[len(caption.rstrip(" ")):][:2]
        lexed = self._last.get((last, at_end))
        if lexed is None:
            if _LETTERS.fullmatch(last) and last.lower() not in _SPLIT_WORDS:
                lexed = [last.lower()], False  # a plain word is one token in any context
            else:
                lexed = self._lex(last, "" if at_end else CAPTION_FOLLOWER)
            self._remember(self._last, (last, at_end), lexed)
        return lexed

    def _inner_chunk(self, chunk: str) -> list[str]:
        if _LETTERS.fullmatch(chunk) and chunk.lower() not in _SPLIT_WORDS:
            return [chunk.lower()]  # a plain word is one token in any context
        tokens, _ = self._lex(chunk + _NEXT_CHUNK, CAPTION_FOLLOWER)
        if not tokens or tokens[-1] != _NEXT_CHUNK_TOKEN:
            raise AssertionError(f"chunk {chunk!r} is not independent of the next one")
        return tokens[:-1]

    def _remember(self, memo: dict, key, value) -> None:
        if len(memo) >= self._max_entries:
            memo.clear()
        memo[key] = value
