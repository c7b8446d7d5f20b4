"""Compile the rule table of ``rules.py`` into the general lexer's automata.

Used by ``tools/build_ptb_automata.py`` (which ships the result, see ``automata_file``)
and by the tests; the tokenizer itself only loads the shipped file.
"""
from __future__ import annotations

from capeval.tokenizers.ptb.automata_file import LexerAutomata
from capeval.tokenizers.ptb.automaton import Grammar, compile_patterns
from capeval.tokenizers.ptb.charclasses import Alphabet
from capeval.tokenizers.ptb.dfa import DFA
from capeval.tokenizers.ptb.rules import MACROS, RULES, SETS


def rule_grammar(alphabet: Alphabet) -> Grammar:
    """A grammar with the sets and macros of ``rules.py`` defined."""
    grammar = Grammar(alphabet)
    for name, char_class in SETS.items():
        grammar.define_set(name, char_class)
    for name, pattern in MACROS.items():
        grammar.define(name, pattern)
    return grammar


def compile_rules(alphabet: Alphabet) -> LexerAutomata:
    """Compile every rule (about a second): one DFA for all, two per trailing context."""
    grammar = rule_grammar(alphabet)

    def compile_one(*patterns: str) -> DFA:
        return compile_patterns(alphabet.size, [grammar.parse(p) for p in patterns])

    main = compile_one(*(rule.pattern if rule.trail is None else f"({rule.pattern})({rule.trail})"
                         for rule in RULES))
    contexts = tuple(
        None if rule.trail is None else (compile_one(rule.pattern), compile_one(rule.trail))
        for rule in RULES
    )
    return LexerAutomata(main, contexts)
