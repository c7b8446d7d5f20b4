"""Metrics computed from per-segment sufficient statistics.

A *segment* is one image: one hypothesis caption and its reference captions, each already
tokenized (a caption is a sequence of token strings). Every metric turns each segment into a
row of K statistics; a score is a pure function of such a row. Applied to one row it gives the
segment's score; applied to the column sums of many rows it gives their corpus score. Bootstrap
resampling, incremental accumulation and the merging of shards therefore all work on
statistics alone and never re-score text.

Letters used in shapes: S segments, K statistics per segment, C scores a metric reports
(BLEU reports four, BLEU-1..4), B bootstrap samples.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

Tokens = Sequence[str]
"""One tokenized caption."""


class Metric(ABC):
    """Base class: subclasses implement `_segment_stats` and `scores_from_stats` only.

    Statistics are float64 (integer counts are exact below 2**53). Column meanings are given by
    `stat_names`; the scores a metric reports are named by `score_names`.
    """

    name: ClassVar[str]
    """Display name of the metric family, e.g. ``"BLEU"``."""

    score_names: tuple[str, ...]
    """Names of the C scores, e.g. ``("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4")``."""

    stat_names: tuple[str, ...]
    """Names of the K statistics of a segment row."""

    # -- hooks -------------------------------------------------------------------------------
    @abstractmethod
    def _segment_stats(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> np.ndarray:
        """Return statistics of shape (S, K), dtype float64, for validated segments."""

    @abstractmethod
    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        """Return the scores for statistics rows; pure, never mutates `stats`.

        Parameters
        ----------
        stats : ndarray of shape (..., K)
            One row per segment, or column sums over segments (a corpus).

        Returns
        -------
        ndarray of shape (..., C), dtype float64
        """

    def signature(self) -> dict[str, str]:
        """Return the settings that determine the scores, as short key/value strings."""
        return {}

    # -- public API built on the hooks ---------------------------------------------------------
    def segment_stats(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> np.ndarray:
        """Return per-segment statistics of shape (S, K), dtype float64.

        Parameters
        ----------
        hypotheses : sequence of S token sequences
        references : sequence of S non-empty sequences of token sequences

        Raises
        ------
        ValueError
            If the two sequences differ in length or a segment has no reference.
        """
        check_segments(hypotheses, references)
        stats = self._segment_stats(hypotheses, references)
        return np.asarray(stats, dtype=np.float64).reshape(len(hypotheses), len(self.stat_names))

    def corpus_score_from_stats(self, stats: np.ndarray) -> dict[str, float]:
        """Return the corpus scores of statistics of shape (S, K), keyed by `score_names`."""
        totals = np.asarray(stats, dtype=np.float64).sum(axis=0)
        return dict(zip(self.score_names, self.scores_from_stats(totals).tolist(), strict=True))

    def corpus_score(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> dict[str, float]:
        """Return the corpus scores of S segments, keyed by `score_names`."""
        return self.corpus_score_from_stats(self.segment_stats(hypotheses, references))

    def sentence_scores(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> np.ndarray:
        """Return per-segment scores of shape (S, C), columns ordered as `score_names`."""
        return self.scores_from_stats(self.segment_stats(hypotheses, references))

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value}" for key, value in self.signature().items())
        return f"{type(self).__name__}({settings})"


def check_segments(hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]) -> None:
    """Raise ValueError unless there is one non-empty reference list per hypothesis."""
    if len(hypotheses) != len(references):
        raise ValueError(
            f"got {len(hypotheses)} hypotheses but {len(references)} reference lists"
        )
    for index, refs in enumerate(references):
        if len(refs) == 0:
            raise ValueError(f"segment {index} has no reference caption")


def safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Return numerator / denominator elementwise, 0 where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


class SegmentMeanMetric(Metric):
    """A metric whose corpus score is the mean of its segment scores.

    Its statistics are ``(score, count)`` with count 1 per segment, so sums of rows still give
    the corpus mean.
    """

    stat_names = ("score", "count")

    @abstractmethod
    def _segment_scores(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> np.ndarray:
        """Return the S segment scores, shape (S,), dtype float64."""

    def _segment_stats(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> np.ndarray:
        scores = np.asarray(self._segment_scores(hypotheses, references), dtype=np.float64)
        return np.column_stack([scores, np.ones_like(scores)])

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        stats = np.asarray(stats, dtype=np.float64)
        return safe_divide(stats[..., 0], stats[..., 1])[..., np.newaxis]
