"""Several systems scored against one reference set in bounded memory: a leaderboard's statistics.

`systems_statistics` reads the references and every system's hypotheses into one
`PairingStore` and checks them as the in-memory leaderboard does. The references are
tokenized once, with the first system (their df tables merged into the corpus table every
system's CIDEr-D uses), the other systems' captions each as a stream of their own. Then every
system is scored chunk by chunk in the first system's image order (the order of the
in-memory board's rows), its per-image scores written as they come. Only the per-image
statistic rows are kept, one float64 row of K statistics per image, metric and system: the
bootstrap intervals and paired tests resample them.
"""
from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice

import numpy as np

from capeval.io import hypothesis_entries, reference_entries
from capeval.io.align import SHOWN_DIFFERENT_IDS, check_same_images
from capeval.io.source import PathLike
from capeval.streaming import DEFAULT_CHUNK_SIZE, DEFAULT_JOBS
from capeval.streaming.driver import (
    Progress,
    image_scores,
    per_item_writer,
    score_columns,
    signature_of,
    store_statistics,
    tokenize_store,
)
from capeval.streaming.pool import ordered_map
from capeval.streaming.store import PairingStore
from capeval.streaming.work import Settings


@dataclass(frozen=True)
class SystemsStatistics:
    """The per-image statistics of N systems on the same S images.

    Attributes
    ----------
    stats : dict of str to ndarray of shape (N, 1, S, K)
        Per metric name: systems in input order, one fold (all references), images in the
        first system's order.
    signature : dict of str to str
        Of the evaluation, as `capeval.Evaluation.signature`.
    reference_counts : set of int
        The distinct numbers of references per image.
    """

    stats: dict[str, np.ndarray]
    signature: dict[str, str]
    reference_counts: set[int]

    @property
    def n_images(self) -> int:
        return next(iter(self.stats.values())).shape[2]


def systems_statistics(
    systems: Mapping[str, PathLike],
    references: PathLike | Iterable[PathLike],
    settings: Settings,
    *,
    columns: Sequence[str],
    allow_partial: bool = False,
    per_item: PathLike | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    jobs: int = DEFAULT_JOBS,
    progress: Progress | None = None,
    hypotheses_format: str | None = None,
    references_format: str | None = None,
    id_field: str | None = None,
    caption_field: str | None = None,
    caption_fields: str | Sequence[str] | None = None,
    split: str | Collection[str] | None = None,
    temporary_directory: PathLike | None = None,
    hypotheses_id_field: str | None = None,
    references_id_field: str | None = None,
) -> SystemsStatistics:
    """Check, tokenize and score every system's file against the reference files.

    Parameters
    ----------
    systems : mapping of name -> path
        In leaderboard order; every system must caption the same images.
    references : path, or paths for line-aligned plain-text references
    settings : Settings
    columns : sequence of str
        The score columns of the per-image file, in their order.
    allow_partial : bool, default=False
        Allow references for more images than the systems caption.
    per_item : path, optional
        ``.jsonl`` or ``.csv`` file for the per-image rows (``image_id``, ``system``,
        ``caption``, `columns`), system by system, images in the first system's order.
    chunk_size, jobs, progress, hypotheses_format, ...
        As for `capeval.streaming.evaluate_files`.

    Raises
    ------
    CapevalInputError
        As the readers and `capeval.io.align` do, and when systems caption different images.
    """
    names = list(systems)
    run = partial(ordered_map, jobs=jobs)
    notify = progress or (lambda step, done, total: None)
    with PairingStore(temporary_directory) as store:
        store.add_references(*reference_entries(
            references, references_format, id_field=references_id_field or id_field,
            caption_fields=caption_fields, split=split))
        for system, path in enumerate(systems.values()):
            store.add_hypotheses(*hypothesis_entries(
                path, hypotheses_format, id_field=hypotheses_id_field or id_field,
                caption_field=caption_field), system=system)
        _check_same_images(store, [os.fspath(path) for path in systems.values()])
        total = store.check_pairing(allow_partial)
        bound, counts = tokenize_store(store, settings, chunk_size, run, notify, names)

        order = [score_columns(settings).index(column) for column in columns]
        stats = {metric.name: np.empty((len(names), 1, total, len(metric.stat_names)))
                 for metric in settings.metrics}
        with per_item_writer(per_item, ["system", "caption", *columns]) as writer:
            for system, name in enumerate(names):
                captions = store.hypotheses(system, order=0)
                done = 0
                for ids, chunk in store_statistics(store, bound, chunk_size, run, system):
                    for metric in settings.metrics:
                        stats[metric.name][system, 0, done:done + len(ids)] = chunk[metric.name]
                    if writer is not None:
                        scores = image_scores(settings, chunk)[:, order].tolist()
                        writer.write([image_id, name, caption, *row] for (image_id, caption), row
                                     in zip(islice(captions, len(ids)), scores, strict=True))
                    done += len(ids)
                    notify(f"score {name}", done, total)
    return SystemsStatistics(stats, signature_of(settings, counts), counts)


def _check_same_images(store: PairingStore, sources: list[str]) -> None:
    """Fail unless every system captions the images of system 0 (the leaderboard's rule)."""
    first = store.count_hypotheses(0)
    for system, source in enumerate(sources[1:], start=1):
        only_here, only_first = store.different_images(system, SHOWN_DIFFERENT_IDS)
        check_same_images(source, sources[0], (store.count_hypotheses(system), first),
                          only_here, only_first)
