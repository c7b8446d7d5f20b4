"""The general lexer's automata, shipped compiled in ``capeval/data/ptb/automata.bin``.

Compiling the rule table (``compile_rules.py``) takes about a second, more than tokenizing
a large corpus, so ``tools/build_ptb_automata.py`` compiles it once into the data file and
the tokenizer loads that (``load_automata``, a few milliseconds).

File format: one line of JSON (format name, version, the fingerprint of the rules and
character classes it was compiled from, and each automaton's name, state count and start
state), then the zlib-compressed tables: for each automaton in the listed order, its
``accept`` (int16) and ``transitions`` (uint16) arrays, little-endian (see ``dfa.DFA``).

Loading refuses a file whose fingerprint differs from the current rules, and
``tests/tokenizers/test_ptb_automata_file.py`` checks that the shipped file equals a fresh
build, so the file cannot silently go stale.
"""
from __future__ import annotations

import hashlib
import json
import sys
import zlib
from array import array
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from capeval.tokenizers.ptb.charclasses import Alphabet, load_alphabet
from capeval.tokenizers.ptb.dfa import DFA
from capeval.tokenizers.ptb.rules import MACROS, RULES, SETS

FORMAT = "capeval-ptb-automata"
VERSION = 1
GENERATOR = "python tools/build_ptb_automata.py"


@dataclass(frozen=True)
class LexerAutomata:
    """The automata of the general lexer.

    Attributes
    ----------
    main : DFA
        All rules; rule ``i`` of ``RULES`` has tag ``i``. A rule with a trailing context
        is compiled as its pattern followed by its trail.
    contexts : tuple of (DFA, DFA) or None, one per rule
        For a rule with a trailing context, the automata of its pattern and of its trail.
    """

    main: DFA
    contexts: tuple[tuple[DFA, DFA] | None, ...]

    def flat(self) -> list[DFA]:
        """Every automaton, in the order of ``automaton_names``."""
        return [self.main, *(dfa for context in self.contexts if context for dfa in context)]

    @classmethod
    def from_flat(cls, dfas: list[DFA]) -> LexerAutomata:
        """The inverse of ``flat``."""
        main, *rest = dfas
        pairs = iter(zip(rest[::2], rest[1::2], strict=True))
        return cls(main, tuple(None if rule.trail is None else next(pairs) for rule in RULES))


def automaton_names() -> list[str]:
    """Names of the automata, in file order: all rules, then pattern and trail per context."""
    names = ["rules"]
    for rule in RULES:
        if rule.trail is not None:
            names += [f"{rule.name}: pattern", f"{rule.name}: trail"]
    return names


def fingerprint(alphabet: Alphabet) -> str:
    """SHA-256 (hex) of what the automata are compiled from: rule table and symbol numbering."""
    source = {
        "classes": alphabet.class_names,
        "sets": SETS,
        "macros": MACROS,
        "rules": [[rule.name, rule.pattern, rule.trail] for rule in RULES],
    }
    return hashlib.sha256(json.dumps(source).encode("utf-8")).hexdigest()


def write_automata(automata: LexerAutomata, alphabet: Alphabet, path: Path) -> None:
    """Write ``automata`` (compiled for ``alphabet``) in the format of the module docstring."""
    dfas = automata.flat()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "description": "Minimal DFAs of capeval's PTB lexer rules (capeval/tokenizers/ptb/"
                       "rules.py) over the symbols of capeval/data/ptb/charclasses.json.",
        "generator": GENERATOR,
        "fingerprint": fingerprint(alphabet),
        "symbols": alphabet.size,
        "automata": [{"name": name, "states": dfa.n_states, "start": dfa.start}
                     for name, dfa in zip(automaton_names(), dfas, strict=True)],
    }
    tables = bytearray()
    for dfa in dfas:
        for table in (dfa.accept, dfa.transitions):
            tables += _little_endian(table).tobytes()
    with open(path, "wb") as handle:
        handle.write(json.dumps(header).encode("utf-8") + b"\n")
        handle.write(zlib.compress(bytes(tables), 9))


def read_automata(data: bytes, alphabet: Alphabet, source: str) -> LexerAutomata:
    """Parse the contents of an automata file compiled for ``alphabet``.

    Raises
    ------
    ValueError
        If ``data`` is not such a file, or was compiled from other rules or another
        alphabet; the message names ``source``.
    """
    line, _, body = data.partition(b"\n")
    try:
        header = json.loads(line)
        names = [entry["name"] for entry in header["automata"]]
        if header["format"] != FORMAT or header["version"] != VERSION:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise ValueError(f"{source}: not a {FORMAT} file of version {VERSION}") from None
    if (header.get("fingerprint") != fingerprint(alphabet) or header.get("symbols") != alphabet.size
            or names != automaton_names()):
        raise ValueError(f"{source}: compiled from other rules or character classes; "
                         f"rebuild it with `{GENERATOR}`")
    tables = memoryview(zlib.decompress(body))
    dfas, offset = [], 0
    for entry in header["automata"]:
        accept, transitions = array("h"), array("H")
        for table, length in ((accept, entry["states"]),
                              (transitions, entry["states"] * alphabet.size)):
            table.frombytes(tables[offset : offset + 2 * length])
            offset += 2 * length
        dfas.append(DFA(alphabet.size, entry["start"], _little_endian(accept),
                        _little_endian(transitions)))
    if offset != len(tables):
        raise ValueError(f"{source}: the tables take {len(tables)} bytes, not {offset}")
    return LexerAutomata.from_flat(dfas)


@cache
def load_automata() -> LexerAutomata:
    """The shipped automata (``capeval/data/ptb/automata.bin``), read once."""
    path = resources.files("capeval") / "data" / "ptb" / "automata.bin"
    return read_automata(path.read_bytes(), load_alphabet(), str(path))


def _little_endian(table: array) -> array:
    """``table`` in little-endian byte order (a byte-swapped copy on big-endian machines)."""
    if sys.byteorder == "little":
        return table
    swapped = array(table.typecode, table)
    swapped.byteswap()
    return swapped
