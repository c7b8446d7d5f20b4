"""Score several captioning systems on the same images: a ranked table with statistics.

`leaderboard` tokenizes the references once (one stream; each system's captions a stream of
their own, in the references' image order), prepares them once per fold (`Evaluator`),
scores every system against them, and adds bootstrap confidence intervals and paired
significance tests computed from the per-image statistics (`capeval.stats`), optionally with a human row (`capeval.human`).
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd

from capeval import __version__
from capeval.document_frequencies import DocumentFrequencies
from capeval.evaluation import (
    Evaluator,
    MetricSpec,
    format_signature,
    reference_order,
    resolve_metrics,
)
from capeval.human import HUMAN, Fold, leave_one_out_folds
from capeval.io import align, canonical_id
from capeval.io.groups import ENTIRE
from capeval.io.align import SHOWN_DIFFERENT_IDS, IdSample, align_checked, check_same_images
from capeval.io.source import PathLike
from capeval.metrics import DEFAULT_METRICS, Metric
from capeval.stats import (
    Bootstrap,
    Randomization,
    approximate_randomization_p,
    bootstrap_scores,
    confidence_interval,
    corpus_scores,
    paired_bootstrap_p,
)
from capeval.tokenizers import tokenize_in_order, tokenize_references, tokenizer_signature

logger = logging.getLogger("capeval")

COLUMN_ORDER = ("CIDEr-D", "METEOR", "ROUGE-L", "BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4")
"""Column order of the COCO caption leaderboard; other scores follow in computed order."""

TESTS = {"bs": "paired bootstrap", "ar": "approximate randomization"}
"""Paired significance tests: short name -> description."""


@dataclass(frozen=True)
class LeaderboardSettings:
    """How a leaderboard was computed: what its notes and its signature report."""

    sort: str  # the score systems are ranked by, best first
    n_images: int
    n_bootstrap: int  # bootstrap resamples, or approximate randomization trials; 0: none
    ci: float | None  # level of the confidence intervals; None without resamples
    seed: int  # of the one generator that draws every resample
    test: str | None  # paired test against the baseline: a key of `TESTS`, or None
    baseline: str | None
    human: bool  # a Human row, and every system scored on leave-one-out reference sets
    n_folds: int  # leave-one-out folds (1 without the human row)
    no_interval: tuple[str, ...] = ()  # scores without intervals (corpus-wide counts)


@dataclass(frozen=True)
class Leaderboard:
    """Scores of several systems on the same S images, ranked, with their uncertainty.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per system (index: name), ranked best first; one column per score, in COCO
        leaderboard order.
    ci_low, ci_high : pandas.DataFrame or None
        Bounds of the bootstrap confidence interval, same shape as `scores`; None without
        bootstrap.
    p_values : pandas.DataFrame or None
        p-value of each system's difference from the baseline, same shape as `scores` (NaN
        on the baseline's row); None without a test.
    per_item : pandas.DataFrame or None
        Long form, one row per (system, image): ``system``, ``image_id``, ``caption`` and one
        column per score (the mean over folds for the human comparison). None for a board
        read from files in chunks (`leaderboard_files`): its rows went to a file.
    references : dict
        Image id -> its reference captions (empty for a board read in chunks).
    settings : LeaderboardSettings
    signature : dict of str to str
        Everything that determines the numbers; ``version`` last.
    images : BoardImages or None
        What a board read in chunks keeps of its images for the HTML report (None: the
        board has `per_item`, or was read without ``examples``).
    """

    scores: pd.DataFrame
    ci_low: pd.DataFrame | None
    ci_high: pd.DataFrame | None
    p_values: pd.DataFrame | None
    per_item: pd.DataFrame | None
    references: dict
    settings: LeaderboardSettings
    signature: dict[str, str]
    images: BoardImages | None = None

    @property
    def systems(self) -> list[str]:
        """System names, ranked best first."""
        return list(self.scores.index)

    @property
    def score_names(self) -> list[str]:
        return list(self.scores.columns)

    def score(self, system: str, score: str) -> float:
        """The corpus score `score` of `system`."""
        return _cell(self.scores, system, score)

    def interval(self, system: str, score: str) -> tuple[float, float] | None:
        """The (low, high) confidence interval of a score; None without one."""
        if self.ci_low is None or self.ci_high is None or np.isnan(_cell(self.ci_low, system, score)):
            return None  # (NaN: a score without an interval, e.g. a corpus-level count)
        return _cell(self.ci_low, system, score), _cell(self.ci_high, system, score)

    def p_value(self, system: str, score: str) -> float | None:
        """The p-value of a score's difference from the baseline; None without a test and
        on the baseline itself."""
        if self.p_values is None:
            return None
        value = _cell(self.p_values, system, score)
        return None if np.isnan(value) else value

    def signature_string(self) -> str:
        """Return the signature as ``key:value|key:value|...`` (version last)."""
        return format_signature(self.signature)

    def to_dict(self) -> dict:
        """Return ``{"signature": str, "systems": [{"name", "scores", "ci", "p"}, ...]}``.

        Systems are ranked best first; ``ci`` maps a score to ``[low, high]`` and ``p`` to the
        p-value against the baseline (both empty when not computed; ``p`` is empty on the
        baseline itself; a score without an interval, e.g. Vocab, is left out of ``ci``).
        """
        systems = []
        for name in self.systems:
            intervals = {score: self.interval(name, score) for score in self.score_names}
            p_values = {score: self.p_value(name, score) for score in self.score_names}
            systems.append({
                "name": name,
                "scores": {score: self.score(name, score) for score in self.score_names},
                "ci": {score: list(bounds) for score, bounds in intervals.items() if bounds},
                "p": {score: p for score, p in p_values.items() if p is not None},
            })
        return {"signature": self.signature_string(), "systems": systems}

    def items(self) -> pd.DataFrame:
        """Return `per_item`; ValueError for a board read in chunks (which has none)."""
        if self.per_item is None:
            raise ValueError("this leaderboard was read in chunks: its per-image rows were "
                             "written by leaderboard_files(per_item=...)")
        return self.per_item

    def write_per_item(self, path) -> None:
        """Write `per_item` (every system, every image) as ``.jsonl`` or ``.csv``."""
        from capeval.io import write_per_item

        write_per_item(path, self.items())

    def image_scores(self, system: str, score: str) -> np.ndarray:
        """Return the per-image scores of a system, ndarray of shape (S,), board order."""
        if self.images is not None:
            return np.ascontiguousarray(
                self.images.scores[system][:, self.score_names.index(score)])
        items = self.items()
        return items.loc[items["system"] == system, score].to_numpy()

    def examples(self, system: str, count: int) -> tuple[list[Example], list[Example]]:
        """Return a system's `count` best and `count` worst images by the ranking score.

        Ties keep the board order among the best and the reverse order among the worst
        (`example_positions`).
        """
        if self.images is not None:
            if self.images.count != count:
                raise ValueError(f"this leaderboard was read in chunks keeping "
                                 f"{self.images.count} examples per system, not {count}")
            return self.images.examples[system]
        items = self.items()
        rows = items[items["system"] == system]
        sort = self.settings.sort
        best, worst = (
            [Example(item["image_id"], item[sort], item["caption"],
                     list(self.references.get(item["image_id"], ())))
             for _, item in rows.iloc[positions].iterrows()]
            for positions in example_positions(rows[sort].to_numpy(), count))
        return best, worst


def _cell(table: pd.DataFrame, system: str, score: str) -> float:
    return float(cast(float, table.at[system, score]))  # the tables hold floats only


class Example(NamedTuple):
    """One image of a system shown as an example in the HTML report."""

    image_id: Any
    score: float  # by the ranking score
    caption: str  # the system's (the human row's: the first held-out reference)
    references: list[str]


@dataclass(frozen=True)
class BoardImages:
    """What a board read in chunks keeps of its images for the HTML report.

    Attributes
    ----------
    scores : dict of str to ndarray of shape (S, C)
        Per system: the per-image scores (mean over folds), in score column order.
    examples : dict of str to (list of Example, list of Example)
        Per system: its `count` best and worst images (`Leaderboard.examples`).
    count : int
    """

    scores: dict[str, np.ndarray]
    examples: dict[str, tuple[list[Example], list[Example]]]
    count: int


def example_positions(values: np.ndarray, count: int) -> tuple[list[int], list[int]]:
    """Return the positions of the `count` highest and `count` lowest of S values.

    Ranked by a stable descending sort (NaN last): the best are its first `count`, the worst
    its last `count`, last first.
    """
    ranked = pd.Series(values).sort_values(ascending=False, kind="stable").index.to_numpy()
    count = min(count, len(ranked))
    return ranked[:count].tolist(), ranked[::-1][:count].tolist()


def per_image_scores(stacked: Mapping[str, np.ndarray], metric_objects: Sequence[Metric],
                     score_names: Sequence[str]) -> np.ndarray:
    """Return per-image scores, the mean over folds, ndarray of shape (N, S, C).

    `stacked` holds each metric's statistics, (N, F, S, K); C = len(`score_names`).
    """
    columns: dict[str, np.ndarray] = {}
    for metric in metric_objects:
        per_image = metric.scores_from_stats(stacked[metric.name]).mean(axis=1)  # (N, S, C_m)
        columns.update(zip(metric.score_names, np.moveaxis(per_image, -1, 0), strict=True))
    return np.stack([columns[name] for name in score_names], axis=-1)


def leaderboard(
    systems: Mapping[str, Mapping[Any, str]],
    references: Mapping[Any, Sequence[str]],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    tokenizer: str = "ptb",
    document_frequencies: DocumentFrequencies | str | None = None,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 12345,
    test: str | None = None,
    baseline: str | None = None,
    human: bool = False,
    sort: str | None = None,
    allow_partial: bool = False,
    sources: Mapping[str, str] | None = None,
    reference_source: str = "references",
    progress: Callable[[str], None] | None = None,
) -> Leaderboard:
    """Score every system on the same images and rank them.

    Parameters
    ----------
    systems : mapping of name -> (mapping of image id -> caption)
        Every system must caption the same images. Order decides ties and the default
        baseline (the first system).
    references : mapping of image id -> list of str
    metrics : iterable of str or Metric, default=DEFAULT_METRICS
    tokenizer : {"ptb", "ptb-caption", "none"}, default="ptb"
        As for `capeval.evaluate`: the references one stream, each system's captions another,
        in the references' image order. The human row's captions keep the tokens they have
        in the references' stream.
    document_frequencies : DocumentFrequencies or path, optional
        CIDEr-D's df table (default: the references, as pycocoevalcap does).
    n_bootstrap : int, default=1000
        Resamples of the images for the confidence intervals and the paired bootstrap test,
        and trials of approximate randomization; 0 computes no interval.
    ci : float, default=0.95
        Level of the percentile bootstrap confidence intervals.
    seed : int, default=12345
        Seed of the one `np.random.default_rng` that draws all resamples (0 is a seed).
    test : {"bs", "ar"}, optional
        Paired test of every system against the baseline: paired bootstrap or approximate
        randomization. Default: "bs" when `baseline` is given, else none.
    baseline : str, optional
        Name of the baseline system (default: the first system, when a test is asked for).
    human : bool, default=False
        Add a "Human" row (each reference scored against the others) and score every system
        against the same leave-one-out reference sets (see `capeval.human`).
    sort : str, optional
        Score to rank by, descending (default: CIDEr-D when computed, else the first score).
    allow_partial : bool, default=False
        Allow references for more images than the systems caption.
    sources : mapping of name -> str, optional
        Where each system came from (file names), for messages.
    reference_source : str, default="references"
    progress : callable, optional
        Called with a short description of each step.

    Returns
    -------
    Leaderboard

    Raises
    ------
    CapevalInputError
        When systems caption different images, or a system does not match the references.
    ValueError
        For inconsistent settings (unknown baseline or sort score, a system named "Human"
        next to the human row, bad sample counts).
    """
    notify = progress or (lambda step: None)
    names = list(systems)
    sources = {name: (sources or {}).get(name, name) for name in names}
    plan = _Plan.of(names, metrics, document_frequencies, tokenizer, n_bootstrap=n_bootstrap,
                    ci=ci, seed=seed, test=test, baseline=baseline, human=human, sort=sort)
    metric_objects = plan.metrics

    ids, captions, reference_lists = _align_systems(systems, references, sources,
                                                    reference_source, allow_partial)
    notify("tokenize")
    order = reference_order(ids, references)
    reference_tokens = tokenize_references(reference_lists, order, tokenizer)
    system_tokens: dict[str, list[list[str]] | None] = {
        name: tokenize_in_order(system, order, tokenizer) for name, system in captions.items()}
    if human:
        folds = leave_one_out_folds(reference_tokens)
        system_tokens = {HUMAN: None, **system_tokens}  # its captions are each fold's held-out
        captions = {HUMAN: leave_one_out_folds(reference_lists)[0].held_out, **captions}
    else:
        folds = [Fold([], reference_tokens)]  # nothing held out
    names = list(system_tokens)

    # One prepared reference set per fold, shared by every system (and the human captions).
    prepared = [Evaluator.from_tokens(ids, fold.references, metric_objects, tokenizer=tokenizer)
                for fold in folds]
    stats: dict[str, list[np.ndarray]] = {metric.name: [] for metric in metric_objects}
    for name, tokens in system_tokens.items():
        notify(f"score {name}")
        evaluations = [evaluator.evaluate_tokenized(
                           ids, fold.held_out if tokens is None else tokens)
                       for fold, evaluator in zip(folds, prepared, strict=True)]
        for metric in metric_objects:
            stats[metric.name].append(np.stack([e.stats[metric.name] for e in evaluations]))
    stacked = {metric: np.stack(arrays) for metric, arrays in stats.items()}  # (N, F, S, K)
    return _rank(plan, names, stacked, notify,
                 _per_item(stacked, metric_objects, plan.score_names, ids, captions),
                 dict(zip(ids, reference_lists, strict=True)),
                 evaluations[0].signature,  # any system's
                 {len(refs) for refs in reference_lists})


def leaderboard_files(
    systems: Mapping[str, PathLike],
    references: PathLike | Iterable[PathLike],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    per_item: PathLike | None = None,
    examples: int = 0,
    **options: Any,
) -> Leaderboard:
    """Rank systems read from caption files, in memory that holds statistics, not captions.

    The leaderboard of ``leaderboard(systems read, references read, ...)``, number for
    number, whatever `chunk_size` and `jobs`. Every system is joined with the references by
    image id out of core and scored chunk by chunk (`capeval.streaming.systems`); only the
    per-image statistic rows are kept for the intervals and tests, and the per-image rows
    are written to `per_item` from the store.

    Parameters
    ----------
    systems : mapping of name -> path
    references : path, or paths for line-aligned plain-text references
    metrics : iterable of str or Metric, default=DEFAULT_METRICS
    per_item : path, optional
        Write the per-image rows (those of ``Leaderboard.per_item``) to this ``.jsonl`` or
        ``.csv`` file.
    examples : int, default=0
        Keep the per-image scores and this many best and worst images of every system
        (``Leaderboard.images``: what the HTML report shows).
    **options
        `tokenizer`, `document_frequencies`, `n_bootstrap`, `ci`, `seed`, `test`,
        `baseline`, `human`, `sort`, `allow_partial` as for `leaderboard`; `chunk_size`,
        `jobs`, `client`, `progress` and the read options as for `leaderboards_of_files`.

    Returns
    -------
    Leaderboard
        With ``per_item`` None and ``references`` empty (they were not held in memory).
    """
    return leaderboards_of_files(systems, references, metrics, per_item=per_item,
                                 examples=examples, **options)[ENTIRE]


def leaderboards_of_files(
    systems: Mapping[str, PathLike],
    references: PathLike | Iterable[PathLike],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    groups: PathLike | None = None,
    group_field: str | None = None,
    tokenizer: str = "ptb",
    document_frequencies: DocumentFrequencies | str | None = None,
    n_bootstrap: int = 1000,
    ci: float = 0.95,
    seed: int = 12345,
    test: str | None = None,
    baseline: str | None = None,
    human: bool = False,
    sort: str | None = None,
    allow_partial: bool = False,
    per_item: PathLike | None = None,
    examples: int = 0,
    chunk_size: int | None = None,
    jobs: int | None = None,
    client: Any = None,
    progress: Callable[[str, int, int], None] | None = None,
    **read_options: Any,
) -> dict[str, Leaderboard]:
    """Rank systems read from files on all images and on every group, in chunks.

    The boards of `leaderboard_files` (``ENTIRE`` alone) and of
    `capeval.report.grouped.leaderboard_groups_files` (``ENTIRE``, then every group sorted
    by name, each group's images scored alone: own tokenization streams, df, folds,
    intervals and tests, as `capeval.report.grouped.leaderboard_groups` does). One board's
    statistics are held at a time.

    Parameters
    ----------
    groups : path, optional
        A group file (`capeval.io.groups.read_groups`); its `group_field`.
    per_item : path, optional
        The per-image file of `Leaderboard.write_per_item` (with groups: that of
        `GroupedLeaderboard.write_per_item`, each image's scores from its group's board).
    examples : int, default=0
        As for `leaderboard_files` (without groups).
    chunk_size, jobs : int, optional
        As for `capeval.streaming.evaluate_files` (default: its defaults).
    client : distributed.Client, optional
        Score the chunks on this Dask cluster (``pip install 'capeval[dask]'``); the boards
        are the same.
    progress : callable, optional
        ``progress(step, images_done, images_total)`` after each chunk, and at the start of
        each later step.
    **read_options
        `hypotheses_format`, `references_format`, `id_field`, `hypotheses_id_field`,
        `references_id_field`, `caption_field`, `caption_fields`, `split`,
        `temporary_directory`, as for `capeval.streaming.evaluate_files`.
    The other parameters are those of `leaderboard`.
    """
    from capeval.streaming import DEFAULT_CHUNK_SIZE, DEFAULT_JOBS
    from capeval.streaming.systems import load_systems
    from capeval.streaming.work import Settings

    names = list(systems)
    plan = _Plan.of(names, metrics, document_frequencies, tokenizer, n_bootstrap=n_bootstrap,
                    ci=ci, seed=seed, test=test, baseline=baseline, human=human, sort=sort)
    tokenizer_signature(tokenizer)  # an unknown tokenizer fails before any file is read
    notify = progress or (lambda step, done, total: None)
    settings = Settings.of(plan.metrics, tokenizer, (os.fspath(systems[names[0]]),
                                                      _file_names(references)))
    rows = [*([HUMAN] if human else []), *names]
    with load_systems(systems, references, settings, groups=groups, group_field=group_field,
                      allow_partial=allow_partial, chunk_size=chunk_size or DEFAULT_CHUNK_SIZE,
                      jobs=jobs or DEFAULT_JOBS, client=client, progress=notify,
                      **read_options) as stored:
        boards: dict[str, Leaderboard] = {}
        scores: np.ndarray | None = None
        labels = None if groups is None else np.array(list(stored.groups()))
        for group in [None, *([] if groups is None else stored.group_names())]:
            result = stored.statistics(group, human)
            board = _rank(plan, rows, result.stats, lambda step: notify(step, 0, 1), None, {},
                          result.signature, result.reference_counts)
            if per_item is not None or examples:
                values = per_image_scores(result.stats, plan.metrics, plan.score_names)
                if group is None:
                    scores = values
                else:
                    cast(np.ndarray, scores)[:, labels == group] = values
                if examples and groups is None:
                    board = replace(board, images=_board_images(stored, board, rows, values,
                                                                examples))
            boards[ENTIRE if group is None else group] = board
            del result  # one board's statistics at a time
        if per_item is not None:
            stored.write_per_item(per_item, plan.score_names, cast(np.ndarray, scores), human,
                                  grouped=groups is not None)
    return boards


def _board_images(stored, board: Leaderboard, rows: list[str], scores: np.ndarray,
                  count: int) -> BoardImages:
    """The per-image scores and examples of a board read in chunks (`BoardImages`)."""
    sort = board.score_names.index(board.settings.sort)
    examples = {}
    for row, name in enumerate(rows):
        values = scores[row, :, sort]
        best, worst = example_positions(values, count)
        found = stored.images_at(row, best + worst, board.settings.human)
        shown = [Example(image_id, values[position], caption, references) for position, (
            image_id, caption, references) in zip(best + worst, found, strict=True)]
        examples[name] = (shown[:len(best)], shown[len(best):])
    return BoardImages({name: scores[row] for row, name in enumerate(rows)}, examples, count)


@dataclass(frozen=True)
class _Plan:
    """The checked settings of a leaderboard (see `leaderboard` for each)."""

    metrics: list[Metric]
    score_names: list[str]  # in COCO leaderboard order
    sort: str
    n_bootstrap: int
    ci: float
    seed: int
    test: str | None
    baseline: str | None
    human: bool

    @classmethod
    def of(cls, names: list[str], metrics: Iterable[MetricSpec],
           document_frequencies: DocumentFrequencies | str | None, tokenizer: str, *,
           n_bootstrap: int, ci: float, seed: int, test: str | None, baseline: str | None,
           human: bool, sort: str | None) -> _Plan:
        metric_objects = resolve_metrics(metrics, _load_once(document_frequencies),
                                         tokenizer=tokenizer)
        test, baseline = _check_settings(names, metric_objects, test, baseline, human, sort,
                                         n_bootstrap, ci)
        score_names = _column_order(metric_objects)
        sort = sort or ("CIDEr-D" if "CIDEr-D" in score_names else score_names[0])
        return cls(metric_objects, score_names, sort, n_bootstrap, ci, seed, test, baseline,
                   human)


def _rank(plan: _Plan, names: list[str], stacked: dict[str, np.ndarray],
          notify: Callable[[str], None], per_item: pd.DataFrame | None, references: dict,
          evaluation_signature: Mapping[str, str], reference_counts: set[int]) -> Leaderboard:
    """Score, resample and rank systems from their statistics, (N, F, S, K) per metric."""
    metric_objects = plan.metrics
    scores = _frame({score: value for metric in metric_objects for score, value in zip(
        metric.score_names, corpus_scores(metric, stacked[metric.name]).T, strict=True)},
        names, plan.score_names)
    ci_low = ci_high = p_values = None
    rng = np.random.default_rng(plan.seed)
    if plan.n_bootstrap:
        notify("bootstrap")
        ci_low, ci_high, p_values = _resample(
            stacked, metric_objects, scores, rng, plan.n_bootstrap, plan.ci, plan.test,
            names.index(plan.baseline) if plan.test == "bs" and plan.baseline else None)
    if plan.test == "ar" and plan.baseline:
        notify("approximate randomization")
        p_values = _randomize(stacked, metric_objects, scores, rng, plan.n_bootstrap,
                              names.index(plan.baseline))

    ranking = scores[plan.sort].sort_values(ascending=False, kind="stable").index
    folds, n_images = next(iter(stacked.values())).shape[1:3]
    settings = LeaderboardSettings(sort=plan.sort, n_images=n_images,
                                   n_bootstrap=plan.n_bootstrap,
                                   ci=plan.ci if plan.n_bootstrap else None, seed=plan.seed,
                                   test=plan.test, baseline=plan.baseline, human=plan.human,
                                   n_folds=folds)
    return Leaderboard(
        scores.loc[ranking],
        None if ci_low is None else ci_low.loc[ranking],
        None if ci_high is None else ci_high.loc[ranking],
        None if p_values is None else p_values.loc[ranking],
        per_item,
        references,
        settings,
        _report_signature(evaluation_signature, reference_counts, settings),
    )


def _file_names(paths: PathLike | Iterable[PathLike]) -> str:
    """The display name of files (comma-separated)."""
    if isinstance(paths, (str, os.PathLike)):
        return os.fspath(paths)
    return ",".join(os.fspath(path) for path in paths)


def _per_item(stacked, metric_objects, score_names, ids, captions) -> pd.DataFrame:
    """Per-image scores (mean over folds) of every system, in long form."""
    names = list(captions)
    scores = per_image_scores(stacked, metric_objects, score_names)  # (N, S, C)
    table = pd.DataFrame({"system": np.repeat(names, len(ids)), "image_id": ids * len(names),
                          "caption": [c for name in names for c in captions[name]]})
    return pd.concat([table, pd.DataFrame(scores.reshape(-1, len(score_names)),
                                          columns=score_names)], axis=1)


def _load_once(document_frequencies):
    if document_frequencies is None or isinstance(document_frequencies, DocumentFrequencies):
        return document_frequencies
    return DocumentFrequencies.load(document_frequencies)


def _check_settings(names, metric_objects, test, baseline, human, sort, n_bootstrap, ci):
    if not names:
        raise ValueError("no system to rank")
    if human and HUMAN in names:
        raise ValueError(f"a system is named {HUMAN!r}, the name of the human row; rename it")
    if test is None and baseline is not None:
        test = "bs"
    if test is not None and test not in TESTS:
        raise ValueError(f"unknown test {test!r}; choose from {', '.join(TESTS)}")
    if test is not None:
        baseline = names[0] if baseline is None else baseline
        allowed = [*([HUMAN] if human else []), *names]
        if baseline not in allowed:
            raise ValueError(f"baseline {baseline!r} is not one of the systems "
                             f"({', '.join(allowed)})")
        if n_bootstrap < 1:
            raise ValueError(f"a paired test needs samples; got {n_bootstrap} resamples")
    if n_bootstrap < 0:
        raise ValueError(f"the number of resamples must not be negative, got {n_bootstrap}")
    if not 0 < ci < 1:
        raise ValueError(f"the confidence level must be between 0 and 1, got {ci}")
    score_names = _column_order(metric_objects)
    if sort is not None and sort not in score_names:
        raise ValueError(f"cannot sort by {sort!r}; scores are {', '.join(score_names)}")
    return test, baseline


def _align_systems(systems, references, sources, reference_source, allow_partial):
    """Check that all systems caption the same images; return ids, captions and references."""
    names = list(systems)
    first = names[0]
    first_ids = _id_set(systems[first])
    for name in names[1:]:
        system_ids = _id_set(systems[name])
        if first_ids is not None and system_ids is not None:
            check_same_images(sources[name], sources[first], (len(system_ids), len(first_ids)),
                              _sample(system_ids - first_ids), _sample(first_ids - system_ids))
    ids, first_captions, reference_lists = align(
        systems[first], references, hyp_source=sources[first], ref_source=reference_source,
        allow_partial=allow_partial)
    covered = dict(zip(ids, reference_lists, strict=True))
    hypotheses = {first: first_captions}
    for name in names[1:]:
        aligned = align_checked(systems[name], covered, hyp_source=sources[name],
                                ref_source=reference_source)
        by_id = dict(zip(aligned.ids, aligned.hypotheses, strict=True))
        hypotheses[name] = [by_id[image_id] for image_id in ids]
    return ids, hypotheses, reference_lists


def _id_set(captions: Mapping) -> set | None:
    try:
        return {canonical_id(key) for key in captions}
    except ValueError:
        return None  # align reports the bad id with its file and record


def _sample(ids: set) -> IdSample:
    return IdSample(len(ids), sorted(ids, key=str)[:SHOWN_DIFFERENT_IDS])


def _column_order(metric_objects: Sequence[Metric]) -> list[str]:
    computed = [name for metric in metric_objects for name in metric.score_names]
    return ([name for name in COLUMN_ORDER if name in computed]
            + [name for name in computed if name not in COLUMN_ORDER])


def _frame(columns: dict, names: list[str], score_names: list[str]) -> pd.DataFrame:
    """Return a (systems x scores) DataFrame from score name -> (N,) values."""
    return pd.DataFrame(columns, index=pd.Index(names, name="system"))[score_names]


def _resample(stacked, metric_objects, scores, rng, n_bootstrap, level, test, base):
    """Return CI bounds and (for the paired bootstrap test) p-values, as DataFrames."""
    n_images = next(iter(stacked.values())).shape[2]
    bootstrap = Bootstrap.draw(n_images, n_bootstrap, rng)
    low: dict[str, np.ndarray] = {}
    high: dict[str, np.ndarray] = {}
    p: dict[str, np.ndarray] = {}
    for metric in metric_objects:
        samples = bootstrap_scores(metric, stacked[metric.name], bootstrap)  # (B, N, C)
        interval = confidence_interval(samples, level)  # (N, C, 2)
        low.update(zip(metric.score_names, interval[..., 0].T, strict=True))
        high.update(zip(metric.score_names, interval[..., 1].T, strict=True))
        if test == "bs":
            observed = scores[list(metric.score_names)].to_numpy()  # (N, C)
            values = paired_bootstrap_p(samples, samples[:, [base]], observed, observed[[base]])
            values[base] = np.nan
            p.update(zip(metric.score_names, values.T, strict=True))
    names, columns = list(scores.index), list(scores.columns)
    return (_frame(low, names, columns), _frame(high, names, columns),
            _frame(p, names, columns) if p else None)


def _randomize(stacked, metric_objects, scores, rng, n_trials, base):
    """Return approximate-randomization p-values against system `base`, as a DataFrame."""
    n_images = next(iter(stacked.values())).shape[2]
    randomization = Randomization.draw(n_images, n_trials, rng)
    p: dict[str, np.ndarray] = {}
    for metric in metric_objects:
        statistics = stacked[metric.name]
        values = approximate_randomization_p(metric, statistics, statistics[[base]],
                                             randomization)
        values[base] = np.nan
        p.update(zip(metric.score_names, values.T, strict=True))
    return _frame(p, list(scores.index), list(scores.columns))


def _report_signature(evaluation_signature: Mapping[str, str], reference_counts: set[int],
                      settings: LeaderboardSettings) -> dict[str, str]:
    """The evaluation's signature with the full reference count and the statistics settings
    (`reference_counts`: the distinct numbers of references per image)."""
    counts = set(reference_counts)
    signature = {"nrefs": str(counts.pop()) if len(counts) == 1 else "var",
                 "refs": "leave-one-out" if settings.human else "all"}
    signature.update((key, value) for key, value in evaluation_signature.items()
                     if key not in ("nrefs", "version"))
    signature["images"] = str(settings.n_images)
    if settings.n_bootstrap:
        signature.update(bs=str(settings.n_bootstrap), ci=f"{settings.ci:g}")
    if settings.test:
        signature.update(test=f"paired-{settings.test}", baseline=str(settings.baseline))
    if settings.n_bootstrap:
        signature["seed"] = str(settings.seed)
    signature["version"] = __version__
    return signature
