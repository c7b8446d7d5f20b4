"""METEOR's English data files, shipped in ``capeval/data/meteor`` and read lazily.

``function_words.txt``, ``nonbreaking_prefixes.txt``
    Verbatim copies of the jar's ``function/english.words`` and ``nonbreaking/english.prefixes``.
``wordnet_synonyms.npz``
    The jar's ``synonym/english.synsets`` and ``synonym/english.exceptions`` (WordNet 3.0) as
    arrays: ``words`` (UTF-8, newline-joined), ``synset_counts`` and ``synsets`` (CSR),
    ``exception_forms`` / ``exception_bases`` (parallel, file order).
``paraphrase_en.npz``
    The jar's ``paraphrase-en.gz`` without probabilities (read by `paraphrase.ParaphraseTable`).
``stems_en.npz``
    The Java hash of the Snowball stem (``snowballstemmer`` 2.2.0) of every word of the
    synonym files and the paraphrase table up to `STEM_WIDTH` UTF-8 bytes: ``words``
    (UTF-8, newline-joined, sorted by bytes) and ``stem_hashes`` (uint32, parallel).

All files are written by ``tools/build_meteor_data.py`` from the pycocoevalcap 1.2 wheel and
read without pickle.
"""
from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import BinaryIO

import numpy as np
import snowballstemmer

from capeval.metrics.meteor.text import java_hash

STEM_WIDTH = 24
"""Longest word (UTF-8 bytes) in the packaged stem table; longer words are stemmed when met."""


def data_file(name: str):
    """Return the packaged METEOR data file `name` (a Traversable)."""
    return resources.files("capeval").joinpath("data").joinpath("meteor").joinpath(name)


def read_text(name: str) -> str:
    """Return a text file of the packaged METEOR data, decoded as UTF-8."""
    return data_file(name).read_text(encoding="utf-8")


def open_npz(source: str | Path | BinaryIO):
    """Open an ``.npz`` archive of plain arrays (pickled objects are refused)."""
    return np.load(source, allow_pickle=False)


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
        with open_npz(source or data_file("wordnet_synonyms.npz").open("rb")) as data:
            words = decode_strings(data["words"])
            offsets = np.concatenate([[0], np.cumsum(data["synset_counts"], dtype=np.int64)])
            synsets = data["synsets"].astype(np.int64)
            forms = decode_strings(data["exception_forms"])
            base_list = decode_strings(data["exception_bases"])
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


class StemHashes:
    """Java hashes of words' Snowball stems: looked up in ``stems_en.npz``, else computed.

    Parameters
    ----------
    words : ndarray of dtype ``S{STEM_WIDTH}``, sorted
    hashes : ndarray of uint32, parallel to `words`
    """

    def __init__(self, words: np.ndarray, hashes: np.ndarray) -> None:
        self._words = words
        self._hashes = hashes
        self._stem = snowballstemmer.stemmer("english").stemWords

    @classmethod
    def load(cls, source: str | Path | None = None) -> StemHashes:
        """Read ``stems_en.npz`` (the packaged copy unless `source` is given)."""
        with open_npz(source or data_file("stems_en.npz").open("rb")) as data:
            words = np.array(data["words"].tobytes().split(b"\n"), dtype=f"S{STEM_WIDTH}")
            return cls(words, data["stem_hashes"].astype(np.int64))

    def __call__(self, words: Sequence[str]) -> np.ndarray:
        """Return the Java hash of the Snowball stem of each word, shape (len(words),), int64."""
        encoded = [word.encode("utf-8") for word in words]
        keys = np.array(encoded, dtype=f"S{STEM_WIDTH}")  # truncates: `fits` rules those out
        fits = np.fromiter((len(e) <= STEM_WIDTH and b"\0" not in e for e in encoded),
                           dtype=bool, count=len(encoded))
        index = np.minimum(np.searchsorted(self._words, keys), max(len(self._words) - 1, 0))
        found = fits & (self._words[index] == keys) if len(self._words) else fits & False
        hashes = np.zeros(len(encoded), dtype=np.int64)
        hashes[found] = self._hashes[index[found]]
        missing = np.flatnonzero(~found)
        if len(missing):
            stems = self._stem([words[i] for i in missing.tolist()])
            hashes[missing] = [java_hash(stem) for stem in stems]
        return hashes
