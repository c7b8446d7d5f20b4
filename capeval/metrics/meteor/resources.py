"""METEOR's English data, shipped in ``capeval/data/meteor`` and read lazily.

``function_words.txt``, ``nonbreaking_prefixes.txt``
    Verbatim copies of the jar's ``function/english.words`` and ``nonbreaking/english.prefixes``.
``wordnet_synonyms.npz``
    The jar's ``synonym/english.synsets`` and ``synonym/english.exceptions`` (WordNet 3.0) as
    arrays: ``words`` (UTF-8, newline-joined), ``synset_counts`` and ``synsets`` (CSR),
    ``exception_forms`` / ``exception_bases`` (parallel, file order).
``paraphrase_en.npz``
    The jar's ``paraphrase-en.gz`` without probabilities: a phrase trie and, per source phrase,
    its target phrases in file order (see `ParaphraseTable`).

All files are written by ``tools/build_meteor_data.py`` from the pycocoevalcap 1.2 wheel and
read without pickle. Letters used in shapes: T table tokens, N trie nodes, G source phrases,
E table entries, P n-gram occurrences.
"""
from __future__ import annotations

import gzip
import json
from itertools import zip_longest
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import numpy as np

from capeval.errors import CapevalInputError

MAX_PHRASE_LENGTH = 7
"""Longest phrase in a paraphrase table, in tokens."""

DEFAULT_PARAPHRASE_TABLE = "paraphrase_en.npz"


def _data_file(name: str):
    return resources.files("capeval").joinpath("data", "meteor", name)


def read_text(name: str) -> str:
    """Return a text file of the packaged METEOR data, decoded as UTF-8."""
    return _data_file(name).read_text(encoding="utf-8")


def _open_npz(source: str | Path | BinaryIO):
    return np.load(source, allow_pickle=False)


def _strings(array: np.ndarray) -> list[str]:
    """Decode a newline-joined UTF-8 byte array."""
    return array.tobytes().decode("utf-8").split("\n")


def load_function_words() -> frozenset[str]:
    """Return the 93 English function words (the lines of the jar's ``english.words``)."""
    return frozenset(read_text("function_words.txt").splitlines())


# (suffix, replacement) rules of WordNet's morphy as used by the jar, tried in this order.
_MORPH_RULES = (
    ("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
    ("men", "man"), ("ies", "y"), ("s", ""), ("ies", "y"), ("es", "e"), ("es", ""),
    ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", ""), ("er", ""), ("est", ""),
    ("er", "e"), ("est", "e"),
)


class WordNetSynonyms:
    """WordNet 3.0 synsets with the jar's base-form lookup (exceptions, then morph rules)."""

    def __init__(self, words: Sequence[str], offsets: np.ndarray, synsets: np.ndarray,
                 bases: dict[str, tuple[str, ...]]) -> None:
        self._index = {word: index for index, word in enumerate(words)}
        self._offsets = offsets
        self._synsets = synsets
        self._bases = bases

    @classmethod
    def load(cls, source: str | Path | None = None) -> WordNetSynonyms:
        """Read ``wordnet_synonyms.npz`` (the packaged copy unless `source` is given)."""
        with _open_npz(source or _data_file("wordnet_synonyms.npz").open("rb")) as data:
            words = _strings(data["words"])
            offsets = np.concatenate([[0], np.cumsum(data["synset_counts"], dtype=np.int64)])
            synsets = data["synsets"].astype(np.int64)
            forms = _strings(data["exception_forms"])
            base_list = _strings(data["exception_bases"])
        bases: dict[str, list[str]] = {}
        for form, base in zip(forms, base_list, strict=True):
            bases.setdefault(form, []).append(base)
        return cls(words, offsets, synsets, {form: tuple(b) for form, b in bases.items()})

    def _own(self, word: str) -> frozenset[int]:
        index = self._index.get(word)
        if index is None:
            return frozenset()
        return frozenset(self._synsets[self._offsets[index]:self._offsets[index + 1]].tolist())

    def _morph(self, word: str) -> str | None:
        if word.endswith("ss") or len(word.encode("utf-16-le")) <= 4:
            return word
        for suffix, replacement in _MORPH_RULES:
            if word.endswith(suffix):
                candidate = word[: len(word) - len(suffix)] + replacement
                if candidate in self._index:
                    return candidate
        return None

    def synsets(self, word: str) -> frozenset[int]:
        """Return the synsets of `word` and of its base forms (the jar's syn(w) | base-syn(w))."""
        own = self._own(word)
        bases = self._bases.get(word)
        if bases is not None:
            return own.union(*(self._own(base) for base in bases))
        base = self._morph(word)
        return own if base is None else own | self._own(base)


@dataclass(frozen=True)
class CorpusParaphrases:
    """The paraphrase entries that can fire in one corpus, with their occurrences.

    Phrases are identified by trie node numbers; two n-grams are equal exactly when their node
    numbers are. Only entries whose source and target phrases both occur as n-grams of some
    corpus caption are kept: any other entry can never produce a match.

    Attributes
    ----------
    targets : dict of int to tuple of (int, int)
        Source phrase node -> ``(node, length)`` of its kept target phrases, in table order.
    sources_in : list of tuple of (int, int, int)
        Per caption: ``(start, length, node)`` of every n-gram that is a source phrase with
        kept entries, ordered by start, then length.
    targets_in : list of dict of int to list of int
        Per caption: target phrase node -> the start positions (ascending) of its occurrences.
    """

    targets: dict[int, tuple[tuple[int, int], ...]]
    sources_in: list[list[tuple[int, int, int]]]
    targets_in: list[dict[int, list[int]]]


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
        self._targets = targets

    @property
    def n_entries(self) -> int:
        """Number of (source, target) entries E."""
        return len(self._targets)

    @classmethod
    def load(cls, source: str | Path | None = None) -> ParaphraseTable:
        """Read a ``paraphrase_*.npz`` built by ``tools/build_meteor_data.py``.

        Parameters
        ----------
        source : path, optional
            Defaults to the packaged English table.
        """
        with _open_npz(source or _data_file(DEFAULT_PARAPHRASE_TABLE).open("rb")) as data:
            meta = json.loads(data["meta"].tobytes())
            if meta.get("format") != 1:
                raise ValueError(f"{source}: unsupported paraphrase table format {meta!r}")
            tokens = _strings(data["tokens"])
            n_tokens = len(tokens)
            level_keys = [data["level_tokens_1"].astype(np.int64)]
            for depth in range(2, MAX_PHRASE_LENGTH + 1):
                fanout = data[f"level_fanout_{depth}"]
                parents = np.repeat(np.arange(len(fanout), dtype=np.int64), fanout)
                level_keys.append(parents * n_tokens + data[f"level_tokens_{depth}"])
            return cls(tokens, level_keys, data["group_sources"].astype(np.int64),
                       data["group_sizes"].astype(np.int64), data["targets"].astype(np.int64))

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
        level_keys, node_of, local, offset = [], {}, {(): 0}, 0
        for depth in range(1, MAX_PHRASE_LENGTH + 1):
            prefixes = sorted({ids[:depth] for ids in coded.values() if len(ids) >= depth},
                              key=lambda p: (local[p[:-1]], p[-1]))
            level_keys.append(np.array([local[p[:-1]] * len(tokens) + p[-1] for p in prefixes],
                                       dtype=np.int64))
            local = {prefix: index for index, prefix in enumerate(prefixes)}
            node_of.update((prefix, offset + index) for prefix, index in local.items())
            offset += len(prefixes)
        sources, sizes = [], []
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

        The file holds three lines per entry: a probability (ignored), a phrase and its
        paraphrase.

        Raises
        ------
        CapevalInputError
            If the file is not in that format.
        """
        entries = []
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lines = (line.rstrip("\n") for line in handle)
            for index, (_, source, target) in enumerate(zip_longest(lines, lines, lines)):
                if source is None or target is None or not source or not target:
                    raise CapevalInputError(str(path), f"line {3 * index + 1}",
                                            "expected a probability line, then a non-empty "
                                            "phrase and a non-empty paraphrase line")
                if all(word in vocabulary for word in f"{source} {target}".split(" ")):
                    entries.append((source, target))
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
        found = []
        starts = np.flatnonzero(sequence >= 0)
        local = np.zeros(len(starts), dtype=np.int64)  # parent of a level-1 node: 0
        for depth, keys in enumerate(self._level_keys, start=1):
            if depth > 1:
                ends = starts + depth - 1
                inside = ends < len(sequence)
                starts, local, ends = starts[inside], local[inside], ends[inside]
                tokens = sequence[ends]
                keep = tokens >= 0
                starts, local, tokens = starts[keep], local[keep], tokens[keep]
            else:
                tokens = sequence[starts]
            query = local * n_tokens + tokens
            index = np.searchsorted(keys, query)
            hit = index < len(keys)
            hit[hit] = keys[index[hit]] == query[hit]
            starts, local = starts[hit], index[hit]
            found.append((starts, local + self._level_offsets[depth - 1]))
            if not len(starts):
                break
        return found

    def restrict(self, captions: Sequence[Sequence[str]]) -> CorpusParaphrases:
        """Keep the entries that can fire among `captions` and index their occurrences.

        Parameters
        ----------
        captions : sequence of token sequences
            Every normalized caption of the corpus (hypotheses and references).
        """
        lengths = np.fromiter((len(c) for c in captions), dtype=np.int64, count=len(captions))
        bounds = np.concatenate([[0], np.cumsum(lengths + 1)])
        sequence = np.full(int(bounds[-1]), -1, dtype=np.int64)
        inside = np.ones(len(sequence), dtype=bool)
        inside[bounds[1:] - 1] = False  # one -1 after each caption: n-grams never straddle two
        get = self._token_id.get
        sequence[inside] = [get(token, -1) for caption in captions for token in caption]
        occurrences = self._ngram_nodes(sequence)

        present = np.zeros(int(self._level_offsets[-1]), dtype=bool)
        for _, nodes in occurrences:
            present[nodes] = True
        entry_kept = np.repeat(present[self._group_sources], np.diff(self._group_starts))
        entry_kept &= present[self._targets]
        kept = np.flatnonzero(entry_kept)
        groups = np.searchsorted(self._group_starts, kept, side="right") - 1
        source_nodes = self._group_sources[groups]
        target_nodes = self._targets[kept]
        target_lengths = np.searchsorted(self._level_offsets, target_nodes, side="right")

        targets: dict[int, tuple[tuple[int, int], ...]] = {}
        pairs = list(zip(target_nodes.tolist(), target_lengths.tolist()))
        breaks = (np.flatnonzero(np.diff(groups)) + 1).tolist()
        for start, stop in zip([0, *breaks], [*breaks, len(kept)]):
            if stop > start:
                targets[int(source_nodes[start])] = tuple(pairs[start:stop])

        is_source = np.zeros(len(present), dtype=bool)
        is_source[source_nodes] = True
        is_target = np.zeros(len(present), dtype=bool)
        is_target[target_nodes] = True
        caption_of = np.repeat(np.arange(len(captions)), lengths + 1)
        columns = []
        for length, (starts, nodes) in enumerate(occurrences, start=1):
            useful = is_source[nodes] | is_target[nodes]
            starts, nodes = starts[useful], nodes[useful]
            owner = caption_of[starts]
            columns.append(np.stack([owner, starts - bounds[owner], np.full(len(starts), length),
                                     nodes, is_source[nodes], is_target[nodes]], axis=1))
        rows = np.concatenate(columns)
        rows = rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]
        sources_in: list[list[tuple[int, int, int]]] = [[] for _ in captions]
        targets_in: list[dict[int, list[int]]] = [{} for _ in captions]
        for caption, start, length, node, source, target in rows.tolist():
            if source:
                sources_in[caption].append((start, length, node))
            if target:
                targets_in[caption].setdefault(node, []).append(start)
        return CorpusParaphrases(targets, sources_in, targets_in)
