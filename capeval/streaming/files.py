"""Streamed evaluation of caption files: `evaluate_files` and `document_frequencies_of_files`."""
from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from capeval.document_frequencies import DocumentFrequencies
import numpy as np

from capeval.breakdown import grouped_signature
from capeval.evaluation import MetricSpec, format_signature, resolve_metrics
from capeval.io import hypothesis_entries, reference_entries
from capeval.io.groups import ENTIRE
from capeval.io.source import PathLike
from capeval.metrics import DEFAULT_METRICS
from capeval.ngrams.prepared import check_max_order
from capeval.streaming.chunks import chunked
from capeval.streaming import DEFAULT_CHUNK_SIZE, DEFAULT_JOBS
from capeval.streaming.driver import (
    Progress,
    StreamedEvaluation,
    evaluate_store,
    image_scores,
    score_columns,
    signature_of,
)
from capeval.streaming.mappers import mapper
from capeval.streaming.store import PairingStore
from capeval.streaming.systems import load_systems
from capeval.streaming.tables import TableMerger
from capeval.streaming.work import Settings, chunk_frequencies
from capeval.tokenizers import tokenizer_signature


def evaluate_files(
    hypotheses: PathLike,
    references: PathLike | Iterable[PathLike],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    tokenizer: str = "ptb",
    document_frequencies: DocumentFrequencies | str | None = None,
    allow_partial: bool = False,
    per_item: PathLike | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    jobs: int = DEFAULT_JOBS,
    progress: Progress | None = None,
    client: Any = None,
    hypotheses_format: str | None = None,
    references_format: str | None = None,
    id_field: str | None = None,
    caption_field: str | None = None,
    caption_fields: str | Sequence[str] | None = None,
    split: str | Collection[str] | None = None,
    temporary_directory: PathLike | None = None,
    hypotheses_id_field: str | None = None,
    references_id_field: str | None = None,
) -> StreamedEvaluation:
    """Score a hypothesis file against reference files in bounded memory.

    Gives the corpus scores (and, with `per_item`, the per-image file) of
    ``capeval.evaluate(read_hypotheses(...), read_references(...), ...)``, bit for bit,
    whatever `chunk_size` and `jobs`. Line-based files (plain text, CSV/TSV, JSON Lines) are
    read line by line; COCO and Karpathy JSON are parsed whole, then streamed. The two sides
    are joined by image id in a temporary SQLite database.

    Parameters
    ----------
    hypotheses, references : path, or paths for line-aligned plain-text references
    metrics, tokenizer, document_frequencies, allow_partial
        As for `capeval.evaluate`.
    per_item : path, optional
        Write per-image scores to this ``.jsonl`` or ``.csv`` file as they are computed.
    chunk_size : int, default=DEFAULT_CHUNK_SIZE
        Images per chunk.
    jobs : int, default=DEFAULT_JOBS
        Worker processes tokenizing and scoring chunks (1: this process).
    client : distributed.Client, optional
        Tokenize and score the chunks on this Dask cluster instead (``capeval[dask]``).
    progress : callable, optional
        ``progress(step, images_done, images_total)`` after each chunk.
    hypotheses_format, references_format, id_field, caption_field, caption_fields, split
        As for `capeval.io.read_hypotheses` and `capeval.io.read_references`.
    temporary_directory : path, optional
        Where the join's database goes (default: the system's temporary directory).
    hypotheses_id_field, references_id_field : str, optional
        The id field of one side only (default: `id_field`).

    Returns
    -------
    StreamedEvaluation

    Raises
    ------
    CapevalInputError
        As `capeval.io.read_references`, `read_hypotheses` and `align` do.
    """
    tokenizer_signature(tokenizer)  # an unknown tokenizer fails before any file is read
    settings = Settings.of(resolve_metrics(metrics, document_frequencies, tokenizer=tokenizer),
                           tokenizer, (os.fspath(hypotheses), _name(references)))
    with PairingStore(temporary_directory) as store:
        store.add_references(*reference_entries(
            references, references_format, id_field=references_id_field or id_field,
            caption_fields=caption_fields, split=split))
        store.add_hypotheses(*hypothesis_entries(
            hypotheses, hypotheses_format, id_field=hypotheses_id_field or id_field,
            caption_field=caption_field))
        return evaluate_store(store, settings, allow_partial=allow_partial, per_item=per_item,
                              chunk_size=chunk_size, mapper=mapper(jobs, client),
                              progress=progress)


@dataclass(frozen=True)
class StreamedGroups:
    """Corpus scores of the entire set and of every group, each its own streamed evaluation.

    Attributes
    ----------
    evaluations : dict of str to StreamedEvaluation
        ``ENTIRE`` first, then each group (sorted by name).
    signature : dict of str to str
        As `capeval.breakdown.GroupedEvaluation.signature`.
    """

    evaluations: dict[str, StreamedEvaluation]
    signature: dict[str, str]

    @property
    def corpus(self) -> dict[str, dict[str, float]]:
        """``{"entire": {score: value}, "<group>": {score: value}, ...}``."""
        return {name: evaluation.corpus for name, evaluation in self.evaluations.items()}

    def signature_string(self) -> str:
        """Return the signature as ``key:value|key:value|...`` (version last)."""
        return format_signature(self.signature)


def evaluate_groups_files(
    hypotheses: PathLike,
    references: PathLike | Iterable[PathLike],
    groups: PathLike,
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    group_field: str | None = None,
    tokenizer: str = "ptb",
    document_frequencies: DocumentFrequencies | str | None = None,
    allow_partial: bool = False,
    per_item: PathLike | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    jobs: int = DEFAULT_JOBS,
    client: Any = None,
    progress: Progress | None = None,
    **read_options: Any,
) -> StreamedGroups:
    """Score a hypothesis file on the entire set and on each group, in bounded memory.

    The corpus scores (and, with `per_item`, the per-image file) of
    ``capeval.breakdown.evaluate_groups(read_hypotheses(...), read_references(...),
    read_groups(...), ...)``, bit for bit: every group is scored as its own evaluation (its
    own tokenization streams and CIDEr-D df), one after another, only one evaluation's
    statistics held at a time (`capeval.streaming.systems.StoredSystems`).

    Parameters
    ----------
    groups : path
        A group file (`capeval.io.groups.read_groups`); its `group_field`.
    per_item : path, optional
        The file ``write_per_item(path, GroupedEvaluation.per_item)`` writes.
    **read_options
        As for `evaluate_files` (`hypotheses_format`, ..., `temporary_directory`).
    The other parameters are those of `evaluate_files`.

    Raises
    ------
    CapevalInputError
        As `evaluate_files`, and for the group problems of `capeval.breakdown.split_by_group`.
    """
    tokenizer_signature(tokenizer)  # an unknown tokenizer fails before any file is read
    settings = Settings.of(resolve_metrics(metrics, document_frequencies, tokenizer=tokenizer),
                           tokenizer, (os.fspath(hypotheses), _name(references)))
    columns = score_columns(settings)
    evaluations: dict[str, StreamedEvaluation] = {}
    with load_systems({os.fspath(hypotheses): hypotheses}, references, settings,
                      groups=groups, group_field=group_field, allow_partial=allow_partial,
                      chunk_size=chunk_size, jobs=jobs, client=client, progress=progress,
                      **read_options) as stored:
        labels = np.array(list(stored.groups()))
        scores = np.empty((1, len(labels), len(columns)))
        for group in [None, *stored.group_names()]:  # the entire set first, as in memory
            result = stored.statistics(group)
            stats = {name: array[0, 0] for name, array in result.stats.items()}  # (S, K)
            corpus = {name: value for metric in settings.metrics for name, value
                      in metric.corpus_score_from_stats(stats[metric.name]).items()}
            evaluations[ENTIRE if group is None else group] = StreamedEvaluation(
                corpus, result.n_images, signature_of(settings, result.reference_counts))
            if group is not None:
                scores[0, labels == group] = image_scores(settings, stats)
            del result, stats  # one evaluation's statistics at a time
        if per_item is not None:
            stored.write_per_item(per_item, columns, scores, grouped=True, leaderboard=False)
    return StreamedGroups(evaluations, grouped_signature(evaluations[ENTIRE].signature,
                                                         len(evaluations) - 1))


def document_frequencies_of_files(
    references: PathLike | Iterable[PathLike],
    *,
    tokenizer: str = "ptb",
    max_order: int = 4,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    jobs: int = DEFAULT_JOBS,
    client: Any = None,
    references_format: str | None = None,
    id_field: str | None = None,
    caption_fields: str | Sequence[str] | None = None,
    split: str | Collection[str] | None = None,
    temporary_directory: PathLike | None = None,
) -> DocumentFrequencies:
    """Count the document frequencies of reference files in bounded memory.

    The table of ``DocumentFrequencies.from_references`` over the references read by
    `capeval.io.read_references` and tokenized as one stream (image by image in order of
    first appearance), chunk by chunk. Arguments as for `evaluate_files`.
    """
    check_max_order(max_order)
    settings = Settings((), tokenizer, df_order=max_order)
    merger = TableMerger()
    with PairingStore(temporary_directory) as store:
        store.add_references(*reference_entries(
            references, references_format, id_field=id_field, caption_fields=caption_fields,
            split=split))
        images = ((image_id, "", captions) for image_id, captions in store.references())
        for _, table in mapper(jobs, client)(chunk_frequencies, settings,
                                             chunked(images, chunk_size)):
            merger.add(table)
    splits = [split] if isinstance(split, str) else list(split or ())
    return merger.result(frequent=False, tokenizer=tokenizer_signature(tokenizer),
                         source=_name(references),
                         **({"split": "+".join(splits)} if splits else {}))


def _name(references: PathLike | Iterable[PathLike]) -> str:
    """The display name of the reference files (comma-separated)."""
    if isinstance(references, (str, os.PathLike)):
        return os.fspath(references)
    return ",".join(str(os.fspath(path)) for path in references)
