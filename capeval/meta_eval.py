"""Meta-evaluation: how well each metric's per-caption scores agree with human judgements.

Input is a set of judged captions, each a (candidate, references, human score) row, such as
Flickr8K-Expert or Flickr8K-CrowdFlower. Every row is scored as one image (per-image BLEU,
METEOR, ROUGE-L, CIDEr-D, as `capeval.evaluate` reports them), then each score is correlated
with the human scores: Kendall's tau-b and tau-c, Pearson's r and Spearman's rho (SciPy).

Protocols for a candidate that is itself one of its image's references:

- ``keep``: score it as it is (it matches itself);
- ``skip``: leave such rows out (as done for Flickr8K-Expert);
- ``remove``: drop the candidate from its references (as done for Flickr8K-CrowdFlower).

A candidate "is" a reference when their tokens are equal (so case and punctuation that the
tokenizer drops do not matter).

CIDEr-D's document frequencies come, by default, from the distinct reference sets of the
judged images (rows sharing an image id, or else identical reference lists, count once), so
that an image judged with many candidates does not weigh more in the df.
"""
from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalInputError
from capeval.evaluation import (
    MetricSpec,
    evaluate_tokenized,
    format_signature,
    resolve_metrics,
)
from capeval.io import canonical_id
from capeval.io.source import loads_strict
from capeval.metrics import DEFAULT_METRICS
from capeval.tokenizers import tokenize_in_order, tokenize_references

PROTOCOLS = {"keep": "keep", "skip": "skip", "remove": "remove",
             "flickr8k-expert": "skip", "crowdflower": "remove"}
"""Protocol names (and dataset shorthands) -> what happens to a candidate among its references."""

CORRELATIONS = ("kendall_tau_b", "kendall_tau_c", "pearson", "spearman")

FIELD_NAMES = {
    "candidate": ("candidate", "hypothesis", "caption", "prediction"),
    "references": ("references", "refs", "reference"),
    "human": ("human", "human_score", "score", "rating", "judgement", "judgment"),
    "id": ("image_id", "image", "id", "img_id"),
}
"""Accepted field names of a judgement record, first match wins (case-insensitive)."""


@dataclass(frozen=True)
class Judgement:
    """A human score for one candidate caption of an image."""

    candidate: str
    references: list[str]
    human: float
    image_id: Any = None


@dataclass(frozen=True)
class MetaEvaluation:
    """Correlations between metric scores and human scores.

    Attributes
    ----------
    correlations : pandas.DataFrame
        One row per score name; columns `CORRELATIONS`.
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


def read_judgements(
    path: str | Path,
    *,
    candidate_field: str | None = None,
    references_field: str | None = None,
    human_field: str | None = None,
    id_field: str | None = None,
) -> list[Judgement]:
    """Read judged captions from a JSON list or a JSON Lines file of objects.

    Each object holds a candidate caption, a list of reference captions, a human score (a
    number, or a list of numbers that is averaged, e.g. three experts' ratings) and optionally
    an image id. Field names are found among `FIELD_NAMES` unless given.

    Raises
    ------
    CapevalInputError
        Naming the file and the record, for unreadable files and malformed records.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CapevalInputError(str(path), None, f"cannot read: {error}") from None
    records = _json_records(path, text)
    if not records:
        raise CapevalInputError(str(path), None, "no judgements")
    chosen = {"candidate": candidate_field, "references": references_field,
              "human": human_field, "id": id_field}
    judgements: list[Judgement] = []
    first_seen: dict[Any, tuple[str, list[str]]] = {}
    for label, record in records:
        judgement = _judgement(path, label, record, chosen)
        if judgement.image_id is not None:
            where, references = first_seen.setdefault(judgement.image_id,
                                                      (label, judgement.references))
            if references != judgement.references:
                raise CapevalInputError(str(path), label, f"image {judgement.image_id!r} has other "
                                        f"references than at {where}; the rows of one image must "
                                        "give the same references (they count once in CIDEr-D's "
                                        "document frequencies)")
        judgements.append(judgement)
    return judgements


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
        A key of `PROTOCOLS`: what to do with a candidate that is one of its references.
    document_frequencies : DocumentFrequencies or path, optional
        CIDEr-D's df table (default: the distinct reference sets of the judged images).

    Returns
    -------
    MetaEvaluation

    Raises
    ------
    ValueError
        For an unknown protocol, or fewer than two rows left to correlate.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown protocol {protocol!r}; choose from {', '.join(PROTOCOLS)}")
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


def format_meta_evaluation(result: MetaEvaluation, fmt: str = "table") -> str:
    """Render correlations as ``table``, ``csv`` or ``json`` (with the signature)."""
    signature = format_signature(result.signature)
    table = result.correlations
    if fmt == "json":
        return json.dumps({"signature": signature, "skipped": result.n_skipped,
                           "correlations": {score: {k: _json_number(v) for k, v in row.items()}
                                            for score, row in table.iterrows()}},
                          indent=2) + "\n"
    if fmt == "csv":
        return table.assign(signature=signature).to_csv(lineterminator="\n")
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; choose from table, csv, json")
    width = max(len("score"), *map(len, table.index))
    lines = [f"{'score':<{width}}  " + "  ".join(f"{name:>13}" for name in CORRELATIONS)]
    for score, row in table.iterrows():
        lines.append(f"{score:<{width}}  " + "  ".join(f"{row[name]:>13.4f}"
                                                        for name in CORRELATIONS))
    lines += ["", f"{len(result.per_item)} judgements scored, {result.n_skipped} skipped "
              f"(protocol {result.protocol}). Signature: {signature}"]
    return "\n".join(lines) + "\n"


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _distinct_image_frequencies(judgements, references) -> DocumentFrequencies:
    distinct: dict[Any, list] = {}
    for judgement, refs in zip(judgements, references, strict=True):
        key = (("id", judgement.image_id) if judgement.image_id is not None
               else ("refs", tuple(map(tuple, refs))))
        distinct.setdefault(key, refs)
    return DocumentFrequencies.from_references(list(distinct.values()), source="judged-images")


def _json_records(path: Path, text: str) -> list[tuple[str, Any]]:
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = loads_strict(text)
        except ValueError as error:
            raise CapevalInputError(str(path), None, f"invalid JSON ({error})") from None
        return [(f"record {n}", record) for n, record in enumerate(data, start=1)]
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((f"line {number}", loads_strict(line)))
        except ValueError as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            raise CapevalInputError(str(path), f"line {number}", f"invalid JSON ({reason})"
                                    ) from None
    return records


def _field(record: dict, role: str, chosen: str | None, required: bool = True) -> Any:
    lowered = {str(key).lower(): key for key in record}
    names = (chosen,) if chosen else FIELD_NAMES[role]
    for name in names:
        if name.lower() in lowered:
            return record[lowered[name.lower()]]
    if required:
        raise ValueError(f"no {role} field (looked for {', '.join(names)})")
    return None


def _judgement(path: Path, label: str, record: Any, chosen: dict) -> Judgement:
    try:
        if not isinstance(record, dict):
            raise ValueError("not a JSON object")
        candidate = _field(record, "candidate", chosen["candidate"])
        references = _field(record, "references", chosen["references"])
        human = _field(record, "human", chosen["human"])
        image_id = _field(record, "id", chosen["id"], required=False)
        if image_id is not None:
            image_id = canonical_id(image_id)
        if not isinstance(candidate, str):
            raise ValueError("the candidate is not a string")
        if (not isinstance(references, list) or not references
                or not all(isinstance(r, str) for r in references)):
            raise ValueError("references must be a non-empty list of strings")
        scores = human if isinstance(human, list) else [human]
        if not scores or not all(isinstance(s, (int, float)) and not isinstance(s, bool)
                                 and math.isfinite(s) for s in scores):
            raise ValueError(f"the human score must be a number or a list of numbers, got "
                             f"{human!r}")
    except ValueError as error:
        raise CapevalInputError(str(path), label, str(error)) from None
    return Judgement(candidate, references, float(np.mean(scores)), image_id)
