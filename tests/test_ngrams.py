"""N-gram count matrices."""
from __future__ import annotations

import numpy as np

from capeval.ngrams import count_corpus_ngrams, max_over_row_groups
from tests.metrics import naive
from tests.metrics.corpora import random_corpus


def test_counts_equal_naive_counts():
    hyps, refs = random_corpus(2)
    captions = hyps + [r for rs in refs for r in rs]
    corpus = count_corpus_ngrams(captions, 4)
    previous: list[tuple[str, ...]] = []
    for n, order in enumerate(corpus.orders, start=1):
        # Rebuild each n-gram's words through the trie (prefix, last word).
        words = [(corpus.vocabulary[w],) for w in order.last_word] if n == 1 else [
            previous[p] + (corpus.vocabulary[w],) for p, w in zip(order.prefix, order.last_word)]
        dense = order.counts.toarray()
        for c, caption in enumerate(captions):
            got = {words[g]: int(dense[c, g]) for g in np.flatnonzero(dense[c])}
            assert got == dict(naive.ngram_counts(naive.words_of(caption), n))
        previous = words


def test_tokens_with_inner_whitespace_are_split_like_str_split():
    corpus = count_corpus_ngrams([["3\u00a01/2", "inch"], ["", "x"]], 1)
    assert corpus.lengths.tolist() == [3, 1]
    assert set(corpus.vocabulary) == {"3", "1/2", "inch", "x"}


def test_max_over_row_groups():
    corpus = count_corpus_ngrams([["a", "a"], ["a", "b"], ["b"], ["c"]], 1)
    maxima = max_over_row_groups(corpus.orders[0].counts, np.array([3, 1])).toarray()
    by_word = {w: maxima[:, i].tolist() for i, w in enumerate(corpus.vocabulary)}
    assert by_word == {"a": [2, 0], "b": [1, 0], "c": [0, 1]}
