"""Group files: which group (domain, subset) each image belongs to, for per-group breakdowns.

Two layouts:

- *nocaps* (or any COCO-style) JSON: ``{"images": [{"id": .., "domain": "in-domain"}, ..]}``,
  as in ``nocaps_val_4500_captions.json`` and ``nocaps_test_image_info.json``, whose
  ``images[].domain`` is ``in-domain``, ``near-domain`` or ``out-domain``. Other keys and an
  ``annotations`` list are ignored, so the reference file itself can be the group file.
- a CSV, TSV or JSON Lines table with an id field (found as for caption tables, see
  `capeval.io.tabular.ID_FIELDS`) and a group field (`GROUP_FIELDS`).

Every image appears once; a group is a non-empty string other than `ENTIRE`, the name of the
whole set. Records are named as elsewhere: ``images entry 4`` (JSON), ``line 5`` (tables).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from capeval.errors import CapevalInputError, option_name
from capeval.io.align import IdSample, show_ids
from capeval.io.detect import EXTENSIONS
from capeval.io.ids import ImageId, canonical_id
from capeval.io.source import PathLike, Source, type_name
from capeval.io.tabular import choose_id_field, read_table

GROUP_FIELDS = ("group", "domain")
"""Names of the group field, tried in order (case-insensitive in tables); ``domain`` is nocaps'."""

ENTIRE = "entire"
"""Name of the whole evaluated set next to its groups (nocaps' "entire"); not a group name."""

_GROUP_FORMATS = ("json", "jsonl", "csv", "tsv")
_GROUP_EXTENSIONS = [ext for ext, name in EXTENSIONS.items() if name in _GROUP_FORMATS]


@dataclass(frozen=True)
class ImageGroups:
    """The group of every image of a group file.

    Attributes
    ----------
    source : str
        Where the groups came from (the file name), for messages.
    group_of : dict of ImageId to str
        Canonical image id -> its group, in file order.
    records : dict of ImageId to str
        Canonical image id -> the record that gave its group (``"line 5"``).
    """

    source: str
    group_of: dict[ImageId, str]
    records: dict[ImageId, str]

    @classmethod
    def from_mapping(cls, groups: Any, source: str = "groups") -> ImageGroups:
        """Build from a mapping of image id -> group name (records are named ``image <id>``).

        Raises
        ------
        CapevalInputError
            For a bad id or group name, or two keys naming one image.
        """
        if isinstance(groups, ImageGroups):
            return groups
        if not hasattr(groups, "items"):
            Source(source).fail(None, f"groups must map image ids to group names "
                                      f"(got {type_name(groups)})")
        named = Source(source)
        return _collect(named, _checked(named, ((f"image {key!r}", key, group)
                                                for key, group in groups.items())))


def read_groups(
    path: PathLike,
    format: str | None = None,
    *,
    group_field: str | None = None,
) -> ImageGroups:
    """Read a group file (nocaps JSON, CSV, TSV or JSON Lines).

    Parameters
    ----------
    path : path
    format : {"json", "jsonl", "csv", "tsv"}, optional
        Overrides detection from the extension.
    group_field : str, optional
        The group key or column; default: the first of `GROUP_FIELDS` present.

    Returns
    -------
    ImageGroups

    Raises
    ------
    CapevalInputError
        Naming the file and the record: missing or ambiguous fields, bad ids, a group that is
        not a non-empty string or is named `ENTIRE`, an image listed twice, no images.
    """
    return _collect(*group_entries(path, format, group_field=group_field))


class GroupEntry(NamedTuple):
    """One record of a group file: where it is, its canonical image id and its group."""

    record: str
    image_id: ImageId
    group: str


def group_entries(
    path: PathLike,
    format: str | None = None,
    *,
    group_field: str | None = None,
) -> tuple[Source, Iterator[GroupEntry]]:
    """Return the source of a group file and its checked entries, in file order.

    Every entry is checked as `read_groups` checks it, except what needs the other entries
    (an image listed twice, no images: `listed_again`; `PairingStore.add_groups` checks them
    on disk). Parameters as for `read_groups`.
    """
    source = Source(path)
    source_format = format or EXTENSIONS.get(source.suffix)
    if source_format not in _GROUP_FORMATS:
        source.fail(None, "a group file is JSON (nocaps images[].domain), CSV, TSV or JSON "
                          f"Lines: name it {', '.join(_GROUP_EXTENSIONS)} or choose the format")
    if source_format == "json":
        return source, _checked(source, _json_entries(source, group_field))
    fields, rows = read_table(source, source_format)
    id_field = choose_id_field(source, fields, None)
    field = _choose_group_field(source, fields, group_field)
    return source, _checked(source, ((row.record, row.values.get(id_field, _MISSING),
                                      row.values.get(field, _MISSING)) for row in rows),
                            id_field, field)


def listed_again(image_id: ImageId, first_record: str, first_group: str) -> str:
    """The problem of a group file that lists an image a second time."""
    return (f"image {image_id!r} is listed again (first at {first_record}, group "
            f"{first_group!r}); every image belongs to exactly one group")


_MISSING = object()


def _json_entries(source: Source, group_field: str | None) -> Iterator[tuple[str, Any, Any]]:
    data = source.json
    images = data.get("images") if isinstance(data, dict) else None
    if not isinstance(images, list):
        source.fail(None, "a JSON group file needs an 'images' list of {\"id\", \"domain\"} "
                          "objects (the nocaps layout)")
    for number, image in enumerate(images, start=1):
        record = f"images entry {number}"
        if not isinstance(image, dict):
            source.fail(record, f"expected a JSON object (got {type_name(image)})")
        names = [group_field] if group_field else GROUP_FIELDS
        field = next((name for name in names if name in image), None)
        if field is None:
            source.fail(record, f"missing {' or '.join(map(repr, names))}")
        yield record, image.get("id", _MISSING), image[field]


def _choose_group_field(source: Source, fields: Sequence[str], chosen: str | None) -> str:
    if chosen is not None:
        if chosen not in fields:
            source.fail(None, f"no field {chosen!r} (fields: {', '.join(fields)})")
        return chosen
    by_name = {field.lower(): field for field in fields}
    found = [by_name[name] for name in GROUP_FIELDS if name in by_name]
    if not found:
        source.fail(None, f"no group field among ({', '.join(fields)}); expected one of "
                          f"{', '.join(GROUP_FIELDS)}, or choose one with "
                          f"{option_name('group_field')}")
    return found[0]


def _checked(source: Source, entries, id_field: str = "id",
             group_field: str = "group") -> Iterator[GroupEntry]:
    """Check every (record, id, group) entry on its own; yield it as a `GroupEntry`."""
    for record, raw_id, group in entries:
        if raw_id is _MISSING:
            source.fail(record, f"missing {id_field!r}")
        if group is _MISSING:
            source.fail(record, f"missing {group_field!r}")
        try:
            image_id = canonical_id(raw_id, id_field)
        except ValueError as error:
            source.fail(record, str(error))
        if not isinstance(group, str):
            source.fail(record, f"group is not a string (got {type_name(group)})")
        if not group.strip():
            source.fail(record, f"image {image_id!r} has an empty group name")
        if group == ENTIRE:
            source.fail(record, f"{ENTIRE!r} names the whole set, not a group; rename it")
        yield GroupEntry(record, image_id, group)


def _collect(source: Source, entries: Iterable[GroupEntry]) -> ImageGroups:
    """Collect checked entries; an image listed twice is an error."""
    group_of: dict[ImageId, str] = {}
    records: dict[ImageId, str] = {}
    for record, image_id, group in entries:
        if image_id in group_of:
            source.fail(record, listed_again(image_id, records[image_id], group_of[image_id]))
        group_of[image_id] = group
        records[image_id] = record
    if not group_of:
        source.fail(None, "holds no images")
    return ImageGroups(source.name, group_of, records)


class GroupProblems(NamedTuple):
    """What `check_groups` checks, found in memory (`capeval.breakdown.split_by_group`) or on disk
    (`capeval.streaming.store.PairingStore.group_problems`)."""

    unknown: IdSample
    """Images of the group file without references, in file order."""
    unknown_record: str | None
    """The record of the first of them."""
    ungrouped: IdSample
    """Scored images without a group, in scoring order."""
    n_scored: int
    empty_group: str | None
    """The first group (in file order) none of whose images is scored."""


def check_groups(problems: GroupProblems, source: str, reference_source: str) -> None:
    """Raise the error of the first group problem, if any (see `capeval.breakdown.split_by_group`).

    Raises
    ------
    CapevalInputError
        Naming the group file (and the record, for an image without references).
    """
    unknown, ungrouped = problems.unknown, problems.ungrouped
    if unknown.total:
        raise CapevalInputError(
            source, problems.unknown_record,
            f"image {unknown.first[0]!r} has no references in {reference_source} "
            f"({unknown.total} such image(s): {show_ids(unknown)})")
    if ungrouped.total:
        raise CapevalInputError(
            source, None, f"no group for {ungrouped.total} of the {problems.n_scored} scored "
                          f"images: {show_ids(ungrouped)}")
    if problems.empty_group is not None:
        raise CapevalInputError(
            source, None,
            f"group {problems.empty_group!r} has none of the {problems.n_scored} scored images "
            "(none of its images has a hypothesis); score it, or leave it out of the group file")
