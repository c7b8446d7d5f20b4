"""METEOR's paraphrase table: a compact phrase trie, and matching it against a whole corpus.

The table (5.27 M entries for English) stays in NumPy arrays. `ParaphraseTable.pair_matches`
finds, for all sentence pairs of a corpus at once, the matches the jar's paraphrase module
would propose: every caption n-gram is located in the trie level by level, the entries whose
source and target both occur in the corpus are kept, and sorted joins pair source occurrences
with target occurrences in the other caption of each pair. Letters used in shapes: T table
tokens, N trie nodes, G source phrases, E table entries, P n-gram occurrences.
"""
from __future__ import annotations

import gzip
import json
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat, zip_longest
from pathlib import Path

import numpy as np

from capeval.errors import CapevalInputError
from capeval.arrays import expand, search
from capeval.metrics.meteor.arrays import join, take_rows
from capeval.metrics.meteor.resources import decode_strings, open_npz, packaged_arrays

MAX_PHRASE_LENGTH = 7
"""Longest phrase in a paraphrase table, in tokens."""

DEFAULT_PARAPHRASE_TABLE = "paraphrase_en"
"""The packaged English table: a folder of ``.npy`` files in ``capeval/data/meteor``."""

FORMAT = 2
"""Layout version of the arrays (`ParaphraseTable.arrays`)."""


class ParaphraseTable:
    """A paraphrase table (phrase trie plus source -> targets groups), decoded but not expanded.

    Trie nodes are numbered level by level (level d holds the d-token prefixes of all phrases),
    and inside a level by (parent, token id). A level-d node is therefore found from its parent
    and last token by binary search over ``parent * T + token``, which is sorted.
    """

    def __init__(self, tokens: Sequence[str], level_keys: Sequence[np.ndarray],
                 group_sources: np.ndarray, group_sizes: np.ndarray, targets: np.ndarray) -> None:
        self.tokens = list(tokens)
        self._token_id = {token: index for index, token in enumerate(self.tokens)}
        self._level_keys = list(level_keys)
        self._level_offsets = np.cumsum([0] + [len(keys) for keys in level_keys])
        self._group_sources = group_sources
        self._group_starts = np.concatenate([[0], np.cumsum(group_sizes, dtype=np.int64)])
        self._targets = targets  # (E,), unsigned 32-bit in packaged tables

    @property
    def n_entries(self) -> int:
        """Number of (source, target) entries E."""
        return len(self._targets)

    @classmethod
    def load(cls, source: str | Path | None = None) -> ParaphraseTable:
        """Read a table written by ``tools/build_meteor_data.py`` (`save`).

        Parameters
        ----------
        source : path, optional
            A ``.npz`` archive of the table's arrays; defaults to the packaged English table
            (a folder of ``.npy`` files, memory-mapped: nothing is decompressed or copied).

        Raises
        ------
        CapevalInputError
            If `source` is not such a table (not a .npz archive, members missing or
            inconsistent, pickled objects).
        """
        if source is None:
            return cls._from_arrays(packaged_arrays(DEFAULT_PARAPHRASE_TABLE),
                                    DEFAULT_PARAPHRASE_TABLE)
        check_table_file(source)
        try:
            with open_npz(source) as data:
                return cls._from_arrays(data.__getitem__, str(source))
        except CapevalInputError:
            raise
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile, OSError) as error:
            raise CapevalInputError(str(source), None,
                                    f"not a valid paraphrase table ({error})") from None

    @classmethod
    def _from_arrays(cls, array: Callable[[str], np.ndarray], name: str) -> ParaphraseTable:
        meta = json.loads(array("meta").tobytes())
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise CapevalInputError(name, None, f"unsupported paraphrase table format {meta!r} "
                                    f"(rebuild it with tools/build_meteor_data.py)")
        targets = array("targets")
        if not len(targets):
            raise CapevalInputError(name, None, "the paraphrase table has no entries")
        return cls(decode_strings(array("tokens")),
                   [array(f"level_keys_{depth}") for depth in range(1, MAX_PHRASE_LENGTH + 1)],
                   array("group_sources").astype(np.int64), array("group_sizes"), targets)

    def arrays(self, **provenance: object) -> dict[str, np.ndarray]:
        """Return the table as the named arrays `load` reads (`provenance` goes into ``meta``)."""
        meta = json.dumps({"format": FORMAT, **provenance}, sort_keys=True).encode("utf-8")
        return {
            "tokens": np.frombuffer("\n".join(self.tokens).encode("utf-8"), dtype=np.uint8),
            **{f"level_keys_{depth}": keys
               for depth, keys in enumerate(self._level_keys, start=1)},
            "group_sources": self._group_sources.astype(np.uint32),
            "group_sizes": np.diff(self._group_starts).astype(np.uint32),
            "targets": self._targets.astype(np.uint32),
            "meta": np.frombuffer(meta, dtype=np.uint8),
        }

    @classmethod
    def from_entries(cls, entries: Sequence[tuple[str, str]]) -> ParaphraseTable:
        """Build a table from (source, target) phrase pairs (space-separated tokens), in order.

        Entries with the same source must be consecutive, as in METEOR's table files.
        """
        phrases = sorted({phrase for entry in entries for phrase in entry})
        tokens = sorted({token for phrase in phrases for token in phrase.split(" ")})
        token_id = {token: index for index, token in enumerate(tokens)}
        coded = {p: tuple(token_id[t] for t in p.split(" ")) for p in phrases}
        if any(len(ids) > MAX_PHRASE_LENGTH for ids in coded.values()):
            raise ValueError(f"a phrase is longer than {MAX_PHRASE_LENGTH} tokens")
        level_keys: list[np.ndarray] = []
        node_of: dict[tuple[int, ...], int] = {}
        local: dict[tuple[int, ...], int] = {(): 0}
        offset = 0
        for depth in range(1, MAX_PHRASE_LENGTH + 1):
            prefixes = sorted({ids[:depth] for ids in coded.values() if len(ids) >= depth},
                              key=lambda p: (local[p[:-1]], p[-1]))
            level_keys.append(np.array([local[p[:-1]] * len(tokens) + p[-1] for p in prefixes],
                                       dtype=np.int64))
            local = {prefix: index for index, prefix in enumerate(prefixes)}
            node_of.update((prefix, offset + index) for prefix, index in local.items())
            offset += len(prefixes)
        sources: list[int] = []
        sizes: list[int] = []
        for source, _ in entries:
            if sources and sources[-1] == node_of[coded[source]]:
                sizes[-1] += 1
            else:
                sources.append(node_of[coded[source]])
                sizes.append(1)
        if len(set(sources)) != len(sources):
            raise ValueError("entries with the same source phrase are not consecutive")
        return cls(tokens, level_keys, np.array(sources, dtype=np.int64),
                   np.array(sizes, dtype=np.int64),
                   np.array([node_of[coded[target]] for _, target in entries], dtype=np.int64))

    @classmethod
    def from_gz(cls, path: str | Path, vocabulary: Collection[str]) -> ParaphraseTable:
        """Read a METEOR ``paraphrase-*.gz`` table, keeping entries whose words are all in
        `vocabulary` (the others can never match).

        The file holds three lines per entry: a probability (a number, otherwise unused), a
        phrase and its paraphrase.

        Raises
        ------
        CapevalInputError
            If the file is not gzip, is truncated, is not UTF-8, holds no entry, or an entry is
            not in that format (naming its line).
        """
        check_table_file(path)
        entries, n_entries = [], 0
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                lines = (line.rstrip("\n") for line in handle)
                for index, (probability, source, target) in enumerate(
                        zip_longest(lines, lines, lines)):
                    _check_entry(path, 3 * index + 1, probability, source, target)
                    n_entries += 1
                    if all(word in vocabulary for word in f"{source} {target}".split(" ")):
                        entries.append((source, target))
        except UnicodeDecodeError as error:
            raise CapevalInputError(str(path), None,
                                    f"not UTF-8 text after decompression ({error.reason})") from None
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as error:
            raise CapevalInputError(str(path), None,
                                    f"broken or truncated gzip file ({error})") from None
        if not n_entries:
            raise CapevalInputError(str(path), None, "the paraphrase table has no entries")
        return cls.from_entries(entries)

    def _ngram_nodes(self, sequence: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Find the trie node of every n-gram of `sequence` (token ids, -1 = not in the table).

        Returns
        -------
        list of (starts, nodes), one per length 1..MAX_PHRASE_LENGTH
            ``starts`` of shape (P,): positions whose n-gram of that length is a trie node;
            ``nodes`` of shape (P,): the global node numbers.
        """
        n_tokens = len(self.tokens)
        # Level 1 by direct lookup: the level-1 node (if any) of every token id.
        level_one = np.full(n_tokens, -1, dtype=np.int64)
        level_one[self._level_keys[0]] = np.arange(len(self._level_keys[0]))
        starts = np.flatnonzero(sequence >= 0)
        local = level_one[sequence[starts]]
        hit = local >= 0
        starts, local = starts[hit], local[hit]
        found = [(starts, local)]
        for depth, keys in enumerate(self._level_keys[1:], start=2):
            if not len(starts):
                break
            ends = starts + depth - 1
            inside = ends < len(sequence)
            starts, local, ends = starts[inside], local[inside], ends[inside]
            tokens = sequence[ends]
            keep = tokens >= 0
            query = local[keep] * n_tokens + tokens[keep]
            starts = starts[keep]
            (index,) = search(keys, query)
            hit = index < len(keys)
            hit[hit] = keys[index[hit]] == query[hit]
            starts, local = starts[hit], index[hit]
            found.append((starts, local + self._level_offsets[depth - 1]))
        return found

    def pair_matches(self, captions: Sequence[Sequence[str]],
                     pairs: Sequence[tuple[int, int]] | np.ndarray,
                     occurrences: PhraseOccurrences | None = None) -> np.ndarray:
        """Return the paraphrase matches of each (hypothesis, reference) caption pair.

        Matches come in the jar's candidate order for each reference position j: first those
        whose source phrase is in the reference (by source length, then table order, then
        hypothesis position), then those whose source phrase is in the hypothesis (by
        hypothesis position, source length, table order). Entries of both directions give two
        matches, as in the jar.

        Parameters
        ----------
        captions : sequence of token sequences
            The normalized captions; pairs refer to them by index.
        pairs : sequence of (hyp, ref) caption indices
        occurrences : PhraseOccurrences, optional
            ``self.occurrences(captions)``, if already found (in any order).

        Returns
        -------
        ndarray of shape (M, 5), int64
            One match per row: (pair, ref_start, ref_len, hyp_start, hyp_len), sorted by pair,
            then ref_start, then the jar's order.
        """
        n_nodes = int(self._level_offsets[-1])
        found = self.occurrences(captions) if occurrences is None else occurrences
        owner, position, length, node = found.owner, found.position, found.length, found.node
        present = np.zeros(n_nodes, dtype=bool)
        present[node] = True
        entries = self._entries_among(present)
        targets = _TargetIndex(owner, position, node, entries.target, len(captions), n_nodes)

        # Source occurrences and the range of their entries in the (source-sorted) entry list.
        first = np.flatnonzero(np.diff(entries.source, prepend=-1))
        count = np.diff(first, append=len(entries.source))
        group_of = np.full(n_nodes, -1, dtype=np.int32)  # source node -> its entry range
        group_of[entries.source[first]] = np.arange(len(first))
        group = group_of[node]
        here = np.flatnonzero(group >= 0)
        sources = _SourceOccurrences(owner[here], position[here], length[here],
                                     first[group[here]], count[group[here]])
        pair_array = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        by_side = [np.argsort(pair_array[:, side], kind="stable") for side in (0, 1)]
        blocks = [
            _pass_matches(sources.take(chunk), pair_array, by_side[source_side], source_side,
                          entries, targets)
            for source_side in (1, 0)  # the reference side first, as the jar's first pass
            for chunk in np.array_split(np.arange(len(here)),
                                        max(1, len(here) // _CHUNK_OCCURRENCES))
        ]
        rows = np.concatenate(blocks) if blocks else np.zeros((0, 9), dtype=np.int64)
        # Sort by pair, reference start, pass, then the pass's own three keys.
        rows = rows[np.lexsort(rows[:, 5::-1].T)]
        return rows[:, [0, 1, 6, 7, 8]]

    def _entries_among(self, present: np.ndarray) -> _Entries:
        """Return the entries whose source and target are both `present`, grouped by source."""
        groups = np.flatnonzero(present[self._group_sources])
        group_starts = self._group_starts[groups]
        group_row, offset = expand(self._group_starts[groups + 1] - group_starts)
        entry = group_starts[group_row] + offset
        target = self._targets[entry].astype(np.int64)
        kept = present[target]
        entry, target = entry[kept], target[kept]
        source = self._group_sources[groups[group_row[kept]]]
        order = np.argsort(source, kind="stable")  # keeps table order within a source
        target = target[order]
        return _Entries(entry[order], source[order], target,
                        np.searchsorted(self._level_offsets, target, side="right"))

    def token_ids(self, words: Iterable[str], count: int = -1) -> np.ndarray:
        """Return the table's token id of each word (-1: not in the table), int64."""
        return np.fromiter(map(self._token_id.get, words, repeat(-1)), dtype=np.int64,
                           count=count)

    def occurrences(self, captions: Sequence[Sequence[str]]) -> PhraseOccurrences:
        """Find every n-gram of the captions that is a phrase of the table (or a prefix of one)."""
        lengths = np.fromiter(map(len, captions), dtype=np.int64, count=len(captions))
        return self.occurrences_of_ids(
            self.token_ids(chain.from_iterable(captions), int(lengths.sum())), lengths)

    def occurrences_of_ids(self, ids: np.ndarray, lengths: np.ndarray) -> PhraseOccurrences:
        """`occurrences` of captions given as token ids (`token_ids`): all of them one after
        another, shape (lengths.sum(),), and the length of each caption."""
        bounds = np.concatenate([[0], np.cumsum(lengths + 1)])
        sequence = np.full(int(bounds[-1]), -1, dtype=np.int64)
        inside = np.ones(len(sequence), dtype=bool)
        inside[bounds[1:] - 1] = False  # one -1 after each caption: n-grams never straddle two
        sequence[inside] = ids
        columns = []
        for length, (starts, nodes) in enumerate(self._ngram_nodes(sequence), start=1):
            columns.append((starts, np.full(len(starts), length), nodes))
        starts, span, node = (np.concatenate(parts) for parts in zip(*columns, strict=True))
        owner = np.searchsorted(bounds, starts, side="right") - 1
        return PhraseOccurrences(owner, starts - bounds[owner], span, node)


@dataclass(frozen=True)
class PhraseOccurrences:
    """The n-grams of C captions that are trie nodes of a table, shape (P,) each, int64.

    Any order: `ParaphraseTable.pair_matches` sorts what it derives from them (for one caption
    and node, the occurrences of a table's `occurrences` come by position, and any selection
    of `captions` keeps that).
    """

    owner: np.ndarray  # caption index
    position: np.ndarray  # start in the caption
    length: np.ndarray  # in tokens
    node: np.ndarray

    def shifted(self, offset: int) -> PhraseOccurrences:
        """The same occurrences, caption c numbered ``offset + c``."""
        return PhraseOccurrences(self.owner + offset, self.position, self.length, self.node)

    @classmethod
    def concatenate(cls, parts: Sequence[PhraseOccurrences]) -> PhraseOccurrences:
        return cls(*(np.concatenate([getattr(part, name) for part in parts])
                     for name in ("owner", "position", "length", "node")))


@dataclass(frozen=True)
class PhrasesByCaption:
    """The phrase occurrences of C captions grouped by caption, to take those of any captions
    in time proportional to what is taken (a reference set's, prepared once)."""

    occurrences: PhraseOccurrences  # stably sorted by owner: by position within a caption
    starts: np.ndarray  # (C + 1,): caption c's are rows starts[c]:starts[c + 1]

    @classmethod
    def of(cls, occurrences: PhraseOccurrences, n_captions: int) -> PhrasesByCaption:
        grouped = take_rows(occurrences, np.argsort(occurrences.owner, kind="stable"))
        return cls(grouped, np.searchsorted(grouped.owner, np.arange(n_captions + 1)))

    def of_captions(self, chosen: np.ndarray) -> PhraseOccurrences:
        """Return the occurrences in the captions `chosen` (distinct indices), those of
        ``chosen[i]`` numbered as caption i."""
        first = self.starts[chosen]
        row, offset = expand(self.starts[chosen + 1] - first)
        taken = take_rows(self.occurrences, first[row] + offset)
        return PhraseOccurrences(row, taken.position, taken.length, taken.node)


TABLE_SUFFIXES = {".npz": b"PK\x03\x04", ".gz": b"\x1f\x8b"}
"""Paraphrase table file suffix -> the magic bytes its content starts with."""


def check_table_file(path: str | Path) -> None:
    """Check that `path` is a readable ``.npz`` or ``.gz`` file with the matching content.

    Cheap (reads 4 bytes), so callers can check a table before any work starts.

    Raises
    ------
    CapevalInputError
        Naming the file and what is wrong with it.
    """
    path = Path(path)
    magic = TABLE_SUFFIXES.get(path.suffix.lower())
    if magic is None:
        raise CapevalInputError(str(path), None, "a paraphrase table is a .npz (from "
                                "tools/build_meteor_data.py) or a METEOR .gz file")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(magic))
    except OSError as error:
        raise CapevalInputError(str(path), None,
                                f"cannot read: {error.strerror or error}") from None
    if head != magic:
        kind = "a .npz archive" if path.suffix.lower() == ".npz" else "gzip-compressed"
        raise CapevalInputError(str(path), None, f"not a paraphrase table: the file is not {kind}")


def _check_entry(path: str | Path, line: int, probability: str | None, source: str | None,
                 target: str | None) -> None:
    """Check one three-line entry of a METEOR ``.gz`` table, starting at `line` (1-based)."""
    if source is None or target is None or not source or not target:
        raise CapevalInputError(str(path), f"line {line}",
                                "expected a probability line, then a non-empty phrase and a "
                                "non-empty paraphrase line")
    try:
        float(probability)  # type: ignore[arg-type]
    except ValueError:
        raise CapevalInputError(str(path), f"line {line}",
                                f"probability {probability!r} is not a number") from None


_CHUNK_OCCURRENCES = 1 << 13
"""Source occurrences joined at a time (bounds the temporary arrays)."""


@dataclass(frozen=True)
class _Entries:
    """Kept table entries, grouped by source node (table order within a source)."""

    rank: np.ndarray  # position in the table: orders the targets of one source
    source: np.ndarray
    target: np.ndarray
    target_length: np.ndarray


class _TargetIndex:
    """Occurrences of target phrases, searchable by (caption, node).

    A 64-bit signature per caption (bit ``node % 64`` of each target it holds) rules out most
    (caption, target) lookups before the binary search.
    """

    def __init__(self, owner: np.ndarray, position: np.ndarray, node: np.ndarray,
                 targets: np.ndarray, n_captions: int, n_nodes: int) -> None:
        is_target = np.zeros(n_nodes, dtype=bool)
        is_target[targets] = True
        here = np.flatnonzero(is_target[node])
        key = owner[here] * n_nodes + node[here]
        order = np.argsort(key, kind="stable")  # positions stay ascending within a key
        self.n_nodes = n_nodes
        self.key, self.position = key[order], position[here][order]
        self.signature = np.zeros(n_captions, dtype=np.uint64)
        if len(here):
            holder = owner[here][order]
            starts = np.flatnonzero(np.diff(holder, prepend=-1))
            bits = np.left_shift(np.uint64(1), (node[here][order] % 64).astype(np.uint64))
            self.signature[holder[starts]] = np.bitwise_or.reduceat(bits, starts)

    def find(self, caption: np.ndarray, node: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (query index, position) of every occurrence of ``node[q]`` in ``caption[q]``."""
        bit = (self.signature[caption] >> (node % 64).astype(np.uint64)) & np.uint64(1)
        maybe = np.flatnonzero(bit)
        query, found = join(self.key, caption[maybe] * self.n_nodes + node[maybe])
        return maybe[query], self.position[found]


@dataclass(frozen=True)
class _SourceOccurrences:
    """Occurrences of source phrases and the range of their entries in `_Entries`."""

    owner: np.ndarray
    position: np.ndarray
    length: np.ndarray
    first_entry: np.ndarray
    entry_count: np.ndarray

    def take(self, index: np.ndarray) -> _SourceOccurrences:
        return take_rows(self, index)


def _pass_matches(sources: _SourceOccurrences, pairs: np.ndarray, pair_order: np.ndarray,
                  source_side: int, entries: _Entries, targets: _TargetIndex) -> np.ndarray:
    """Return the matches of one pass as rows (pair, ref start, pass, 3 sort keys, ref len,
    hyp start, hyp len); `source_side` is 1 when sources are looked up in the reference, and
    `pair_order` sorts the pairs by their caption on that side (stably)."""
    # source occurrence x pair whose source-side caption holds it x entry of the source
    occurrence, pair = join(pairs[pair_order, source_side], sources.owner)
    pair = pair_order[pair]
    row, offset = expand(sources.entry_count[occurrence])
    occurrence, pair = occurrence[row], pair[row]
    entry = sources.first_entry[occurrence] + offset
    # ... x occurrence of the entry's target in the pair's other caption
    hit, other_position = targets.find(pairs[pair, 1 - source_side], entries.target[entry])
    occurrence, pair, entry = occurrence[hit], pair[hit], entry[hit]
    here_position, here_length = sources.position[occurrence], sources.length[occurrence]
    rank, other_length = entries.rank[entry], entries.target_length[entry]
    if source_side == 1:  # sort keys: source length, table order, hypothesis position
        columns = (pair, here_position, np.zeros_like(pair), here_length, rank,
                   other_position, here_length, other_position, other_length)
    else:  # sort keys: hypothesis position, source length, table order
        columns = (pair, other_position, np.ones_like(pair), here_position, here_length,
                   rank, other_length, here_position, here_length)
    return np.stack(columns, axis=1)

