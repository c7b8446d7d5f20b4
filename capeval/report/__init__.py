"""Leaderboards of several captioning systems: statistics, tables and an HTML report.

``leaderboard(systems, references)`` scores every system on the same images and returns a
`Leaderboard` (pandas DataFrames of scores, confidence intervals and p-values, and per-image
scores of every system); ``format_leaderboard(board, fmt)`` renders it as a plain-text table,
Markdown, LaTeX, CSV, JSON or a self-contained HTML report.
"""
from __future__ import annotations

from capeval.report.formats import (
    FORMATTERS,
    GROUPED_FORMATS,
    check_grouped_format,
    format_grouped,
    format_leaderboard,
)
from capeval.report.grouped import GroupedLeaderboard, leaderboard_groups
from capeval.report.leaderboard import COLUMN_ORDER, TESTS, Leaderboard, leaderboard

FORMATS = tuple(FORMATTERS)
"""Output formats of `format_leaderboard`."""

__all__ = ["COLUMN_ORDER", "FORMATS", "GROUPED_FORMATS", "TESTS", "GroupedLeaderboard",
           "check_grouped_format", "Leaderboard", "format_grouped",
           "format_leaderboard", "leaderboard", "leaderboard_groups"]
