"""The general PTB lexer: longest match over the whole rule table, JFlex style."""
from __future__ import annotations

from capeval.tokenizers.ptb.automata_file import LexerAutomata
from capeval.tokenizers.ptb.charclasses import Alphabet
from capeval.tokenizers.ptb.dfa import DFA
from capeval.tokenizers.ptb.rules import RULES


class _TrailingContext:
    """Finds where the consumed part of a ``pattern / trail`` match ends.

    As JFlex does, the head is the longest prefix of the match that matches ``pattern``
    while the rest matches ``trail``.
    """

    def __init__(self, head: DFA, trail: DFA) -> None:
        self.head = head
        self.trail = trail

    def head_end(self, symbols: bytes, start: int, end: int) -> int:
        for split in reversed(self.head.match_ends(symbols, start, end)):
            if self.trail.fullmatch(symbols, split, end):
                return split
        raise AssertionError("trailing-context match without a valid split")


class Lexer:
    """Scans text into raw PTB tokens (before lowercasing and the punctuation filter).

    Parameters
    ----------
    alphabet : Alphabet
    automata : LexerAutomata
        The rule table compiled for ``alphabet`` (``automata_file.load_automata()``).
    """

    def __init__(self, alphabet: Alphabet, automata: LexerAutomata) -> None:
        self.alphabet = alphabet
        self._dfa = automata.main
        self._contexts = [None if context is None else _TrailingContext(*context)
                          for context in automata.contexts]

    def first_line(self, text: str) -> tuple[list[str], int]:
        """Tokens of ``text`` up to its first line break, and how far the lexer read.

        ``text`` holds BMP code units. The second value is one past the last code unit the
        lexer had to look at (for matches and failed longer attempts alike): the tokens do
        not depend on ``text[reach:]``. A token that runs across the line break (an SGML
        tag with a quoted value spanning lines) ends the line with its part before the
        break, as the jar's output line does.
        """
        symbols = self.alphabet.symbols(text)
        longest, contexts = self._dfa.longest, self._contexts
        tokens: list[str] = []
        pos, size, reach = 0, len(symbols), 0
        while pos < size:
            tag, end, read = longest(symbols, pos)
            if read > reach:
                reach = read
            action = RULES[tag].action
            if action is None:
                break
            context = contexts[tag]
            if context is not None:
                end = context.head_end(symbols, pos, end)
            token, consumed = action(text[pos:end])
            if token is not None:
                head, newline, _ = token.partition("\n")
                tokens.append(head)
                if newline:
                    break
            pos += consumed
        return tokens, reach
