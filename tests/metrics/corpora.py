"""Random token corpora with many collisions (small vocabulary), for property tests."""
from __future__ import annotations

import numpy as np

VOCABULARY = ["a", "dog", "cat", "runs", "the", "on", "grass", "3\u00a01/2", "big"]


def random_caption(rng: np.random.Generator, max_len: int = 12) -> list[str]:
    return list(rng.choice(VOCABULARY, size=int(rng.integers(0, max_len + 1))))


def random_corpus(seed: int, n_images: int = 40, max_refs: int = 6):
    rng = np.random.default_rng(seed)
    hyps = [random_caption(rng) for _ in range(n_images)]
    refs = [[random_caption(rng) for _ in range(int(rng.integers(1, max_refs + 1)))]
            for _ in range(n_images)]
    return hyps, refs
