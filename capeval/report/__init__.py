"""Leaderboards of several captioning systems: statistics, tables and an HTML report.

``capeval.leaderboard(systems, references)`` (`capeval.report.leaderboard.leaderboard`)
scores every system on the same images and returns a `Leaderboard` (pandas DataFrames of
scores, confidence intervals and p-values, and per-image scores of every system);
``format_leaderboard(board, fmt)`` renders it as a plain-text table, Markdown, LaTeX, HTML (a
self-contained report), CSV or JSON. `leaderboard_groups` ranks the systems on every group of
images as well (`GroupedLeaderboard`, rendered by `format_grouped`). `format_meta_evaluation`
renders a `capeval.meta_eval` result.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from capeval.report.formats import (
        GROUPED_FORMATS,
        check_grouped_format,
        format_grouped,
        format_leaderboard,
    )
    from capeval.report.grouped import GroupedLeaderboard, leaderboard_groups
    from capeval.report.leaderboard import COLUMN_ORDER, TESTS, Leaderboard
    from capeval.report.meta_eval import format_meta_evaluation

RENDERERS: dict[str, str] = {
    "table": "capeval.report.formats:to_table",
    "markdown": "capeval.report.formats:to_markdown",
    "latex": "capeval.report.formats:to_latex",
    "html": "capeval.report.html:render_html",
    "csv": "capeval.report.formats:to_csv",
    "json": "capeval.report.formats:to_json",
}
"""Output format -> ``module:function`` rendering a `Leaderboard`; imported on first use."""

FORMATS = tuple(RENDERERS)
"""Output formats of `format_leaderboard` (the CLI's ``--format`` choices)."""

META_EVAL_FORMATS = ("table", "csv", "json")
"""Output formats of `format_meta_evaluation` (``capeval meta-eval --format``)."""

_LAZY = {
    "format_leaderboard": "capeval.report.formats",
    "format_grouped": "capeval.report.formats",
    "check_grouped_format": "capeval.report.formats",
    "GROUPED_FORMATS": "capeval.report.formats",
    "GroupedLeaderboard": "capeval.report.grouped",
    "leaderboard_groups": "capeval.report.grouped",
    "Leaderboard": "capeval.report.leaderboard",
    "COLUMN_ORDER": "capeval.report.leaderboard",
    "TESTS": "capeval.report.leaderboard",
    "format_meta_evaluation": "capeval.report.meta_eval",
}


def __getattr__(name: str):
    # The leaderboard needs NumPy and pandas; the format registry (the CLI's option choices)
    # must not. (`capeval.report.leaderboard` is the module; the function is
    # `capeval.leaderboard`.)
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'capeval.report' has no attribute {name!r}")


__all__ = ["COLUMN_ORDER", "FORMATS", "GROUPED_FORMATS", "META_EVAL_FORMATS", "RENDERERS",
           "TESTS", "GroupedLeaderboard", "Leaderboard", "check_grouped_format",
           "format_grouped", "format_leaderboard", "format_meta_evaluation",
           "leaderboard_groups"]
