"""CIDEr-D and CIDEr: formula checks and saved document frequencies.

Reference parity of CIDEr-D is in test_golden_scores.py; plain CIDEr has no pycocoevalcap
oracle and is checked against the naive implementation of its definition.
"""
from __future__ import annotations

import json
import math
from collections import Counter

import numpy as np
import pytest

from capeval import CapevalInputError
from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics.cider import CiderD, OriginalCider
from capeval.ngrams.scoring import LengthPenalty
from tests.metrics import naive
from tests.metrics.corpora import random_corpus


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("metric_class, clip", [(CiderD, True), (OriginalCider, False)])
def test_scores_equal_the_naive_definition(seed, metric_class, clip):
    hyps, refs = random_corpus(seed)
    scores = metric_class().sentence_scores(hyps, refs)[:, 0]
    np.testing.assert_allclose(scores, naive.cider(hyps, refs, clip=clip), rtol=1e-12, atol=1e-12)


def test_single_image_scores_zero_with_corpus_document_frequencies():
    refs = [[["a", "dog", "runs"], ["a", "dog"]]]
    assert CiderD().sentence_scores([["a", "dog", "runs"]], refs)[0, 0] == 0.0


def test_length_penalty_counts_bigrams():
    # Only the length penalty differs between the two hypotheses' scores; a 1-word and a
    # 0-word caption both have 0 bigrams, so their delta to the reference is the same.
    refs = [[["x", "y", "z"]], [["p", "q"]], [["r"]]]
    hyps = [["x", "y", "z"], ["p", "q"], ["r"]]
    scores = CiderD().sentence_scores(hyps, refs)[:, 0]
    assert np.all(scores > 0)


def test_saved_document_frequencies_reproduce_corpus_scores(tmp_path):
    hyps, refs = random_corpus(11, n_images=30)
    expected = CiderD().sentence_scores(hyps, refs)
    table = DocumentFrequencies.from_references(refs, tokenizer="none")
    for suffix in ("json", "npz"):
        path = tmp_path / f"df.{suffix}"
        table.save(path)
        loaded = DocumentFrequencies.load(path)
        np.testing.assert_array_equal(CiderD(loaded).sentence_scores(hyps, refs), expected)
        assert loaded.metadata["tokenizer"] == "none"
        assert CiderD(path).signature()["df"] == f"df.{suffix}(N=30,tok=none)"


def test_document_frequencies_from_another_corpus_score_a_single_image():
    _, train_refs = random_corpus(5, n_images=50)
    table = DocumentFrequencies.from_references(train_refs)
    hyp = [["a", "dog", "runs", "on", "the", "grass"]]
    ref = [[["a", "dog", "runs", "on", "grass"], ["the", "dog", "runs"]]]
    counts = Counter()
    for rs in train_refs:
        counts.update({g for r in rs for n in range(1, 5) for g in naive.ngram_counts(r, n)})
    expected = naive.cider(hyp, ref, df=counts, n_images=50)
    score = CiderD(table).sentence_scores(hyp, ref)[0, 0]
    assert score > 0
    assert score == pytest.approx(expected[0], rel=1e-12)


def test_max_order_beyond_the_table_is_rejected():
    table = DocumentFrequencies.from_references([[["a", "b"]]], max_order=2, source="df2.json")
    with pytest.raises(CapevalInputError, match="df2.json: covers n-grams up to order 2 but "
                                                "CIDEr-D needs orders 1..4"):
        CiderD(table)


def test_a_table_of_another_tokenizer_or_with_impossible_counts_is_rejected(tmp_path):
    import capeval

    table = DocumentFrequencies.from_references([[["a", "b"]], [["a"]]], source="ptb.json",
                                                tokenizer="ptb-corenlp-3.4.1", split="train")
    assert CiderD(table).signature()["df"] == "ptb.json(N=2,tok=ptb-corenlp-3.4.1,split=train)"
    with pytest.raises(CapevalInputError, match="ptb.json: built with tokenizer "
                                                "ptb-corenlp-3.4.1 but this run tokenizes with none"):
        capeval.evaluate({1: "a b"}, {1: ["a b"]}, "cider-d", tokenizer="none",
                         document_frequencies=table)
    path = tmp_path / "df.json"
    table.save(path)
    data = json.loads(path.read_text())
    data["document_frequencies"]["1"]["a"] = 3
    path.write_text(json.dumps(data))
    with pytest.raises(CapevalInputError, match="df.json:order 1: a document frequency of 3 is "
                                                r"outside 1..2 \(n_images\)"):
        DocumentFrequencies.load(path)


def test_signature_names_the_settings():
    assert CiderD().signature() == {"n": "4", "sigma": "6", "df": "corpus"}
    assert OriginalCider().signature() == {"n": "4", "df": "corpus"}


def test_length_penalty_is_the_references_float_power_beyond_its_table():
    penalty = LengthPenalty(sigma=100.0, table_size=4)
    delta = np.arange(0, 3000)
    expected = [math.e ** (-(float(d) ** 2) / (2 * 100.0**2)) for d in delta.tolist()]
    np.testing.assert_array_equal(penalty(delta), expected)
