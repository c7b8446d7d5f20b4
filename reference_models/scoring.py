"""Score tokenized captions with capeval's metrics (the only place this package uses them)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from capeval.metrics import DEFAULT_METRICS, get_metric

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
    scores: dict[str, float] = {}
    for name in metrics:
        scores.update(get_metric(name).corpus_score(hypotheses, references))
    return scores


def leave_one_out_scores(
    systems: dict[str, Sequence[Tokens]],
    references: Sequence[Sequence[Tokens]],
    metrics: Iterable[str] = DEFAULT_METRICS,
    human_name: str = "human",
) -> dict[str, dict[str, float]]:
    """Score systems and humans on equal terms: K reference sets of K - 1 captions each.

    For k = 0 .. K-1, reference k of every image is held out: it is the "human" hypothesis,
    and every system is scored against the remaining K - 1 references. Each score is the mean
    over the K rounds, so systems and humans always face the same number of references.

    Parameters
    ----------
    systems : dict of str to sequence of S token lists
    references : sequence of S lists of K token lists (K >= 2, the same for every image)
    metrics : iterable of str
    human_name : str, default="human"
        Name of the row of held-out references; must not be a system's name.

    Returns
    -------
    dict of str to dict of str to float
        Systems in the given order, then the human row.
    """
    counts = {len(refs) for refs in references}
    if len(counts) != 1 or min(counts) < 2:
        raise ValueError(f"leave-one-out scoring needs the same number (>= 2) of references "
                         f"for every image, got {sorted(counts)}")
    if human_name in systems:
        raise ValueError(f"a system is already called {human_name!r}")
    metrics = tuple(metrics)
    (k_refs,) = counts
    totals: dict[str, dict[str, float]] = {}
    for k in range(k_refs):
        held_out = [refs[k] for refs in references]
        remaining = [[ref for j, ref in enumerate(refs) if j != k] for refs in references]
        for name, hypotheses in [*systems.items(), (human_name, held_out)]:
            for score, value in corpus_scores(hypotheses, remaining, metrics).items():
                row = totals.setdefault(name, {})
                row[score] = row.get(score, 0.0) + value / k_refs
    return totals
