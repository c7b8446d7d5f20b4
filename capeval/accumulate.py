"""Incremental, mergeable corpus scoring for evaluation inside training loops.

An `Accumulator` collects (hypothesis, references) segments batch by batch with `update`,
and `compute` returns the corpus scores that one call of the metric on all segments would
return. Accumulators of data-parallel workers combine with `merge`, and their state travels as
plain arrays and JSON-able values (`state_dict` / `from_state_dict`), e.g. through
``torch.distributed.all_gather_object`` or a ``.npz`` file, never pickle.

What is kept depends on the metric:

* BLEU, ROUGE-L, METEOR and CIDEr-D with a fixed document-frequency table: the per-segment
  sufficient statistics, shape (S, K). A segment's statistics never depend on the others.
* CIDEr-D and CIDEr with corpus document frequencies (the COCO default): the tokens
  themselves, because df and N come from all references and are only known at `compute` time.

Merged shards give exactly the result of one pass: `compute` orders segments canonically (by
id when every update gave ids, else in update order with merged accumulators appended in merge
order) and then computes exactly what the metric computes on that corpus.

Letters used in shapes: S segments, K statistics per segment, C scores of the metric.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np

from capeval import __version__
from capeval.errors import CapevalTypeError
from capeval.evaluation import format_signature
from capeval.metrics import METRICS, Metric, Tokens, get_metric
from capeval.metrics.base import Segments
from capeval.metrics.cider import CiderD
from capeval.tokenizers import tokenize, tokenize_in_order, tokenize_references

STATE_FORMAT = "capeval-accumulator"
STATE_VERSION = 1


class Accumulator:
    """Accumulate segments for one metric; compute corpus scores at the end.

    Parameters
    ----------
    metric : str or Metric
        A registry name (``"bleu"``, ``"rouge-l"``, ``"cider-d"``, ...) or a metric object.
    tokenizer : {"ptb", "ptb-caption", "none"} or None, default=None
        None: `update` takes tokenized captions (sequences of tokens), as `Metric` does.
        Otherwise `update` takes strings and tokenizes them with this tokenizer; with
        ``ptb`` each `update` is a call of pycocoevalcap's tokenizer (the batch's hypotheses
        one stream, its references another), so the stream context ends with each batch
        (use ``ptb-caption`` for tokens that do not depend on how captions are batched).
    **options
        Constructor options of the metric when `metric` is a name (JSON-able values only,
        e.g. ``max_order=4`` or ``document_frequencies="train-df.npz"``), kept in the state.

    Notes
    -----
    Not thread-safe: use one accumulator per thread or worker and `merge` them.
    """

    def __init__(self, metric: str | Metric, tokenizer: str | None = None, **options: Any) -> None:
        self._metric_spec: dict[str, Any]
        if isinstance(metric, Metric):
            if options:
                raise TypeError("options are for metrics given by name")
            self.metric = metric
            self._metric_spec = {"name": _registry_name(metric), "options": None}
        else:
            self.metric = get_metric(metric, **options)
            self._metric_spec = {"name": metric.lower(), "options": dict(options)}
        if tokenizer is not None:
            tokenize([], tokenizer)  # reject an unknown tokenizer now
        self.tokenizer = tokenizer
        self.keeps_tokens = isinstance(self.metric, CiderD) and (
            self.metric.document_frequencies is None)
        self.reset()

    # -- collecting ----------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every segment."""
        self._stats: list[np.ndarray] = []
        self._hypotheses: list[Tokens] = []
        self._references: list[Sequence[Tokens]] = []
        self._ids: list[Any] | None = None
        self._size = 0

    def __len__(self) -> int:
        """Number of segments accumulated so far."""
        return self._size

    def update(
        self,
        hypotheses: Sequence[str] | Sequence[Tokens],
        references: Sequence[Sequence[str]] | Sequence[Sequence[Tokens]],
        ids: Sequence[Hashable] | None = None,
    ) -> None:
        """Add S segments: one hypothesis and its references each.

        Parameters
        ----------
        hypotheses : sequence of S captions
            Strings if the accumulator has a tokenizer, token sequences otherwise.
        references : sequence of S non-empty sequences of captions
        ids : sequence of S ids, optional
            Segment ids (e.g. image ids). Give them in every update or in none; with ids,
            `compute` orders segments by id, so shards merged in any order give the same
            scores as one pass.

        Raises
        ------
        ValueError
            If lengths differ, a segment has no reference, or ids are given inconsistently.
        """
        if self.tokenizer is not None:
            hypotheses, references = self._tokenize(hypotheses, references, self.tokenizer)
        segments = Segments(hypotheses, references)
        if ids is not None and len(ids) != len(segments):
            raise ValueError(f"got {len(segments)} segments but {len(ids)} ids")
        self._add_ids(None if ids is None else list(ids), len(segments))
        if self.keeps_tokens:
            self._hypotheses.extend(hypotheses)
            self._references.extend(references)
        else:
            self._stats.append(self.metric.segment_stats(segments))
        self._size += len(segments)

    def merge(self, other: Accumulator) -> Accumulator:
        """Append the segments of `other` (same metric and tokenizer) to this one; return self.

        Raises
        ------
        ValueError
            If the two accumulate different metrics, settings or tokenizers.
        """
        if (self._description() != other._description()
                or self.keeps_tokens != other.keeps_tokens):
            raise ValueError(f"cannot merge accumulators of {self._description()} and "
                             f"{other._description()}")
        self._add_ids(other._ids, len(other))
        self._stats.extend(other._stats)
        self._hypotheses.extend(other._hypotheses)
        self._references.extend(other._references)
        self._size += len(other)
        return self

    def _add_ids(self, ids: list | None, count: int) -> None:
        if count == 0:
            return
        if self._size and (ids is None) != (self._ids is None):
            raise ValueError("give ids in every update (and every merged accumulator) or in "
                             "none")
        if ids is not None:
            self._ids = (self._ids or []) + ids

    # -- results -------------------------------------------------------------------------
    def segment_stats(self) -> np.ndarray:
        """Return the per-segment statistics of shape (S, K), in canonical segment order."""
        order = self._canonical_order()
        if self.keeps_tokens:
            if not self._size:
                return np.zeros((0, len(self.metric.stat_names)))
            return self.metric.segment_stats([self._hypotheses[i] for i in order],
                                             [self._references[i] for i in order])
        stats = (np.concatenate(self._stats) if self._stats
                 else np.zeros((0, len(self.metric.stat_names))))
        return stats[order]

    def compute(self) -> dict[str, float]:
        """Return the corpus scores of all segments, keyed by the metric's score names.

        Raises
        ------
        ValueError
            If no segment was added, or ids repeat.
        """
        if not self._size:
            raise ValueError("no segment to score: call update first")
        return self.metric.corpus_score_from_stats(self.segment_stats())

    def segment_scores(self) -> np.ndarray:
        """Return per-segment scores of shape (S, C), in canonical segment order."""
        return self.metric.scores_from_stats(self.segment_stats())

    def segment_ids(self) -> list | None:
        """Return the segment ids in canonical order, or None if updates gave none."""
        return None if self._ids is None else [self._ids[i] for i in self._canonical_order()]

    def _canonical_order(self) -> np.ndarray:
        if self._ids is None:
            return np.arange(self._size)
        seen: set = set()
        for segment_id in self._ids:
            if segment_id in seen:
                raise ValueError(f"segment id {segment_id!r} was added twice")
            seen.add(segment_id)
        try:
            ids = self._ids
            return np.array(sorted(range(self._size), key=lambda i: ids[i]), dtype=np.int64)
        except TypeError:
            raise ValueError("segment ids must be mutually comparable (all int or all str)"
                             ) from None

    # -- state -----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Return the state as plain arrays and JSON-able values (no pickle needed).

        Keys: ``format``, ``version``, ``capeval_version``, ``metric`` (registry name and
        options), ``signature``, ``tokenizer``, ``ids`` (list or None), and either ``stats``
        (float64 array (S, K)) or the tokens: ``vocabulary`` (list of str), ``hypothesis_words``
        and ``reference_words`` (int64 word ids, captions concatenated),
        ``hypothesis_lengths``, ``reference_lengths`` and ``references_per_segment`` (int64).
        """
        state: dict[str, Any] = {
            "format": STATE_FORMAT, "version": STATE_VERSION, "capeval_version": __version__,
            "metric": dict(self._metric_spec), "signature": self.metric.signature(),
            "tokenizer": self.tokenizer, "ids": None if self._ids is None else list(self._ids),
        }
        if not self.keeps_tokens:
            state["stats"] = (np.concatenate(self._stats) if self._stats
                              else np.zeros((0, len(self.metric.stat_names))))
            return state
        vocabulary: dict[str, int] = {}

        def encode(captions: Sequence[Tokens]) -> tuple[np.ndarray, np.ndarray]:
            words = [vocabulary.setdefault(token, len(vocabulary))
                     for caption in captions for token in caption]
            lengths = [len(caption) for caption in captions]
            return np.array(words, dtype=np.int64), np.array(lengths, dtype=np.int64)

        state["hypothesis_words"], state["hypothesis_lengths"] = encode(self._hypotheses)
        flat_refs = [ref for refs in self._references for ref in refs]
        state["reference_words"], state["reference_lengths"] = encode(flat_refs)
        state["references_per_segment"] = np.array([len(r) for r in self._references],
                                                   dtype=np.int64)
        state["vocabulary"] = list(vocabulary)
        return state

    @classmethod
    def from_state_dict(cls, state: Mapping[str, Any], metric: Metric | None = None
                        ) -> Accumulator:
        """Rebuild an accumulator from `state_dict` output.

        Parameters
        ----------
        state : mapping
        metric : Metric, optional
            Needed when the accumulator was built from a metric object rather than a name;
            its signature must match the state's.

        Raises
        ------
        ValueError
            If the state is of another format or version, inconsistent, or the metric differs.
        """
        if not isinstance(state, Mapping):
            raise CapevalTypeError(f"state must be the mapping state_dict returned, got "
                                   f"{type(state).__name__}")
        if state.get("format") != STATE_FORMAT or state.get("version") != STATE_VERSION:
            raise ValueError(f"not a {STATE_FORMAT} state of version {STATE_VERSION}")
        spec = state["metric"]
        if metric is None:
            if spec["options"] is None:
                raise ValueError(f"this {spec['name']} accumulator was built from a metric "
                                 "object: pass the metric to from_state_dict")
            accumulator = cls(spec["name"], state["tokenizer"], **spec["options"])
        else:
            accumulator = cls(metric, state["tokenizer"])
        if accumulator.metric.signature() != dict(state["signature"]):
            raise ValueError(f"metric settings {accumulator.metric.signature()} differ from the "
                             f"state's {dict(state['signature'])}")
        ids = state["ids"]
        if accumulator.keeps_tokens:
            vocabulary = list(state["vocabulary"])
            hypotheses = _decode(vocabulary, state["hypothesis_words"],
                                 state["hypothesis_lengths"])
            flat_refs = _decode(vocabulary, state["reference_words"], state["reference_lengths"])
            counts = np.asarray(state["references_per_segment"], dtype=np.int64)
            if counts.sum() != len(flat_refs) or len(counts) != len(hypotheses):
                raise ValueError("inconsistent token state: reference counts do not add up")
            bounds = np.cumsum(counts).tolist()
            references = [flat_refs[end - n:end] for end, n in zip(bounds, counts.tolist())]
            size = len(hypotheses)
            accumulator._hypotheses.extend(hypotheses)
            accumulator._references.extend(references)
        else:
            stats = np.asarray(state["stats"], dtype=np.float64)
            if stats.ndim != 2 or stats.shape[1] != len(accumulator.metric.stat_names):
                raise ValueError(f"stats of shape {stats.shape} do not fit "
                                 f"{len(accumulator.metric.stat_names)} statistics")
            size = stats.shape[0]
            accumulator._stats = [stats] if size else []
        if ids is not None and len(ids) != size:
            raise ValueError(f"{len(ids)} ids for {size} segments")
        accumulator._ids = None if ids is None else list(ids)
        accumulator._size = size
        return accumulator

    def _description(self) -> str:
        return (f"{self.metric.name}({format_signature(self.metric.signature())}, "
                f"tokenizer={self.tokenizer})")

    @staticmethod
    def _tokenize(hypotheses, references, method: str):
        for name, captions in (("hypotheses", hypotheses), ("references", references)):
            if isinstance(captions, str):
                raise CapevalTypeError(f"{name} must be a sequence, not one string")
        for index, refs in enumerate(references):
            if isinstance(refs, str):
                raise CapevalTypeError(f"references of segment {index} are one string; give a "
                                       "list of reference captions")
        # One stream per side, as pycocoevalcap tokenizes a batch it scores.
        return (tokenize_in_order(list(hypotheses), None, method),
                tokenize_references(list(references), None, method))

    def __repr__(self) -> str:
        return f"Accumulator({self._description()}, segments={self._size})"


def _registry_name(metric: Metric) -> str:
    path = f"{type(metric).__module__}:{type(metric).__name__}"
    for name, target in METRICS.items():
        if target == path:
            return name
    return path


def _decode(vocabulary: list[str], words, lengths) -> list[list[str]]:
    words = np.asarray(words, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.sum() != words.size or (words.size and (words.min() < 0
                                                       or words.max() >= len(vocabulary))):
        raise ValueError("inconsistent token state: lengths or word ids do not fit")
    tokens = [vocabulary[w] for w in words.tolist()]
    bounds = np.cumsum(lengths).tolist()
    return [tokens[end - n:end] for end, n in zip(bounds, lengths.tolist())]
