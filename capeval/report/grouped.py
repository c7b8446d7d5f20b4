"""Leaderboards per group (nocaps domains): the entire set and every group, each on its own.

`leaderboard_groups` checks the group assignment (`capeval.breakdown.split_by_group`), then
runs `leaderboard` on the entire set and on each group's images alone: every group has its own
CIDEr-D document frequencies, its own ranking, and its own bootstrap intervals and paired
tests, drawn from a generator seeded with the same seed, so a group's table is exactly the
leaderboard of its images scored alone.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from capeval.breakdown import grouped_signature, split_by_group
from capeval.evaluation import MetricSpec, format_signature
from capeval.io import align, canonical_id
from capeval.io.groups import ENTIRE, ImageGroups
from capeval.metrics import DEFAULT_METRICS
from capeval.io.source import PathLike
from capeval.report.leaderboard import Leaderboard, leaderboard, leaderboards_of_files


@dataclass(frozen=True)
class GroupedLeaderboard:
    """One `Leaderboard` for the entire set and one per group.

    Attributes
    ----------
    boards : dict of str to Leaderboard
        ``ENTIRE`` first, then each group (sorted by name).
    signature : dict of str to str
        The entire board's signature with ``groups`` and the df policy (``per-group``).
    """

    boards: dict[str, Leaderboard]
    signature: dict[str, str]

    def signature_string(self) -> str:
        """Return the signature as ``key:value|key:value|...`` (version last)."""
        return format_signature(self.signature)

    @property
    def per_item(self) -> pd.DataFrame:
        """Per-item rows of the entire board (same order), with a ``group`` column after
        ``image_id`` and each image's scores from its group's evaluation."""
        parts = pd.concat([board.items().assign(group=name) for name, board
                           in self.boards.items() if name != ENTIRE], ignore_index=True)
        keys = ["system", "image_id"]
        table = self.boards[ENTIRE].items()[keys].merge(
            parts.drop(columns="caption"), on=keys, how="left", validate="one_to_one")
        table.insert(2, "group", table.pop("group"))
        table.insert(3, "caption", self.boards[ENTIRE].items()["caption"].to_numpy())
        return table

    def to_dict(self) -> dict:
        """``{"signature": str, "groups": {name: {"images": n, "systems": [...]}}}``.

        Each group's ``systems`` list is `Leaderboard.to_dict`'s (ranked within the group).
        """
        return {"signature": self.signature_string(),
                "groups": {name: {"images": board.settings.n_images,
                                  "systems": board.to_dict()["systems"]}
                           for name, board in self.boards.items()}}

    def write_per_item(self, path) -> None:
        """Write `per_item` as ``.jsonl`` or ``.csv``."""
        from capeval.io import write_per_item

        write_per_item(path, self.per_item)


def leaderboard_groups(
    systems: Mapping[str, Mapping[Any, str]],
    references: Mapping[Any, Sequence[str]],
    groups: ImageGroups | Mapping[Any, str],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    allow_partial: bool = False,
    sources: Mapping[str, str] | None = None,
    reference_source: str = "references",
    progress=None,
    **settings: Any,
) -> GroupedLeaderboard:
    """Rank systems on the entire set and on each group, each as its own leaderboard.

    Parameters
    ----------
    systems, references, allow_partial, sources, reference_source, progress
        As for `leaderboard` (`allow_partial` leaves images without captions out of the
        entire set and of their groups).
    groups : ImageGroups or mapping of image id -> group name
    metrics, **settings
        Passed to `leaderboard` for every board (tokenizer, document_frequencies, n_bootstrap,
        ci, seed, test, baseline, human, sort).

    Raises
    ------
    CapevalInputError
        As `leaderboard`, and for the group problems of `capeval.breakdown.split_by_group`.
    """
    groups = ImageGroups.from_mapping(groups)
    if not systems:
        raise ValueError("no system to rank")
    names = list(systems)
    sources = {name: (sources or {}).get(name, name) for name in names}
    first = align(systems[names[0]], references, hyp_source=sources[names[0]],
                  ref_source=reference_source, allow_partial=allow_partial)
    members = split_by_group(first.ids, groups, references, reference_source)
    boards = {ENTIRE: leaderboard(systems, references, metrics, allow_partial=allow_partial,
                                  sources=sources, reference_source=reference_source,
                                  progress=progress, **settings)}
    canonical = {name: {canonical_id(key): caption for key, caption in captions.items()}
                 for name, captions in systems.items()}
    reference_ids = [canonical_id(key) for key in references]  # the references' file order
    for group, positions in members.items():
        # The group's images alone, every file keeping its own order.
        scored = {first.ids[i]: i for i in positions}
        boards[group] = leaderboard(
            {name: {image_id: caption for image_id, caption in captions.items()
                    if image_id in scored} for name, captions in canonical.items()},
            {image_id: first.references[scored[image_id]] for image_id in reference_ids
             if image_id in scored},
            metrics, sources=sources, reference_source=reference_source, progress=progress,
            **settings)
    return GroupedLeaderboard(boards, grouped_signature(boards[ENTIRE].signature,
                                                        len(members)))


def leaderboard_groups_files(
    systems: Mapping[str, PathLike],
    references: PathLike | Iterable[PathLike],
    groups: PathLike,
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    **options: Any,
) -> GroupedLeaderboard:
    """Rank systems read from caption files on the entire set and on each group, in chunks.

    The `GroupedLeaderboard` of ``leaderboard_groups(systems read, references read, groups
    read, ...)``, number for number, in memory that holds one board's statistics
    (`capeval.report.leaderboard.leaderboards_of_files`, which takes `options`:
    `group_field`, `per_item` and the settings of `capeval.report.leaderboard.leaderboard_files`).
    Its boards have no per-item table: `per_item` writes the rows as `write_per_item` does.

    Raises
    ------
    CapevalInputError
        As `leaderboard_groups`, with the same messages.
    """
    boards = leaderboards_of_files(systems, references, metrics, groups=groups, **options)
    return GroupedLeaderboard(boards, grouped_signature(boards[ENTIRE].signature,
                                                        len(boards) - 1))
