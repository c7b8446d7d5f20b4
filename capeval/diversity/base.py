"""Diversity metrics on per-image statistics of caption *sets* (several captions per image).

A diversity metric looks at the S images' sets of captions (each a list of token lists, e.g.
the samples of a stochastic captioner) and turns each image into a row of K statistics.
As for the accuracy metrics (`capeval.metrics.base`), a score is a pure function of a row,
or of the column sums of many rows (the corpus score), so bootstrap resampling works on
statistics alone. `Vocab` is the exception: the number of distinct words of a corpus is not
a function of per-image sums, so it has no bootstrap interval (`summable = False`).

Letters used in shapes: S images, M captions per image, K statistics, C scores.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

import numpy as np

from capeval.errors import CapevalUsageError

Tokens = Sequence[str]
CaptionSets = Sequence[Sequence[Tokens]]
"""S images, each a non-empty sequence of tokenized captions."""


class DiversityMetric(ABC):
    """Base class: subclasses implement `image_stats` and `scores_from_stats`."""

    name: ClassVar[str]
    score_names: ClassVar[tuple[str, ...]]
    stat_names: tuple[str, ...]
    summable: ClassVar[bool] = True
    """Whether the corpus score is a function of summed statistics (so bootstrap applies)."""
    min_captions: ClassVar[int] = 1
    """The fewest captions an image may have."""

    @abstractmethod
    def image_stats(self, caption_sets: CaptionSets) -> np.ndarray:
        """Return statistics of shape (S, K), dtype float64."""

    @abstractmethod
    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        """Return scores of shape (..., C) for statistics of shape (..., K); pure."""

    def corpus_score(self, caption_sets: CaptionSets, stats: np.ndarray) -> dict[str, float]:
        """Return the corpus scores from the statistics of `caption_sets` (column sums)."""
        totals = np.asarray(stats, dtype=np.float64).sum(axis=0)
        return dict(zip(self.score_names, self.scores_from_stats(totals).tolist(), strict=True))

    def signature(self) -> dict[str, str]:
        """Return the settings that determine the scores."""
        return {}

    def check(self, caption_sets: CaptionSets) -> None:
        """Raise `CapevalUsageError` if an image has fewer than `min_captions` captions."""
        for index, captions in enumerate(caption_sets):
            if len(captions) < self.min_captions:
                raise CapevalUsageError(
                    f"{self.name} needs at least {self.min_captions} captions per image; "
                    f"image {index} has {len(captions)}", option="hypotheses")


def ngram_set(tokens: Tokens, n: int) -> set[tuple[str, ...]]:
    """Return the distinct n-grams of one caption."""
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}
