"""The n-gram engine: occurrences, document frequencies and the idf trie against naive counts."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.document_frequencies import DocumentFrequencies
from capeval.ngrams import intern_words
from capeval.ngrams.occurrences import iter_occurrences
from capeval.ngrams.prepared import NgramReferences
from capeval.ngrams.references import IdfTrie
from capeval.ngrams.vocabulary import WordIndex, caption_words
from tests.golden import GOLDEN_FILES, load_golden
from tests.metrics import naive
from tests.metrics.corpora import random_corpus


def _ngram_words(table: DocumentFrequencies, order: int) -> list[tuple[str, ...]]:
    """Rebuild each row's words through the trie (prefix, last word)."""
    words: list[tuple[str, ...]] = [(table.vocabulary[w],) for w in table.word[0]]
    for n in range(2, order + 1):
        words = [words[p] + (table.vocabulary[w],)
                 for p, w in zip(table.prefix[n - 1], table.word[n - 1], strict=True)]
    return words


def test_occurrence_codes_count_the_ngrams_of_each_group():
    hyps, refs = random_corpus(2)
    captions = hyps + [r for rs in refs for r in rs]
    words = intern_words(captions)
    for occ in iter_occurrences(words.word_ids, words.lengths,
                                np.arange(len(captions), dtype=np.int64), 4):
        for c, caption in enumerate(captions):
            codes = occ.code[occ.caption == c]
            first = occ.start[occ.first[np.unique(codes)]]
            got = {tuple(words.vocabulary[w] for w in words.word_ids[s:s + occ.order]):
                   int(occ.count[code]) for s, code in zip(first, np.unique(codes), strict=True)}
            assert got == dict(naive.ngram_counts(naive.words_of(caption), occ.order))


def test_document_frequencies_equal_naive_counts_in_order_of_first_appearance():
    _, refs = random_corpus(3)
    table = DocumentFrequencies.from_references(refs, max_order=4)
    assert table.n_images == len(refs)
    for order in range(1, 5):
        expected: dict[tuple[str, ...], int] = {}
        for image_refs in refs:
            for ngram in dict.fromkeys(g for r in image_refs for g in naive.ngram_counts(
                    naive.words_of(r), order)):
                expected[ngram] = expected.get(ngram, 0) + 1
        got = list(zip(_ngram_words(table, order), table.df[order - 1].tolist(), strict=True))
        assert got == list(expected.items())


@pytest.mark.parametrize("corpus", ["random", "golden"])
def test_references_with_their_own_table_equal_those_built_on_it(corpus):
    tokens = (random_corpus(5)[1] if corpus == "random"
              else load_golden(GOLDEN_FILES[0]).reference_tokens)
    refs = [[caption_words(r) for r in image_refs] for image_refs in tokens]
    one_pass = NgramReferences.build(refs, None, 4)
    table = DocumentFrequencies.from_references(refs, 4, source="corpus")
    two_passes = NgramReferences.build(refs, table, 4)
    for field in ("prefix", "word", "df"):
        for got, expected in zip(getattr(one_pass.document_frequencies, field),
                                 getattr(table, field), strict=True):
            np.testing.assert_array_equal(got, expected)
    assert one_pass.document_frequencies.vocabulary == table.vocabulary
    assert one_pass.document_frequencies.n_images == table.n_images
    assert one_pass.words.vocabulary == two_passes.words.vocabulary
    for name, expected in vars(two_passes.vectors).items():
        np.testing.assert_array_equal(getattr(one_pass.vectors, name), expected, err_msg=name)


def test_tokens_with_inner_whitespace_are_split_like_str_split():
    table = DocumentFrequencies.from_references([[["3\u00a01/2", "inch"]], [["", "x"]]], 2)
    assert set(table.vocabulary) == {"3", "1/2", "inch", "x"}
    assert sorted(_ngram_words(table, 2)) == [("1/2", "inch"), ("3", "1/2")]


def test_orders_longer_than_every_reference_are_empty():
    table = DocumentFrequencies.from_references([[["a", "b"]]], max_order=4)
    assert [df.size for df in table.df] == [2, 1, 0, 0]


def test_the_idf_of_unseen_and_rare_ngrams_is_log_n():
    table = DocumentFrequencies.from_references([[["a", "b"]], [["a", "c"]], [["a", "b"]]], 2)
    words = {word: index for index, word in enumerate([*table.vocabulary, "zzz"])}
    trie = IdfTrie.for_table(table, 2)
    unigrams = trie.unigrams(np.array([words["a"], words["b"], words["c"], words["zzz"], -1]))
    idf = trie.idf(1, unigrams)
    log_n = np.log(3.0)
    np.testing.assert_array_equal(idf, [log_n - np.log(3.0), log_n - np.log(2.0), log_n, log_n,
                                        log_n])
    bigrams = trie.extend(2, unigrams[:2], np.array([words["b"], words["a"]]))  # "a b", "b a"
    np.testing.assert_array_equal(trie.idf(2, bigrams), [log_n - np.log(2.0), log_n])


def test_hashed_keys_find_the_ids_the_binary_search_finds():
    _, references = random_corpus(3, n_images=300)
    table = DocumentFrequencies.from_references(references, 4)
    searched, hashed = IdfTrie(table, 4), IdfTrie(table, 4)
    hashed.hash_keys()
    hashed.hash_keys()  # idempotent
    rng = np.random.default_rng(4)
    n_words = len(table.vocabulary)
    hits = []
    for order in range(2, 5):
        prefixes = rng.integers(-1, 400, 5_000)  # ids in and past the trie, and -1
        words = rng.integers(-1, n_words + 3, 5_000)  # words in and past the vocabulary
        found = searched.extend(order, prefixes, words)
        hits.append(int((found >= 0).sum()))
        np.testing.assert_array_equal(hashed.extend(order, prefixes, words), found)
    assert min(hits) > 0 and sum(hits) > 100


def test_distinct_is_numpy_unique():
    from capeval.arrays import distinct

    rng = np.random.default_rng(4)
    for values in (rng.integers(-5, 5, 200), rng.integers(0, 2**62, 1000), np.zeros(0, int),
                   np.array([7])):
        assert np.array_equal(distinct(values), np.unique(values))
        assert distinct(values).dtype == values.dtype


def test_the_row_index_of_every_image_is_built_once_and_finds_the_same_rows():
    refs = [[caption_words(r) for r in image] for image in random_corpus(5)[1]]
    vectors = NgramReferences.build(refs, None, 4).vectors
    every = np.arange(len(refs))
    rows, index = vectors.row_index(every)
    np.testing.assert_array_equal(rows, vectors.rows_of(every))
    np.testing.assert_array_equal(index.to_numpy(), vectors.row_key[rows])
    assert vectors.row_index(every)[1] is index  # kept for the next call
    some = np.array([4, 1, 2])
    rows, index = vectors.row_index(some)
    np.testing.assert_array_equal(rows, vectors.rows_of(some))
    np.testing.assert_array_equal(index.to_numpy(), vectors.row_key[rows])


def test_encoding_names_the_words_outside_the_vocabulary_by_identity():
    encoded = WordIndex(["a", "b"]).encode_words([["b", "x", "a"], ["y", "x"]])
    assert encoded.new_words == ("x", "y")
    assert encoded.identity.tolist() == [1, 2, 0, 3, 2]
    assert encoded.words.tolist() == [1, -1, 0, -1, -1]
    assert WordIndex(["a"]).encode_words([["a"]]).new_words == ()
