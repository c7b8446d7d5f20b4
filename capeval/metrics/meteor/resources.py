"""METEOR's English data files, shipped in ``capeval/data/meteor`` and read lazily.

``function_words.txt``, ``nonbreaking_prefixes.txt``
    Verbatim copies of the jar's ``function/english.words`` and ``nonbreaking/english.prefixes``.
``lexicon_en/``
    Every word of the jar's ``synonym/english.synsets`` and ``synonym/english.exceptions``
    (WordNet 3.0) and of its paraphrase table, with what METEOR's stem and synonym modules look
    up for it, computed when the data is built: the Java hash of its Snowball stem
    (``snowballstemmer`` 2.2.0) and its synsets as the jar gathers them (its own, plus those of
    its base forms). Words of up to `KEY_WIDTH` UTF-8 bytes are ``short_words`` (fixed width,
    sorted by bytes), the others ``long_words`` (UTF-8, newline-joined); word ids number the
    short words, then the long ones. Per word id: ``stem_hashes`` (uint32), ``synset_counts``
    and ``synsets`` (CSR, the jar's synsets), ``own_counts`` and ``own_synsets`` (CSR, WordNet's
    synsets of the word itself, for the base-form rules applied to words met at run time).
    One ``.npy`` per array, memory-mapped.
``paraphrase_en/``
    The jar's ``paraphrase-en.gz`` without probabilities, one ``.npy`` per array, memory-mapped
    (read by `paraphrase.ParaphraseTable`).

All files are written by ``tools/build_meteor_data.py`` from the pycocoevalcap 1.2 wheel and
read without pickle.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import BinaryIO, TypeVar

import numpy as np
from snowballstemmer import EnglishStemmer

from capeval.arrays import expand
from capeval.metrics.meteor.text import java_hashes

T = TypeVar("T")

KEY_WIDTH = 24
"""Words up to this many UTF-8 bytes are looked up by binary search, longer ones by a dict."""


def data_file(name: str):
    """Return the packaged METEOR data file `name` (a Traversable)."""
    return resources.files("capeval").joinpath("data").joinpath("meteor").joinpath(name)


def read_text(name: str) -> str:
    """Return a text file of the packaged METEOR data, decoded as UTF-8."""
    return data_file(name).read_text(encoding="utf-8")


def open_npz(source: str | Path | BinaryIO):
    """Open an ``.npz`` archive of plain arrays (pickled objects are refused)."""
    return np.load(source, allow_pickle=False)


def packaged_arrays(name: str) -> Callable[[str], np.ndarray]:
    """Return a reader of the arrays of the packaged folder `name` (one ``.npy`` per array):
    memory-mapped when on disk, so nothing is decompressed or copied up front."""
    folder = data_file(name)

    def array(key: str) -> np.ndarray:
        member = folder.joinpath(f"{key}.npy")
        if isinstance(member, Path):
            return np.load(member, mmap_mode="r", allow_pickle=False)
        with member.open("rb") as handle:  # e.g. a zipped install: read it whole
            return np.load(handle, allow_pickle=False)

    return array


def decode_strings(array: np.ndarray) -> list[str]:
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


def morph_candidates(word: str) -> list[str]:
    """Return the forms the jar's morph rules try as the base of `word`, in order."""
    return [word[: len(word) - len(suffix)] + replacement
            for suffix, replacement in _MORPH_RULES if word.endswith(suffix)]


def morph_base(word: str, in_wordnet: Callable[[str], bool]) -> str | None:
    """Return the base form the jar's morph rules give `word` (None if no rule applies).

    Words ending in "ss" and words of at most two UTF-16 units are their own base; otherwise
    the first candidate (`morph_candidates`) that is a WordNet word wins.
    """
    if word.endswith("ss") or len(word.encode("utf-16-le")) <= 4:
        return word
    return next((form for form in morph_candidates(word) if in_wordnet(form)), None)


def jar_synsets(word: str, own: Callable[[str], frozenset[int]],
                exception_bases: Mapping[str, Sequence[str]],
                in_wordnet: Callable[[str], bool]) -> frozenset[int]:
    """Return the synsets the jar's synonym module gives `word`: syn(w) | base-syn(w).

    Base forms come from the exceptions file when `word` is listed there, else from the morph
    rules (`morph_base`). `own` gives WordNet's synsets of a word itself.
    """
    bases = exception_bases.get(word)
    if bases is None:
        base = morph_base(word, in_wordnet)
        bases = () if base is None else (base,)
    return own(word).union(*map(own, bases))


def _csr_starts(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])


WORD_CACHE_LIMIT = 1 << 18
"""Words outside the table whose stem hash and synsets a `WordData` keeps (then it starts afresh)."""


class WordData:
    """Stem hashes and synsets of words: from ``lexicon_en/``, else computed when met.

    What is computed for words outside the table (Snowball, the morph rules) is kept for later
    calls, up to `WORD_CACHE_LIMIT` words.

    Parameters
    ----------
    short_words : ndarray of dtype ``S{KEY_WIDTH}``, sorted
    long_words : list of str
    stem_hashes : ndarray of shape (W,), uint32
        W = number of short plus long words.
    synset_starts, synsets : ndarrays
        CSR of the jar's synsets of each word (``synset_starts`` of shape (W + 1,)).
    own_starts, own_synsets : ndarrays
        CSR of WordNet's synsets of each word itself (empty for words outside WordNet).
    metadata : dict
        Provenance written by the build (stemmer version, number of words).
    """

    _computing = threading.Lock()  # the stemmer and the caches are not thread-safe

    def __init__(self, short_words: np.ndarray, long_words: Sequence[str],
                 stem_hashes: np.ndarray, synset_starts: np.ndarray, synsets: np.ndarray,
                 own_starts: np.ndarray, own_synsets: np.ndarray,
                 metadata: dict | None = None) -> None:
        self._short_words = short_words
        self._long_ids = {word: len(short_words) + i for i, word in enumerate(long_words)}
        self._stem_hashes = stem_hashes
        self._synset_starts, self._synsets = synset_starts, synsets
        self._own_starts, self._own_synsets = own_starts, own_synsets
        self.metadata = metadata or {}
        self._stem = EnglishStemmer().stemWords  # never PyStemmer's C Snowball (another version)
        self._computed_stems: dict[str, int] = {}
        self._computed_synsets: dict[str, tuple[int, ...]] = {}

    @classmethod
    def load(cls, source: str | Path | None = None) -> WordData:
        """Read the packaged ``lexicon_en/`` arrays, or an ``.npz`` archive of the same arrays."""
        if source is None:
            return cls._from_arrays(packaged_arrays("lexicon_en"))
        with open_npz(source) as data:
            return cls._from_arrays(data.__getitem__)

    @classmethod
    def _from_arrays(cls, array: Callable[[str], np.ndarray]) -> WordData:
        return cls(array("short_words"), decode_strings(array("long_words")),
                   array("stem_hashes"), _csr_starts(array("synset_counts")), array("synsets"),
                   _csr_starts(array("own_counts")), array("own_synsets"),
                   json.loads(array("meta").tobytes()))

    @property
    def n_words(self) -> int:
        return len(self._short_words) + len(self._long_ids)

    def ids(self, words: Sequence[str]) -> np.ndarray:
        """Return the word id of each word, -1 for words outside the table, shape (len(words),)."""
        encoded = [word.encode("utf-8") for word in words]
        keys = np.array(encoded, dtype=f"S{KEY_WIDTH}")  # truncates: `short` rules those out
        short = np.fromiter((len(e) <= KEY_WIDTH and b"\0" not in e for e in encoded),
                            dtype=bool, count=len(encoded))
        table = self._short_words
        index = np.minimum(np.searchsorted(table, keys), max(len(table) - 1, 0))
        found = short & (table[index] == keys) if len(table) else short & False
        ids = np.where(found, index, -1)
        for i in np.flatnonzero(~short).tolist():
            ids[i] = self._long_ids.get(words[i], -1)
        return ids

    def stem_hashes(self, words: Sequence[str]) -> np.ndarray:
        """Return the Java hash of the Snowball stem of each word, shape (len(words),), int64."""
        ids = self.ids(words)
        hashes = self._stem_hashes[np.maximum(ids, 0)].astype(np.int64)
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            with self._computing:
                hashes[missing] = _remember(self._computed_stems,
                                            [words[i] for i in missing.tolist()],
                                            lambda new: java_hashes(self._stem(new)).tolist())
        return hashes

    def synsets(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return the jar's synsets of each word (`jar_synsets`), as CSR.

        Returns
        -------
        sizes : ndarray of shape (len(words),), int64
        members : ndarray of shape (sizes.sum(),), int64
            Word w's synsets are ``members[starts[w]:starts[w + 1]]``, starts = the cumulative
            sizes.
        """
        ids = self.ids(words)
        rows, missing = np.flatnonzero(ids >= 0), np.flatnonzero(ids < 0)
        first = self._synset_starts[ids[rows]]  # of the packaged words' synsets
        with self._computing:
            computed = _remember(self._computed_synsets, [words[i] for i in missing.tolist()],
                                 self._jar_synsets_outside)
        sizes = np.zeros(len(words), dtype=np.int64)
        sizes[rows] = self._synset_starts[ids[rows] + 1] - first
        sizes[missing] = np.fromiter(map(len, computed), dtype=np.int64, count=len(computed))
        starts = np.cumsum(sizes) - sizes
        members = np.empty(int(sizes.sum()), dtype=np.int64)
        row, offset = expand(sizes[rows])
        members[starts[rows][row] + offset] = self._synsets[first[row] + offset]
        row, offset = expand(sizes[missing])
        members[starts[missing][row] + offset] = np.fromiter(
            chain.from_iterable(computed), dtype=np.int64, count=len(row))
        return sizes, members

    def _jar_synsets_outside(self, words: list[str]) -> list[tuple[int, ...]]:
        """`jar_synsets` of words outside the table: neither WordNet words nor irregular forms,
        so only the morph rules can give them synsets, through candidates looked up in one
        batch."""
        candidates = list({form for word in words for form in morph_candidates(word)})
        candidate_ids = dict(zip(candidates, self.ids(candidates).tolist(), strict=True))

        def own(word: str) -> frozenset[int]:
            index = candidate_ids.get(word, -1)
            if index < 0:
                return frozenset()
            return frozenset(self._own_synsets[self._own_starts[index]:
                                               self._own_starts[index + 1]].tolist())

        return [tuple(sorted(jar_synsets(word, own, {}, lambda form: bool(own(form)))))
                for word in words]


def _remember(cache: dict[str, T], words: list[str],
              compute: Callable[[list[str]], Iterable[T]]) -> list[T]:
    """Return ``compute``'s value for each word, computing only words not in `cache`."""
    new = [word for word in dict.fromkeys(words) if word not in cache]
    if len(cache) + len(new) > WORD_CACHE_LIMIT:
        cache.clear()
        new = list(dict.fromkeys(words))
    cache.update(zip(new, compute(new)))
    return [cache[word] for word in words]
