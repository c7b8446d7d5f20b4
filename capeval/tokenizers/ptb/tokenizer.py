"""pycocoevalcap's caption tokenization: the PTB lexer, lowercasing, the punctuation filter.

pycocoevalcap lexes the captions of one call as one stream, ``"\\n".join(captions)``, so a
caption's tokens can depend on the captions after it and the last one is lexed at end of
input. `PTBTokenizer.tokenize_stream` reproduces that (docs/ptb.md, "Stream context"):
each caption is lexed from its start up to its line break, seeing the start of the stream
after it (`stream_lookahead`); `PTBTokenizer.tokenize_each` lexes every caption as if the
caption ``a dog`` followed it instead (the ``ptb-caption`` tokenizer).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache, cached_property
from itertools import islice

from capeval.tokenizers.batch import checked_captions, iter_checked
from capeval.tokenizers.ptb.automata_file import load_automata
from capeval.tokenizers.ptb.charclasses import load_alphabet
from capeval.tokenizers.ptb.fastpath import CAPTION_FOLLOWER, FastPath
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


def _to_utf16_units(match: re.Match) -> str:
    code = ord(match.group()) - 0x10000
    return chr(0xD800 + (code >> 10)) + chr(0xDC00 + (code & 0x3FF))


def _from_utf16_units(token: str) -> str:
    return token.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _lexer_text(caption: str) -> str:
    """``caption`` as the lexer reads it: line breaks as spaces, astral characters split."""
    text = _LINE_BREAKS.sub(" ", caption)
    if _ASTRAL.search(text) is not None:
        text = _ASTRAL.sub(_to_utf16_units, text)
    return text


@cache
def _blank_characters() -> str:
    """The characters the lexer's look-ahead passes over (its spaces; line breaks)."""
    alphabet = load_alphabet()
    spaces = {alphabet.translation[ord(" ")], alphabet.translation[ord("\t")],
              chr(alphabet.class_symbol("SPACE")), chr(alphabet.class_symbol("SPACE_NBSP"))}
    return "\n\r\v\f\u2028\u2029" + "".join(
        chr(code) for code, symbol in enumerate(alphabet.translation) if symbol in spaces)


def _is_blank(caption: str) -> bool:
    return not caption.strip(_blank_characters())


def stream_lookahead(rest: Iterable[str]) -> tuple[str, ...]:
    """The captions at the start of ``rest`` that the captions before it can depend on.

    ``rest`` is the part of a stream after some captions (read lazily, only as far as
    needed). The lexer's look-ahead past a caption's line break passes over blank
    captions and stops inside the first caption that is not blank, before its line
    break; whether a caption follows that one still matters (line break or end of
    input). So the result is: the leading blank captions, the first other caption and,
    if there is one, the caption after it (usually two captions). Tokenizing captions
    with ``following=stream_lookahead(rest)`` gives what ``following=rest`` gives.
    """
    captions: list[str] = []
    for caption in (iterator := iter(rest)):
        captions.append(caption)
        if not _is_blank(caption):
            captions += islice(iterator, 1)
            break
    return tuple(captions)


def _window(lookahead: Sequence[str], start: int) -> str:
    """What the lexer sees after the line break that precedes ``lookahead[start]``.

    ``lookahead`` runs to the end of the stream or past its `stream_lookahead`.
    """
    seen = stream_lookahead(lookahead[i] for i in range(start, len(lookahead)))
    followed = len(seen) > 1 and not _is_blank(seen[-2])  # a caption after the non-blank one
    texts = [_lexer_text(caption) for caption in (seen[:-1] if followed else seen)]
    return "\n".join(texts) + ("\n" if followed else "")


class PTBTokenizer:
    """Tokenizes captions exactly as pycocoevalcap 1.2's ``PTBTokenizer`` does.

    Line breaks inside a caption count as spaces (see ``docs/ptb.md``). Ordinary captions
    take a fast path, which memoizes on this object; the general lexer is set up on first
    use.
    """

    def __init__(self) -> None:
        self._fast_path = FastPath(self.lex)

    @cached_property
    def lexer(self) -> Lexer:
        """The general lexer (its automata are loaded on first use)."""
        return Lexer(load_alphabet(), load_automata())

    def tokenize(self, caption: str) -> list[str]:
        """Tokens of ``caption`` tokenized in a call of its own (it ends the input)."""
        return self.tokenize_stream([caption])[0]

    def tokenize_stream(
        self, captions: Iterable[str], following: Iterable[str] = ()
    ) -> list[list[str]]:
        """Tokenize consecutive captions of one stream, as one pycocoevalcap call does.

        Parameters
        ----------
        captions : iterable of str
            N captions, in stream order.
        following : iterable of str, default=()
            The captions that come after ``captions`` in the stream (none: ``captions`` end
            it). Only `stream_lookahead` of it is read. For any split of a stream,
            ``tokenize_stream(block, following=rest)`` equals the block's part of
            ``tokenize_stream(block + rest)``.

        Returns
        -------
        list of N token lists
        """
        captions = checked_captions(captions)
        lookahead = [*captions, *stream_lookahead(iter_checked(following, "following"))]
        last = len(lookahead) - 1
        memo: dict[str, list[str]] = {}  # captions whose tokens do not depend on the next
        result = []
        for i, caption in enumerate(captions):
            if i == last:
                result.append(self._tokens(caption, at_end=True))
                continue
            tokens = memo.get(caption)
            if tokens is not None:
                result.append(list(tokens))  # repeats get their own list
                continue
            fast = self._fast_path.tokenize(caption)
            if fast is not None and not fast[1]:
                tokens = fast[0]
            else:
                tokens, depends = self.lex(caption, "\n" + _window(lookahead, i + 1))
                if depends:
                    result.append(tokens)
                    continue
            memo[caption] = tokens
            result.append(tokens)
        return result

    def tokenize_each(self, captions: Iterable[str]) -> list[list[str]]:
        """Tokenize each caption as if the caption ``a dog`` followed it (the per-caption
        context); equal captions are tokenized once."""
        memo: dict[str, list[str]] = {}
        result = []
        for caption in checked_captions(captions):
            tokens = memo.get(caption)
            if tokens is None:
                tokens = memo[caption] = self._tokens(caption, at_end=False)
            else:
                tokens = list(tokens)
            result.append(tokens)
        return result

    def _tokens(self, caption: str, *, at_end: bool) -> list[str]:
        """Tokens of ``caption`` at the end of the input or followed by ``a dog``."""
        fast = self._fast_path.tokenize(caption, at_end=at_end)
        if fast is not None:
            return fast[0]
        return self.lex(caption, "" if at_end else CAPTION_FOLLOWER)[0]

    def lex(self, caption: str, following: str) -> tuple[list[str], bool]:
        """Tokens of ``caption`` followed by the lexer text ``following``, with the full lexer.

        ``following`` is ``""`` (end of input) or starts with the line break that ends
        ``caption``; its captions are already in lexer form (see `_window`). Returns the
        tokens and whether they depend on ``following`` beyond that line break.
        """
        text = _lexer_text(caption)
        raw, reach = self.lexer.first_line(text + following)
        if len(text) != len(caption):  # astral characters were split into two units
            raw = [_from_utf16_units(token) for token in raw]
        line = " ".join(token.lower() for token in raw)
        if line[-1:].isspace():
            line = line.rstrip()  # the reference strips each output line
        tokens = [token for token in line.split(" ") if token not in PUNCTUATION and token]
        return tokens, reach > len(text) + 1


@cache
def default_tokenizer() -> PTBTokenizer:
    """The shared tokenizer behind the module-level functions."""
    return PTBTokenizer()


def tokenize(caption: str) -> list[str]:
    """Tokenize one caption as pycocoevalcap does in a call of its own."""
    return default_tokenizer().tokenize(caption)


def tokenize_batch(captions: Iterable[str], following: Iterable[str] = ()) -> list[list[str]]:
    """Tokenize one stream of captions as pycocoevalcap does (one token list per caption).

    ``following``: the captions after these in the same stream (see
    `PTBTokenizer.tokenize_stream`).
    """
    return default_tokenizer().tokenize_stream(captions, following)
