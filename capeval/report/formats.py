"""Render a `Leaderboard` as a plain-text table, Markdown, LaTeX, CSV or JSON.

Text formats show scores with three decimals, the confidence interval in brackets and a
significance marker (``*`` p < 0.05, ``**`` p < 0.01 against the baseline), followed by notes
that say what the brackets and markers mean, which references were used, and the signature.
CSV and JSON carry full precision.
"""
from __future__ import annotations

import csv
import io
import json
from importlib import import_module

from capeval.errors import CapevalUsageError
from capeval.io.groups import ENTIRE
from capeval.report import RENDERERS
from capeval.report.cells import cell_parts, notes, row_label
from capeval.report.grouped import GroupedLeaderboard
from capeval.report.leaderboard import Leaderboard

def format_leaderboard(board: Leaderboard, fmt: str = "table") -> str:
    """Return the leaderboard rendered in `fmt` (a key of `RENDERERS`), ending with a newline."""
    if fmt not in RENDERERS:
        raise CapevalUsageError(f"unknown format {fmt!r}; choose from {', '.join(RENDERERS)}",
                                option="fmt")
    module_name, function = RENDERERS[fmt].split(":")
    return getattr(import_module(module_name), function)(board)


def _cells(board: Leaderboard, bracket: tuple[str, str] = ("[", "]"),
           marker_format: str = "{}", marker_width: int = 0) -> tuple[list[str], list[list[str]]]:
    header = ["#", "System", *board.score_names]
    rows = []
    for rank, system in enumerate(board.systems, start=1):
        cells = []
        for score in board.score_names:
            value, interval, marker = cell_parts(board, system, score)
            text = value + (f" {bracket[0]}{interval}{bracket[1]}" if interval else "")
            marked = marker_format.format(marker) if marker else ""
            cells.append(text + marked.ljust(marker_width))
        rows.append([str(rank), row_label(board, system), *cells])
    return header, rows


def to_table(board: Leaderboard) -> str:
    """Plain text: aligned columns (numbers right-aligned), then the notes."""
    return "\n".join([*_table_lines(board), "", *notes(board)]) + "\n"


def _table_lines(board: Leaderboard) -> list[str]:
    header, rows = _cells(board, marker_width=2 if board.settings.test else 0)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells):
        return "  ".join(cell.ljust(width) if i == 1 else cell.rjust(width)
                         for i, (cell, width) in enumerate(zip(cells, widths, strict=True)))

    body = [line(header), "  ".join("-" * width for width in widths), *map(line, rows)]
    return [text.rstrip() for text in body]


def to_markdown(board: Leaderboard) -> str:
    """A GitHub-flavoured Markdown table, then one paragraph per note."""
    return "\n\n".join([_markdown_table(board), *_markdown_notes(board)]) + "\n"


def _markdown_table(board: Leaderboard) -> str:
    header, rows = _cells(board)
    escaped = [[_markdown_escape(cell) for cell in cells] for cells in [header, *rows]]
    table = ["| " + " | ".join(cells) + " |" for cells in escaped]
    table.insert(1, "|" + "|".join(["---:", ":---", *["---:"] * (len(header) - 2)]) + "|")
    return "\n".join(table)


def _markdown_notes(board: Leaderboard, grouped: GroupedLeaderboard | None = None) -> list[str]:
    *explanations, _ = notes(board, grouped)
    return [*map(_markdown_escape, explanations),
            f"Ranked by {_markdown_escape(board.settings.sort)}. "
            f"Signature: `{(grouped or board).signature_string()}`"]


def _markdown_escape(text: str) -> str:
    """Escape what Markdown would read as markup (emphasis, tables, code, HTML)."""
    return "".join("\\" + ch if ch in "\\`*_|<>" else ch for ch in text)


_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                  "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
                  "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text."""
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(board: Leaderboard) -> str:
    """A ``tabular`` (no packages needed), the notes and signature as LaTeX comments."""
    return _latex({"": board}, notes(board))


def _latex(boards: dict[str, Leaderboard], comments: list[str]) -> str:
    """One ``tabular``; with several boards, each under a row naming it (``""``: no row)."""
    header = _cells(next(iter(boards.values())))[0]
    lines = [f"\\begin{{tabular}}{{rl{'r' * (len(header) - 2)}}}", "\\hline",
             " & ".join(latex_escape(cell) for cell in header) + " \\\\", "\\hline"]
    for name, board in boards.items():
        if name:
            title = f"\\textit{{{latex_escape(name)}}} ({board.settings.n_images} images)"
            lines.append(f"\\multicolumn{{{len(header)}}}{{l}}{{{title}}} \\\\")
        _, rows = _cells(board, bracket=("{\\scriptsize[", "]}"), marker_format="$^{{{}}}$")
        for row in rows:
            rank, label, *cells = row
            lines.append(" & ".join([rank, latex_escape(label), *cells]) + " \\\\")
        lines.append("\\hline")
    lines.append("\\end{tabular}")
    lines += [f"% {note}" for note in comments]
    return "\n".join(lines) + "\n"


def to_csv(board: Leaderboard) -> str:
    """One row per system: rank, system, then per score its value, ci_low, ci_high and p.

    Missing statistics are empty cells; the signature is the last column of every row.
    """
    return _csv({"": board}, grouped=False)


def _csv(boards: dict[str, Leaderboard], grouped: bool) -> str:
    """The rows of every board; `grouped` adds a first ``group`` column naming each board."""
    first = next(iter(boards.values()))
    columns = ["group"] if grouped else []
    columns += ["rank", "system"]
    for score in first.score_names:
        columns += [score, f"{score} ci_low", f"{score} ci_high", f"{score} p"]
    columns.append("signature")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for name, board in boards.items():
        for rank, system in enumerate(board.systems, start=1):
            row: list = [name] if grouped else []
            row += [rank, system]
            for score in board.score_names:
                bounds = board.interval(system, score)
                p = board.p_value(system, score)
                row += [repr(board.score(system, score)),
                        *(["", ""] if bounds is None else map(repr, bounds)),
                        "" if p is None else repr(p)]
            row.append(board.signature_string())
            writer.writerow(row)
    return out.getvalue()


def to_json(board: Leaderboard) -> str:
    """``{"signature": ..., "systems": [{"name", "scores", "ci", "p"}, ...]}``, indented."""
    return json.dumps(board.to_dict(), indent=2, ensure_ascii=False) + "\n"


def format_grouped(grouped: GroupedLeaderboard, fmt: str = "table") -> str:
    """Render every group's board in `fmt`: one table per group (``entire`` first), one set
    of notes; CSV adds a ``group`` column (each row signed by its own board), JSON is
    `GroupedLeaderboard.to_dict`. HTML is not available for groups (`check_grouped_format`).
    """
    check_grouped_format(fmt)
    boards = grouped.boards
    entire = boards[ENTIRE]
    if fmt == "table":
        sections = [line for name, board in boards.items() for line in
                    [_heading(name, board), *_table_lines(board), ""]]
        return "\n".join([*sections, *notes(entire, grouped)]) + "\n"
    if fmt == "markdown":
        sections = [text for name, board in boards.items() for text in
                    [f"**{_markdown_escape(_heading(name, board))}**", _markdown_table(board)]]
        return "\n\n".join([*sections, *_markdown_notes(entire, grouped)]) + "\n"
    if fmt == "latex":
        return _latex(boards, notes(entire, grouped))
    if fmt == "csv":
        return _csv(boards, grouped=True)
    return json.dumps(grouped.to_dict(), indent=2, ensure_ascii=False) + "\n"


GROUPED_FORMATS = ("table", "markdown", "latex", "csv", "json")
"""Formats `format_grouped` renders (the HTML report shows one set of images)."""


def check_grouped_format(fmt: str) -> None:
    """Raise `CapevalUsageError` unless `fmt` is one of `GROUPED_FORMATS`."""
    if fmt not in GROUPED_FORMATS:
        raise CapevalUsageError(f"format {fmt!r} is not available with groups (the HTML "
                                f"report shows one set of images); choose from "
                                f"{', '.join(GROUPED_FORMATS)}", option="fmt")


def _heading(name: str, board: Leaderboard) -> str:
    return f"{name} ({board.settings.n_images} images)"
