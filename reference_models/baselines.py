"""Caption baselines that need no training: nearest-neighbour caption copying.

Devlin et al., "Exploring Nearest Neighbor Approaches for Image Captioning" (2015): find the
training images closest to a test image and copy the candidate caption that agrees most with
the other candidates (a consensus caption).

Letters used in shapes: N test images, M training images, F feature size.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

Tokens = Sequence[str]


def nearest_neighbour_captions(
    train_features: np.ndarray,
    train_captions: Sequence[Sequence[Tokens]],
    test_features: np.ndarray,
    k: int = 5,
) -> list[list[str]]:
    """Copy, for each test image, the consensus caption of its `k` nearest training images.

    Parameters
    ----------
    train_features : ndarray of shape (M, F)
    train_captions : M lists of token lists
    test_features : ndarray of shape (N, F)
    k : int, default=5
        Neighbours by cosine similarity of the features.

    Returns
    -------
    list of N token lists
        The candidate with the highest mean unigram-and-bigram F-measure against the other
        candidates (the first such on ties).
    """
    def unit(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)

    similarity = unit(test_features) @ unit(train_features).T
    k = min(k, similarity.shape[1])
    neighbours = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    return [
        list(consensus([c for j in row for c in train_captions[j]]))
        for row in neighbours
    ]


def consensus(candidates: Sequence[Tokens]) -> Tokens:
    """Return the candidate that overlaps most, on average, with the others."""
    grams = [_ngrams(c) for c in candidates]
    best, best_score = candidates[0], -1.0
    for i, mine in enumerate(grams):
        score = sum(_f_measure(mine, other) for j, other in enumerate(grams) if j != i)
        if score > best_score:
            best, best_score = candidates[i], score
    return best


def _ngrams(tokens: Tokens) -> Counter:
    return Counter([*((w,) for w in tokens), *zip(tokens, tokens[1:])])


def _f_measure(a: Counter, b: Counter) -> float:
    overlap = sum((a & b).values())
    total = sum(a.values()) + sum(b.values())
    return 2.0 * overlap / total if total else 0.0
