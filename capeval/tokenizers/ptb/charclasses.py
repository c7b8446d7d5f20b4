"""The lexer's input alphabet: every UTF-16 code unit mapped to one *symbol*.

Symbols 0-127 are the ASCII characters themselves (the rules name many of them
individually). Every non-ASCII code unit maps to the symbol of its behavioural class in
CoreNLP 3.4.1's PTBLexer (``LETTER``, ``DIGIT_OTHER``, ``SYMBOL``, ``DASH``, ...), as
shipped in ``capeval/data/ptb/charclasses.json`` (built by
``tools/build_ptb_charclasses.py``). Characters of one class behave identically in every
rule, so the lexer's automaton works on at most 256 symbols.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

ASCII_SIZE = 128


@dataclass(frozen=True)
class Alphabet:
    """Symbol numbering for the lexer.

    Attributes
    ----------
    class_names : tuple of str
        Non-ASCII class ``class_names[k]`` is symbol ``128 + k``.
    translation : str of length 65536
        ``translation[code_unit]`` is ``chr(symbol)``; use with ``str.translate``.
    """

    class_names: tuple[str, ...]
    translation: str

    @property
    def size(self) -> int:
        """Number of symbols (ASCII plus non-ASCII classes)."""
        return ASCII_SIZE + len(self.class_names)

    def class_symbol(self, name: str) -> int:
        """Return the symbol of the non-ASCII class ``name`` (e.g. ``"DASH"``)."""
        return ASCII_SIZE + self.class_names.index(name)

    def symbols(self, text: str) -> bytes:
        """Map each code unit of ``text`` (BMP only, surrogates split) to its symbol."""
        return text.translate(self.translation).encode("latin-1")


@cache
def load_alphabet() -> Alphabet:
    """Read the shipped class table once and build the symbol translation."""
    path = resources.files("capeval") / "data" / "ptb" / "charclasses.json"
    raw = path.read_text(encoding="utf-8")
    table = json.loads(raw)
    names = tuple(table["classes"])
    starts = table["run_starts"] + [0x10000]
    pieces = [chr(code) for code in range(ASCII_SIZE)]
    for start, stop, cls in zip(starts[:-1], starts[1:], table["run_classes"], strict=True):
        start = max(start, ASCII_SIZE)
        if stop > start:
            pieces.append(chr(ASCII_SIZE + cls) * (stop - start))
    translation = "".join(pieces)
    if len(translation) != 0x10000:
        raise ValueError("charclasses.json does not cover the BMP exactly")
    return Alphabet(names, translation)
