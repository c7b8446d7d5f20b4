"""A self-contained HTML report of a `Leaderboard`: one file, no script, no network.

The page holds the ranked table, one bar chart per score with the confidence intervals as
whiskers, the distribution of per-image scores of every system (box plots), and each system's
best and worst images by the ranking score with their references. Charts are inline SVG,
styles inline CSS; a Content-Security-Policy forbids scripts and every fetch. Every caption,
name and id is HTML-escaped, so a caption such as ``<script>`` shows as text.
"""
from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

from capeval.human import HUMAN
from capeval.report.cells import cell_parts, notes, row_label
from capeval.report.leaderboard import Leaderboard

N_EXAMPLES = 3
"""Best and worst images shown per system."""

PALETTE = ("#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2",
           "#97bbf5", "#9c6b4e", "#9498a0")
HUMAN_COLOR = "#6b6b6b"

_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b;
       margin: 2em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; } h2 { margin-top: 1.8em; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { padding: .3em .7em; border-bottom: 1px solid #ddd; text-align: right;
         vertical-align: top; }
th { background: #f3f3f3; } td.name, th.name { text-align: left; font-weight: 600; }
.ci { color: #777; font-size: .85em; white-space: nowrap; } sup { color: #b00020; }
.notes, .signature { color: #444; font-size: .9em; }
.signature code { word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 1.2em; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .2em; }
svg text { font: 11px system-ui, sans-serif; fill: #1b1b1b; }
table.examples td, table.examples th { text-align: left; }
table.examples td.score { text-align: right; }
table.examples ul { margin: 0; padding-left: 1.1em; color: #555; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .35em;
          border-radius: 2px; }
"""


def render_html(board: Leaderboard) -> str:
    """Return the report as one HTML document (UTF-8 text)."""
    colors = _colors(board)
    sections = [
        "<h1>Caption leaderboard</h1>",
        f"<p class=\"notes\">{board.settings.n_images} images &middot; ranked by "
        f"{escape(board.settings.sort)}</p>",
        _table(board, colors),
        "<div class=\"notes\">" + "".join(f"<p>{escape(note)}</p>" for note in notes(board)[:-1])
        + "</div>",
        "<h2>Scores</h2>",
        "<div class=\"charts\">" + "".join(_bar_chart(board, score, colors)
                                          for score in board.score_names) + "</div>",
        "<h2>Per-image score distributions</h2>",
        "<p class=\"notes\">Box: quartiles; line: median; whiskers: minimum and maximum; "
        "dot: mean (the corpus score of BLEU is not the mean of its per-image scores).</p>",
        "<div class=\"charts\">" + "".join(_box_plot(board, score, colors)
                                          for score in board.score_names) + "</div>",
        f"<h2>Best and worst images by {escape(board.settings.sort)}</h2>",
        *(_examples(board, system, colors) for system in board.systems),
        f"<p class=\"signature\">Signature: <code>{escape(board.signature_string())}</code></p>",
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>Caption leaderboard</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(sections) + "\n</body>\n</html>\n"
    )


def _colors(board: Leaderboard) -> dict[str, str]:
    others = [name for name in board.systems if name != HUMAN or not board.settings.human]
    colors = {name: PALETTE[k % len(PALETTE)] for k, name in enumerate(others)}
    if board.settings.human:
        colors[HUMAN] = HUMAN_COLOR
    return colors


def _swatch(color: str) -> str:
    return f"<span class=\"swatch\" style=\"background:{color}\"></span>"


def _table(board: Leaderboard, colors: dict[str, str]) -> str:
    head = "".join(f"<th>{escape(score)}</th>" for score in board.score_names)
    rows = []
    for rank, system in enumerate(board.systems, start=1):
        cells = []
        for score in board.score_names:
            value, interval, marker = cell_parts(board, system, score)
            cells.append(f"<td>{value}{f'<sup>{marker}</sup>' if marker else ''}"
                         + (f"<br><span class=\"ci\">[{interval}]</span>" if interval else "")
                         + "</td>")
        rows.append(f"<tr><td>{rank}</td><td class=\"name\">{_swatch(colors[system])}"
                    f"{escape(row_label(board, system))}</td>{''.join(cells)}</tr>")
    return (f"<table class=\"scores\"><thead><tr><th>#</th><th class=\"name\">System</th>{head}"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")


_LABEL_WIDTH, _PLOT_WIDTH, _ROW, _TOP = 110, 230, 22, 8


def _svg(title: str, n_rows: int, body: str) -> str:
    width, height = _LABEL_WIDTH + _PLOT_WIDTH + 50, _TOP + _ROW * n_rows + 18
    return (f"<figure><figcaption>{escape(title)}</figcaption><svg xmlns=\"http://www.w3.org/"
            f"2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\""
            f"{escape(title)}\">{body}</svg></figure>")


def _label(index: int, name: str) -> str:
    y = _TOP + _ROW * index + _ROW / 2 + 4
    short = name if len(name) <= 16 else name[:15] + "\u2026"
    return (f"<text x=\"{_LABEL_WIDTH - 6}\" y=\"{y:.1f}\" text-anchor=\"end\">"
            f"{escape(short)}</text>")


def _axis(low: float, high: float, n_rows: int) -> str:
    y = _TOP + _ROW * n_rows
    parts = [f"<line x1=\"{_LABEL_WIDTH}\" y1=\"{_TOP}\" x2=\"{_LABEL_WIDTH}\" y2=\"{y}\" "
             "stroke=\"#999\"/>"]
    for value in np.linspace(low, high, 3):
        x = _x(value, low, high)
        parts.append(f"<text x=\"{x:.1f}\" y=\"{y + 13}\" text-anchor=\"middle\" "
                     f"fill=\"#666\">{value:.2f}</text>")
    return "".join(parts)


def _x(value: float, low: float, high: float) -> float:
    span = high - low if high > low else 1.0
    return _LABEL_WIDTH + (value - low) / span * _PLOT_WIDTH


def _bar_chart(board: Leaderboard, score: str, colors: dict[str, str]) -> str:
    values = board.scores[score]
    top = values.max() if board.ci_high is None else max(values.max(), board.ci_high[score].max())
    top = top * 1.05 if top > 0 else 1.0
    parts = []
    for index, system in enumerate(board.systems):
        y = _TOP + _ROW * index
        end = _x(values[system], 0.0, top)
        parts.append(_label(index, system))
        parts.append(f"<rect x=\"{_LABEL_WIDTH}\" y=\"{y + 4}\" width=\""
                     f"{end - _LABEL_WIDTH:.1f}\" height=\"{_ROW - 8}\" fill=\""
                     f"{colors[system]}\"><title>{escape(system)}: {values[system]:.4f}"
                     "</title></rect>")
        label_x = end
        bounds = board.interval(system, score)
        if bounds is not None:
            low, high = (_x(bound, 0.0, top) for bound in bounds)
            middle = y + _ROW / 2
            parts.append(f"<path d=\"M{low:.1f} {middle - 5}v10M{low:.1f} {middle}H{high:.1f}"
                         f"M{high:.1f} {middle - 5}v10\" stroke=\"#222\" fill=\"none\"/>")
            label_x = max(end, high)
        parts.append(f"<text x=\"{label_x + 4:.1f}\" y=\"{y + _ROW / 2 + 4:.1f}\">"
                     f"{values[system]:.3f}</text>")
    parts.append(_axis(0.0, top, len(board.systems)))
    return _svg(score, len(board.systems), "".join(parts))


def _box_plot(board: Leaderboard, score: str, colors: dict[str, str]) -> str:
    scores = {system: board.image_scores(system, score) for system in board.systems}
    every = pd.Series(np.concatenate(list(scores.values())))
    low, high = float(every.min()), float(every.max())
    parts = []
    for index, system in enumerate(board.systems):
        values = scores[system]
        smallest, q1, median, q3, largest = np.quantile(values, [0, 0.25, 0.5, 0.75, 1])
        y, middle = _TOP + _ROW * index, _TOP + _ROW * index + _ROW / 2
        x = {name: _x(value, low, high) for name, value in
             {"min": smallest, "q1": q1, "median": median, "q3": q3, "max": largest,
              "mean": values.mean()}.items()}
        parts.append(_label(index, system))
        parts.append(
            f"<line x1=\"{x['min']:.1f}\" y1=\"{middle}\" x2=\"{x['max']:.1f}\" y2=\"{middle}\" "
            "stroke=\"#555\"/>"
            f"<rect x=\"{x['q1']:.1f}\" y=\"{y + 4}\" width=\"{max(x['q3'] - x['q1'], 1):.1f}\" "
            f"height=\"{_ROW - 8}\" fill=\"{colors[system]}\" fill-opacity=\"0.75\" "
            "stroke=\"#333\"/>"
            f"<line x1=\"{x['median']:.1f}\" y1=\"{y + 4}\" x2=\"{x['median']:.1f}\" "
            f"y2=\"{y + _ROW - 4}\" stroke=\"#111\" stroke-width=\"2\"/>"
            f"<circle cx=\"{x['mean']:.1f}\" cy=\"{middle}\" r=\"3\" fill=\"#fff\" "
            f"stroke=\"#111\"><title>{escape(system)}: mean {values.mean():.4f}, median "
            f"{median:.4f}</title></circle>"
        )
    parts.append(_axis(low, high, len(board.systems)))
    return _svg(score, len(board.systems), "".join(parts))


def _examples(board: Leaderboard, system: str, colors: dict[str, str]) -> str:
    sort = board.settings.sort
    best, worst = board.examples(system, N_EXAMPLES)
    rows = []
    for which, chosen in (("best", best), ("worst", worst)):
        for example in chosen:
            references = "".join(f"<li>{escape(ref)}</li>"  # none on a diversity board
                                 for ref in example.references)
            rows.append(f"<tr><td>{which}</td><td>{escape(str(example.image_id))}</td>"
                        f"<td class=\"score\">{example.score:.3f}</td>"
                        f"<td>{escape(example.caption)}</td><td><ul>{references}</ul></td></tr>")
    note = (" (the first held-out reference of each image)"
            if system == HUMAN and board.settings.human else "")
    return (f"<h3>{_swatch(colors[system])}{escape(system)}{note}</h3>"
            "<table class=\"examples\"><thead><tr><th></th><th>image</th>"
            f"<th>{escape(sort)}</th><th>caption</th><th>references</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
