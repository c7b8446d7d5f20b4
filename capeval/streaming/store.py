"""The out-of-core join: hypotheses and references paired by image id in an SQLite file.

Both sides are read record by record into a temporary SQLite database (the standard
library's `sqlite3`), so memory stays bounded whatever the corpus size, and then read back
image by image: references in order of first appearance (the order of `read_references`),
pairs in hypothesis order (the order of `capeval.io.align`). The checks of the in-memory
readers and of `align` run on the tables, with the same messages: a second hypothesis for an
image, an image without reference captions, unknown and missing images.

A store can hold several hypothesis sets against the same references (the systems of a
leaderboard), numbered from 0; system 0 is the one a plain evaluation scores. It can also
hold the group of every image (per-group breakdowns): the reading methods then take a group
name and read its images alone, and the tokens of one group (or of all images) at a time.

Ids are stored as text tagged with their type (``i391895``, ``simg_1.jpg``), so the canonical
int ``1`` and the string ``"01"`` stay different images, as in memory.
"""
from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby, islice
from pathlib import Path
from typing import NamedTuple

from capeval.errors import CapevalUsageError, is_no_space
from capeval.io.align import SHOWN_IDS, IdSample, check_pairing
from capeval.io.collect import HypothesisEntry, ReferenceEntry
from capeval.io.groups import GroupEntry, GroupProblems, listed_again
from capeval.io.ids import ImageId
from capeval.io.source import PathLike, Source
from capeval.limits import caption_length_problem

logger = logging.getLogger("capeval")

_BATCH = 5_000
"""Records inserted per `executemany` call."""

_SCHEMA = """
CREATE TABLE ref_images (key TEXT PRIMARY KEY, first_record TEXT, captions INTEGER);
CREATE TABLE refs (key TEXT, seq INTEGER, caption TEXT);
CREATE TABLE hyps (position INTEGER PRIMARY KEY, system INTEGER, key TEXT, caption TEXT,
                   record TEXT, UNIQUE (system, key));
CREATE TABLE ref_tokens (key TEXT PRIMARY KEY, tokens TEXT);
CREATE TABLE hyp_tokens (system INTEGER, key TEXT, tokens TEXT, PRIMARY KEY (system, key));
CREATE TABLE groups (key TEXT PRIMARY KEY, name TEXT, record TEXT);
"""


class Pair(NamedTuple):
    """One image to score: its id, its hypothesis and its reference captions."""

    image_id: ImageId
    hypothesis: str
    references: list[str]


def _key(image_id: ImageId) -> str:
    return f"i{image_id}" if isinstance(image_id, int) else f"s{image_id}"


def _image_id(key: str) -> ImageId:
    return int(key[1:]) if key[0] == "i" else key[1:]


def _disk_full(error: BaseException) -> bool:
    """Whether `error` says a disk is full: SQLite's SQLITE_FULL, or a full disk under a
    scratch file (`capeval.errors.is_no_space`)."""
    if isinstance(error, sqlite3.OperationalError):
        return str(error) == "database or disk is full"
    return is_no_space(error)


class PairingStore:
    """Hypotheses and references on disk, checked and paired by image id.

    Parameters
    ----------
    directory : path, optional
        Where the temporary database (and the df pass's bucket files) go (default: the
        system's temporary directory). It is deleted by `close` (or on leaving a ``with``
        block).
    """

    def __init__(self, directory: PathLike | None = None) -> None:
        self._parent = Path(directory if directory is not None else tempfile.gettempdir())
        try:
            self._directory = tempfile.TemporaryDirectory(prefix="capeval-", dir=directory)
        except OSError as error:
            if _disk_full(error):
                raise self._no_space(error) from None
            raise
        try:
            self._db = sqlite3.connect(Path(self._directory.name) / "pairs.sqlite")
            self._db.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                                   "PRAGMA temp_store = FILE;" + _SCHEMA)
        except sqlite3.Error as error:
            self._directory.cleanup()
            if _disk_full(error):
                raise self._no_space(error) from None
            raise
        self.reference_source = "references"
        self.hypothesis_source = "hypotheses"
        self.group_source = "groups"

    def __enter__(self) -> PairingStore:
        return self

    def __exit__(self, exc_type: object, error: BaseException | None, traceback: object) -> None:
        """Delete the database; a full disk under it becomes a usage error naming the place."""
        self.close()
        if error is not None and _disk_full(error):
            raise self._no_space(error) from None

    def _no_space(self, error: BaseException) -> CapevalUsageError:
        places = [str(self._parent)]
        sqlite_scratch = os.environ.get("SQLITE_TMPDIR") or os.environ.get("TMPDIR")
        if sqlite_scratch and Path(sqlite_scratch) != self._parent:
            places.append(f"{sqlite_scratch} (SQLite's sort files)")
        return CapevalUsageError(
            f"{' or '.join(places)}: no space left for the run's temporary files ({error}); "
            f"free some space there, or put them on a larger disk (the TMPDIR environment "
            f"variable; temporary_directory in the library)")

    @contextmanager
    def scratch_directory(self, name: str) -> Iterator[Path]:
        """Yield a new empty directory (its name starts with `name`) beside the database,
        deleted on leaving the block (or with the database)."""
        directory = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self._directory.name))
        try:
            yield directory
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    def close(self) -> None:
        """Delete the database (and the scratch directories)."""
        self._db.close()
        self._directory.cleanup()

    # -- loading ---------------------------------------------------------------------------
    def add_references(self, source: Source, entries: Iterable[ReferenceEntry]) -> None:
        """Store reference entries (in file order) and check them as `collect_references` does.

        Raises `CapevalInputError` when there are none, or when an image ends up without
        any caption; logs a warning when some captions are empty.
        """
        self.reference_source = source.name
        sequence, empty = 0, 0
        iterator = iter(entries)
        while batch := list(islice(iterator, _BATCH)):
            images, captions = [], []
            for entry in batch:
                key = _key(entry.image_id)
                images.append((key, entry.record, len(entry.captions)))
                for caption in entry.captions:
                    _check_length(source, entry.record, caption)
                    captions.append((key, sequence, caption))
                    sequence += 1
                    empty += not caption.strip()
            self._db.executemany(
                "INSERT INTO ref_images VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE "
                "SET captions = captions + excluded.captions", images)
            self._db.executemany("INSERT INTO refs VALUES (?, ?, ?)", captions)
        if self.count("ref_images") == 0:
            source.fail(None, "holds no references")
        for key, record in self._db.execute(
            "SELECT key, first_record FROM ref_images WHERE captions = 0 ORDER BY rowid LIMIT 1"
        ):
            source.fail(record, f"image {_image_id(key)!r} has no reference captions")
        self._db.execute("CREATE INDEX refs_by_image ON refs (key, seq)")
        if empty:
            logger.warning(
                "%s: %d reference caption(s) are empty; they are kept and count in the scores",
                source.name, empty,
            )

    def add_hypotheses(
        self, source: Source, entries: Iterable[HypothesisEntry], system: int = 0
    ) -> None:
        """Store hypothesis entries of a system (in file order), checking as
        `collect_hypotheses` does.

        Raises `CapevalInputError` when there are none, or for a second hypothesis of an
        image (naming the records of both).
        """
        if system == 0:
            self.hypothesis_source = source.name
        iterator = iter(entries)
        while batch := list(islice(iterator, _BATCH)):
            for entry in batch:
                _check_length(source, entry.record, entry.caption)
            before = self._db.total_changes
            self._db.executemany(
                "INSERT INTO hyps (system, key, caption, record) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(system, _key(entry.image_id), entry.caption, entry.record) for entry in batch])
            if self._db.total_changes - before < len(batch):
                self._fail_repeated(source, batch, system)
        if self.count_hypotheses(system) == 0:
            source.fail(None, "holds no hypotheses")

    def _fail_repeated(self, source: Source, batch: list[HypothesisEntry], system: int) -> None:
        for entry in batch:
            (first,) = self._db.execute(
                "SELECT record FROM hyps WHERE system = ? AND key = ?",
                (system, _key(entry.image_id))).fetchone()
            if first != entry.record:
                source.fail(entry.record, f"second hypothesis for image {entry.image_id!r} "
                                          f"(the first is at {first})")

    def add_groups(self, source: Source, entries: Iterable[GroupEntry]) -> None:
        """Store the checked entries of a group file (`capeval.io.groups.group_entries`),
        checking what `capeval.io.groups.read_groups` checks across entries: an image listed
        twice (naming both records), no images."""
        self.group_source = source.name
        iterator = iter(entries)
        while batch := list(islice(iterator, _BATCH)):
            before = self._db.total_changes
            self._db.executemany(
                "INSERT INTO groups VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [(_key(entry.image_id), entry.group, entry.record) for entry in batch])
            if self._db.total_changes - before < len(batch):
                for entry in batch:
                    record, group = self._db.execute(
                        "SELECT record, name FROM groups WHERE key = ?",
                        (_key(entry.image_id),)).fetchone()
                    if record != entry.record:
                        source.fail(entry.record, listed_again(entry.image_id, record, group))
        if self.count("groups") == 0:
            source.fail(None, "holds no images")

    # -- checks ----------------------------------------------------------------------------
    def count(self, table: str) -> int:
        """Return the number of rows of ``ref_images`` (images) or ``hyps`` (hypotheses)."""
        return self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608

    def count_hypotheses(self, system: int = 0, group: str | None = None) -> int:
        """Return the number of hypotheses of a system (of the images of `group`)."""
        where, parameters = _in_group("key", group)
        return self._db.execute(f"SELECT COUNT(*) FROM hyps WHERE system = ?{where}",
                                (system, *parameters)).fetchone()[0]

    def check_pairing(self, allow_partial: bool = False) -> int:
        """Check the ids of system 0 as `capeval.io.align` does; return the number of images
        to score.

        Raises
        ------
        CapevalInputError
            For hypotheses of images without references, and for images without a
            hypothesis unless `allow_partial` (then a warning is logged).
        """
        unknown = ("FROM hyps WHERE system = 0 AND key NOT IN (SELECT key FROM ref_images) "
                   "ORDER BY position")
        missing = ("FROM ref_images WHERE key NOT IN (SELECT key FROM hyps WHERE system = 0) "
                   "ORDER BY rowid")
        blank_unknown = ("FROM hyps WHERE system = 0 AND key NOT IN (SELECT key FROM ref_images) "
                         "AND TRIM(caption, ' \t\r\n') = ''")
        unknown_ids = self._sample(unknown)
        check_pairing(
            unknown_ids,
            self._sample(missing),
            self._sample("FROM hyps WHERE system = 0 ORDER BY position"),
            self._sample("FROM ref_images ORDER BY rowid"),
            hyp_source=self.hypothesis_source,
            ref_source=self.reference_source,
            allow_partial=allow_partial,
            unknown_blank=self._sample(blank_unknown).total == unknown_ids.total,
        )
        return self.count_hypotheses()

    def different_images(self, system: int, limit: int) -> tuple[IdSample, IdSample]:
        """Return the images only `system` captions and those only system 0 captions, the
        first `limit` of each by their displayed id."""
        only = ("FROM hyps WHERE system = {} AND key NOT IN "
                "(SELECT key FROM hyps WHERE system = {}) ORDER BY SUBSTR(key, 2), key")
        return (self._sample(only.format(system, 0), limit),
                self._sample(only.format(0, system), limit))

    def group_problems(self) -> GroupProblems:
        """Return what `capeval.breakdown.check_groups` checks, for the scored images of
        system 0 (call `check_pairing` first)."""
        unknown = "FROM groups WHERE key NOT IN (SELECT key FROM ref_images) ORDER BY rowid"
        first_unknown = self._db.execute(f"SELECT record {unknown} LIMIT 1").fetchone()
        empty = self._db.execute(
            "SELECT name FROM groups GROUP BY name HAVING SUM(key IN (SELECT key FROM hyps "
            "WHERE system = 0)) = 0 ORDER BY MIN(rowid) LIMIT 1").fetchone()
        return GroupProblems(
            self._sample(unknown), None if first_unknown is None else first_unknown[0],
            self._sample("FROM hyps WHERE system = 0 AND key NOT IN (SELECT key FROM groups) "
                         "ORDER BY position"),
            self.count_hypotheses(), None if empty is None else empty[0])

    def group_names(self) -> list[str]:
        """Return the names of the groups of the scored images, sorted."""
        return sorted(name for (name,) in self._db.execute(
            "SELECT DISTINCT g.name FROM groups g CROSS JOIN hyps h ON h.system = 0 "
            "AND h.key = g.key"))

    def _sample(self, query: str, limit: int = SHOWN_IDS) -> IdSample:
        (count,) = self._db.execute(f"SELECT COUNT(*) {query}").fetchone()
        first = self._db.execute(f"SELECT key {query} LIMIT {limit}").fetchall()
        return IdSample(count, [_image_id(key) for (key,) in first])

    # -- reading back ----------------------------------------------------------------------
    def references(self) -> Iterator[tuple[ImageId, list[str]]]:
        """Yield each image's reference captions, images in order of first appearance."""
        rows = self._db.execute(
            "SELECT i.key, r.caption FROM ref_images i CROSS JOIN refs r ON r.key = i.key "
            "ORDER BY i.rowid, r.seq")
        for key, group in groupby(rows, key=lambda row: row[0]):
            yield _image_id(key), [caption for _, caption in group]

    def pairs(self, group: str | None = None) -> Iterator[Pair]:
        """Yield the images to score (of `group`) in reference order: the order of the
        tokenization streams (call `check_pairing` first)."""
        where, parameters = _in_group("i.key", group)
        rows = self._db.execute(
            "SELECT i.key, h.caption, r.caption FROM ref_images i "
            "CROSS JOIN hyps h ON h.system = 0 AND h.key = i.key "
            f"CROSS JOIN refs r ON r.key = i.key WHERE 1{where} ORDER BY i.rowid, r.seq",
            parameters)
        for (key, hypothesis), group_rows in groupby(rows, key=lambda row: (row[0], row[1])):
            yield Pair(_image_id(key), hypothesis, [caption for _, _, caption in group_rows])

    def hypotheses(self, system: int, order: int | None = None,
                   group: str | None = None) -> Iterator[tuple[ImageId, str]]:
        """Yield (id, caption) of a system's scored images (of `group`): in the reference
        order (the order of its tokenization stream), or in the hypothesis order of system
        `order`."""
        if order is None:
            where, parameters = _in_group("i.key", group)
            rows = self._db.execute(
                "SELECT h.key, h.caption FROM ref_images i CROSS JOIN hyps h ON h.system = ? "
                f"AND h.key = i.key WHERE 1{where} ORDER BY i.rowid", (system, *parameters))
        else:
            where, parameters = _in_group("o.key", group)
            rows = self._db.execute(
                "SELECT o.key, h.caption FROM hyps o CROSS JOIN hyps h ON h.system = ? "
                f"AND h.key = o.key WHERE o.system = ?{where} ORDER BY o.position",
                (system, order, *parameters))
        for key, caption in rows:
            yield _image_id(key), caption

    def scored(self) -> Iterator[tuple[ImageId, list[str], str | None]]:
        """Yield (id, reference captions, group or None) of the scored images, in the
        hypothesis order of system 0 (the order of a leaderboard's rows)."""
        rows = self._db.execute(
            "SELECT o.key, g.name, r.caption FROM hyps o CROSS JOIN refs r ON r.key = o.key "
            "LEFT JOIN groups g ON g.key = o.key WHERE o.system = 0 ORDER BY o.position, r.seq")
        for (key, group), group_rows in groupby(rows, key=lambda row: (row[0], row[1])):
            yield _image_id(key), [caption for _, _, caption in group_rows], group

    def reference_counts(self, group: str | None = None) -> Iterator[int]:
        """Yield the number of references of each scored image (of `group`), in the
        hypothesis order of system 0."""
        where, parameters = _in_group("o.key", group)
        for (count,) in self._db.execute(
            "SELECT i.captions FROM hyps o CROSS JOIN ref_images i ON i.key = o.key "
            f"WHERE o.system = 0{where} ORDER BY o.position", parameters):
            yield count

    def clear_tokens(self) -> None:
        """Delete every stored token (before tokenizing another group)."""
        self._db.execute("DELETE FROM hyp_tokens")
        self._db.execute("DELETE FROM ref_tokens")

    def add_tokens(
        self, ids: Sequence[ImageId], hypotheses: Sequence[str],
        references: Sequence[str] | None, system: int = 0,
    ) -> None:
        """Store the tokens of images (any order) of a system, and their references' tokens
        unless None (stored once, with the first system tokenized).

        Tokens come as JSON text (`capeval.streaming.work.encode_images`): the workers that
        tokenize encode them, not the process that stores them.
        """
        self._db.executemany("INSERT INTO hyp_tokens VALUES (?, ?, ?)", [
            (system, _key(image_id), hypothesis)
            for image_id, hypothesis in zip(ids, hypotheses, strict=True)])
        if references is not None:
            self._db.executemany("INSERT INTO ref_tokens VALUES (?, ?)", [
                (_key(image_id), refs) for image_id, refs in zip(ids, references, strict=True)])

    def tokens(self, system: int = 0, order: int = 0) -> Iterator[tuple[ImageId, str, str]]:
        """Yield (id, hypothesis tokens, reference tokens) of a system's scored images in the
        hypothesis order of system `order` (the order of per-image results and of the corpus
        sums); tokens as JSON text, as `add_tokens` stored them."""
        rows = self._db.execute(
            "SELECT o.key, h.tokens, r.tokens FROM hyps o "
            "CROSS JOIN hyp_tokens h ON h.system = ? AND h.key = o.key "
            "CROSS JOIN ref_tokens r ON r.key = o.key WHERE o.system = ? ORDER BY o.position",
            (system, order))
        for key, hypothesis, references in rows:
            yield _image_id(key), hypothesis, references


def _in_group(column: str, group: str | None) -> tuple[str, tuple[str, ...]]:
    """An SQL condition (``AND ...``) keeping the images of `group` (none: all), and its
    parameters."""
    if group is None:
        return "", ()
    return f" AND {column} IN (SELECT key FROM groups WHERE name = ?)", (group,)


def _check_length(source: Source, record: str, caption: str) -> None:
    """Fail for a caption over `capeval.limits.MAX_CAPTION_CHARACTERS`, naming its record."""
    problem = caption_length_problem(caption)
    if problem is not None:
        source.fail(record, problem)
