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

from capeval.arrays import distinct, expand, positions
from capeval.metrics.meteor.aligner import Candidates
from capeval.metrics.meteor.arrays import join
from capeval.metrics.meteor.corpus import Corpus
from capeval.metrics.meteor.text import java_hashes

MODULES = ("exact", "stem", "synonym", "paraphrase")
"""Module names accepted in a module list, in the jar's default order."""


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
        the matchable words (see `MatchableWords`) sharing a WordNet synset with word w (base
        forms included) and having a different hash, ascending (None if unused).
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
        """The lexicon of `words` (distinct), all of them matchable, from their `facts`."""
        return MatchableWords.of(words, facts).lexicon


@dataclass(frozen=True)
class MatchableWords:
    """The lexicon of the words a reference side can hold, ready to take more words.

    Only words of the references are ever matched against, so a corpus's lexicon is these
    words' (found once per reference set) followed by its hypotheses' other words, whose
    synonym lists hold matchable words only (`with_words`).

    Attributes
    ----------
    lexicon : Lexicon
        Of the matchable words.
    hash_keys, stem_keys : ndarray
        The distinct hashes and stem hashes, ascending: class c is key c (stem_keys None if
        the stem module is off).
    synsets : (ndarray, ndarray), or None
        Every (synset, word) entry of the words, ordered by synset: a synset index.
    """

    lexicon: Lexicon
    hash_keys: np.ndarray
    stem_keys: np.ndarray | None
    synsets: tuple[np.ndarray, np.ndarray] | None

    @classmethod
    def of(cls, words: Sequence[str], facts: WordFacts) -> MatchableWords:
        """Number the classes of `words` (distinct) from their `facts`."""
        hash_keys = distinct(facts.hashes)
        hash_class = np.searchsorted(hash_keys, facts.hashes)
        stem_keys = stem_class = index = starts = members = None
        if facts.stem_hashes is not None:
            stem_keys = distinct(facts.stem_hashes)
            stem_class = np.searchsorted(stem_keys, facts.stem_hashes)
        if facts.synsets is not None:
            sizes, synset = facts.synsets
            order = np.argsort(synset, kind="stable")
            index = synset[order], np.repeat(np.arange(len(sizes)), sizes)[order]
            starts, members = _synonyms(sizes, synset, hash_class, index, hash_class)
        return cls(Lexicon(tuple(words), hash_class, stem_class, starts, members,
                           facts.function), hash_keys, stem_keys, index)

    def with_words(self, words: Sequence[str], facts: WordFacts) -> Lexicon:
        """The lexicon of these words followed by `words` (none of them among these)."""
        known = self.lexicon
        hash_class = np.concatenate([known.hash_class, _classes_among(self.hash_keys,
                                                                      facts.hashes)])
        stem_class = starts = members = None
        if self.stem_keys is not None and facts.stem_hashes is not None:
            stem_class = np.concatenate([known.stem_class, _classes_among(self.stem_keys,
                                                                          facts.stem_hashes)])
        if self.synsets is not None and facts.synsets is not None:
            assert known.synonym_starts is not None and known.synonym_words is not None
            added_starts, added = _synonyms(*facts.synsets, hash_class[len(known.words):],
                                            self.synsets, known.hash_class)
            starts = np.concatenate([known.synonym_starts,
                                     known.synonym_starts[-1] + added_starts[1:]])
            members = np.concatenate([known.synonym_words, added])
        return Lexicon((*known.words, *words), hash_class, stem_class, starts, members,
                       np.concatenate([known.function, facts.function]))


def _classes_among(keys: np.ndarray, added: np.ndarray) -> np.ndarray:
    """Return the classes of the `added` keys: a key's position in the ascending, distinct
    `keys`, else ``len(keys)`` plus the rank of the key among the added ones not in `keys`."""
    classes = positions(keys, added)
    new = np.flatnonzero(classes < 0)
    new_keys = distinct(added[new])
    classes[new] = len(keys) + np.searchsorted(new_keys, added[new])
    return classes


def _synonyms(sizes: np.ndarray, synset: np.ndarray, hash_class: np.ndarray,
              index: tuple[np.ndarray, np.ndarray],
              index_class: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return CSR lists of the indexed words that share a synset with each word, hash classes
    apart.

    `sizes` (V,) and `synset` (sizes.sum(),) list each word's synsets, word after word;
    `hash_class` (V,) is their hash classes. `index` holds the (synset, word) entries of the
    indexed words, ordered by synset, and `index_class` those words' hash classes.
    """
    n_words = len(sizes)
    n_indexed = len(index_class)
    word = np.repeat(np.arange(n_words), sizes)
    entry, other = join(index[0], synset)
    first, second = word[entry], index[1][other]
    differ = hash_class[first] != index_class[second]
    related = distinct(first[differ] * n_indexed + second[differ])
    starts = np.searchsorted(related // max(n_indexed, 1), np.arange(n_words + 1))
    return starts, related % max(n_indexed, 1)


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
