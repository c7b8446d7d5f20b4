"""Candidate matches between a hypothesis and one reference (exact, stem, synonym, paraphrase).

Words are integer ids into a corpus `Lexicon`, which holds everything the matchers need per
distinct word, computed once per corpus: the class of its Java hash (the jar's word identity),
the class of its Snowball stem's hash, and its synonyms among the corpus words. A
`HypothesisIndex` then answers "which hypothesis positions match this reference word" with one
dictionary lookup per module, and is reused for all references of the hypothesis.

A match is a tuple ``(ref_start, ref_len, hyp_start, hyp_len, slot)``; ``slot`` is the position
of its module in the configured module list. `candidates` returns, for every reference position
j, the matches starting at j in the jar's order: modules in slot order; exact, stem and synonym
matches by hypothesis position; paraphrase matches as `ParaphraseTable.pair_matches` orders them.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence, Set
from dataclasses import dataclass

from capeval.metrics.meteor.paraphrase import ParaphraseMatch
from capeval.metrics.meteor.text import java_hash

MODULES = ("exact", "stem", "synonym", "paraphrase")
"""Module names accepted in a module list, in the jar's default order."""

Match = tuple[int, int, int, int, int]


def _classes(keys: Sequence[object]) -> tuple[int, ...]:
    """Number equal keys alike: class ids 0, 1, ... in order of first occurrence."""
    ids: dict[object, int] = {}
    return tuple(ids.setdefault(key, len(ids)) for key in keys)


@dataclass(frozen=True)
class Lexicon:
    """Per-word data of a corpus vocabulary, indexed by word id (V words).

    Attributes
    ----------
    words : tuple of str, length V
    hash_class : tuple of int
        Words with equal Java ``String.hashCode`` share a class: the jar's exact match.
    stem_class : tuple of int
        Words whose Snowball stems have equal Java hashes share a class (empty if unused).
    synonyms : tuple of frozenset of int
        Ids of the words sharing a WordNet synset with each word (itself and its base forms
        included) and having a different hash (empty if unused).
    function : tuple of bool
        Whether each word is a function word.
    """

    words: tuple[str, ...]
    hash_class: tuple[int, ...]
    stem_class: tuple[int, ...]
    synonyms: tuple[frozenset[int], ...]
    function: tuple[bool, ...]

    @classmethod
    def build(cls, words: Sequence[str], function_words: Collection[str],
              stem: Callable[[list[str]], list[str]] | None = None,
              synsets: Callable[[str], frozenset[int]] | None = None) -> Lexicon:
        """Compute the per-word data of `words`.

        Parameters
        ----------
        words : sequence of str
            The distinct words of the corpus.
        function_words : collection of str
        stem : callable, optional
            Maps a list of words to their stems; None when the stem module is off.
        synsets : callable, optional
            Maps a word to its synsets (``WordNetSynonyms.synsets``); None when the synonym
            module is off.
        """
        words = tuple(words)
        hashes = [java_hash(word) for word in words]
        hash_class = _classes(hashes)
        stem_class = _classes([java_hash(s) for s in stem(list(words))]) if stem else ()
        synonyms: tuple[frozenset[int], ...] = ()
        if synsets is not None:
            word_sets = [synsets(word) for word in words]
            members: dict[int, list[int]] = {}
            for word, sets in enumerate(word_sets):
                for synset in sets:
                    members.setdefault(synset, []).append(word)
            synonyms = tuple(
                frozenset(other for synset in sets for other in members[synset]
                          if hash_class[other] != hash_class[word])
                for word, sets in enumerate(word_sets)
            )
        function = tuple(word in function_words for word in words)
        return cls(words, hash_class, stem_class, synonyms, function)


class HypothesisIndex:
    """Positions of a hypothesis's words, keyed for each module's lookup of a reference word.

    Parameters
    ----------
    hyp : sequence of int
        Word ids of the hypothesis.
    lexicon : Lexicon
    ref_words : collection of int
        Every word of the references it will be matched with (bounds the synonym index).
    """

    def __init__(self, hyp: Sequence[int], lexicon: Lexicon, ref_words: Set[int]) -> None:
        self.hyp = tuple(hyp)
        self.hash_classes = [lexicon.hash_class[word] for word in hyp]
        self.exact: dict[int, list[int]] = {}
        for i, hash_class in enumerate(self.hash_classes):
            self.exact.setdefault(hash_class, []).append(i)
        self.stem: dict[int, list[int]] = {}
        if lexicon.stem_class:
            for i, word in enumerate(hyp):
                self.stem.setdefault(lexicon.stem_class[word], []).append(i)
        self.synonym: dict[int, list[int]] = {}
        if lexicon.synonyms:
            for i, word in enumerate(hyp):
                for other in ref_words & lexicon.synonyms[word]:
                    self.synonym.setdefault(other, []).append(i)


def candidates(index: HypothesisIndex, ref: Sequence[int], modules: Sequence[str],
               lexicon: Lexicon, paraphrases: Sequence[ParaphraseMatch] = ()) -> list[list[Match]]:
    """Return the candidate matches of each reference position, in the jar's order.

    Parameters
    ----------
    index : HypothesisIndex
        The hypothesis (m words).
    ref : sequence of int
        Word ids of the reference (n words).
    modules : sequence of str
        Module names in slot order.
    lexicon : Lexicon
    paraphrases : sequence of (ref_start, ref_len, hyp_start, hyp_len)
        This pair's paraphrase matches in the jar's order (`ParaphraseTable.pair_matches`).

    Returns
    -------
    list of n lists of Match
    """
    ref_classes = [lexicon.hash_class[word] for word in ref]
    if ref_classes == index.hash_classes:
        modules = modules[:1]  # the jar's shortcut for identical sentences (under hashCode)
    by_ref: list[list[Match]] = [[] for _ in ref]
    for slot, module in enumerate(modules):
        if module == "exact":
            for j, hash_class in enumerate(ref_classes):
                for i in index.exact.get(hash_class, ()):
                    by_ref[j].append((j, 1, i, 1, slot))
        elif module == "stem":
            hyp_classes = index.hash_classes
            for j, word in enumerate(ref):
                hash_class = ref_classes[j]
                for i in index.stem.get(lexicon.stem_class[word], ()):
                    if hyp_classes[i] != hash_class:
                        by_ref[j].append((j, 1, i, 1, slot))
        elif module == "synonym":
            for j, word in enumerate(ref):
                for i in index.synonym.get(word, ()):
                    by_ref[j].append((j, 1, i, 1, slot))
        elif module == "paraphrase":
            for ref_start, ref_len, hyp_start, hyp_len in paraphrases:
                by_ref[ref_start].append((ref_start, ref_len, hyp_start, hyp_len, slot))
        else:
            raise ValueError(f"unknown METEOR module {module!r}; choose from {', '.join(MODULES)}")
    return by_ref
