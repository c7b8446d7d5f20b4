"""Compile the PTB lexer's rule table into ``capeval/data/ptb/automata.bin``.

Usage::

    python tools/build_ptb_automata.py

Run it after any change to ``capeval/tokenizers/ptb/rules.py``, to the pattern compiler
(``automaton.py``) or to ``charclasses.json``: the tokenizer refuses a file compiled from
other rules, and ``tests/tokenizers/test_ptb_automata_file.py`` fails when the shipped
file differs from a fresh build. ``capeval/tokenizers/ptb/automata_file.py`` describes
the format.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from capeval.tokenizers.ptb.automata_file import write_automata
from capeval.tokenizers.ptb.charclasses import load_alphabet
from capeval.tokenizers.ptb.compile_rules import compile_rules

OUTPUT = Path(__file__).resolve().parents[1] / "capeval" / "data" / "ptb" / "automata.bin"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    alphabet = load_alphabet()
    start = time.perf_counter()
    automata = compile_rules(alphabet)
    elapsed = time.perf_counter() - start
    write_automata(automata, alphabet, args.output)
    dfas = automata.flat()
    context_states = sum(dfa.n_states for dfa in dfas[1:])
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes), compiled in "
          f"{elapsed:.1f} s: all rules {automata.main.n_states:,} states, {len(dfas) - 1} "
          f"trailing-context automata {context_states:,} states")


if __name__ == "__main__":
    main()
