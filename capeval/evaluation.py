"""`Evaluator` and `evaluate`: score captioning systems as the COCO caption evaluation does.

An `Evaluator` tokenizes a reference set once and lets every metric prepare its reference side
once (`Metric.prepare_references`); each `Evaluator.evaluate` then pairs one system's
hypotheses with the references by image id, tokenizes them (with ``ptb``: the references
one stream, the hypotheses another, both in the references' image order, as pycocoevalcap's
COCOEvalCap does; `reference_order`) and computes every metric's
per-image sufficient statistics against the prepared data. Corpus and per-image scores both
come from those statistics, which are kept on the result for bootstrap resampling and
significance tests. `evaluate` is a one-off `Evaluator`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from capeval import __version__
from capeval.collector import paused_collector
from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalInputError, CapevalTypeError, CapevalUsageError
from capeval.io import align, check_references
from capeval.io.align import align_checked
from capeval.limits import token_length_problem
from capeval.metrics import DEFAULT_METRICS, Metric, metric_class
from capeval.metrics.base import Candidates, ReferenceSet
from capeval.metrics.cider import CiderD
from capeval.io.ids import canonical_id
from capeval.tokenizers import (
    meteor_modules,
    tokenize_in_order,
    tokenize_references,
    tokenizer_signature,
)

MetricSpec = str | Metric

logger = logging.getLogger("capeval")


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


class Evaluator:
    """References tokenized and prepared once, to score any number of hypothesis sets.

    Each metric prepares its reference side once (`Metric.prepare_references`): BLEU and
    CIDEr-D their per-image reference n-gram tables, lengths and norms and CIDEr-D's df table,
    METEOR its reference-side data, the others their token lists. `evaluate` then tokenizes
    and scores only the hypotheses.

    Parameters
    ----------
    references : mapping image id -> list of str, pandas Series of lists, DataFrame, or sequence
        At least one caption per image (as for `evaluate`).
    metrics : iterable of str or Metric, default=DEFAULT_METRICS
    tokenizer : {"ptb", "ptb-caption", "none"}, default="ptb"
        As for `evaluate`: with ``ptb`` the references are one stream, in their order, and
        each `evaluate` call's hypotheses another, in the references' image order.
    document_frequencies : DocumentFrequencies or path, optional
        CIDEr-D's df table for metrics given by name. Default: the df of these references,
        fixed at construction, so a subset scored with ``allow_partial`` keeps the df of the
        whole set.
    source : str, default="references"
        Where the references came from (a file name), for messages.

    Raises
    ------
    CapevalInputError
        For an image without captions, a caption that is not a string or two keys naming one
        image.
    """

    @paused_collector()
    def __init__(
        self,
        references: Mapping[Any, Sequence[str]] | pd.Series | pd.DataFrame | Sequence[Sequence[str]],
        metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
        *,
        tokenizer: str = "ptb",
        document_frequencies: DocumentFrequencies | str | None = None,
        source: str = "references",
    ) -> None:
        self._prepare(check_references(_as_reference_mapping(references, source), source),
                      resolve_metrics(metrics, document_frequencies, tokenizer=tokenizer),
                      tokenizer, source)

    @classmethod
    def _of_checked(cls, captions: dict[Any, list[str]], metrics: list[Metric], tokenizer: str,
                    source: str) -> Evaluator:
        """An Evaluator of references that `check_references` returned (not checked again)."""
        evaluator = cls.__new__(cls)
        evaluator._prepare(captions, metrics, tokenizer, source)
        return evaluator

    def _prepare(self, captions: dict[Any, list[str]], metrics: list[Metric], tokenizer: str,
                 source: str) -> None:
        tokens = tokenize_references(list(captions.values()), None, tokenizer)
        check_token_lengths(source, list(captions), tokens)
        self._setup(list(captions), tokens, metrics, tokenizer, source)
        self._captions: dict[Any, list[str]] | None = captions

    @classmethod
    def from_tokens(
        cls,
        ids: Sequence,
        references: Sequence[Sequence[Sequence[str]]],
        metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
        *,
        tokenizer: str = "none",
        document_frequencies: DocumentFrequencies | str | None = None,
    ) -> Evaluator:
        """Prepare references that are already tokenized; score with `evaluate_tokenized`.

        Parameters
        ----------
        ids : sequence of N distinct image ids
        references : sequence of N non-empty sequences of token sequences
        tokenizer : str, default="none"
            How the tokens were made, for the signature only.

        Raises
        ------
        ValueError
            If the lengths differ, an id repeats or an image has no reference.
        """
        if len(ids) != len(references):
            raise ValueError(f"got {len(ids)} ids but {len(references)} reference lists")
        evaluator = cls.__new__(cls)
        evaluator._setup(list(ids), references,
                         resolve_metrics(metrics, document_frequencies, tokenizer=tokenizer),
                         tokenizer, "references")
        evaluator._captions = None
        return evaluator

    @paused_collector()
    def _setup(self, ids: list, tokens: Sequence[Sequence[Sequence[str]]],
               metrics: list[Metric], tokenizer: str, source: str) -> None:
        self.ids = ids
        self.metrics = metrics
        self.tokenizer = tokenizer
        self.source = source
        self.references = ReferenceSet(tokens)
        self._positions = {image_id: position for position, image_id in enumerate(ids)}
        if len(self._positions) != len(ids):
            repeated = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"image id {repeated!r} appears twice in the references")
        self.prepared = {metric.name: metric.prepare_references(self.references)
                         for metric in metrics}

    def __len__(self) -> int:
        """Number of images in the reference set."""
        return len(self.ids)

    @paused_collector()
    def evaluate(
        self,
        hypotheses: Mapping[Any, str] | pd.Series | Sequence[str],
        *,
        allow_partial: bool = False,
        progress: Callable[[str], None] | None = None,
        sources: tuple[str, str] | None = None,
    ) -> Evaluation:
        """Score one system's hypotheses against the prepared references.

        Parameters
        ----------
        hypotheses : mapping image id -> str, pandas Series, or sequence of str
            One caption per image; a sequence is paired with the references by position.
        allow_partial : bool, default=False
            Score only the images that have a hypothesis instead of raising when some do not.
        progress : callable, optional
            Called with the name of each step (``"tokenize"``, then each metric).
        sources : (str, str), optional
            Names of where hypotheses and references came from, for messages; default
            ``("hypotheses", source)``.

        Raises
        ------
        CapevalInputError
            When ids do not match the references or a caption is not a string.
        """
        if self._captions is None:
            raise TypeError("this Evaluator was built from tokens: use evaluate_tokenized")
        hyp_source, ref_source = sources or ("hypotheses", self.source)
        if isinstance(hypotheses, (list, tuple)):
            if len(hypotheses) != len(self):
                raise CapevalInputError(hyp_source, None, f"{len(hypotheses)} hypotheses for "
                                        f"the {len(self)} images of {ref_source} (a list is "
                                        f"paired with the references by position)")
            hypotheses = dict(zip(self.ids, hypotheses, strict=True))
        ids, hyps, _ = align_checked(_as_mapping(hypotheses, hyp_source), self._captions,
                                     hyp_source=hyp_source, ref_source=ref_source,
                                     allow_partial=allow_partial)
        notify = progress or (lambda step: None)
        notify("tokenize")
        images = self.positions(ids)
        order = sorted(range(len(ids)), key=images.__getitem__)  # the references' order
        hyp_tokens = tokenize_in_order(hyps, order, self.tokenizer)
        check_token_lengths(hyp_source, ids, [[tokens] for tokens in hyp_tokens])
        return self._score(ids, hyp_tokens, images, progress)

    def evaluate_tokenized(
        self,
        ids: Sequence,
        hypotheses: Sequence[Sequence[str]],
        *,
        progress: Callable[[str], None] | None = None,
    ) -> Evaluation:
        """Score tokenized hypotheses of the images `ids` (any subset, in any order).

        Raises
        ------
        ValueError
            If the lengths differ or an id is not an image of the references.
        """
        if len(ids) != len(hypotheses):
            raise ValueError(f"got {len(ids)} ids but {len(hypotheses)} hypotheses")
        return self._score(list(ids), hypotheses, self.positions(ids), progress)

    def positions(self, ids: Sequence) -> np.ndarray:
        """Return the position of each image id among the references, shape (S,), int64.

        Raises
        ------
        ValueError
            If an id is not an image of the references.
        """
        try:
            return np.fromiter(map(self._positions.__getitem__, ids), dtype=np.int64,
                               count=len(ids))
        except KeyError as error:
            raise ValueError(f"image id {error.args[0]!r} is not in the references") from None

    def statistics(self, hypotheses: Sequence[Sequence[str]], images: np.ndarray,
                   progress: Callable[[str], None] | None = None) -> dict[str, np.ndarray]:
        """Return each metric's per-candidate statistics, shape (S, K), keyed by metric name.

        Parameters
        ----------
        hypotheses : sequence of S token sequences
        images : ndarray of shape (S,), dtype int64
            Position of each hypothesis's image (see `positions`).
        """
        notify = progress or (lambda step: None)
        candidates = Candidates(self.references, hypotheses, images)
        stats = {}
        for metric in self.metrics:
            notify(metric.name)
            stats[metric.name] = metric.candidate_stats(candidates, self.prepared[metric.name])
        return stats

    @paused_collector()
    def _score(self, ids: list, hypotheses: Sequence[Sequence[str]], images: np.ndarray,
               progress: Callable[[str], None] | None) -> Evaluation:
        stats = self.statistics(hypotheses, images, progress)
        corpus: dict[str, float] = {}
        columns: dict[str, np.ndarray] = {}
        for metric in self.metrics:
            corpus.update(metric.corpus_score_from_stats(stats[metric.name]))
            per_segment = metric.scores_from_stats(stats[metric.name])
            columns.update(zip(metric.score_names, per_segment.T, strict=True))
        per_item = pd.DataFrame(columns, index=pd.Index(ids, name="image_id"))
        counts = self.references.references_per_image()[images]
        signature = {"nrefs": _references_per_image(counts.tolist()),
                     "tok": tokenizer_signature(self.tokenizer)}
        for metric in self.metrics:
            signature.update({f"{metric.name}.{key}": value for key, value in
                              metric.signature().items()})
        signature["version"] = __version__
        return Evaluation(ids, corpus, per_item, stats,
                          {metric.name: metric for metric in self.metrics}, signature)

    def __repr__(self) -> str:
        names = ", ".join(metric.name for metric in self.metrics)
        return f"Evaluator(n_images={len(self)}, metrics=[{names}], tokenizer={self.tokenizer})"


@paused_collector()
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

    A one-off `Evaluator`: the references of the scored images are prepared, then scored.

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
    tokenizer : {"ptb", "ptb-caption", "none"}, default="ptb"
        ``ptb`` reproduces pycocoevalcap's PTBTokenizer: the references of the scored images
        are one stream and the hypotheses another, both in the references' image order
        (`reference_order`), as ``COCOEvalCap`` tokenizes them; ``ptb-caption`` tokenizes
        each caption on its own; ``none`` splits on whitespace.
    document_frequencies : DocumentFrequencies or path, optional
        CIDEr-D's df table for metrics given by name (default: the evaluated references; with
        `allow_partial`, those of the scored images, as pycocoevalcap computes it).
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
    metric_objects = resolve_metrics(metrics, document_frequencies, tokenizer=tokenizer)
    reference_mapping = _as_reference_mapping(references, sources[1])
    ids, hyps, refs = align(_as_mapping(hypotheses, sources[0]), reference_mapping,
                            hyp_source=sources[0], ref_source=sources[1],
                            allow_partial=allow_partial)
    notify = progress or (lambda step: None)
    notify("tokenize")
    order = reference_order(ids, reference_mapping)
    evaluator = Evaluator._of_checked({ids[i]: refs[i] for i in order}, metric_objects,
                                      tokenizer, sources[1])
    hyp_tokens = tokenize_in_order(hyps, order, tokenizer)
    check_token_lengths(sources[0], ids, [[tokens] for tokens in hyp_tokens])
    return evaluator.evaluate_tokenized(ids, hyp_tokens, progress=progress)


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
    """Score captions that are already tokenized and paired (a one-off `Evaluator`).

    To score many systems (or reference subsets) against the same references, build an
    `Evaluator.from_tokens` once instead. `tokenizer` names how the tokens were made, for the
    signature only.

    Parameters
    ----------
    ids : sequence of S image ids
    hypotheses : sequence of S token sequences
    references : sequence of S non-empty sequences of token sequences
    metrics, document_frequencies, progress
        As for `evaluate` (progress is called once per metric).
    """
    if len(hypotheses) != len(references):
        raise ValueError(f"got {len(hypotheses)} hypotheses but {len(references)} reference "
                         f"lists")
    evaluator = Evaluator.from_tokens(range(len(references)), references, metrics,
                                      tokenizer=tokenizer,
                                      document_frequencies=document_frequencies)
    return evaluator._score(list(ids), hypotheses, np.arange(len(references), dtype=np.int64),
                            progress)


def check_token_lengths(source: str, ids: Sequence, captions: Sequence[Sequence]) -> None:
    """Name the file and image of a caption over `capeval.limits.MAX_CAPTION_TOKENS`.

    `captions` holds, for each image of `ids`, its tokenized captions.
    """
    for image_id, tokens in zip(ids, captions, strict=True):
        for caption in tokens:
            problem = token_length_problem(len(caption))
            if problem is not None:
                raise CapevalInputError(source, f"image {image_id!r}", problem)


def reference_order(ids: Sequence, references: Mapping) -> list[int]:
    """Positions of the images ``ids`` in the order of ``references`` (its keys).

    pycocoevalcap's ``COCOEvalCap`` tokenizes the references in one call and the hypotheses
    in another, both in the references' image order (``coco.getImgIds()``), restricted to
    the evaluated images; this is that order. Keys are compared as canonical ids; ``ids``
    are canonical ids that all occur in ``references``.
    """
    position = {image_id: n for n, image_id in enumerate(ids)}
    order = [position[image_id] for image_id in map(canonical_id, references)
             if image_id in position]
    if len(order) != len(ids):
        raise ValueError("every image id must occur in the references exactly once")
    return order


def format_signature(signature: Mapping[str, str]) -> str:
    """Return ``key:value`` pairs joined by ``|``, e.g. ``nrefs:5|tok:ptb-corenlp-3.4.1|...``."""
    return "|".join(f"{key}:{value}" for key, value in signature.items())


def resolve_metrics(
    metrics: MetricSpec | Iterable[MetricSpec],
    document_frequencies: DocumentFrequencies | str | None,
    *,
    tokenizer: str = "ptb",
) -> list[Metric]:
    """Return metric objects for registry names (CIDEr-D gets `document_frequencies`) or objects.

    One name or metric object alone stands for a list of one. METEOR named with a tokenizer for
    another language than English matches exactly only (`capeval.tokenizers.meteor_modules`);
    a CIDEr-D table built with another tokenizer than `tokenizer` is refused.

    Raises
    ------
    CapevalUsageError
        For an unknown or repeated metric, or none at all.
    CapevalUsageError
        For a METEOR object with English-only modules and such a tokenizer.
    """
    if isinstance(metrics, (str, Metric)):
        metrics = [metrics]
    language_modules = meteor_modules(tokenizer)
    meteor = metric_class("meteor")
    objects = []
    for spec in metrics:
        if isinstance(spec, Metric):
            _check_meteor_modules(spec, meteor, language_modules, tokenizer)
            objects.append(spec)
            continue
        metric = metric_class(spec)
        if document_frequencies is not None and issubclass(metric, CiderD):
            objects.append(metric(document_frequencies))
        elif language_modules is not None and issubclass(metric, meteor):
            objects.append(cast(Any, metric)(modules=language_modules))  # METEOR's option
        else:
            objects.append(metric())
    names = [metric.name for metric in objects]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CapevalUsageError(f"metric listed twice: {', '.join(duplicates)}", option="metrics")
    if not objects:
        raise CapevalUsageError("no metric to compute", option="metrics")
    for chosen in objects:
        if isinstance(chosen, CiderD) and chosen.document_frequencies is not None:
            chosen.document_frequencies.check_usable(chosen.max_order,
                                                    tokenizer_signature(tokenizer))
    if document_frequencies is not None:  # a table given here, not inside a metric object
        for chosen in objects:
            if isinstance(chosen, CiderD) and chosen.document_frequencies is not None:
                logger.info("%s document frequencies: %s", chosen.name,
                            _provenance(chosen.document_frequencies))
    return objects


def _provenance(table: DocumentFrequencies) -> str:
    """Where a df table comes from: ``coco-df.npz: 113287 images of train.json (split
    train+restval), tokenizer ptb-corenlp-3.4.1, capeval 0.1.0``.

    Only the order and the tokenizer are checked against a run (`check_usable`); the corpus
    and split are shown for the reader to judge (any corpus is a valid df source).
    """
    metadata = table.metadata
    where = f"{metadata['file']}: " if "file" in metadata else ""
    split = f" (split {metadata['split']})" if metadata.get("split") else ""
    details = [f"tokenizer {metadata.get('tokenizer', 'not recorded')}"]
    if metadata.get("capeval_version"):
        details.append(f"capeval {metadata['capeval_version']}")
    return (f"{where}{table.n_images} images of {metadata.get('source', 'an unrecorded corpus')}"
            f"{split}, {', '.join(details)}")


def _check_meteor_modules(metric: Metric, meteor: type[Metric], allowed: tuple[str, ...] | None,
                          tokenizer: str) -> None:
    if allowed is None or not isinstance(metric, meteor):
        return
    english = [module for module in getattr(metric, "modules") if module not in allowed]
    if english:
        raise CapevalUsageError(
            f"METEOR's {', '.join(english)} matching is English-only; with the {tokenizer} "
            f"tokenizer use the modules {', '.join(allowed)} (--meteor-modules "
            f"{','.join(allowed)})", option="metrics")


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
