"""Leaderboards of several captioning systems: statistics, tables and an HTML report.

``leaderboard(systems, references)`` scores every system on the same images and returns a
`Leaderboard` (pandas DataFrames of scores, confidence intervals and p-values, and per-image
scores of every system); ``format_leaderboard(board, fmt)`` renders it as a plain-text table,
Markdown, LaTeX, CSV, JSON or a self-contained HTML report.
"""
from __future__ import annotations

from capeval.report.formats import FORMATTERS, format_leaderboard
from capeval.report.leaderboard import COLUMN_ORDER, TESTS, Leaderboard, leaderboard

FORMATS = tuple(FORMATTERS)
"""Output formats of `format_leaderboard`."""

__all__ = ["COLUMN_ORDER", "FORMATS", "TESTS", "Leaderboard", "format_leaderboard", "leaderboard"]
