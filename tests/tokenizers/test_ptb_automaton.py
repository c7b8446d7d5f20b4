"""The regular-expression engine behind the PTB lexer: JFlex matching semantics."""
from __future__ import annotations

import re

import numpy as np
import pytest

from capeval.tokenizers.ptb.automaton import Grammar, compile_patterns
from capeval.tokenizers.ptb.charclasses import ASCII_SIZE, load_alphabet
from capeval.tokenizers.ptb.dfa import DFA

ALPHABET = load_alphabet()


def automaton(*patterns: str) -> DFA:
    grammar = Grammar(ALPHABET)
    grammar.define_set("Lower", "[a-z]")
    grammar.define("Pair", "{Lower}{Lower}")
    return compile_patterns(ALPHABET.size, [grammar.parse(p) for p in patterns])


def longest(text: str, *patterns: str) -> tuple[int, int]:
    tag, end, _ = automaton(*patterns).longest(ALPHABET.symbols(text), 0)
    return tag, end


def test_reach_is_one_past_the_last_symbol_read():
    machine = automaton("ab", "abcd")
    assert machine.longest(ALPHABET.symbols("abcx"), 0) == (0, 2, 4)  # read x, then died
    assert machine.longest(ALPHABET.symbols("abc"), 0) == (0, 2, 3)  # ran out of input
    assert machine.longest(ALPHABET.symbols("xab"), 0) == (-1, 0, 1)


def test_longest_match_wins_over_pattern_order():
    assert longest("abcd", "a", "ab|abc", "x") == (1, 3)


def test_ties_go_to_the_earlier_pattern():
    assert longest("dog ", "[a-z]+", "dog") == (0, 3)
    assert longest("dog ", "dog", "[a-z]+") == (0, 3)


def test_no_match():
    assert longest("?", "[a-z]+") == (-1, 0)


@pytest.mark.parametrize(
    "pattern, text, end",
    [
        ("dog", "DoG", 3),  # literals are case-insensitive
        ("[d]og", "Dog", 0),  # classes are not
        ("s", "\u017f", 1),  # long s is a case variant of s
        ("k", "\u212a", 1),  # Kelvin sign
        ("i", "\u0130", 1),
        ("[^a]", "\u2014", 1),  # a negated class covers every non-ASCII class
        ("[{DASH}]", "\u2013", 1),
        ("a{2,3}", "aaaa", 3),
        ("(ab)*c?", "ababc", 5),
        ("{Pair}+", "abcde", 4),
        ("\\x41\\.", "A.", 2),
        ("\\x41", "a", 0),  # escaped letters are exact
    ],
)
def test_pattern_syntax(pattern, text, end):
    tag = 0 if end else -1
    assert longest(text, pattern) == (tag, end)


def test_match_ends_and_fullmatch():
    machine = automaton("a(b)*")
    symbols = ALPHABET.symbols("abbx")
    assert machine.match_ends(symbols, 0, 4) == [1, 2, 3]
    assert machine.fullmatch(symbols, 0, 3)
    assert not machine.fullmatch(symbols, 0, 4)


@pytest.mark.parametrize("pattern", ["(ab", "a)", "*a", "[ab", "\\q", "\u00e9"])
def test_bad_patterns_are_rejected(pattern):
    with pytest.raises(ValueError):
        automaton(pattern)


def test_unknown_names_are_rejected():
    with pytest.raises(KeyError):
        automaton("{Nope}")


def test_alphabet_maps_every_bmp_code_unit():
    assert len(ALPHABET.translation) == 0x10000
    assert load_alphabet() is ALPHABET  # loaded once
    symbols = ALPHABET.symbols("a\u2014\u00e9\ud83d")
    assert symbols[0] == ord("a")
    assert symbols[1] == ALPHABET.class_symbol("DASH")
    assert symbols[2] == ALPHABET.class_symbol("LETTER")
    assert symbols[3] == ALPHABET.class_symbol("DELETED")
    assert all(code >= ASCII_SIZE for code in symbols[1:])


def test_automata_are_minimal_and_canonical():
    # The textbook minimal DFA of (a|b)*abb has 4 states; here plus the dead state.
    machine = automaton("(a|b)*abb")
    assert machine.n_states == 5
    assert (machine.start, machine.accept[0]) == (1, -1)
    assert automaton("[ab]*abb|(b|a)*(abb)") == machine  # equal languages, equal tables
    assert automaton("dogs?", "dog") != automaton("dog", "dogs?")  # the tags differ


# Patterns in automaton syntax and as Python regexes, for a brute-force oracle.
ORACLE_PATTERNS = [("a(b|c)*", "a(?:b|c)*"), ("[a-c]+b", "[a-c]+b"), ("abc", "abc"),
                   ("(ab)+c?", "(?:ab)+c?"), ("c{2,3}", "c{2,3}"), ("[^a]", "[^a]")]


def test_longest_match_agrees_with_a_brute_force_oracle():
    rng = np.random.default_rng(5)
    machine = automaton(*(pattern for pattern, _ in ORACLE_PATTERNS))
    regexes = [re.compile(regex) for _, regex in ORACLE_PATTERNS]
    for _ in range(2000):
        text = "".join(rng.choice(list("abc "), size=int(rng.integers(1, 9))))
        expected = (-1, 0)
        for end in range(1, len(text) + 1):
            tags = [tag for tag, regex in enumerate(regexes) if regex.fullmatch(text[:end])]
            if tags:
                expected = (tags[0], end)
        assert machine.longest(ALPHABET.symbols(text), 0)[:2] == expected, text
