"""The text of a leaderboard shared by every renderer: cells, row labels and notes.

A cell is a score with three decimals, its confidence interval and a significance marker
(``*`` p < 0.05, ``**`` p < 0.01 against the baseline); the notes say what the brackets and
markers mean, which references were used, and the signature.
"""
from __future__ import annotations

import math

from capeval.breakdown import PER_GROUP_DF
from capeval.human import HUMAN
from capeval.io.groups import ENTIRE
from capeval.report.grouped import GroupedLeaderboard
from capeval.report.leaderboard import TESTS, Leaderboard

MARKERS = ((0.01, "**"), (0.05, "*"))
"""(threshold, marker): the first threshold a p-value is below gives its marker."""


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
    return f"{system} (baseline)" if system == board.settings.baseline else system


def notes(board: Leaderboard, grouped: GroupedLeaderboard | None = None) -> list[str]:
    """Return the sentences explaining intervals, markers and references, then the signature.

    With `grouped` (whose entire-set board is `board`), they describe every group's table.
    """
    settings = board.settings
    images = (f"the {settings.n_images} images" if grouped is None
              else "the images of each table")
    lines = []
    if grouped is not None:
        own_df = PER_GROUP_DF in grouped.signature.values()
        lines.append(f"{ENTIRE}: all {settings.n_images} images; every group is scored as "
                     f"its own evaluation{' (its own CIDEr-D df)' if own_df else ''} and "
                     "ranked on its own.")
    if settings.ci is not None:
        lines.append(f"[low, high]: {settings.ci:.0%} percentile bootstrap confidence "
                     f"interval ({settings.n_bootstrap} resamples of {images}, seed "
                     f"{settings.seed}).")
    if settings.test:
        lines.append(f"* p < 0.05, ** p < 0.01: {TESTS[settings.test]} test against "
                     f"{settings.baseline} ({settings.n_bootstrap} "
                     f"{'resamples' if settings.test == 'bs' else 'trials'}, two-sided).")
    if settings.no_interval:
        lines.append(f"No interval for {', '.join(settings.no_interval)}: a count over the "
                     "whole corpus, not a function of per-image statistics.")
    elif settings.human:
        lines.append(f"{HUMAN}: each reference scored against the other references of its "
                     f"image, in {settings.n_folds} leave-one-out folds; every system is "
                     "scored against the same reduced reference sets and averaged over folds.")
    else:
        lines.append("Every system is scored against all references.")
    signature = (grouped or board).signature_string()
    lines.append(f"Ranked by {settings.sort}. Signature: {signature}")
    return lines
