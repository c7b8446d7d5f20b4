"""Per-group breakdowns (nocaps' in-domain / near-domain / out-domain / entire).

Each group is scored as its own evaluation, exactly as if its images were the only ones: the
nocaps offline scripts split the annotations into one file per domain and run pycocoevalcap
on each, so every group has its own CIDEr-D document frequencies (from its own references),
its own BLEU brevity penalty and its own METEOR aggregate. `ENTIRE`, all the images, is one
more evaluation. With a fixed df table (``document_frequencies``) every group uses that table.

`split_by_group` checks a group assignment against the images being scored: every scored
image has a group, every image of the group file has references, every group keeps at least
one scored image. Nothing is dropped or merged silently.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from capeval.document_frequencies import DocumentFrequencies
from capeval.evaluation import (
    Evaluation,
    MetricSpec,
    evaluate,
    format_signature,
    resolve_metrics,
)
from capeval.io import align, canonical_id
from capeval.io.align import IdSample
from capeval.io.groups import ENTIRE, GroupProblems, ImageGroups, check_groups
from capeval.metrics import DEFAULT_METRICS

PER_GROUP_DF = "per-group"
"""Signature value of CIDEr-D's df when each group (and the entire set) uses its own references."""


@dataclass(frozen=True)
class GroupedEvaluation:
    """Scores of one system on the entire set and on each group, each its own evaluation.

    Attributes
    ----------
    evaluations : dict of str to Evaluation
        ``ENTIRE`` first, then each group (sorted by name).
    groups : list of str
        The group of each image, aligned with ``evaluations[ENTIRE].ids``.
    signature : dict of str to str
        The settings; ``groups`` is the number of groups and ``CIDEr-D.df`` says the df policy
        (``per-group``: each evaluation uses its own references).
    """

    evaluations: dict[str, Evaluation]
    groups: list[str]
    signature: dict[str, str]

    @property
    def corpus(self) -> dict[str, dict[str, float]]:
        """``{"entire": {score: value}, "<group>": {score: value}, ...}``."""
        return {name: evaluation.corpus for name, evaluation in self.evaluations.items()}

    @property
    def per_item(self) -> pd.DataFrame:
        """Per-image scores with a ``group`` column, indexed by ``image_id`` in input order.

        Each image's scores are those of its group's evaluation (its group's df), so the mean
        of a group's rows is the group's ROUGE-L and CIDEr-D.
        """
        entire = self.evaluations[ENTIRE]
        parts = [evaluation.per_item for name, evaluation in self.evaluations.items()
                 if name != ENTIRE]
        table = pd.concat(parts).loc[entire.ids]
        table.insert(0, "group", self.groups)
        return table

    def signature_string(self) -> str:
        """Return the signature as ``key:value|key:value|...`` (version last)."""
        return format_signature(self.signature)


def evaluate_groups(
    hypotheses: Mapping[Any, str],
    references: Mapping[Any, Sequence[str]],
    groups: ImageGroups | Mapping[Any, str],
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    tokenizer: str = "ptb",
    document_frequencies: DocumentFrequencies | str | None = None,
    allow_partial: bool = False,
    progress: Callable[[str], None] | None = None,
    sources: tuple[str, str] = ("hypotheses", "references"),
) -> GroupedEvaluation:
    """Score a system on the entire set and on each group, each as its own evaluation.

    Parameters
    ----------
    hypotheses : mapping of image id -> str
    references : mapping of image id -> list of str
    groups : ImageGroups or mapping of image id -> group name
        The group of every scored image (`capeval.io.groups.read_groups` reads a file).
    metrics, tokenizer, allow_partial, progress, sources
        As for `capeval.evaluate`; `allow_partial` leaves images without a hypothesis out of
        the entire set and of their groups.
    document_frequencies : DocumentFrequencies or path, optional
        One fixed CIDEr-D df table for every group; default: each group's own references.

    Returns
    -------
    GroupedEvaluation

    Raises
    ------
    CapevalInputError
        As `capeval.evaluate`, and for the group problems of `split_by_group`.
    """
    groups = ImageGroups.from_mapping(groups)
    metric_objects = resolve_metrics(metrics, document_frequencies, tokenizer=tokenizer)
    aligned = align(hypotheses, references, hyp_source=sources[0], ref_source=sources[1],
                    allow_partial=allow_partial)
    members = split_by_group(aligned.ids, groups, references, sources[1])
    reference_ids = [canonical_id(key) for key in references]  # the references' file order
    evaluations = {}
    for name, positions in {ENTIRE: range(len(aligned.ids)), **members}.items():
        # The group's images alone, as if they were the only ones of both files.
        scored = {aligned.ids[i]: i for i in positions}
        evaluations[name] = evaluate(
            {image_id: aligned.hypotheses[i] for image_id, i in scored.items()},
            {image_id: aligned.references[scored[image_id]] for image_id in reference_ids
             if image_id in scored},
            metric_objects, tokenizer=tokenizer, progress=progress, sources=sources)
    group_of = [groups.group_of[image_id] for image_id in aligned.ids]
    return GroupedEvaluation(evaluations, group_of,
                             grouped_signature(evaluations[ENTIRE].signature, len(members)))


def split_by_group(
    ids: Sequence[Any],
    groups: ImageGroups,
    references: Mapping[Any, Any],
    reference_source: str = "references",
) -> dict[str, list[int]]:
    """Return each group's positions in `ids`, groups sorted by name.

    Parameters
    ----------
    ids : sequence of S canonical image ids
        The images being scored.
    groups : ImageGroups
    references : mapping of image id -> captions
        All references (a group file may name images left out by partial evaluation, never
        images without references).
    reference_source : str

    Raises
    ------
    CapevalInputError
        For an image of the group file without references (naming its record), scored
        images without a group, or a group none of whose images is scored.
    """
    referenced = {canonical_id(key) for key in references}
    unknown = [image_id for image_id in groups.group_of if image_id not in referenced]
    members: dict[str, list[int]] = {}
    ungrouped = []
    for position, image_id in enumerate(ids):
        if image_id in groups.group_of:
            members.setdefault(groups.group_of[image_id], []).append(position)
        else:
            ungrouped.append(image_id)
    check_groups(
        GroupProblems(
            IdSample.of(unknown), groups.records[unknown[0]] if unknown else None,
            IdSample.of(ungrouped), len(ids),
            next((name for name in dict.fromkeys(groups.group_of.values())
                  if name not in members), None)),
        groups.source, reference_source)
    return dict(sorted(members.items()))


def grouped_signature(signature: Mapping[str, str], n_groups: int) -> dict[str, str]:
    """The entire set's signature with ``groups:<n>`` and the per-group df policy."""
    grouped = {"groups": str(n_groups)}
    for key, value in signature.items():
        grouped[key] = PER_GROUP_DF if key.endswith(".df") and value == "corpus" else value
    grouped["version"] = grouped.pop("version")
    return grouped
