"""Vocab, %Novel and Div-n: counts of distinct words, n-grams and captions.

Definitions follow captionGAN's ``imagernn/utils.py`` (Shetty et al., ICCV 2017), the code
behind ``computeDivStats.py`` and ImageCaptioning.pytorch's ``eval_div_stats``:

- **Div-n** of an image: distinct n-grams over all its captions divided by
  ``1e-6 + the number of words`` of its captions (words, not n-grams, for every n, and the
  1e-6 as in ``compute_div_n``); the corpus Div-n is the mean over images.
- **Vocab**: distinct words over all captions of all images (``compute_global_div_n`` with
  n = 1, reported as gDiv1 / "vocabulary usage"); per image: its distinct words.
- **%Novel**: the percentage of captions not found in the training captions. Captions are
  compared as token sequences after the run's tokenizer (so case and PTB punctuation do not
  make a caption novel); every caption counts, repeats included.
"""
from __future__ import annotations

from collections.abc import Collection

import numpy as np

from capeval.diversity.base import CaptionSets, DiversityMetric, ngram_set
from capeval.metrics.base import safe_divide

DIV_EPSILON = 1e-6
"""Added to the word count of an image (captionGAN's ``compute_div_n``)."""


class DivN(DiversityMetric):
    """Div-n: distinct n-grams of an image's captions per word of them, mean over images.

    Statistics per image: ``(div, 1)``.
    """

    stat_names = ("div", "count")

    def __init__(self, n: int) -> None:
        self.n = n
        self.name = f"Div-{n}"  # type: ignore[misc]
        self.score_names = (f"Div-{n}",)  # type: ignore[misc]

    def image_stats(self, caption_sets: CaptionSets) -> np.ndarray:
        stats = np.ones((len(caption_sets), 2))
        for row, captions in enumerate(caption_sets):
            distinct = set().union(*(ngram_set(tokens, self.n) for tokens in captions))
            words = sum(map(len, captions))
            stats[row, 0] = len(distinct) / (DIV_EPSILON + words)
        return stats

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        stats = np.asarray(stats, dtype=np.float64)
        return safe_divide(stats[..., 0], stats[..., 1])[..., np.newaxis]


class Vocab(DiversityMetric):
    """Vocab: distinct words over all captions (corpus); per image, its distinct words.

    Statistics per image: ``(distinct_words,)``; not summable.
    """

    name = "Vocab"
    score_names = ("Vocab",)
    stat_names = ("distinct_words",)
    summable = False

    def image_stats(self, caption_sets: CaptionSets) -> np.ndarray:
        counts = [len(set().union(*map(set, captions))) for captions in caption_sets]
        return np.asarray(counts, dtype=np.float64).reshape(-1, 1)

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        return np.asarray(stats, dtype=np.float64)[..., :1].copy()

    def corpus_score(self, caption_sets: CaptionSets, stats: np.ndarray) -> dict[str, float]:
        words = {word for captions in caption_sets for tokens in captions for word in tokens}
        return {"Vocab": float(len(words))}


class Novel(DiversityMetric):
    """%Novel: percentage of captions that are not training captions (0-100).

    Statistics per image: ``(novel_captions, captions)``.

    Parameters
    ----------
    train_captions : collection of token sequences
        The tokenized training captions.
    source : str, default="train"
        Where they came from, for the signature.
    """

    name = "%Novel"
    score_names = ("%Novel",)
    stat_names = ("novel", "captions")

    def __init__(self, train_captions: Collection[tuple[str, ...]], source: str = "train") -> None:
        self.train_captions = frozenset(tuple(tokens) for tokens in train_captions)
        self.source = source

    def signature(self) -> dict[str, str]:
        return {"train": f"{self.source}(N={len(self.train_captions)})"}

    def image_stats(self, caption_sets: CaptionSets) -> np.ndarray:
        rows = [(sum(tuple(tokens) not in self.train_captions for tokens in captions),
                 len(captions)) for captions in caption_sets]
        return np.asarray(rows, dtype=np.float64).reshape(-1, 2)

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        stats = np.asarray(stats, dtype=np.float64)
        return (100.0 * safe_divide(stats[..., 0], stats[..., 1]))[..., np.newaxis]
