"""The general PTB lexer: longest match over the whole rule table, JFlex style."""
from __future__ import annotations

from capeval.tokenizers.ptb.automaton import Automaton, Grammar
from capeval.tokenizers.ptb.charclasses import Alphabet
from capeval.tokenizers.ptb.rules import MACROS, RULES, SETS, Rule


class _TrailingContext:
    """Finds where the consumed part of a ``pattern / trail`` match ends.

    As JFlex does, the head is the longest prefix of the match that matches ``pattern``
    while the rest matches ``trail``.
    """

    def __init__(self, grammar: Grammar, rule: Rule) -> None:
        self.head = Automaton(grammar.alphabet.size, [grammar.parse(rule.pattern)])
        self.trail = Automaton(grammar.alphabet.size, [grammar.parse(rule.trail)])

    def head_end(self, symbols: bytes, start: int, end: int) -> int:
        for split in reversed(self.head.match_ends(symbols, start, end)):
            if self.trail.fullmatch(symbols, split, end):
                return split
        raise AssertionError("trailing-context match without a valid split")


class Lexer:
    """Scans text into raw PTB tokens (before lowercasing and the punctuation filter)."""

    def __init__(self, alphabet: Alphabet) -> None:
        grammar = Grammar(alphabet)
        for name, char_class in SETS.items():
            grammar.define_set(name, char_class)
        for name, pattern in MACROS.items():
            grammar.define(name, pattern)
        self.alphabet = alphabet
        patterns = []
        for rule in RULES:
            full = rule.pattern if rule.trail is None else f"({rule.pattern})({rule.trail})"
            patterns.append(grammar.parse(full))
        self._dfa = Automaton(alphabet.size, patterns)
        self._contexts = [
            None if rule.trail is None else _TrailingContext(grammar, rule) for rule in RULES
        ]

    def first_line(self, text: str) -> list[str]:
        """Tokens of ``text`` up to its first line break (``text`` holds BMP code units)."""
        symbols = self.alphabet.symbols(text)
        longest, contexts = self._dfa.longest, self._contexts
        tokens: list[str] = []
        pos, size = 0, len(symbols)
        while pos < size:
            tag, end = longest(symbols, pos)
            action = RULES[tag].action
            if action is None:
                break
            if contexts[tag] is not None:
                end = contexts[tag].head_end(symbols, pos, end)
            token, consumed = action(text[pos:end])
            if token is not None:
                tokens.append(token)
            pos += consumed
        return tokens
