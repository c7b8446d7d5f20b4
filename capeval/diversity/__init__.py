"""Caption-diversity metrics on several captions per image: Vocab, %Novel, Div-1, Div-2,
mBLEU-4 and Self-CIDEr (see docs/diversity.md and each module for the definitions followed)."""
from __future__ import annotations

DIVERSITY_METRICS: tuple[str, ...] = ("vocab", "novel", "div-1", "div-2", "mbleu-4",
                                      "self-cider")
"""Registry names, accepted by ``--metrics`` and `evaluate_diversity`."""


def __getattr__(name: str):
    # The registry is read by the CLI for its option choices; the metrics need NumPy.
    if name == "evaluate_diversity":
        from capeval.diversity.evaluate import evaluate_diversity

        return evaluate_diversity
    raise AttributeError(f"module 'capeval.diversity' has no attribute {name!r}")


__all__ = ["DIVERSITY_METRICS", "evaluate_diversity"]
