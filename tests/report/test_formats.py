"""Every leaderboard format: structure, numbers, markers, notes and signature."""
from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pytest

from capeval.report import FORMATS, format_leaderboard
from capeval.report.cells import significance_marker
from capeval.report.formats import latex_escape
from capeval.report.leaderboard import leaderboard
from tests.report.corpus import REFERENCES, SYSTEMS

NAMES = {"strong": "strong_1 & co", "weak": "weak", "markup": "mark|up*"}


@pytest.fixture(scope="module")
def board():
    systems = {NAMES[name]: hyps for name, hyps in SYSTEMS.items()}
    return leaderboard(systems, REFERENCES, tokenizer="none", n_bootstrap=60, seed=0,
                       test="bs", baseline="weak")


@pytest.fixture(scope="module")
def plain():
    return leaderboard(SYSTEMS, REFERENCES, tokenizer="none", n_bootstrap=0)


def test_formats_are_the_documented_six_and_the_cli_offers_them(board):
    from capeval.cli.leaderboard import leaderboard_command

    assert FORMATS == ("table", "markdown", "latex", "html", "csv", "json")  # README's order
    option = next(p for p in leaderboard_command.params if p.name == "fmt")
    assert tuple(option.type.choices) == FORMATS
    for fmt in FORMATS:
        assert format_leaderboard(board, fmt).endswith("\n")


@pytest.mark.parametrize("p, marker", [(0.001, "**"), (0.0099, "**"), (0.01, "*"),
                                       (0.049, "*"), (0.05, ""), (0.9, ""), (math.nan, "")])
def test_significance_markers(p, marker):
    assert significance_marker(p) == marker


def expected_cell(board, system, score):
    value = f"{board.scores.at[system, score]:.3f}"
    interval = (f"[{board.ci_low.at[system, score]:.3f}, "
                f"{board.ci_high.at[system, score]:.3f}]")
    p = board.p_values.at[system, score]
    return f"{value} {interval}{significance_marker(p)}"


def test_table(board):
    text = format_leaderboard(board, "table")
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["#", "System"]
    assert set(lines[1]) <= {"-", " "}
    for rank, system in enumerate(board.systems, start=1):
        row = lines[1 + rank]
        assert row.startswith(f"{rank}  ")
        for score in board.score_names:
            assert expected_cell(board, system, score) in row
    assert "weak (baseline)" in text
    assert "* p < 0.05, ** p < 0.01: paired bootstrap test against weak (60 resamples" in text
    assert "[low, high]: 95% percentile bootstrap confidence interval (60 resamples of the 8" \
        in text
    assert lines[-1] == f"Ranked by CIDEr-D. Signature: {board.signature_string()}"
    widths = {len(line) for line in lines[:5]}
    assert len(widths) <= 2  # aligned columns (the header may be shorter after rstrip)


def test_table_without_statistics_has_bare_values(plain):
    text = format_leaderboard(plain, "table")
    assert "[" not in text.split("\n\n")[0]
    assert "*" not in text
    assert "Every system is scored against all references." in text


def test_markdown(board):
    text = format_leaderboard(board, "markdown")
    table = text.split("\n\n")[0].splitlines()
    assert table[1] == "|---:|:---|" + "---:|" * len(board.score_names)
    rows = [table[0], *table[2:]]
    assert all(row.count(" | ") == len(board.score_names) + 1 for row in rows)
    assert "| strong\\_1 & co |" in text and "mark\\|up\\*" in text
    assert f"Signature: `{board.signature_string()}`" in text
    assert "\n\n\\* p \\< 0.05, \\*\\* p \\< 0.01" in text


def test_latex(board):
    text = format_leaderboard(board, "latex")
    lines = text.splitlines()
    assert lines[0] == "\\begin{tabular}{rl" + "r" * len(board.score_names) + "}"
    assert "\\end{tabular}" in lines
    assert any(line.startswith("1 & strong\\_1 \\& co & ") for line in lines)
    assert "{\\scriptsize[" in text
    assert lines[-1] == f"% Ranked by CIDEr-D. Signature: {board.signature_string()}"
    row = next(line for line in lines if line.startswith("1 & "))
    assert row.count(" & ") == len(board.score_names) + 1 and row.endswith(" \\\\")
    if (board.p_values.loc[board.systems[0]] < 0.05).any():
        assert "$^{*" in row


def test_latex_escape():
    assert latex_escape("a_b & c%$#{}~^\\") == (
        "a\\_b \\& c\\%\\$\\#\\{\\}\\textasciitilde{}\\textasciicircum{}\\textbackslash{}")


def test_csv_has_full_precision(board):
    rows = list(csv.DictReader(io.StringIO(format_leaderboard(board, "csv"))))
    assert [row["system"] for row in rows] == board.systems
    assert [row["rank"] for row in rows] == ["1", "2", "3"]
    for row in rows:
        system = row["system"]
        for score in board.score_names:
            assert float(row[score]) == board.scores.at[system, score]
            assert float(row[f"{score} ci_low"]) == board.ci_low.at[system, score]
            assert float(row[f"{score} ci_high"]) == board.ci_high.at[system, score]
            p = board.p_values.at[system, score]
            assert row[f"{score} p"] == ("" if np.isnan(p) else repr(float(p)))
        assert row["signature"] == board.signature_string()


def test_csv_without_statistics_leaves_cells_empty(plain):
    rows = list(csv.DictReader(io.StringIO(format_leaderboard(plain, "csv"))))
    assert rows[0]["CIDEr-D ci_low"] == rows[0]["CIDEr-D p"] == ""


def test_json_round_trips_to_dict(board, plain):
    assert json.loads(format_leaderboard(board, "json")) == board.to_dict()
    systems = json.loads(format_leaderboard(plain, "json"))["systems"]
    assert all(system["ci"] == {} and system["p"] == {} for system in systems)


def test_html_is_one_document(board):
    text = format_leaderboard(board, "html")
    assert text.startswith("<!DOCTYPE html>") and text.endswith("</html>\n")
    assert "strong_1 &amp; co" in text and "mark|up*" in text


def test_unknown_format_is_rejected(board):
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        format_leaderboard(board, "xml")


def test_html_without_statistics(plain):
    text = format_leaderboard(plain, "html")
    assert "class=\"ci\"" not in text and "<sup>" not in text
    assert text.count("<svg") == 2 * len(plain.score_names)
