"""A small regular-expression engine with the semantics of a JFlex scanner.

Python's ``re`` takes the first alternative that matches, not the longest, so it cannot
reproduce a JFlex lexer rule for rule. This module compiles a list of patterns over the
lexer's symbol alphabet (see ``charclasses``) into one Thompson NFA, determinizes it and
minimizes the result (``compile_patterns`` -> ``dfa.DFA``). Compiling the whole rule
table takes about a second, so the tokenizer loads the lexer's automata from a data
file instead (``automata_file.py``).

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

from array import array
from collections.abc import Sequence
from operator import itemgetter

from capeval.tokenizers.ptb.charclasses import ASCII_SIZE, Alphabet
from capeval.tokenizers.ptb.dfa import DFA

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


def compile_patterns(alphabet_size: int, patterns: Sequence[Node]) -> DFA:
    """Compile parsed patterns into their minimal DFA; pattern i accepts with tag i.

    Where several patterns accept the same text, the smallest tag wins (JFlex: the rule
    listed first). States are numbered canonically (the dead state 0, then breadth-first
    from the start state), so equal pattern lists give equal tables.
    """
    nfa = _NFA()
    starts, final = [], {}
    for tag, node in enumerate(patterns):
        start, end = nfa.build(node)
        starts.append(start)
        final[end] = tag
    class_of = _symbol_classes(nfa, alphabet_size)
    rows, accept = _determinize(nfa, starts, final, class_of)
    rows, accept, start = _minimize(rows, accept)
    if len(rows) > 1 << 16 or len(patterns) > 1 << 15:
        raise ValueError(f"{len(rows)} states or {len(patterns)} tags do not fit the tables")
    transitions = array("H", [row[cls] for row in rows for cls in class_of])
    return DFA(alphabet_size, start, array("h", accept), transitions)


def _symbol_classes(nfa: _NFA, alphabet_size: int) -> list[int]:
    """Number the classes of symbols that every move of ``nfa`` treats alike.

    Returns the class of each symbol; classes are numbered by their smallest symbol.
    """
    masks = sorted({mask for moves in nfa.moves for mask, _ in moves})
    ids: dict[tuple[int, ...], int] = {}
    return [ids.setdefault(tuple(mask >> symbol & 1 for mask in masks), len(ids))
            for symbol in range(alphabet_size)]


def _determinize(
    nfa: _NFA, starts: list[int], final: dict[int, int], class_of: list[int]
) -> tuple[list[list[int]], list[int]]:
    """Subset construction over symbol classes.

    A DFA state stands for the NFA states reachable by epsilon moves, of which it keeps
    only those with a symbol move or a tag: the others do not change what it does next.

    Returns
    -------
    rows : list of list of int
        ``rows[d][c]`` is the successor of DFA state ``d`` on symbol class ``c``. State 0
        is the empty set (dead), state 1 the start state.
    accept : list of int
        The smallest tag of ``d``'s NFA states, or -1.
    """
    representative: dict[int, int] = {}
    for symbol, cls in enumerate(class_of):
        representative.setdefault(cls, symbol)
    masks = {mask for moves in nfa.moves for mask, _ in moves}
    classes_in = {mask: [cls for cls, symbol in representative.items() if mask >> symbol & 1]
                  for mask in masks}
    moves = [[(classes_in[mask], target) for mask, target in state_moves]
             for state_moves in nfa.moves]
    closures: dict[int, frozenset[int]] = {}

    def closure(states) -> frozenset[int]:
        reached: set[int] = set()
        for state in states:
            if state not in closures:
                stack, seen = [state], {state}
                while stack:
                    for target in nfa.eps[stack.pop()]:
                        if target not in seen:
                            seen.add(target)
                            stack.append(target)
                closures[state] = frozenset(s for s in seen if nfa.moves[s] or s in final)
            reached |= closures[state]
        return frozenset(reached)

    subsets: list[frozenset[int]] = []
    ids: dict[frozenset[int], int] = {}

    def intern(subset: frozenset[int]) -> int:
        if subset not in ids:
            ids[subset] = len(subsets)
            subsets.append(subset)
        return ids[subset]

    intern(frozenset())
    intern(closure(starts))
    rows: list[list[int]] = []
    accept: list[int] = []
    while len(rows) < len(subsets):  # ``subsets`` grows as successors are found
        subset = subsets[len(rows)]
        targets: list[set[int]] = [set() for _ in representative]
        for state in subset:
            for classes, target in moves[state]:
                for cls in classes:
                    targets[cls].add(target)
        rows.append([intern(closure(reached)) for reached in targets])
        accept.append(min((final[s] for s in subset if s in final), default=-1))
    return rows, accept


def _minimize(
    rows: list[list[int]], accept: list[int]
) -> tuple[list[list[int]], list[int], int]:
    """Merge equivalent states of ``_determinize``'s DFA and number them canonically.

    Moore's partition refinement: states are equivalent when they accept the same tag and
    their successors on every class are equivalent. Returns ``(rows, accept, start)`` of the
    minimal DFA, with the dead state 0 and the others numbered breadth-first from the start.
    """
    successors = [itemgetter(*row) for row in rows]
    blocks, n_blocks = accept, len(set(accept))
    while True:
        ids: dict[tuple, int] = {}
        refined = [ids.setdefault((blocks[state], successors[state](blocks)), len(ids))
                   for state in range(len(rows))]
        if len(ids) == n_blocks:  # refined is a refinement of blocks: no change
            break
        blocks, n_blocks = refined, len(ids)
    member: dict[int, int] = {}  # block -> one of its states
    for state, block in enumerate(refined):
        member.setdefault(block, state)
    order = list(dict.fromkeys([refined[0], refined[1]]))  # dead, start (unless dead too)
    number = {block: i for i, block in enumerate(order)}
    for block in order:  # ``order`` grows breadth-first
        for target in rows[member[block]]:
            if refined[target] not in number:
                number[refined[target]] = len(order)
                order.append(refined[target])
    minimal = [[number[refined[target]] for target in rows[member[block]]] for block in order]
    return minimal, [accept[member[block]] for block in order], number[refined[1]]
