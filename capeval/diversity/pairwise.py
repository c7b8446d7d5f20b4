"""mBLEU-4 and Self-CIDEr: how alike an image's captions are to each other.

- **mBLEU-4** follows captionGAN's ``computeDivStats.py`` (and ImageCaptioning.pytorch's
  ``eval_div_stats``, a copy of it): for each caption index i, every image's i-th caption is
  scored against that image's other captions with pycocoevalcap's corpus BLEU
  (`capeval.metrics.bleu.Bleu`, the same statistics); mBLEU-4 is the mean over i of those M
  corpus BLEU-4 scores. Every image must have the same number M of captions, as those scripts
  assume. Per image (a choice: the scripts report a per-image mBLEU-2 only): the mean over i
  of the image's own BLEU-4 of caption i against the others. Lower means more diverse.
- **Self-CIDEr** (Wang and Chan, CVPR 2019) follows ImageCaptioning.pytorch's
  ``eval_self_cider`` with ruotianluo/cider's ``my_self_cider``: the M x M kernel
  ``K[i, j]`` = CIDEr (the original: no clipping, no length penalty, x10;
  `capeval.metrics.cider.Cider`) of caption i against caption j alone, with document
  frequencies and N from the *references* (there: every reference of the evaluation split;
  here: the references given, or a `DocumentFrequencies` table); with ``λ`` the eigenvalues of
  ``K / 10`` clipped at 0, the image's score is ``-log(sqrt(λ_max) / Σ sqrt(λ)) / log(M)``,
  from 0 (all captions alike) to 1; the corpus score is the mean over images. An image whose
  kernel is all zero (no caption has any word) scores 0 (the original divides 0 by 0).
"""
from __future__ import annotations

import numpy as np

from capeval.diversity.base import CaptionSets, DiversityMetric
from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalUsageError
from capeval.metrics.base import safe_divide
from capeval.metrics.bleu import Bleu
from capeval.metrics.cider import Cider


class MutualBleu(DiversityMetric):
    """mBLEU-4: each caption against the image's other captions, BLEU-4, mean over captions.

    Statistics per image (K = 10 M): BLEU's 10 statistics of caption 1 against the others,
    then of caption 2, ... caption M.
    """

    name = "mBLEU-4"
    score_names = ("mBLEU-4",)
    min_captions = 2

    def __init__(self) -> None:
        self.bleu = Bleu(4)
        self.stat_names = ()

    def check(self, caption_sets: CaptionSets) -> None:
        super().check(caption_sets)
        counts = {len(captions) for captions in caption_sets}
        if len(counts) > 1:
            first = len(caption_sets[0])
            other = next(i for i, caps in enumerate(caption_sets) if len(caps) != first)
            raise CapevalUsageError(
                f"mBLEU-4 needs the same number of captions for every image; image 0 has "
                f"{first}, image {other} has {len(caption_sets[other])}", option="hypotheses")

    def image_stats(self, caption_sets: CaptionSets) -> np.ndarray:
        n_captions = len(caption_sets[0]) if caption_sets else 0
        self.stat_names = tuple(f"caption_{i + 1}.{name}" for i in range(n_captions)
                                for name in self.bleu.stat_names)
        blocks = [self.bleu.segment_stats([captions[i] for captions in caption_sets],
                                          [[*captions[:i], *captions[i + 1:]]
                                           for captions in caption_sets])
                  for i in range(n_captions)]
        return np.hstack(blocks) if blocks else np.zeros((len(caption_sets), 0))

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        stats = np.asarray(stats, dtype=np.float64)
        width = len(self.bleu.stat_names)
        per_caption = stats.reshape(*stats.shape[:-1], stats.shape[-1] // width, width)
        return self.bleu.scores_from_stats(per_caption)[..., 3:4].mean(axis=-2)


class SelfCider(DiversityMetric):
    """Self-CIDEr: eigenvalue diversity of the CIDEr kernel of an image's captions (0-1).

    Statistics per image: ``(score, 1)``.

    Parameters
    ----------
    document_frequencies : DocumentFrequencies
        df and N of the reference corpus (``DocumentFrequencies.from_references``).
    """

    name = "Self-CIDEr"
    score_names = ("Self-CIDEr",)
    stat_names = ("score", "count")
    min_captions = 2

    def __init__(self, document_frequencies: DocumentFrequencies) -> None:
        self.cider = Cider(document_frequencies)

    def signature(self) -> dict[str, str]:
        return {"df": self.cider.signature()["df"]}

    def kernels(self, caption_sets: CaptionSets) -> list[np.ndarray]:
        """Return each image's CIDEr kernel, shape (M, M), ``K[i, j]`` = CIDEr(c_i, [c_j])."""
        hypotheses = [tokens for captions in caption_sets for tokens in captions
                      for _ in captions]
        references = [[other] for captions in caption_sets for _ in captions
                      for other in captions]
        scores = self.cider.sentence_scores(hypotheses, references)[:, 0]
        sizes = [len(captions) ** 2 for captions in caption_sets]
        return [block.reshape(int(np.sqrt(size)), -1)
                for block, size in zip(np.split(scores, np.cumsum(sizes)[:-1]), sizes,
                                       strict=True)]

    def image_stats(self, caption_sets: CaptionSets) -> np.ndarray:
        scores = [self_cider(kernel) for kernel in self.kernels(caption_sets)]
        return np.column_stack([scores, np.ones(len(scores))]).reshape(-1, 2)

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        stats = np.asarray(stats, dtype=np.float64)
        return safe_divide(stats[..., 0], stats[..., 1])[..., np.newaxis]


def self_cider(kernel: np.ndarray) -> float:
    """Return ``-log(sqrt(λ_max) / Σ sqrt(λ)) / log(M)`` for a CIDEr kernel of shape (M, M)."""
    roots = np.sqrt(np.clip(np.linalg.eigvalsh(kernel / 10.0), 0.0, None))
    total = roots.sum()
    if total == 0:
        return 0.0
    return float(-np.log(roots.max() / total) / np.log(len(roots)))
