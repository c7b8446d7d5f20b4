"""Metrics computed from per-segment sufficient statistics.

A *segment* is one image: one hypothesis caption and its reference captions, each already
tokenized (a caption is a sequence of token strings). Every metric turns each segment into a
row of K statistics; a score is a pure function of such a row. Applied to one row it gives the
segment's score; applied to the column sums of many rows it gives their corpus score. Bootstrap
resampling, incremental accumulation and the merging of shards therefore all work on
statistics alone and never re-score text.

A reference set can be *prepared* once and scored against many times (`capeval.Evaluator`):
`Metric.prepare_references` turns a `ReferenceSet` of N images into the metric's reference-side
data, and `Metric.candidate_stats` scores `Candidates` (S hypotheses, each naming the image of
the set it describes) against that data. A segment's row depends only on its own hypothesis,
its image's references and the metric's fixed settings (such as a df table), never on the other
segments of the call, so any split of a corpus into chunks gives the same rows.

Letters used in shapes: N images of a reference set, S segments, K statistics per segment,
C scores a metric reports (BLEU reports four, BLEU-1..4), B bootstrap samples.
"""
from __future__ import annotations

import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import chain
from typing import Any, ClassVar, TypeVar

import numpy as np

from capeval.collector import paused_collector
from capeval.errors import CapevalTypeError, CapevalUsageError
from capeval.limits import token_length_problem

Tokens = Sequence[str]
"""One tokenized caption."""

_Built = TypeVar("_Built")


class Metric(ABC):
    """Base class: subclasses implement `_segment_stats` and `scores_from_stats` only.

    Statistics are float64 (integer counts are exact below 2**53). Column meanings are given by
    `stat_names`; the scores a metric reports are named by `score_names`.
    """

    name: ClassVar[str]
    """Display name of the metric family, e.g. ``"BLEU"``."""

    score_names: tuple[str, ...]
    """Names of the C scores, e.g. ``("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4")``."""

    stat_names: tuple[str, ...]
    """Names of the K statistics of a segment row."""

    # -- hooks: implement `_segment_stats`, or `prepare_references` and `_candidate_stats` ----
    def _segment_stats(self, segments: Segments) -> np.ndarray:
        """Return statistics of shape (S, K), dtype float64, for validated segments."""
        raise NotImplementedError(f"{type(self).__name__} implements neither _segment_stats "
                                  f"nor _candidate_stats")

    def prepare_references(self, references: ReferenceSet) -> Any:
        """Return this metric's reference-side data for the N images of `references`.

        Called once per reference set; `candidate_stats` then receives the result for every
        batch of candidates scored against the set. The default keeps the `ReferenceSet`
        itself. A metric that overrides it also overrides `_candidate_stats`; data shared by
        several metrics (interned words, n-gram tables) goes in ``references.cached``.
        """
        return references

    def _candidate_stats(self, candidates: Candidates, prepared: Any) -> np.ndarray:
        """Return statistics of shape (S, K) for candidates against prepared references.

        The default pairs each candidate with its image's references and calls
        `_segment_stats`.
        """
        return self._segment_stats(candidates.segments())

    @abstractmethod
    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        """Return the scores for statistics rows; pure, never mutates `stats`.

        Parameters
        ----------
        stats : ndarray of shape (..., K)
            One row per segment, or column sums over segments (a corpus).

        Returns
        -------
        ndarray of shape (..., C), dtype float64
        """

    def signature(self) -> dict[str, str]:
        """Return the settings that determine the scores, as short key/value strings."""
        return {}

    def single_threaded(self) -> Metric:
        """Return this metric for a process that may use one core (each process of a
        streamed run, where ``jobs`` chooses the cores): itself, unless it starts threads of
        its own by default (`capeval.metrics.meteor.Meteor`)."""
        return self

    # -- public API built on the hooks ---------------------------------------------------------
    @paused_collector()
    def segment_stats(
        self,
        hypotheses: Sequence[Tokens] | Segments,
        references: Sequence[Sequence[Tokens]] | None = None,
    ) -> np.ndarray:
        """Return per-segment statistics of shape (S, K), dtype float64.

        Parameters
        ----------
        hypotheses : sequence of S token sequences, or a `Segments`
            A `Segments` carries its references (leave `references` out) and shares the data
            it caches (interned words, prepared n-gram tables) between metrics.
        references : sequence of S non-empty sequences of token sequences

        Raises
        ------
        ValueError
            If the two sequences differ in length or a segment has no reference.
        """
        candidates = as_segments(hypotheses, references).candidates()
        return self.candidate_stats(candidates, self.prepare_references(candidates.references))

    @paused_collector()
    def candidate_stats(self, candidates: Candidates, prepared: Any) -> np.ndarray:
        """Return per-candidate statistics of shape (S, K), dtype float64.

        Parameters
        ----------
        candidates : Candidates
            S hypotheses, each with the position of its image in ``candidates.references``.
        prepared : object
            ``self.prepare_references(candidates.references)``.
        """
        stats = self._candidate_stats(candidates, prepared)
        return np.asarray(stats, dtype=np.float64).reshape(len(candidates), len(self.stat_names))

    def corpus_score_from_stats(self, stats: np.ndarray) -> dict[str, float]:
        """Return the corpus scores of statistics of shape (S, K), keyed by `score_names`."""
        totals = sum_stats(stats, np.zeros(len(self.stat_names)))
        return dict(zip(self.score_names, self.scores_from_stats(totals).tolist(), strict=True))

    def corpus_score(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> dict[str, float]:
        """Return the corpus scores of S segments, keyed by `score_names`."""
        return self.corpus_score_from_stats(self.segment_stats(hypotheses, references))

    def sentence_scores(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> np.ndarray:
        """Return per-segment scores of shape (S, C), columns ordered as `score_names`."""
        return self.scores_from_stats(self.segment_stats(hypotheses, references))

    def __repr__(self) -> str:
        settings = ", ".join(f"{key}={value}" for key, value in self.signature().items())
        return f"{type(self).__name__}({settings})"


class ReferenceSet:
    """The tokenized references of N images, with data derived from them cached for metrics.

    Parameters
    ----------
    references : sequence of N non-empty sequences of token sequences

    Raises
    ------
    ValueError
        If an image has no reference.
    """

    def __init__(self, references: Sequence[Sequence[Tokens]]) -> None:
        check_reference_tokens(references)
        self.references = references
        self._cache: dict[Hashable, Any] = {}

    def __len__(self) -> int:
        return len(self.references)

    def references_per_image(self) -> np.ndarray:
        """Return the number of references of each image, shape (N,), dtype int64."""
        return np.fromiter(map(len, self.references), dtype=np.int64, count=len(self))

    def cached(self, key: Hashable, build: Callable[[], _Built]) -> _Built:
        """Return ``build()``, computed once per `key` for this reference set."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


class Candidates:
    """S tokenized hypotheses, each to be scored against one image of a `ReferenceSet`.

    Parameters
    ----------
    references : ReferenceSet
        N images.
    hypotheses : sequence of S token sequences
    images : ndarray of shape (S,), dtype int64, optional
        Position in `references` of each hypothesis's image (repeats allowed); by default
        hypothesis s describes image s (then S must equal N).

    Raises
    ------
    ValueError
        If the lengths differ or a position is outside the reference set.
    """

    def __init__(self, references: ReferenceSet, hypotheses: Sequence[Tokens],
                 images: np.ndarray | None = None) -> None:
        check_hypothesis_tokens(hypotheses)
        if images is None:
            if len(hypotheses) != len(references):
                raise ValueError(f"got {len(hypotheses)} hypotheses but {len(references)} "
                                 f"reference lists")
            images = np.arange(len(references), dtype=np.int64)
        images = np.asarray(images, dtype=np.int64)
        if images.shape != (len(hypotheses),):
            raise ValueError(f"got {len(hypotheses)} hypotheses but image positions of shape "
                             f"{images.shape}")
        if images.size and (images.min() < 0 or images.max() >= len(references)):
            raise ValueError(f"image positions must lie in 0..{len(references) - 1}")
        self.references = references
        self.hypotheses = hypotheses
        self.images = images
        self._segments: Segments | None = None  # made by `segments`
        # The Segments whose `candidates` made this one: a weak reference, so that no
        # reference cycle keeps a corpus's captions alive until the cyclic collector runs.
        self._made_by: weakref.ref[Segments] | None = None
        self._cache: dict[Hashable, Any] = {}

    def __len__(self) -> int:
        return len(self.hypotheses)

    def segments(self) -> Segments:
        """Return each hypothesis paired with its image's references (cached)."""
        made_by = self._made_by() if self._made_by is not None else None
        if made_by is not None:
            return made_by
        if self._segments is None:
            refs = self.references.references
            self._segments = Segments.checked(self.hypotheses,
                                              [refs[i] for i in self.images.tolist()])
            self._segments._made_by = weakref.ref(self)
        return self._segments

    def cached(self, key: Hashable, build: Callable[[], _Built]) -> _Built:
        """Return ``build()``, computed once per `key` for these candidates."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]


class Segments:
    """S tokenized segments, validated (`candidates` scores them against their references).

    Parameters
    ----------
    hypotheses : sequence of S token sequences
    references : sequence of S non-empty sequences of token sequences

    Raises
    ------
    CapevalUsageError
        If the two sequences differ in length or a segment has no reference.
    CapevalTypeError
        If a caption is a string rather than a sequence of tokens (it would be read as
        characters), or a segment's references are one string.
    """

    def __init__(
        self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]
    ) -> None:
        check_hypothesis_tokens(hypotheses)
        check_reference_tokens(references)
        if len(hypotheses) != len(references):
            raise CapevalUsageError(
                f"got {len(hypotheses)} hypotheses but {len(references)} reference lists"
            )
        self._wrap(hypotheses, references)

    def _wrap(self, hypotheses: Sequence[Tokens], references: Sequence[Sequence[Tokens]]) -> None:
        self.hypotheses = hypotheses
        self.references = references
        self._candidates: Candidates | None = None  # made by `candidates`
        self._made_by: weakref.ref[Candidates] | None = None  # as `Candidates._made_by`

    @classmethod
    def checked(cls, hypotheses: Sequence[Tokens],
                references: Sequence[Sequence[Tokens]]) -> Segments:
        """Pair S hypotheses with their references without checking them again.

        For captions already validated, as those of a `Candidates` and its `ReferenceSet` are
        (checking 30,000 captions again took 0.05 s on Flickr8k).
        """
        segments = cls.__new__(cls)
        segments._wrap(hypotheses, references)
        return segments

    def __len__(self) -> int:
        return len(self.hypotheses)

    def candidates(self) -> Candidates:
        """Return hypothesis s against image s of a `ReferenceSet` of these references (cached)."""
        made_by = self._made_by() if self._made_by is not None else None
        if made_by is not None:
            return made_by
        if self._candidates is None:
            self._candidates = Candidates(ReferenceSet(self.references), self.hypotheses)
            self._candidates._made_by = weakref.ref(self)
        return self._candidates


def check_hypothesis_tokens(hypotheses: Sequence[Tokens]) -> None:
    """Check S tokenized hypotheses: token sequences (never a str), within the length cap.

    Raises
    ------
    CapevalTypeError
        For a string where a token sequence belongs (it would be read as characters).
    CapevalUsageError
        For a caption over `capeval.limits.MAX_CAPTION_TOKENS`.
    """
    if isinstance(hypotheses, str):
        raise CapevalTypeError("hypotheses must be a sequence of segments, not one string")
    if _captions_look_valid(hypotheses):
        return
    for index, hypothesis in enumerate(hypotheses):
        if isinstance(hypothesis, str):
            raise CapevalTypeError(f"hypothesis {index} is a string; metrics take token lists "
                                   f"(e.g. {hypothesis.split()[:3]!r}): tokenize it first")
        _check_length(hypothesis, f"hypothesis {index}")


def check_reference_tokens(references: Sequence[Sequence[Tokens]]) -> None:
    """Check the tokenized references of S segments, as `check_hypothesis_tokens`; every
    segment needs at least one reference (else CapevalUsageError)."""
    if isinstance(references, str):
        raise CapevalTypeError("references must be a sequence of segments, not one string")
    if _references_look_valid(references):
        return
    for index, refs in enumerate(references):  # something is wrong: find the first problem
        if isinstance(refs, str):
            raise CapevalTypeError(f"references of segment {index} are one string; give a list "
                                   "of token lists")
        if len(refs) == 0:
            raise CapevalUsageError(f"segment {index} has no reference caption")
        for number, reference in enumerate(refs):
            if isinstance(reference, str):
                raise CapevalTypeError(f"reference {number} of segment {index} is a string; "
                                       "metrics take token lists: tokenize it first")
            _check_length(reference, f"reference {number} of segment {index}")


def _captions_look_valid(captions: Iterable[Tokens]) -> bool:
    """Whether no caption is a string and none is over the length limit: the quick check of
    valid input (when it fails, the checks above find the first problem and its message)."""
    try:
        captions = list(captions)
        return (not _has_string(captions)
                and token_length_problem(max(map(len, captions), default=0)) is None)
    except TypeError:
        return False


def _references_look_valid(references: Sequence[Sequence[Tokens]]) -> bool:
    """`_captions_look_valid` of all references, no segment a string or without references."""
    try:
        return (not _has_string(references) and min(map(len, references), default=1) > 0
                and _captions_look_valid(chain.from_iterable(references)))
    except TypeError:
        return False


def _has_string(items: Iterable[object]) -> bool:
    return any(issubclass(kind, str) for kind in set(map(type, items)))


def _check_length(caption: Tokens, what: str) -> None:
    problem = token_length_problem(len(caption))
    if problem is not None:
        raise CapevalUsageError(f"{what}: {problem}")


def as_segments(
    hypotheses: Sequence[Tokens] | Segments, references: Sequence[Sequence[Tokens]] | None
) -> Segments:
    """Return `hypotheses` if it already is a `Segments`, else validate and wrap both."""
    if isinstance(hypotheses, Segments):
        if references is not None:
            raise TypeError("pass references inside the Segments, not separately")
        return hypotheses
    if references is None:
        raise TypeError("references are required")
    return Segments(hypotheses, references)


def sum_stats(stats: np.ndarray, initial: np.ndarray) -> np.ndarray:
    """Return `initial` plus the rows of `stats`, added one by one in row order.

    A fixed order of additions makes the total of a corpus the same, bit for bit, whether its
    rows arrive at once or chunk by chunk (pass the running total as `initial`).

    Parameters
    ----------
    stats : ndarray of shape (S, K)
    initial : ndarray of shape (K,)

    Returns
    -------
    ndarray of shape (K,), dtype float64
    """
    rows = np.vstack([np.asarray(initial, dtype=np.float64), np.asarray(stats, dtype=np.float64)])
    return np.add.accumulate(rows, axis=0)[-1]


def safe_divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Return numerator / denominator elementwise, 0 where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


class SegmentMeanMetric(Metric):
    """A metric whose corpus score is the mean of its segment scores.

    Its statistics are ``(score, count)`` with count 1 per segment, so sums of rows still give
    the corpus mean. Subclasses implement `_segment_scores` (or `prepare_references` and
    `_candidate_stats`).
    """

    stat_names = ("score", "count")

    def _segment_scores(self, segments: Segments) -> np.ndarray:
        """Return the S segment scores, shape (S,), dtype float64."""
        raise NotImplementedError(f"{type(self).__name__} implements neither _segment_scores "
                                  f"nor _candidate_stats")

    def _segment_stats(self, segments: Segments) -> np.ndarray:
        scores = np.asarray(self._segment_scores(segments), dtype=np.float64)
        return np.column_stack([scores, np.ones_like(scores)])

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        stats = np.asarray(stats, dtype=np.float64)
        return safe_divide(stats[..., 0], stats[..., 1])[..., np.newaxis]
