"""Score every judged caption as one image and correlate each metric with the human scores.

See `capeval.meta_eval` for the protocols. CIDEr-D's document frequencies come, by default,
from the distinct reference sets of the judged images (rows sharing an image id, or else
identical reference lists, count once), so that an image judged with many candidates does
not weigh more in the df.
"""
from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalTypeError, CapevalUsageError
from capeval.evaluation import MetricSpec, evaluate_tokenized, resolve_metrics
from capeval.io.judgements import Judgement
from capeval.meta_eval import PROTOCOLS
from capeval.metrics import DEFAULT_METRICS
from capeval.tokenizers import tokenize_in_order, tokenize_references


@dataclass(frozen=True)
class MetaEvaluation:
    """Correlations between metric scores and human scores.

    Attributes
    ----------
    correlations : pandas.DataFrame
        One row per score name; columns `capeval.meta_eval.CORRELATIONS`.
    per_item : pandas.DataFrame
        The rows that were scored: ``human`` and one column per score.
    n_skipped : int
        Rows left out by the ``skip`` protocol.
    protocol : str
    signature : dict of str to str
    """

    correlations: pd.DataFrame
    per_item: pd.DataFrame
    n_skipped: int
    protocol: str
    signature: dict


def meta_evaluate(
    judgements: Sequence[Judgement],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    tokenizer: str = "ptb",
    protocol: str = "keep",
    document_frequencies: DocumentFrequencies | str | None = None,
) -> MetaEvaluation:
    """Correlate every metric's per-caption scores with the human scores.

    Parameters
    ----------
    judgements : sequence of Judgement
    metrics : iterable of str or Metric, default=DEFAULT_METRICS
    tokenizer : {"ptb", "none"}, default="ptb"
    protocol : str, default="keep"
        A key of `capeval.meta_eval.PROTOCOLS`: what to do with a candidate that is one of
        its references.
    document_frequencies : DocumentFrequencies or path, optional
        CIDEr-D's df table (default: the distinct reference sets of the judged images).

    Returns
    -------
    MetaEvaluation

    Raises
    ------
    CapevalTypeError
        If `judgements` holds anything but `Judgement` objects.
    CapevalUsageError
        For an unknown protocol.
    ValueError
        For fewer than two rows left to correlate, or a row left without references.
    """
    if isinstance(judgements, (str, bytes)) or not all(isinstance(j, Judgement)
                                                       for j in judgements):
        raise CapevalTypeError("judgements must be a sequence of capeval.io.Judgement "
                               "(capeval.io.read_judgements reads them from a file)")
    if protocol not in PROTOCOLS:
        raise CapevalUsageError(f"unknown protocol {protocol!r}; choose from "
                                f"{', '.join(PROTOCOLS)}", option="protocol")
    action = PROTOCOLS[protocol]
    # Two streams, row by row: the candidates, and the references of every row.
    candidates = tokenize_in_order([j.candidate for j in judgements], None, tokenizer)
    references = tokenize_references([j.references for j in judgements], None, tokenizer)

    if document_frequencies is None:
        document_frequencies = _distinct_image_frequencies(judgements, references)
    kept, rows_refs = [], []
    for index, (candidate, refs) in enumerate(zip(candidates, references, strict=True)):
        own = candidate in refs
        if own and action == "skip":
            continue
        if own and action == "remove":
            refs = [ref for ref in refs if ref != candidate]
            if not refs:
                raise ValueError(f"judgement {index + 1}: no reference is left once the "
                                 "candidate is removed")
        kept.append(index)
        rows_refs.append(refs)
    if len(kept) < 2:
        raise ValueError(f"{len(kept)} judgement(s) left to correlate; need at least two")

    evaluation = evaluate_tokenized(
        kept, [candidates[i] for i in kept], rows_refs,
        resolve_metrics(metrics, document_frequencies, tokenizer=tokenizer), tokenizer=tokenizer)
    per_item = evaluation.per_item.copy()
    per_item.insert(0, "human", [judgements[i].human for i in kept])
    correlations = pd.DataFrame(
        [correlate(per_item[score].to_numpy(), per_item["human"].to_numpy())
         for score in evaluation.per_item.columns],
        index=pd.Index(evaluation.per_item.columns, name="score"))
    signature = {"protocol": protocol, "items": str(len(kept)), **evaluation.signature}
    signature.pop("nrefs", None)
    return MetaEvaluation(correlations, per_item, len(judgements) - len(kept), protocol,
                          signature)


def correlate(metric: np.ndarray, human: np.ndarray) -> dict[str, float]:
    """Return Kendall's tau-b and tau-c, Pearson's r and Spearman's rho (NaN when undefined)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant input: SciPy warns and returns NaN
        values = {
            "kendall_tau_b": scipy_stats.kendalltau(metric, human, variant="b").statistic,
            "kendall_tau_c": scipy_stats.kendalltau(metric, human, variant="c").statistic,
            "pearson": scipy_stats.pearsonr(metric, human).statistic,
            "spearman": scipy_stats.spearmanr(metric, human).statistic,
        }
    return {name: float(value) for name, value in values.items()}


def _distinct_image_frequencies(judgements, references) -> DocumentFrequencies:
    distinct: dict[Any, list] = {}
    for judgement, refs in zip(judgements, references, strict=True):
        key = (("id", judgement.image_id) if judgement.image_id is not None
               else ("refs", tuple(map(tuple, refs))))
        distinct.setdefault(key, refs)
    return DocumentFrequencies.from_references(list(distinct.values()), source="judged-images")
