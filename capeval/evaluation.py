"""`evaluate`: score one captioning system as the COCO caption evaluation does.

Hypotheses and references are paired by image id, tokenized in one batch, and every metric
computes its per-image sufficient statistics from one shared `Segments` (so the n-gram counts
are built once for BLEU and CIDEr-D). Corpus and per-image scores both come from those
statistics, which are kept on the result for bootstrap resampling and significance tests.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from capeval import __version__
from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalInputError, CapevalTypeError, CapevalUsageError
from capeval.io import align
from capeval.limits import token_length_problem
from capeval.metrics import DEFAULT_METRICS, Metric, metric_class
from capeval.metrics.base import Segments
from capeval.metrics.cider import CiderD
from capeval.tokenizers import tokenize_groups, tokenizer_signature

MetricSpec = str | Metric


@dataclass(frozen=True)
class Evaluation:
    """Scores of one system on S images.

    Attributes
    ----------
    ids : list
        The S image ids, in hypothesis order.
    corpus : dict of str to float
        Corpus score per score name (``"BLEU-1"`` ... ``"CIDEr-D"``), as pycocoevalcap reports.
    per_item : pandas.DataFrame
        Per-image scores, indexed by ``image_id``, one column per score name.
    stats : dict of str to ndarray of shape (S, K)
        Per-image sufficient statistics of each metric, keyed by metric name.
    metrics : dict of str to Metric
        The metric objects, keyed by metric name (``"BLEU"``, ``"CIDEr-D"``, ...).
    signature : dict of str to str
        The settings that determine the scores (tokenizer, references per image, version,
        and each metric's own settings).
    """

    ids: list
    corpus: dict[str, float]
    per_item: pd.DataFrame
    stats: dict[str, np.ndarray]
    metrics: dict[str, Metric]
    signature: dict[str, str] = field(default_factory=dict)

    def signature_string(self) -> str:
        """Return the signature as ``key:value|key:value|...`` (version last)."""
        return format_signature(self.signature)


def evaluate(
    hypotheses: Mapping[Any, str] | pd.Series | Sequence[str],
    references: Mapping[Any, Sequence[str]] | pd.Series | pd.DataFrame | Sequence[Sequence[str]],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    tokenizer: str = "ptb",
    document_frequencies: DocumentFrequencies | str | None = None,
    allow_partial: bool = False,
    progress: Callable[[str], None] | None = None,
    sources: tuple[str, str] = ("hypotheses", "references"),
) -> Evaluation:
    """Score hypotheses against references with BLEU-1..4, METEOR, ROUGE-L and CIDEr-D.

    Parameters
    ----------
    hypotheses : mapping image id -> str, pandas Series, or sequence of str
        One caption per image. A sequence is paired with `references` by position (ids 0..S-1).
    references : mapping image id -> list of str, pandas Series of lists, DataFrame, or sequence
        At least one caption per image. A DataFrame is in long form, with columns
        ``image_id`` and ``caption`` (one row per caption, rows of an image in order).
    metrics : str, Metric or iterable of them, default=DEFAULT_METRICS
        Registry names (see `capeval.metrics.METRICS`) or metric objects; one name or object
        alone means that metric only.
    tokenizer : {"ptb", "none"}, default="ptb"
        ``ptb`` reproduces pycocoevalcap's PTBTokenizer; ``none`` splits on whitespace.
    document_frequencies : DocumentFrequencies or path, optional
        CIDEr-D's df table for metrics given by name (default: the evaluated references).
    allow_partial : bool, default=False
        Score only the images that have a hypothesis instead of raising when some do not.
    progress : callable, optional
        Called with the name of each step (``"tokenize"``, then each metric) before it runs.
    sources : (str, str), default=("hypotheses", "references")
        Names of where hypotheses and references came from (file names), for messages.

    Returns
    -------
    Evaluation

    Raises
    ------
    CapevalInputError
        When ids do not match, a pandas index repeats an image id, or a caption is not a string.
    CapevalUsageError
        For an unknown or repeated metric.
    """
    metric_objects = resolve_metrics(metrics, document_frequencies,
                                     tokenizer=tokenizer_signature(tokenizer))
    ids, hyps, refs = align(_as_mapping(hypotheses, sources[0]),
                            _as_reference_mapping(references, sources[1]),
                            hyp_source=sources[0], ref_source=sources[1],
                            allow_partial=allow_partial)
    notify = progress or (lambda step: None)

    notify("tokenize")
    hyp_tokens, *ref_tokens = tokenize_groups([hyps, *refs], tokenizer)
    _check_token_lengths(ids, hyp_tokens, ref_tokens, sources)
    return evaluate_tokenized(ids, hyp_tokens, ref_tokens, metric_objects, tokenizer=tokenizer,
                              progress=progress)


def evaluate_tokenized(
    ids: Sequence,
    hypotheses: Sequence[Sequence[str]],
    references: Sequence[Sequence[Sequence[str]]],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    tokenizer: str = "none",
    document_frequencies: DocumentFrequencies | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Score captions that are already tokenized and paired (the second half of `evaluate`).

    Lets a caller tokenize references once and score many systems (or reference subsets)
    against them. `tokenizer` names how the tokens were made, for the signature only.

    Parameters
    ----------
    ids : sequence of S image ids
    hypotheses : sequence of S token sequences
    references : sequence of S non-empty sequences of token sequences
    metrics, document_frequencies, progress
        As for `evaluate` (progress is called once per metric).
    """
    metric_objects = resolve_metrics(metrics, document_frequencies)
    notify = progress or (lambda step: None)
    counts = [len(r) for r in references]
    segments = Segments(hypotheses, references)
    stats, corpus, columns = {}, {}, {}
    for metric in metric_objects:
        notify(metric.name)
        stats[metric.name] = metric.segment_stats(segments)
        corpus.update(metric.corpus_score_from_stats(stats[metric.name]))
        per_segment = metric.scores_from_stats(stats[metric.name])
        columns.update(zip(metric.score_names, per_segment.T, strict=True))
    per_item = pd.DataFrame(columns, index=pd.Index(ids, name="image_id"))
    signature = {"nrefs": _references_per_image(counts), "tok": tokenizer_signature(tokenizer)}
    for metric in metric_objects:
        signature.update({f"{metric.name}.{key}": value for key, value in
                          metric.signature().items()})
    signature["version"] = __version__
    return Evaluation(ids, corpus, per_item, stats,
                      {metric.name: metric for metric in metric_objects}, signature)


def _check_token_lengths(ids: Sequence, hypotheses: Sequence, references: Sequence,
                         sources: tuple[str, str]) -> None:
    """Name the file and image of a caption over `capeval.limits.MAX_CAPTION_TOKENS`."""
    for image_id, hypothesis, refs in zip(ids, hypotheses, references, strict=True):
        for source, caption in [(sources[0], hypothesis), *((sources[1], ref) for ref in refs)]:
            problem = token_length_problem(len(caption))
            if problem is not None:
                raise CapevalInputError(source, f"image {image_id!r}", problem)


def format_signature(signature: Mapping[str, str]) -> str:
    """Return ``key:value`` pairs joined by ``|``, e.g. ``nrefs:5|tok:ptb-corenlp-3.4.1|...``."""
    return "|".join(f"{key}:{value}" for key, value in signature.items())


def resolve_metrics(
    metrics: MetricSpec | Iterable[MetricSpec],
    document_frequencies: DocumentFrequencies | str | None,
    *,
    tokenizer: str | None = None,
) -> list[Metric]:
    """Return metric objects for registry names (CIDEr-D gets `document_frequencies`) or objects.

    One name or metric object alone stands for a list of one. With `tokenizer` (the run's
    tokenizer signature), a CIDEr-D table built with another tokenizer is refused.

    Raises
    ------
    CapevalUsageError
        For an unknown or repeated metric, or none at all.
    """
    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    objects = []
    for spec in metrics:
        if isinstance(spec, Metric):
            objects.append(spec)
            continue
        metric = metric_class(spec)
        if document_frequencies is not None and issubclass(metric, CiderD):
            objects.append(metric(document_frequencies))
        else:
            objects.append(metric())
    names = [metric.name for metric in objects]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CapevalUsageError(f"metric listed twice: {', '.join(duplicates)}", option="metrics")
    if not objects:
        raise CapevalUsageError("no metric to compute", option="metrics")
    for metric in objects:
        table = getattr(metric, "document_frequencies", None)
        if isinstance(table, DocumentFrequencies):
            table.check_usable(metric.max_order, tokenizer)
    return objects


def _references_per_image(counts: Sequence[int]) -> str:
    return str(counts[0]) if counts and len(set(counts)) == 1 else "var"


def _as_mapping(hypotheses, source: str) -> Mapping[Any, str]:
    if isinstance(hypotheses, pd.DataFrame):
        _check_columns(hypotheses, source)
        return _unique_mapping(hypotheses["image_id"], hypotheses["caption"], source,
                               "the image_id column")
    if isinstance(hypotheses, pd.Series):
        return _unique_mapping(hypotheses.index, hypotheses, source, "the index")
    if isinstance(hypotheses, Mapping):
        return hypotheses
    if isinstance(hypotheses, str):
        raise CapevalTypeError("hypotheses must be a mapping or a sequence of captions, not a str")
    return dict(enumerate(hypotheses))


def _check_columns(frame: pd.DataFrame, source: str) -> None:
    missing = [column for column in ("image_id", "caption") if column not in frame.columns]
    if missing:
        raise CapevalInputError(source, None, f"DataFrame has no {' or '.join(missing)} column "
                                f"(columns: {', '.join(map(str, frame.columns))})")


def _unique_mapping(keys, values, source: str, where: str) -> dict:
    """Pair keys with values; a repeated key is an error, never a silent overwrite."""
    mapping: dict = {}
    for key, value in zip(keys, values, strict=True):
        if key in mapping:
            raise CapevalInputError(source, f"image {key!r}",
                                    f"appears twice in {where} (one entry per image)")
        mapping[key] = value
    return mapping


def _as_reference_mapping(references, source: str) -> Mapping[Any, Sequence[str]]:
    if isinstance(references, pd.DataFrame):
        _check_columns(references, source)
        grouped: dict[Any, list[str]] = {}
        for image_id, caption in zip(references["image_id"], references["caption"], strict=True):
            grouped.setdefault(image_id, []).append(caption)
        return grouped
    if isinstance(references, pd.Series):
        return _unique_mapping(references.index, references, source, "the index")
    if isinstance(references, Mapping):
        return references
    if isinstance(references, str):
        raise CapevalTypeError("references must be a mapping or a sequence of reference lists, "
                               "not a str")
    return dict(enumerate(references))
