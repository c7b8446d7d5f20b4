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

By default, as in the reference, df and N come from the references being evaluated, so a single
image always scores 0; pass a `DocumentFrequencies` table to score with a fixed corpus's
statistics. `Cider` is the original CIDEr: no clipping, no length penalty (also x10, as in
vrama91/cider).
"""
from __future__ import annotations

import numpy as np

from capeval.document_frequencies import DocumentFrequencies, document_frequencies_of
from capeval.metrics.base import SegmentMeanMetric, Segments
from capeval.ngrams import scale_columns


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
        if not isinstance(max_order, int) or max_order < 1:
            raise ValueError(f"max_order must be a positive integer, got {max_order!r}")
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

    def signature(self) -> dict[str, str]:
        df = self.document_frequencies
        signature = {"n": str(self.max_order)}
        if self.length_penalty:
            signature["sigma"] = f"{self.sigma:g}"
        signature["df"] = "corpus" if df is None else df.description()
        return signature

    def _segment_scores(self, segments: Segments) -> np.ndarray:
        n_segments = len(segments)
        corpus = segments.ngrams(self.max_order)
        ref_image = segments.reference_image()
        if self.document_frequencies is None:
            log_images = np.log(float(n_segments))
            frequencies = [
                document_frequencies_of(ref_max)
                for ref_max in segments.reference_maxima(self.max_order)
            ]
        else:
            log_images = np.log(float(self.document_frequencies.n_images))
            frequencies = self.document_frequencies.lookup(corpus)

        similarity = np.zeros((ref_image.size, self.max_order))
        hyp_norms = np.zeros((n_segments, self.max_order))
        ref_norms = np.zeros((ref_image.size, self.max_order))
        for n, (order, df) in enumerate(zip(corpus.orders, frequencies, strict=True)):
            idf = log_images - np.log(np.maximum(1.0, df))
            weights = scale_columns(order.counts, idf)  # (C, G) TF-IDF vectors
            norms = np.sqrt((weights * weights).sum(axis=1))
            hyp_norms[:, n], ref_norms[:, n] = norms[:n_segments], norms[n_segments:]
            hyp_weights = weights[:n_segments][ref_image]  # (R, G): each reference's hypothesis
            ref_weights = weights[n_segments:]
            if self.clip:
                hyp_weights = hyp_weights.minimum(ref_weights)
            similarity[:, n] = (hyp_weights * ref_weights).sum(axis=1)

        hyp_norms = hyp_norms[ref_image]
        both = (hyp_norms != 0) & (ref_norms != 0)
        np.divide(similarity, hyp_norms * ref_norms, out=similarity, where=both)
        if self.length_penalty:
            bigrams = np.maximum(corpus.lengths - 1, 0).astype(np.float64)
            delta = bigrams[:n_segments][ref_image] - bigrams[n_segments:]
            similarity *= np.exp(-(delta**2) / (2 * self.sigma**2))[:, np.newaxis]

        total = np.bincount(ref_image, similarity.sum(axis=1), minlength=n_segments)
        return total / self.max_order / segments.references_per_segment() * 10.0


class Cider(CiderD):
    """The original CIDEr: TF-IDF cosine similarity, no clipping, no length penalty, x10."""

    name = "CIDEr"
    score_names = ("CIDEr",)
    clip = False
    length_penalty = False

