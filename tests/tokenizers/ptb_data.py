"""Fixture readers for the PTB tokenizer tests (the fixture format lives in the parity tool)."""
from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PTB_FIXTURES = ROOT / "tests" / "fixtures" / "ptb"


def _load_parity_tool():
    spec = importlib.util.spec_from_file_location(
        "check_ptb_parity", ROOT / "tools" / "check_ptb_parity.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


parity_tool = _load_parity_tool()
unescape = parity_tool.unescape


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of a fixture TSV (leading ``#`` comment lines skipped), values unescaped."""
    lines = (PTB_FIXTURES / name).read_text(encoding="utf-8").split("\n")
    while lines[0].startswith("#"):
        del lines[0]
    rows = csv.DictReader([line for line in lines if line], delimiter="\t",
                          quoting=csv.QUOTE_NONE)
    return [{key: unescape(value) for key, value in row.items()} for row in rows]


def read_context_cases() -> list[dict]:
    text = (PTB_FIXTURES / "ptb_context_cases.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n") if line.strip()]


def jar_followed() -> dict[str, str]:
    """Input -> the reference's output when another caption follows (line breaks as spaces)."""
    return {row["input"]: row["expected"] for row in read_table("jar_followed_cases.tsv")}


def jar_stream_cases() -> list[dict]:
    """Streams and the reference's tokens for each caption of one call (one string each);
    ``lossless`` is false where the reference itself loses data (see the tool)."""
    text = (PTB_FIXTURES / "jar_stream_cases.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.split("\n") if line.strip()]
    return [record for record in records if "captions" in record]  # the first: provenance
