"""Candidate matches between a hypothesis and one reference (exact, stem, synonym, paraphrase).

Words are integer ids into a corpus `Lexicon`, which holds everything the matchers need per
distinct word (Java hash, hash of the Snowball stem, WordNet synsets, function-word flag), so
nothing is recomputed per sentence pair.

A match is a tuple ``(ref_start, ref_len, hyp_start, hyp_len, slot)``; ``slot`` is the position
of its module in the configured module list. `candidates` returns, for every reference position
j, the matches starting at j in the jar's order: exact, stem, synonym (each by hypothesis
position), paraphrases found from the reference side, then from the hypothesis side.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from capeval.metrics.meteor.resources import CorpusParaphrases

MODULES = ("exact", "stem", "synonym", "paraphrase")
"""Module names accepted in a module list, in the jar's default order."""

Match = tuple[int, int, int, int, int]


@dataclass(frozen=True)
class Lexicon:
    """Per-word data of a corpus vocabulary, indexed by word id (V words).

    Attributes
    ----------
    words : tuple of str, length V
    hashes : tuple of int
        Java ``String.hashCode`` of each word (the jar's word identity).
    stem_hashes : tuple of int
        Java hash of each word's Snowball English stem (empty if the stem module is off).
    synsets : tuple of frozenset of int
        WordNet synsets of each word and its base forms (empty if the synonym module is off).
    function : tuple of bool
        Whether each word is a function word.
    """

    words: tuple[str, ...]
    hashes: tuple[int, ...]
    stem_hashes: tuple[int, ...]
    synsets: tuple[frozenset[int], ...]
    function: tuple[bool, ...]


def candidates(hyp: Sequence[int], ref: Sequence[int], hyp_id: int, ref_id: int,
               modules: Sequence[str], lexicon: Lexicon,
               paraphrases: CorpusParaphrases | None) -> list[list[Match]]:
    """Return the candidate matches of each reference position, in the jar's order.

    Parameters
    ----------
    hyp, ref : sequence of int
        Word ids of the hypothesis (m words) and the reference (n words).
    hyp_id, ref_id : int
        Caption numbers of `hyp` and `ref` in `paraphrases` (unused without it).
    modules : sequence of str
        Module names in slot order.
    lexicon : Lexicon
    paraphrases : CorpusParaphrases or None
        Required if "paraphrase" is among `modules`.

    Returns
    -------
    list of n lists of Match
    """
    hashes = lexicon.hashes
    hyp_hashes = [hashes[word] for word in hyp]
    ref_hashes = [hashes[word] for word in ref]
    by_ref: list[list[Match]] = [[] for _ in ref]
    if hyp_hashes == ref_hashes:
        modules = modules[:1]  # the jar's shortcut for identical sentences (under hashCode)
    for slot, module in enumerate(modules):
        if module == "exact":
            for j, ref_hash in enumerate(ref_hashes):
                by_ref[j].extend((j, 1, i, 1, slot)
                                 for i, hyp_hash in enumerate(hyp_hashes) if hyp_hash == ref_hash)
        elif module == "stem":
            stems = lexicon.stem_hashes
            hyp_stems = [stems[word] for word in hyp]
            for j, word in enumerate(ref):
                ref_stem, ref_hash = stems[word], ref_hashes[j]
                by_ref[j].extend((j, 1, i, 1, slot) for i, hyp_stem in enumerate(hyp_stems)
                                 if hyp_stem == ref_stem and hyp_hashes[i] != ref_hash)
        elif module == "synonym":
            synsets = lexicon.synsets
            hyp_synsets = [synsets[word] for word in hyp]
            for j, word in enumerate(ref):
                ref_synsets, ref_hash = synsets[word], ref_hashes[j]
                if ref_synsets:
                    by_ref[j].extend(
                        (j, 1, i, 1, slot) for i, hyp_set in enumerate(hyp_synsets)
                        if hyp_hashes[i] != ref_hash and not ref_synsets.isdisjoint(hyp_set))
        elif module == "paraphrase":
            if paraphrases is None:
                raise ValueError("the paraphrase module needs a paraphrase table")
            _paraphrase_candidates(by_ref, hyp_id, ref_id, slot, paraphrases)
        else:
            raise ValueError(f"unknown METEOR module {module!r}; choose from {', '.join(MODULES)}")
    return by_ref


def _paraphrase_candidates(by_ref: list[list[Match]], hyp_id: int, ref_id: int, slot: int,
                           paraphrases: CorpusParaphrases) -> None:
    """Append paraphrase matches: source phrase in the reference, then in the hypothesis."""
    targets = paraphrases.targets
    in_hyp = paraphrases.targets_in[hyp_id]
    if in_hyp:
        for j, length, source in paraphrases.sources_in[ref_id]:
            for target, target_length in targets[source]:
                for i in in_hyp.get(target, ()):
                    by_ref[j].append((j, length, i, target_length, slot))
    in_ref = paraphrases.targets_in[ref_id]
    if in_ref:
        for i, length, source in paraphrases.sources_in[hyp_id]:
            for target, target_length in targets[source]:
                for j in in_ref.get(target, ()):
                    by_ref[j].append((j, target_length, i, length, slot))
