"""A small regular-expression engine with the semantics of a JFlex scanner.

Python's ``re`` takes the first alternative that matches, not the longest, so it cannot
reproduce a JFlex lexer rule for rule. This module compiles patterns over the lexer's
symbol alphabet (see ``charclasses``) into one NFA and determinizes it lazily: a DFA state
is created the first time the input reaches it and its transitions are memoized, so only
the states that real text visits (a few thousand at most) are ever built.

Pattern syntax (a subset of the usual one, plus JFlex's case rule):

* ``abc`` literal characters; ASCII letters match **case-insensitively** (JFlex
  ``%caseless``, including the Unicode variants ``ſ`` of s, ``K`` of k, ``ı``/``İ`` of i);
  other characters match themselves. Only ASCII may appear literally.
* ``[...]`` / ``[^...]`` character classes, **case-sensitive**, with ASCII ranges ``a-z``
  and ``{NAME}`` for a named set (a non-ASCII class of ``charclasses.json`` such as
  ``{DASH}``, or a set defined with ``Grammar.define_set``). ``[^...]`` is the complement
  over all symbols.
* ``(...)`` grouping, ``|``, ``*``, ``+``, ``?``, ``{m}``, ``{m,n}``; ``{NAME}`` outside a
  class inserts a macro defined with ``Grammar.define`` (or a named set).
* Escapes: ``\\t \\n \\r \\f \\v \\0``, ``\\xHH``, and ``\\`` before any punctuation.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence

from capeval.tokenizers.ptb.charclasses import ASCII_SIZE, Alphabet

# A parsed pattern: ("sym", mask) | ("cat", nodes) | ("alt", nodes) | ("rep", node, lo, hi).
# ``mask`` has bit s set when the node accepts symbol s; ``hi`` is None for "unbounded".
Node = tuple

_CASELESS_EXTRA = {
    "s": ("LETTER_CASELESS_S",),
    "k": ("LETTER_UPPER_CASELESS_K",),
    "i": ("LETTER_CASELESS_I", "LETTER_UPPER_CASELESS_I"),
}
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "0": "\0"}


class Grammar:
    """Named sets and macros, and the parser that resolves them."""

    def __init__(self, alphabet: Alphabet) -> None:
        self.alphabet = alphabet
        self._all = (1 << alphabet.size) - 1
        self._sets: dict[str, int] = {
            name: 1 << alphabet.class_symbol(name) for name in alphabet.class_names
        }
        self._macros: dict[str, Node] = {}

    def define_set(self, name: str, char_class: str) -> None:
        """Name a character class, e.g. ``define_set("D", "[0-9{DIGIT_OTHER}]")``."""
        node = self.parse(char_class)
        if node[0] != "sym":
            raise ValueError(f"set {name} is not a single character class")
        self._sets[name] = node[1]

    def define(self, name: str, pattern: str) -> None:
        """Name a pattern for later use as ``{name}``."""
        self._macros[name] = self.parse(pattern)

    def parse(self, pattern: str) -> Node:
        """Parse ``pattern`` (syntax in the module docstring) into a node."""
        parser = _Parser(self, pattern)
        node = parser.alternation()
        if parser.pos != len(pattern):
            raise ValueError(f"unexpected {pattern[parser.pos]!r} at {parser.pos} in {pattern!r}")
        return node

    def lookup(self, name: str, *, set_only: bool) -> Node:
        if name in self._sets:
            return ("sym", self._sets[name])
        if not set_only and name in self._macros:
            return self._macros[name]
        raise KeyError(f"unknown {'set' if set_only else 'macro'} {{{name}}}")

    def char_mask(self, char: str, *, caseless: bool) -> int:
        code = ord(char)
        if code >= ASCII_SIZE:
            raise ValueError(f"non-ASCII {char!r} in a pattern: use a named class")
        if not (caseless and char.isalpha()):
            return 1 << code
        mask = 1 << ord(char.lower()) | 1 << ord(char.upper())
        for name in _CASELESS_EXTRA.get(char.lower(), ()):
            mask |= 1 << self.alphabet.class_symbol(name)
        return mask

    def complement(self, mask: int) -> int:
        return self._all & ~mask


class _Parser:
    """Recursive-descent parser for one pattern string."""

    def __init__(self, grammar: Grammar, text: str) -> None:
        self.grammar = grammar
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise ValueError(f"unexpected end of pattern {self.text!r}")
        self.pos += 1
        return char

    def alternation(self) -> Node:
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", tuple(branches))

    def concatenation(self) -> Node:
        items = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.repetition())
        if not items:
            raise ValueError(f"empty branch at {self.pos} in {self.text!r}")
        return items[0] if len(items) == 1 else ("cat", tuple(items))

    def repetition(self) -> Node:
        node = self.atom()
        while True:
            char = self.peek()
            if char in ("*", "+", "?"):
                self.pos += 1
                lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
            elif char == "{" and self.text[self.pos + 1 : self.pos + 2].isdigit():
                end = self.text.index("}", self.pos)
                bounds = self.text[self.pos + 1 : end].split(",")
                lo, hi = int(bounds[0]), int(bounds[-1])
                self.pos = end + 1
            else:
                return node
            node = ("rep", node, lo, hi)

    def atom(self) -> Node:
        char = self.take()
        if char == "(":
            node = self.alternation()
            if self.take() != ")":
                raise ValueError(f"missing ')' in {self.text!r}")
            return node
        if char == "[":
            return ("sym", self.char_class())
        if char == "{":
            return self.grammar.lookup(self.name(), set_only=False)
        if char == "\\":
            return ("sym", self.grammar.char_mask(self.escape(), caseless=False))
        if char in "*+?)]}":
            raise ValueError(f"unexpected {char!r} at {self.pos - 1} in {self.text!r}")
        return ("sym", self.grammar.char_mask(char, caseless=True))

    def name(self) -> str:
        end = self.text.index("}", self.pos)
        name, self.pos = self.text[self.pos : end], end + 1
        return name

    def escape(self) -> str:
        char = self.take()
        if char == "x":
            code, self.pos = self.text[self.pos : self.pos + 2], self.pos + 2
            return chr(int(code, 16))
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char.isalnum():
            raise ValueError(f"unknown escape \\{char} in {self.text!r}")
        return char

    def char_class(self) -> int:
        negate = self.peek() == "^"
        self.pos += negate
        mask = 0
        while (char := self.take()) != "]":
            if char == "{":
                mask |= self.grammar.lookup(self.name(), set_only=True)[1]
                continue
            first = self.escape() if char == "\\" else char
            if self.peek() == "-" and self.text[self.pos + 1 : self.pos + 2] not in ("]", ""):
                self.pos += 1
                last = self.take()
                last = self.escape() if last == "\\" else last
                for code in range(ord(first), ord(last) + 1):
                    mask |= self.grammar.char_mask(chr(code), caseless=False)
            else:
                mask |= self.grammar.char_mask(first, caseless=False)
        return self.grammar.complement(mask) if negate else mask


class _NFA:
    """Thompson NFA: epsilon moves and (symbol mask, target) moves per state."""

    def __init__(self) -> None:
        self.eps: list[list[int]] = []
        self.moves: list[list[tuple[int, int]]] = []

    def state(self) -> int:
        self.eps.append([])
        self.moves.append([])
        return len(self.eps) - 1

    def build(self, node: Node) -> tuple[int, int]:
        """Add states for ``node``; return its (entry, exit) states."""
        kind = node[0]
        if kind == "sym":
            entry, exit_ = self.state(), self.state()
            self.moves[entry].append((node[1], exit_))
            return entry, exit_
        if kind == "alt":
            entry, exit_ = self.state(), self.state()
            for child in node[1]:
                start, end = self.build(child)
                self.eps[entry].append(start)
                self.eps[end].append(exit_)
            return entry, exit_
        entry = exit_ = self.state()
        if kind == "cat":
            for child in node[1]:
                exit_ = self.chain(exit_, child)
            return entry, exit_
        _, child, lo, hi = node  # "rep"
        for _ in range(lo):
            exit_ = self.chain(exit_, child)
        if hi is None:
            start, end = self.build(child)
            after = self.state()
            self.eps[exit_] += [start, after]
            self.eps[end] += [start, after]
            return entry, after
        for _ in range(hi - lo):
            start, end = self.build(child)
            after = self.state()
            self.eps[exit_] += [start, after]
            self.eps[end].append(after)
            exit_ = after
        return entry, exit_

    def chain(self, exit_: int, node: Node) -> int:
        start, end = self.build(node)
        self.eps[exit_].append(start)
        return end


class Automaton:
    """A lazily built DFA for a list of patterns; pattern i has tag i (lower tags win ties).

    DFA state 0 is the dead state. ``accept[d]`` is the smallest tag of a pattern that
    accepts in state ``d``, or -1.
    """

    def __init__(self, alphabet_size: int, patterns: Sequence[Node]) -> None:
        nfa = _NFA()
        starts, self._final = [], {}
        for tag, node in enumerate(patterns):
            start, end = nfa.build(node)
            starts.append(start)
            self._final[end] = tag
        self._nfa = nfa
        self._size = alphabet_size
        self._closures: dict[int, frozenset[int]] = {}
        self._ids: dict[frozenset[int], int] = {}
        self._states: list[frozenset[int]] = []
        self._rows: list[list[int]] = []
        self.accept: list[int] = []
        self._lock = threading.Lock()
        self._intern(frozenset())
        self.start = self._intern(self._closure(starts))

    def _closure(self, states) -> frozenset[int]:
        reached = set()
        for state in states:
            cached = self._closures.get(state)
            if cached is None:
                stack, seen = [state], {state}
                while stack:
                    for target in self._nfa.eps[stack.pop()]:
                        if target not in seen:
                            seen.add(target)
                            stack.append(target)
                cached = self._closures[state] = frozenset(seen)
            reached |= cached
        return frozenset(reached)

    def _intern(self, states: frozenset[int]) -> int:
        state_id = self._ids.get(states)
        if state_id is None:
            state_id = len(self._states)
            self._ids[states] = state_id
            self._states.append(states)
            self._rows.append([-1 if states else 0] * self._size)
            tags = [self._final[s] for s in states if s in self._final]
            self.accept.append(min(tags, default=-1))
        return state_id

    def step(self, state: int, symbol: int) -> int:
        """Return the successor of DFA ``state`` on ``symbol``, building it on first use."""
        target = self._rows[state][symbol]
        if target >= 0:
            return target
        with self._lock:
            moves = self._nfa.moves
            reached = {t for s in self._states[state] for mask, t in moves[s] if mask >> symbol & 1}
            target = self._intern(self._closure(reached))
            self._rows[state][symbol] = target
        return target

    def longest(self, symbols: bytes, pos: int) -> tuple[int, int]:
        """Longest match starting at ``pos``: ``(tag, end)``, or ``(-1, pos)`` if none."""
        rows, accept = self._rows, self.accept
        state, tag, end = self.start, -1, pos
        for i in range(pos, len(symbols)):
            following = rows[state][symbols[i]]
            if following < 0:
                following = self.step(state, symbols[i])
            if following == 0:
                break
            state = following
            if accept[state] >= 0:
                tag, end = accept[state], i + 1
        return tag, end

    def match_ends(self, symbols: bytes, start: int, stop: int) -> list[int]:
        """Every ``p`` in ``[start, stop]`` such that ``symbols[start:p]`` matches, ascending."""
        state = self.start
        ends = [start] if self.accept[state] >= 0 else []
        for i in range(start, stop):
            state = self.step(state, symbols[i])
            if state == 0:
                break
            if self.accept[state] >= 0:
                ends.append(i + 1)
        return ends

    def fullmatch(self, symbols: bytes, start: int, stop: int) -> bool:
        """Whether ``symbols[start:stop]`` matches exactly."""
        ends = self.match_ends(symbols, start, stop)
        return bool(ends) and ends[-1] == stop
