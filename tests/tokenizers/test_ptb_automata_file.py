"""The shipped lexer automata (capeval/data/ptb/automata.bin): fresh, and read back intact."""
from __future__ import annotations

import json
import zlib
from importlib import resources

import pytest

from capeval.tokenizers.ptb.automata_file import (
    automaton_names,
    load_automata,
    read_automata,
    write_automata,
)
from capeval.tokenizers.ptb.charclasses import load_alphabet
from capeval.tokenizers.ptb.compile_rules import compile_rules

ALPHABET = load_alphabet()
SHIPPED = resources.files("capeval") / "data" / "ptb" / "automata.bin"


@pytest.fixture(scope="module")
def fresh():
    return compile_rules(ALPHABET)


def test_shipped_file_equals_a_fresh_build(fresh):
    """Fails after an edit of rules.py, automaton.py or charclasses.json until the file is
    rebuilt with ``python tools/build_ptb_automata.py``."""
    assert load_automata() == fresh


def test_write_then_read_gives_the_same_automata(fresh, tmp_path):
    path = tmp_path / "automata.bin"
    write_automata(fresh, ALPHABET, path)
    assert read_automata(path.read_bytes(), ALPHABET, str(path)) == fresh
    header = json.loads(path.read_bytes().partition(b"\n")[0])
    assert [entry["name"] for entry in header["automata"]] == automaton_names()
    assert header["automata"][0]["states"] == fresh.main.n_states


def test_a_file_from_other_rules_is_refused():
    line, _, body = SHIPPED.read_bytes().partition(b"\n")
    header = json.loads(line)
    header["fingerprint"] = "0" * 64
    stale = json.dumps(header).encode() + b"\n" + body
    with pytest.raises(ValueError, match="stale.bin: compiled from other rules.*"
                                         "tools/build_ptb_automata.py"):
        read_automata(stale, ALPHABET, "stale.bin")


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04", b'{"format": "other"}\n',
                                  b'{"format": "capeval-ptb-automata", "version": 99}\n'])
def test_other_files_are_refused(data):
    with pytest.raises(ValueError, match="x.bin: not a capeval-ptb-automata file of version 1"):
        read_automata(data, ALPHABET, "x.bin")


def test_truncated_tables_are_refused():
    line, _, body = SHIPPED.read_bytes().partition(b"\n")
    tables = zlib.decompress(body)
    with pytest.raises(ValueError):
        read_automata(line + b"\n" + zlib.compress(tables[:-2]), ALPHABET, "short.bin")
    with pytest.raises(ValueError, match="long.bin: the tables take"):
        read_automata(line + b"\n" + zlib.compress(tables + b"\0\0"), ALPHABET, "long.bin")
