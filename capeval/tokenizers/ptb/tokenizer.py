"""pycocoevalcap's caption tokenization: the PTB lexer, lowercasing, the punctuation filter."""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, cached_property

from capeval.tokenizers.ptb.automata_file import load_automata
from capeval.tokenizers.ptb.charclasses import load_alphabet
from capeval.tokenizers.ptb.fastpath import FastPath
from capeval.tokenizers.ptb.lexer import Lexer

SIGNATURE = "ptb-corenlp-3.4.1"

# Tokens pycocoevalcap drops after tokenization. The bracket entries are uppercase while the
# tokens are already lowercase, so ``-lrb-`` etc. are kept, as in the reference.
PUNCTUATION = frozenset(
    ["''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-", "-RCB-", ".", "?", "!", ",", ":", "-",
     "--", "...", ";"]
)

# capeval's deliberate difference: line breaks inside a caption are spaces. (The reference
# turns "\n" into a space but lets the others start a new output line, which shifts every
# later caption onto the wrong image.) U+0085 is not a line break for the lexer.
_LINE_BREAKS = re.compile("[\n\r\v\f\u2028\u2029]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# The lexer sees the caption followed by another one, as in a batch.
_NEXT_CAPTION = "\na dog"


def _to_utf16_units(match: re.Match) -> str:
    code = ord(match.group()) - 0x10000
    return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))


def _from_utf16_units(token: str) -> str:
    return token.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class PTBTokenizer:
    """Tokenizes captions exactly as pycocoevalcap 1.2's ``PTBTokenizer`` does.

    Each caption is tokenized on its own, as if another caption followed it in the batch,
    and line breaks inside it count as spaces (see ``docs/ptb.md``). Ordinary captions take
    a fast path; the general lexer is set up on first use. The fast path memoizes on this
    object.
    """

    def __init__(self) -> None:
        self._fast_path = FastPath(self.tokenize_general)

    @cached_property
    def lexer(self) -> Lexer:
        """The general lexer (its automata are loaded on first use)."""
        return Lexer(load_alphabet(), load_automata())

    def tokenize(self, caption: str) -> list[str]:
        """Return the lowercased tokens of ``caption`` that survive the punctuation filter."""
        if not isinstance(caption, str):
            raise TypeError(f"a caption must be a str, not {type(caption).__name__}")
        tokens = self._fast_path.tokenize(caption)
        if tokens is None:
            tokens = self.tokenize_general(caption)
        return tokens

    def tokenize_general(self, caption: str) -> list[str]:
        """``tokenize`` without the fast path (the full lexer on every caption)."""
        text = _LINE_BREAKS.sub(" ", caption)
        astral = _ASTRAL.search(text) is not None
        if astral:
            text = _ASTRAL.sub(_to_utf16_units, text)
        raw = self.lexer.first_line(text + _NEXT_CAPTION)
        if astral:
            raw = [_from_utf16_units(token) for token in raw]
        line = " ".join(token.lower() for token in raw)
        if line[-1:].isspace():
            line = line.rstrip()  # the reference strips each output line
        return [token for token in line.split(" ") if token not in PUNCTUATION and token]

    def tokenize_batch(self, captions: Iterable[str]) -> list[list[str]]:
        """Tokenize each caption; equal captions are tokenized once."""
        memo: dict[str, list[str]] = {}
        result = []
        for caption in captions:
            tokens = memo.get(caption)
            if tokens is None:
                tokens = memo[caption] = self.tokenize(caption)
            else:
                tokens = list(tokens)  # repeats get their own list
            result.append(tokens)
        return result


@cache
def default_tokenizer() -> PTBTokenizer:
    """The shared tokenizer behind the module-level functions."""
    return PTBTokenizer()


def tokenize(caption: str) -> list[str]:
    """Tokenize one caption as pycocoevalcap does (lowercased, punctuation removed)."""
    return default_tokenizer().tokenize(caption)


def tokenize_batch(captions: Iterable[str]) -> list[list[str]]:
    """Tokenize captions as pycocoevalcap does; one token list per caption, in order."""
    return default_tokenizer().tokenize_batch(captions)
