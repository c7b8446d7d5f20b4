"""Several systems scored against one reference set in bounded memory: a leaderboard's statistics.

`load_systems` reads the references and every system's hypotheses (and a group file) into one
`PairingStore` and checks them as the in-memory leaderboard does. The `StoredSystems` it
yields computes the statistics of a board, on every image or on one group's images alone
(`statistics`): the references are tokenized once per board, with the first system (their df
tables merged into the corpus table every system's CIDEr-D uses), the other systems' captions
each as a stream of their own. Then the images are scored chunk by chunk in the first
system's image order (the order of the in-memory board's rows), every system (and the human
row, first) against one preparation of the chunk's references: all of them, or every
leave-one-out fold in turn (`capeval.human`; each fold's CIDEr-D df comes from that fold's
references). Only the per-image statistic rows are kept, one float64 row of K statistics
per image, fold, metric and system: the bootstrap intervals and paired tests resample them.
The per-image file is written from per-image scores at the end (`write_per_item`), captions
read back from the store. `capeval score --groups`
(`capeval.streaming.files.evaluate_groups_files`) uses it with one system.
"""
from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any, cast

import numpy as np

from capeval.human import HUMAN, fold_count
from capeval.io import PerItemWriter, hypothesis_entries, reference_entries
from capeval.io.align import SHOWN_DIFFERENT_IDS, check_same_images
from capeval.io.groups import check_groups, group_entries
from capeval.io.ids import ImageId
from capeval.io.source import PathLike
from capeval.streaming import DEFAULT_CHUNK_SIZE, DEFAULT_JOBS
from capeval.streaming.driver import (
    Progress,
    fold_frequencies,
    per_item_writer,
    signature_of,
    store_statistics,
    tokenize_store,
)
from capeval.streaming.mappers import mapper
from capeval.streaming.store import PairingStore
from capeval.streaming.work import Settings


@dataclass(frozen=True)
class SystemsStatistics:
    """The per-image statistics of N systems (and the human row) on the same S images.

    Attributes
    ----------
    stats : dict of str to ndarray of shape (N, F, S, K)
        Per metric name: the human row first (with `human`), then the systems in input
        order; F leave-one-out folds (1: all references); images in the first system's order.
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


@contextmanager
def load_systems(
    systems: Mapping[str, PathLike],
    references: PathLike | Iterable[PathLike],
    settings: Settings,
    *,
    groups: PathLike | None = None,
    group_field: str | None = None,
    allow_partial: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    jobs: int = DEFAULT_JOBS,
    client: Any = None,
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
) -> Iterator[StoredSystems]:
    """Read and check every system's file, the reference files and a group file.

    Parameters
    ----------
    systems : mapping of name -> path
        In leaderboard order; every system must caption the same images.
    references : path, or paths for line-aligned plain-text references
    settings : Settings
    groups : path, optional
        A group file (`capeval.io.groups.read_groups`): every scored image needs a group.
    group_field : str, optional
        As for `capeval.io.groups.read_groups`.
    allow_partial : bool, default=False
        Allow references for more images than the systems caption.
    chunk_size, jobs, client, progress, hypotheses_format, ...
        As for `capeval.streaming.evaluate_files` (`client`: a Dask client, the chunks are
        scored on its cluster).

    Yields
    ------
    StoredSystems
        Valid until the block ends (the store is then deleted).

    Raises
    ------
    CapevalInputError
        As the readers, `capeval.io.align` and `capeval.breakdown.split_by_group` do, and
        when systems caption different images.
    """
    with PairingStore(temporary_directory) as store:
        store.add_references(*reference_entries(
            references, references_format, id_field=references_id_field or id_field,
            caption_fields=caption_fields, split=split))
        for system, path in enumerate(systems.values()):
            store.add_hypotheses(*hypothesis_entries(
                path, hypotheses_format, id_field=hypotheses_id_field or id_field,
                caption_field=caption_field), system=system)
        if groups is not None:  # the in-memory order: the first system, its groups, the rest
            store.add_groups(*group_entries(groups, group_field=group_field))
            store.check_pairing(allow_partial)
            check_groups(store.group_problems(), store.group_source, store.reference_source)
        _check_same_images(store, [os.fspath(path) for path in systems.values()])
        if groups is None:
            store.check_pairing(allow_partial)
        yield StoredSystems(store, list(systems), settings, chunk_size, mapper(jobs, client),
                            progress or (lambda step, done, total: None))


class StoredSystems:
    """The checked systems of a leaderboard in a `PairingStore` (made by `load_systems`)."""

    def __init__(self, store: PairingStore, names: list[str], settings: Settings,
                 chunk_size: int, run, notify: Progress) -> None:
        self._store = store
        self.names = names
        self.settings = settings
        self._chunk_size = chunk_size
        self._run = run
        self._notify = notify

    @property
    def n_images(self) -> int:
        """How many images the systems caption."""
        return self._store.count_hypotheses()

    def group_names(self) -> list[str]:
        """Return the groups of the scored images, sorted by name."""
        return self._store.group_names()

    def groups(self) -> Iterator[str | None]:
        """Yield the group of every scored image (None without groups), in board order."""
        return (group for _, _, group in self._store.scored())

    def statistics(self, group: str | None = None, human: bool = False) -> SystemsStatistics:
        """Tokenize and score the images (of `group` alone), with the human row if `human`.

        Raises
        ------
        CapevalInputError
            For a caption with too many tokens.
        ValueError
            With `human`, for an image with fewer than two references (`capeval.human`).
        """
        store, settings, run, size = self._store, self.settings, self._run, self._chunk_size
        where = "" if group is None else f" ({group})"
        store.clear_tokens()  # of another group
        bound, counts = tokenize_store(
            store, replace(settings, df_order=0) if human else settings, size, run,
            self._notify, [f"{name}{where}" for name in self.names], group)
        total = store.count_hypotheses(group=group)
        n_folds = fold_count(store.reference_counts(group)) if human else 1
        rows = [*([HUMAN] if human else []), *self.names]  # the board's rows, in order
        stats = {metric.name: np.empty((len(rows), n_folds, total, len(metric.stat_names)))
                 for metric in settings.metrics}
        for fold in range(n_folds):
            if human and settings.df_order:
                bound = settings.with_document_frequencies(
                    fold_frequencies(store, settings, size, run, fold))
            elif human:
                bound = settings
            step = f" (fold {fold + 1} of {n_folds})" if human else ""
            done = 0
            for ids, chunk in store_statistics(store, bound, size, run, len(self.names),
                                               fold=fold if human else None, human=human):
                for row, row_stats in enumerate(chunk):
                    for metric in settings.metrics:
                        stats[metric.name][row, fold, done:done + len(ids)] = (
                            row_stats[metric.name])
                done += len(ids)
                for name in rows:
                    self._notify(f"score {name}{where}{step}", done, total)
        return SystemsStatistics(stats, signature_of(settings, counts), counts)

    def write_per_item(self, path: PathLike, columns: Sequence[str], scores: np.ndarray,
                       human: bool = False, grouped: bool = False,
                       leaderboard: bool = True) -> None:
        """Write the per-image rows of a board: ``image_id``, ``system``, (``group``,)
        ``caption`` and `columns`, system by system (the human row first), images in the
        first system's order.

        Parameters
        ----------
        scores : ndarray of shape (N, S, C)
            Per-image scores of every row of the board, C = len(`columns`).
        leaderboard : bool, default=True
            False: the rows of an evaluation of system 0 (``image_id``, (``group``,)
            `columns`, as `capeval.breakdown.GroupedEvaluation.per_item`).
        """
        rows = [*([HUMAN] if human else []), *self.names] if leaderboard else self.names[:1]
        header = [*(["system"] if leaderboard else []), *(["group"] if grouped else []),
                  *(["caption"] if leaderboard else []), *columns]
        with per_item_writer(path, header) as opened:
            writer = cast(PerItemWriter, opened)  # (a path is given)
            for row, name in enumerate(rows):
                images = self._captions(row, human)
                done = 0
                while batch := list(islice(images, self._chunk_size)):
                    values = scores[row, done:done + len(batch)].tolist()
                    writer.write([image_id, *([name] if leaderboard else []),
                                  *([group] if grouped else []),
                                  *([caption] if leaderboard else []), *line]
                                 for (image_id, caption, _, group), line
                                 in zip(batch, values, strict=True))
                    done += len(batch)

    def images_at(self, row: int, positions: Sequence[int],
                  human: bool = False) -> list[tuple[ImageId, str, list[str]]]:
        """Return (id, caption, references) of the images at `positions` (board order) of
        a board row (the human row first with `human`: its caption is the first reference)."""
        wanted = set(positions)
        found = {position: (image_id, caption, references) for position, (
            image_id, caption, references, _) in enumerate(self._captions(row, human))
                 if position in wanted}
        return [found[position] for position in positions]

    def _captions(self, row: int, human: bool
                  ) -> Iterator[tuple[ImageId, str, list[str], str | None]]:
        """Yield (id, caption, references, group) of a board row's images, in board order."""
        scored = self._store.scored()
        if human and row == 0:  # the first fold's held-out captions
            return ((image_id, references[0], references, group)
                    for image_id, references, group in scored)
        captions = self._store.hypotheses(row - human, order=0)
        return ((image_id, caption, references, group) for (image_id, caption), (
            _, references, group) in zip(captions, scored, strict=True))


def _check_same_images(store: PairingStore, sources: list[str]) -> None:
    """Fail unless every system captions the images of system 0 (the leaderboard's rule)."""
    first = store.count_hypotheses(0)
    for system, source in enumerate(sources[1:], start=1):
        only_here, only_first = store.different_images(system, SHOWN_DIFFERENT_IDS)
        check_same_images(source, sources[0], (store.count_hypotheses(system), first),
                          only_here, only_first)
