"""Corpus scores of tokenized captions with capeval's metrics (validation during training)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from capeval.evaluation import evaluate_tokenized
from capeval.metrics import DEFAULT_METRICS

Tokens = Sequence[str]


def corpus_scores(
    hypotheses: Sequence[Tokens],
    references: Sequence[Sequence[Tokens]],
    metrics: Iterable[str] = DEFAULT_METRICS,
) -> dict[str, float]:
    """Return corpus scores (``"BLEU-1"`` .. ``"CIDEr-D"``) of tokenized captions.

    Parameters
    ----------
    hypotheses : sequence of S token lists
    references : sequence of S non-empty lists of token lists
    metrics : iterable of str, default=capeval.metrics.DEFAULT_METRICS
        Registry names; CIDEr-D takes its document frequencies from `references`.
    """
    ids = range(len(hypotheses))
    return dict(evaluate_tokenized(ids, hypotheses, references, metrics).corpus)

