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
import math

from capeval.breakdown import PER_GROUP_DF
from capeval.errors import CapevalUsageError
from capeval.human import HUMAN
from capeval.io.groups import ENTIRE
from capeval.report.grouped import GroupedLeaderboard
from capeval.report.leaderboard import TESTS, Leaderboard

MARKERS = ((0.01, "**"), (0.05, "*"))
"""(threshold, marker): the first threshold a p-value is below gives its marker."""


def format_leaderboard(board: Leaderboard, fmt: str = "table") -> str:
    """Return the leaderboard rendered in `fmt` (see `FORMATTERS`), ending with a newline."""
    if fmt not in FORMATTERS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATTERS)}")
    return FORMATTERS[fmt](board)


def significance_marker(p: float) -> str:
    """Return ``**``, ``*`` or ``""`` for a p-value (NaN: no marker)."""
    if math.isnan(p):
        return ""
    return next((marker for threshold, marker in MARKERS if p < threshold), "")


def cell_parts(board: Leaderboard, system: str, score: str) -> tuple[str, str, str]:
    """Return (value, interval, marker) strings of one cell, e.g. ("0.943", "0.930, 0.956", "*")."""
    bounds = board.interval(system, score)
    p = board.p_value(system, score)
    return (f"{board.score(system, score):.3f}",
            "" if bounds is None else f"{bounds[0]:.3f}, {bounds[1]:.3f}",
            "" if p is None else significance_marker(p))


def row_label(board: Leaderboard, system: str) -> str:
    """Return a system's name, with "(baseline)" appended for the baseline."""
    return f"{system} (baseline)" if system == board.settings["baseline"] else system


def notes(board: Leaderboard, grouped: GroupedLeaderboard | None = None) -> list[str]:
    """Return the sentences explaining intervals, markers and references, then the signature.

    With `grouped` (whose entire-set board is `board`), they describe every group's table.
    """
    settings = board.settings
    images = (f"the {settings['n_images']} images" if grouped is None
              else "the images of each table")
    lines = []
    if grouped is not None:
        own_df = PER_GROUP_DF in grouped.signature.values()
        lines.append(f"{ENTIRE}: all {settings['n_images']} images; every group is scored as "
                     f"its own evaluation{' (its own CIDEr-D df)' if own_df else ''} and "
                     "ranked on its own.")
    if settings["ci"] is not None:
        lines.append(f"[low, high]: {settings['ci']:.0%} percentile bootstrap confidence "
                     f"interval ({settings['n_bootstrap']} resamples of {images}, seed "
                     f"{settings['seed']}).")
    if settings["test"]:
        lines.append(f"* p < 0.05, ** p < 0.01: {TESTS[settings['test']]} test against "
                     f"{settings['baseline']} ({settings['n_bootstrap']} "
                     f"{'resamples' if settings['test'] == 'bs' else 'trials'}, two-sided).")
    if settings.get("no_interval"):
        lines.append(f"No interval for {', '.join(settings['no_interval'])}: a count over the "
                     "whole corpus, not a function of per-image statistics.")
    elif settings["human"]:
        lines.append(f"{HUMAN}: each reference scored against the other references of its "
                     f"image, in {settings['n_folds']} leave-one-out folds; every system is "
                     "scored against the same reduced reference sets and averaged over folds.")
    else:
        lines.append("Every system is scored against all references.")
    signature = (grouped or board).signature_string()
    lines.append(f"Ranked by {settings['sort']}. Signature: {signature}")
    return lines


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
    header, rows = _cells(board, marker_width=2 if board.settings["test"] else 0)
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
            f"Ranked by {_markdown_escape(board.settings['sort'])}. "
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
            title = f"\\textit{{{latex_escape(name)}}} ({board.settings['n_images']} images)"
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


def to_html(board: Leaderboard) -> str:
    from capeval.report.html import render_html

    return render_html(board)


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
    return f"{name} ({board.settings['n_images']} images)"


FORMATTERS = {"table": to_table, "markdown": to_markdown, "latex": to_latex, "csv": to_csv,
              "json": to_json, "html": to_html}
"""Format name -> function rendering a Leaderboard as a string."""
