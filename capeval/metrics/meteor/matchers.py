"""Candidate matches of every (hypothesis, reference) pair: exact, stem, synonym, paraphrase.

Words are integer ids into a corpus `Lexicon`, which holds everything the matchers need per
distinct word: the class of its Java hash (the jar's word identity), the class of its Snowball
stem's hash, and its synonyms among the corpus words. `find_candidates` then finds each
module's matches for all pairs at once, as sorted joins over (pair, key) of the pairs' words.

Candidates come in the jar's order (`aligner.Candidates`): for every reference position,
modules in slot order; exact, stem and synonym matches by hypothesis position; paraphrase
matches as `ParaphraseTable.pair_matches` orders them.

Letters: V words, P pairs.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from capeval.arrays import distinct, expand
from capeval.metrics.meteor.aligner import Candidates
from capeval.metrics.meteor.arrays import join
from capeval.metrics.meteor.corpus import Corpus
from capeval.metrics.meteor.text import java_hashes

MODULES = ("exact", "stem", "synonym", "paraphrase")
"""Module names accepted in a module list, in the jar's default order."""


def _classes(keys: np.ndarray) -> np.ndarray:
    """Number equal keys alike (class ids), shape (len(keys),), int64."""
    return np.unique(np.asarray(keys, dtype=np.int64), return_inverse=True)[1].reshape(-1)


@dataclass(frozen=True)
class WordFacts:
    """What the matchers need of each of V words, independent of the other words.

    Attributes
    ----------
    hashes : ndarray of shape (V,), int64
        Java ``String.hashCode`` of each word.
    stem_hashes : ndarray of shape (V,), int64, or None
        Java hash of each word's Snowball stem (None when the stem module is off).
    synsets : (ndarray, ndarray), or None
        Each word's synsets as CSR: sizes (V,) and members (sizes.sum(),); None when the
        synonym module is off.
    function : ndarray of shape (V,), bool
        Whether each word is a function word.
    """

    hashes: np.ndarray
    stem_hashes: np.ndarray | None
    synsets: tuple[np.ndarray, np.ndarray] | None
    function: np.ndarray

    @classmethod
    def of(cls, words: Sequence[str], function_words: Collection[str],
           stem_hashes: Callable[[Sequence[str]], Sequence[int] | np.ndarray] | None = None,
           synsets: Callable[[Sequence[str]], tuple[np.ndarray, np.ndarray]] | None = None
           ) -> WordFacts:
        """Look up the facts of `words`.

        Parameters
        ----------
        words : sequence of str
        function_words : collection of str
        stem_hashes : callable, optional
            Maps words to the Java hashes of their Snowball stems (`resources.WordData.stem_hashes`);
            None when the stem module is off.
        synsets : callable, optional
            Maps words to their synsets as CSR (sizes, members) (`resources.WordData.synsets`);
            None when the synonym module is off.
        """
        return cls(java_hashes(words),
                   None if stem_hashes is None else np.asarray(stem_hashes(words), np.int64),
                   None if synsets is None else synsets(words),
                   np.fromiter(map(function_words.__contains__, words), dtype=bool,
                               count=len(words)))

    def __add__(self, other: WordFacts) -> WordFacts:
        """The facts of this vocabulary's words followed by `other`'s (same modules)."""
        stem_hashes = synsets = None
        if self.stem_hashes is not None and other.stem_hashes is not None:
            stem_hashes = np.concatenate([self.stem_hashes, other.stem_hashes])
        if self.synsets is not None and other.synsets is not None:
            synsets = (np.concatenate([self.synsets[0], other.synsets[0]]),
                       np.concatenate([self.synsets[1], other.synsets[1]]))
        return WordFacts(np.concatenate([self.hashes, other.hashes]), stem_hashes, synsets,
                         np.concatenate([self.function, other.function]))


@dataclass(frozen=True)
class Lexicon:
    """Per-word data of a corpus vocabulary, indexed by word id (V words).

    Attributes
    ----------
    words : tuple of str, length V
    hash_class : ndarray of shape (V,), int64
        Words with equal Java ``String.hashCode`` share a class: the jar's exact match.
    stem_class : ndarray of shape (V,), int64, or None
        Words whose Snowball stems have equal Java hashes share a class (None if unused).
    synonym_starts, synonym_words : ndarrays, or None
        CSR lists: ``synonym_words[synonym_starts[w]:synonym_starts[w + 1]]`` are the ids of
        the words sharing a WordNet synset with word w (base forms included) and having a
        different hash (None if unused).
    function : ndarray of shape (V,), bool
        Whether each word is a function word.
    """

    words: tuple[str, ...]
    hash_class: np.ndarray
    stem_class: np.ndarray | None
    synonym_starts: np.ndarray | None
    synonym_words: np.ndarray | None
    function: np.ndarray

    @classmethod
    def from_facts(cls, words: Sequence[str], facts: WordFacts) -> Lexicon:
        """Number the classes of `words` (distinct) from their `facts`."""
        hash_class = _classes(facts.hashes)
        stem_class = None if facts.stem_hashes is None else _classes(facts.stem_hashes)
        starts = members = None
        if facts.synsets is not None:
            starts, members = _synonyms(*facts.synsets, hash_class)
        return cls(tuple(words), hash_class, stem_class, starts, members, facts.function)


def _synonyms(sizes: np.ndarray, synset: np.ndarray,
              hash_class: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return CSR lists of the words that share a synset with each word, hash classes apart.

    `sizes` (V,) and `synset` (sizes.sum(),) list each word's synsets, word after word.
    """
    n_words = len(sizes)
    word = np.repeat(np.arange(n_words), sizes)
    order = np.argsort(synset, kind="stable")
    entry, other = join(synset[order], synset)
    first, second = word[entry], word[order[other]]
    differ = hash_class[first] != hash_class[second]
    related = distinct(first[differ] * n_words + second[differ])
    starts = np.searchsorted(related // max(n_words, 1), np.arange(n_words + 1))
    return starts, related % max(n_words, 1)


def find_candidates(corpus: Corpus, lexicon: Lexicon, modules: Sequence[str],
                    paraphrases: np.ndarray | None = None) -> Candidates:
    """Return the candidate matches of every pair of `corpus`, in the jar's order.

    Parameters
    ----------
    corpus : Corpus
    lexicon : Lexicon
        Of ``corpus.words``.
    modules : sequence of str
        Module names in slot order.
    paraphrases : ndarray of shape (M, 5), optional
        The pairs' paraphrase matches (`ParaphraseTable.pair_matches`); needed with the
        paraphrase module.
    """
    # Hypothesis words once per distinct hypothesis (its `group`), reference words per pair.
    hypotheses, group_of_pair = np.unique(corpus.pairs[:, 0], return_inverse=True)
    hyp_group, hyp_position, hyp_word = corpus.caption_words(hypotheses)
    ref_pair, ref_position, ref_word = corpus.pair_words(1)
    ref_group = group_of_pair.reshape(-1)[ref_pair]
    hash_class = lexicon.hash_class
    identical = _identical_under_hash(corpus, hash_class)
    blocks = []
    for slot, module in enumerate(modules):
        if module == "exact":
            ref_row, hyp_row = _grouped_join(ref_group, hash_class[ref_word],
                                             hyp_group, hash_class[hyp_word])
        elif module == "stem":
            assert lexicon.stem_class is not None
            ref_row, hyp_row = _grouped_join(ref_group, lexicon.stem_class[ref_word],
                                             hyp_group, lexicon.stem_class[hyp_word])
            differ = hash_class[ref_word[ref_row]] != hash_class[hyp_word[hyp_row]]
            ref_row, hyp_row = ref_row[differ], hyp_row[differ]
        elif module == "synonym":
            assert lexicon.synonym_starts is not None and lexicon.synonym_words is not None
            starts = lexicon.synonym_starts
            row, offset = expand(starts[hyp_word + 1] - starts[hyp_word])
            synonym = lexicon.synonym_words[starts[hyp_word[row]] + offset]
            ref_row, synonym_row = _grouped_join(ref_group, ref_word, hyp_group[row], synonym)
            hyp_row = row[synonym_row]
        elif module == "paraphrase":
            assert paraphrases is not None
            pair, ref_start, ref_len, hyp_start, hyp_len = paraphrases.T
            blocks.append((pair, ref_start, ref_len, hyp_start, hyp_len, slot))
            continue
        else:
            raise ValueError(f"unknown METEOR module {module!r}; choose from {', '.join(MODULES)}")
        one = np.ones(len(ref_row), dtype=np.int64)
        blocks.append((ref_pair[ref_row], ref_position[ref_row], one, hyp_position[hyp_row],
                       one, slot))
    columns = [np.concatenate([block[k] for block in blocks]) if blocks
               else np.zeros(0, dtype=np.int64) for k in range(5)]
    slot_column = np.concatenate([np.full(len(block[0]), block[5]) for block in blocks]
                                 ) if blocks else np.zeros(0, dtype=np.int64)
    # The jar's shortcut for sentences identical under hashCode: the first module only.
    keep = np.flatnonzero((slot_column == 0) | ~identical[columns[0]])
    stride = int(corpus.lengths.max(initial=0)) + 1
    order = keep[np.argsort(columns[0][keep] * stride + columns[1][keep], kind="stable")]
    pair, ref_start, ref_len, hyp_start, hyp_len = (column[order] for column in columns)
    return Candidates(pair, ref_start, ref_len, hyp_start, hyp_len, slot_column[order])


def _grouped_join(query_group: np.ndarray, query_key: np.ndarray, data_group: np.ndarray,
                  data_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return every (query row, data row) of the same group with equal keys.

    Rows come ordered by query row, then data row (data rows must be ordered by group, then
    position).
    """
    stride = int(max(query_key.max(initial=0), data_key.max(initial=0))) + 1
    combined = data_group * stride + data_key
    order = np.argsort(combined, kind="stable")
    query_row, found = join(combined[order], query_group * stride + query_key)
    return query_row, order[found]


def _identical_under_hash(corpus: Corpus, hash_class: np.ndarray) -> np.ndarray:
    """Return whether each pair's two captions are equal word by word under hashCode."""
    hyp, ref = corpus.pairs[:, 0], corpus.pairs[:, 1]
    lengths = corpus.lengths
    identical = lengths[hyp] == lengths[ref]
    same_length = np.flatnonzero(identical)
    row, position = expand(lengths[hyp[same_length]])
    differ = (hash_class[corpus.tokens[corpus.offsets[hyp[same_length]][row] + position]]
              != hash_class[corpus.tokens[corpus.offsets[ref[same_length]][row] + position]])
    identical[same_length[distinct(row[differ])]] = False
    return identical
