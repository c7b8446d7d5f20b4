"""Build ``capeval/data/ptb/charclasses.json`` from the jar's character-class table.

Usage::

    python tools/build_ptb_charclasses.py /work/shared/docs/ptb_charclasses.tsv

The input is a TSV (``first<TAB>last<TAB>class``, hex code points, ``#`` comments, a header
row) giving the lexer class of every BMP code point of CoreNLP 3.4.1's PTBLexer. The output
merges adjacent rows of one class into runs and stores them as two parallel integer lists
(run start, class index) plus the class names; the runs must cover U+0000..U+FFFF exactly.
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "capeval" / "data" / "ptb" / "charclasses.json"
BMP_SIZE = 0x10000


def read_rows(path: Path) -> list[tuple[int, int, str]]:
    """Return ``(first, last, class)`` rows, checking they tile the BMP in order."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t")
    rows = [(int(r["first"], 16), int(r["last"], 16), r["class"]) for r in reader]
    expected = 0
    for first, last, name in rows:
        if first != expected or last < first:
            raise SystemExit(f"{path}: row {first:04X}-{last:04X} {name}: "
                             f"expected start {expected:04X}")
        expected = last + 1
    if expected != BMP_SIZE:
        raise SystemExit(f"{path}: rows end at {expected - 1:04X}, not FFFF")
    return rows


def to_runs(rows: list[tuple[int, int, str]]) -> dict:
    """Merge adjacent rows of one class; return the JSON document."""
    classes = sorted({name for _, _, name in rows})
    index = {name: i for i, name in enumerate(classes)}
    starts: list[int] = []
    run_classes: list[int] = []
    for first, _, name in rows:
        if not run_classes or run_classes[-1] != index[name]:
            starts.append(first)
            run_classes.append(index[name])
    return {
        "description": (
            "Lexer character class of every BMP code point in Stanford CoreNLP 3.4.1's "
            "PTBLexer (as read from the jar's compiled character map). Run i covers code "
            "points run_starts[i] .. run_starts[i+1]-1 and has class classes[run_classes[i]]."
        ),
        "classes": classes,
        "run_starts": starts,
        "run_classes": run_classes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tsv", type=Path, help="ptb_charclasses.tsv")
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    document = to_runs(read_rows(args.tsv))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    runs, classes = len(document["run_starts"]), len(document["classes"])
    print(f"wrote {args.output}: {runs} runs, {classes} classes")


if __name__ == "__main__":
    main()
