"""A compiled deterministic automaton: flat transition tables and JFlex-style matching."""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class DFA:
    """A DFA over the symbols ``0 .. width - 1`` (see ``charclasses``), as two flat tables.

    State 0 is the dead state (it never accepts and never leaves). ``automaton.py``
    compiles patterns into a DFA; ``automata_file.py`` stores the lexer's in a data file.

    Attributes
    ----------
    width : int
        Number of symbols.
    start : int
        The start state.
    accept : array of int16, of length n_states
        ``accept[state]`` is the tag of the pattern accepted in ``state`` (the smallest
        tag when several are), or -1.
    transitions : array of uint16, of length n_states * width
        ``transitions[state * width + symbol]`` is the successor of ``state`` on ``symbol``.
    """

    width: int
    start: int
    accept: array
    transitions: array

    def __post_init__(self) -> None:
        if len(self.transitions) != len(self.accept) * self.width:
            raise ValueError(f"{len(self.transitions)} transitions for {len(self.accept)} "
                             f"states of {self.width} symbols")

    @cached_property
    def exits(self) -> bytes:
        """``exits[state]`` is 1 if ``state`` has a transition to a live state, else 0."""
        rows = self.transitions.tobytes()
        size = self.width * self.transitions.itemsize
        dead = bytes(size)
        return bytes(rows[i:i + size] != dead for i in range(0, len(rows), size))

    @property
    def n_states(self) -> int:
        return len(self.accept)

    def longest(self, symbols: bytes, pos: int) -> tuple[int, int, int]:
        """Longest match starting at ``pos``: ``(tag, end, reach)``, ``tag`` -1 if none.

        ``end`` is where the match ends (``pos`` if none); ``reach`` is one past the last
        symbol the automaton had to read (it stops when it dies, when it reaches a state
        with no way on, or at the end of the input), so the match does not depend on
        ``symbols[reach:]``.
        """
        transitions, accept, width, exits = self.transitions, self.accept, self.width, self.exits
        state, tag, end = self.start, -1, pos
        for i in range(pos, len(symbols)):
            state = transitions[state * width + symbols[i]]
            if state == 0:
                return tag, end, i + 1
            if accept[state] >= 0:
                tag, end = accept[state], i + 1
            if not exits[state]:
                return tag, end, i + 1
        return tag, end, len(symbols)

    def match_ends(self, symbols: bytes, start: int, stop: int) -> list[int]:
        """Every ``p`` in ``[start, stop]`` such that ``symbols[start:p]`` matches, ascending."""
        transitions, accept, width = self.transitions, self.accept, self.width
        state = self.start
        ends = [start] if accept[state] >= 0 else []
        for i in range(start, stop):
            state = transitions[state * width + symbols[i]]
            if state == 0:
                break
            if accept[state] >= 0:
                ends.append(i + 1)
        return ends

    def fullmatch(self, symbols: bytes, start: int, stop: int) -> bool:
        """Whether ``symbols[start:stop]`` matches exactly."""
        ends = self.match_ends(symbols, start, stop)
        return bool(ends) and ends[-1] == stop
