"""`diversity_leaderboard`: rank systems by diversity metrics, with bootstrap intervals.

Each system gives several captions per image for the same images. Every system is scored by
`evaluate_diversity` with the same metric objects (references and training captions are
tokenized once); intervals come from one shared draw of resampled images
(`capeval.stats.Bootstrap`), each resample scored from summed per-image statistics. Vocab is
not a function of such sums and gets no interval (NaN bounds). Paired tests and a human row
are not defined here.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from capeval import __version__
from capeval.diversity import DIVERSITY_METRICS
from capeval.diversity.evaluate import diversity_metrics, evaluate_diversity
from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalInputError, CapevalUsageError
from capeval.report.leaderboard import Leaderboard
from capeval.stats import Bootstrap, bootstrap_scores, confidence_interval

ASCENDING = ("mBLEU-4",)
"""Scores for which lower means more diverse: ranked ascending."""


def diversity_leaderboard(
    systems: Mapping[str, Mapping[Any, Sequence[str]]],
    metrics: Iterable[str] = DIVERSITY_METRICS,
    *,
    references: Mapping[Any, Sequence[str]] | None = None,
    train_captions: Sequence[str] | None = None,
    document_frequencies: DocumentFrequencies | str | None = None,
    tokenizer: str = "ptb",
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 12345,
    sort: str | None = None,
    sources: Mapping[str, str] | None = None,
    train_source: str = "train",
) -> Leaderboard:
    """Score every system's caption sets and rank them (arguments as `evaluate_diversity`).

    Parameters
    ----------
    systems : mapping of name -> (mapping of image id -> list of captions)
        Every system must caption the same images.
    n_bootstrap, ci, seed
        Resamples of the images, interval level, seed (as `capeval.report.leaderboard`).
    sort : str, optional
        Score to rank by (default: the first); descending, except mBLEU-4 (ascending).

    Raises
    ------
    CapevalInputError
        When systems caption different images.
    CapevalUsageError
        For an unknown sort score, or no system.
    """
    names = list(systems)
    if not names:
        raise CapevalUsageError("no system to rank", option="systems")
    sources = {name: (sources or {}).get(name, name) for name in names}
    ids = list(systems[names[0]])
    for name in names[1:]:
        _check_same_images(ids, systems[name], sources[names[0]], sources[name])
    metric_objects = diversity_metrics(
        metrics, references=references, train_captions=train_captions,
        document_frequencies=document_frequencies, tokenizer=tokenizer,
        train_source=train_source)
    evaluations = {name: evaluate_diversity({image_id: systems[name][image_id] for image_id in ids},
                                            metric_objects, tokenizer=tokenizer,
                                            source=sources[name])
                   for name in names}
    score_names = list(evaluations[names[0]].corpus)
    sort = sort or score_names[0]
    if sort not in score_names:
        raise CapevalUsageError(f"cannot sort by {sort!r}; choose from {', '.join(score_names)}",
                                option="sort")
    scores = pd.DataFrame([evaluations[name].corpus for name in names], index=names)
    ci_low = ci_high = None
    if n_bootstrap:
        draw = Bootstrap.draw(len(ids), n_bootstrap, np.random.default_rng(seed))
        ci_low, ci_high = _intervals(evaluations, metric_objects, draw, ci)
    order = scores[sort].sort_values(ascending=sort in ASCENDING, kind="stable").index
    settings = {"ci": ci if n_bootstrap else None, "n_bootstrap": n_bootstrap, "seed": seed,
                "test": None, "baseline": None, "human": False, "sort": sort,
                "n_images": len(ids), "n_folds": 1,
                "no_interval": [m.name for m in metric_objects if not m.summable]}
    return Leaderboard(
        scores.loc[order],
        None if ci_low is None else ci_low.loc[order],
        None if ci_high is None else ci_high.loc[order],
        None,
        _per_item(evaluations, systems, ids, score_names),
        dict(references or {}),
        settings,
        _signature(evaluations[names[0]].signature, settings),
    )


def _intervals(evaluations, metric_objects, draw: Bootstrap, level: float):
    low: dict[str, dict[str, float]] = {}
    high: dict[str, dict[str, float]] = {}
    for name, evaluation in evaluations.items():
        low[name], high[name] = {}, {}
        for metric in metric_objects:
            if metric.summable:
                stats = evaluation.stats[metric.name][np.newaxis]         # (F=1, S, K)
                bounds = confidence_interval(bootstrap_scores(metric, stats, draw), level)
            else:
                bounds = np.full((len(metric.score_names), 2), np.nan)
            for score, (lo, hi) in zip(metric.score_names, bounds, strict=True):
                low[name][score], high[name][score] = float(lo), float(hi)
    return pd.DataFrame(low).T, pd.DataFrame(high).T


def _per_item(evaluations, systems, ids, score_names) -> pd.DataFrame:
    rows = [pd.DataFrame({"system": name, "image_id": ids,
                          "caption": [" | ".join(systems[name][i]) for i in ids]})
            .join(evaluation.per_item[score_names].reset_index(drop=True))
            for name, evaluation in evaluations.items()]
    return pd.concat(rows, ignore_index=True)


def _check_same_images(ids: list, other: Mapping, first_source: str, source: str) -> None:
    missing = [image_id for image_id in ids if image_id not in other]
    extra = [image_id for image_id in other if image_id not in set(ids)]
    if missing or extra:
        what = (f"has no captions for image {missing[0]!r}" if missing else
                f"captions image {extra[0]!r}, which {first_source} does not")
        raise CapevalInputError(source, None, f"{what}; every system must caption the same "
                                              "images")


def _signature(evaluation_signature: dict, settings: dict) -> dict:
    signature = {key: value for key, value in evaluation_signature.items() if key != "version"}
    signature["images"] = str(settings["n_images"])
    if settings["n_bootstrap"]:
        signature.update(bs=str(settings["n_bootstrap"]), ci=f"{settings['ci']:g}",
                         seed=str(settings["seed"]))
    signature["version"] = __version__
    return signature
