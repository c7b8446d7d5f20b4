"""CIDEr-D and CIDEr (Vedantam, Zitnick and Parikh, 2015), as the COCO evaluation computes them.

`CiderD` matches ``pycocoevalcap.cider.cider.Cider().compute_score`` (which, despite its name,
is CIDEr-D). Each caption becomes a TF-IDF vector per n-gram order (1..4): term frequency times
``log(N) - log(max(1, df))``, with N images and df the number of images whose references
contain the n-gram. For each reference, the similarity of order n is
``sum(min(h, r) * r) / (|h| |r|)`` (the hypothesis weight is clipped by the reference weight),
times the Gaussian length penalty ``exp(-delta^2 / (2 sigma^2))`` with sigma = 6. The image
score is the mean over orders and references, times 10; the corpus score is the mean over
images.

The reference's length quirk is kept: the lengths in ``delta`` count *bigram* occurrences, i.e.
``max(len - 1, 0)`` words, not words.

By default, as in the reference, df and N come from the reference set being scored against
(for `capeval.Evaluator`, the whole set it was built with), so a single image always scores 0;
pass a `DocumentFrequencies` table to score with a fixed corpus's statistics. Given the table,
an image's score depends on nothing but its hypothesis and references: it sums in each
caption's order of first appearance, as the reference's dictionaries iterate, so per-image
scores equal pycocoevalcap's bit for bit (`capeval.ngrams.scoring.cider`). `OriginalCider` is
the original CIDEr: no clipping, no length penalty (also x10, as in vrama91/cider). The drop-in
`capeval.compat.pycocoevalcap.Cider` keeps pycocoevalcap's name for its CIDEr-D.
"""
from __future__ import annotations

import numpy as np

from capeval.collector import paused_collector
from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics.base import Candidates, ReferenceSet, SegmentMeanMetric
from capeval.metrics.ngram_data import candidate_ngrams, reference_ngrams
from capeval.ngrams.prepared import NgramReferences, check_max_order
from capeval.ngrams.scoring import LengthPenalty, cider


class CiderD(SegmentMeanMetric):
    """CIDEr-D: clipped TF-IDF n-gram similarity with a Gaussian length penalty, x10.

    Parameters
    ----------
    document_frequencies : DocumentFrequencies or str or Path, optional
        A table (or the path of a ``.json``/``.npz`` table) giving df and N; by default they
        are computed from the evaluated references, as pycocoevalcap does.
    sigma : float, default=6.0
        Standard deviation of the length penalty, in words.
    max_order : int, default=4
    """

    name = "CIDEr-D"
    score_names = ("CIDEr-D",)
    clip = True
    length_penalty = True

    def __init__(
        self,
        document_frequencies: DocumentFrequencies | str | None = None,
        sigma: float = 6.0,
        max_order: int = 4,
    ) -> None:
        check_max_order(max_order)
        if not sigma > 0:
            raise ValueError(f"sigma must be positive, got {sigma!r}")
        if document_frequencies is not None and not isinstance(
            document_frequencies, DocumentFrequencies
        ):
            document_frequencies = DocumentFrequencies.load(document_frequencies)
        if document_frequencies is not None:
            document_frequencies.check_usable(max_order)
        self.document_frequencies = document_frequencies
        self.sigma = float(sigma)
        self.max_order = max_order
        self._penalty = LengthPenalty(self.sigma) if self.length_penalty else None

    def signature(self) -> dict[str, str]:
        df = self.document_frequencies
        signature = {"n": str(self.max_order)}
        if self.length_penalty:
            signature["sigma"] = f"{self.sigma:g}"
        signature["df"] = "corpus" if df is None else df.description()
        return signature

    @paused_collector()
    def prepare_references(self, references: ReferenceSet) -> NgramReferences:
        return reference_ngrams(references, self.max_order, self.document_frequencies)

    def _candidate_stats(self, candidates: Candidates, prepared: NgramReferences) -> np.ndarray:
        scores = cider(candidate_ngrams(candidates, prepared), prepared.vectors, clip=self.clip,
                       penalty=self._penalty)
        return np.column_stack([scores, np.ones_like(scores)])


class OriginalCider(CiderD):
    """The original CIDEr: TF-IDF cosine similarity, no clipping, no length penalty, x10.

    A subclass of `CiderD` because it is CIDEr-D with two steps switched off (its document
    frequencies, df tables and statistics work the same way).
    """

    name = "CIDEr"
    score_names = ("CIDEr",)
    clip = False
    length_penalty = False

