"""ROUGE-L: LCS and formula checks; reference parity is in test_golden_scores.py."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.metrics.base import Candidates, ReferenceSet
from capeval.metrics.rouge import RougeL, _position_masks, lcs_length
from tests.metrics import naive
from tests.metrics.corpora import random_caption, random_corpus


def lcs(a, b):
    return lcs_length(_position_masks(a), len(a), b)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("abcbdab", "bdcaba", 4),  # the textbook example
        ("", "abc", 0),
        ("abc", "abc", 3),
        ("aaaa", "aa", 2),
        ("police killed the gunman", "the gunman kill police", 2),
    ],
)
def test_lcs_examples(a, b, expected):
    a, b = (a.split() if " " in a else list(a)), (b.split() if " " in b else list(b))
    assert lcs(a, b) == expected


def test_lcs_equals_dynamic_programming_on_random_pairs():
    rng = np.random.default_rng(0)
    for _ in range(500):
        a, b = random_caption(rng, 30), random_caption(rng, 30)
        assert lcs(a, b) == naive.lcs(a, b)


def test_lcs_of_long_captions():
    rng = np.random.default_rng(1)
    a, b = random_caption(rng, 200), random_caption(rng, 200)
    assert lcs(a, b) == naive.lcs(a, b)


@pytest.mark.parametrize("seed", range(3))
def test_scores_equal_the_naive_definition(seed):
    # The corpus vocabulary has a token with U+00A0, so this runs the per-pair Python path.
    hyps, refs = random_corpus(seed)
    scores = RougeL().sentence_scores(hyps, refs)[:, 0]
    np.testing.assert_allclose(scores, [naive.rouge_l(h, r) for h, r in zip(hyps, refs)],
                               rtol=0, atol=1e-15)


def test_precision_and_recall_are_maximised_separately():
    # P is best against the short reference, R against the long one.
    hyp = ["a", "b", "c"]
    refs = [["a", "b"], ["a", "b", "c", "x", "y", "z", "w"]]
    precision, recall = 1.0, 1.0
    beta2 = 1.2**2
    expected = (1 + beta2) * precision * recall / (recall + beta2 * precision)
    assert RougeL().sentence_scores([hyp], [refs])[0, 0] == pytest.approx(expected)


def test_empty_captions_follow_the_reference():
    rouge = RougeL()
    assert rouge.sentence_scores([[]], [[["a", "dog"]]])[0, 0] == 0.0
    assert rouge.sentence_scores([[]], [[[]]])[0, 0] == 1.0  # "" vs "": one empty token each


def test_bad_beta():
    with pytest.raises(ValueError, match="beta"):
        RougeL(beta=0)


@pytest.mark.parametrize("max_len", [12, 63, 64, 65, 90])
def test_vectorized_path_equals_the_naive_definition(max_len):
    # Plain words only, so the batched uint64 path runs; hypotheses longer than 64 words
    # fall back to Python integers inside it.
    rng = np.random.default_rng(max_len)
    words = ["a", "dog", "cat", "runs", "the", "on", "grass", "big"]
    def caption():
        return list(rng.choice(words, size=int(rng.integers(0, max_len + 1))))
    hyps = [caption() for _ in range(60)] + [[], [], ["a"] * 64, ["a"] * 65]
    refs = [[caption() for _ in range(int(rng.integers(1, 5)))] for _ in range(60)]
    refs += [[[]], [["a"]], [["a"] * 70, []], [["a"] * 3]]
    scores = RougeL().sentence_scores(hyps, refs)[:, 0]
    np.testing.assert_allclose(scores, [naive.rouge_l(h, r) for h, r in zip(hyps, refs)],
                               rtol=0, atol=1e-15)


@pytest.mark.parametrize("plain", [True, False])
def test_prepared_references_score_any_images_as_the_segments(plain):
    # Candidates for a subset of images, repeated and out of order, with hypothesis words the
    # references lack, scored against references prepared once, equal the same segments
    # scored on their own; `plain` False puts a token with a space in (the per-pair path).
    rng = np.random.default_rng(3)
    words = ["a", "dog", "cat", "runs", "the", "grass"]
    def caption(extra=()):
        return list(rng.choice(words + list(extra), size=int(rng.integers(0, 9))))
    refs = [[caption() for _ in range(int(rng.integers(1, 4)))] for _ in range(20)]
    if not plain:
        refs[4][0] = ["a", "big dog"]
    references = ReferenceSet(refs)
    rouge = RougeL()
    prepared = rouge.prepare_references(references)
    for images in ([3, 0, 3, 19, 7], list(range(20))):
        hyps = [caption(extra=("zebra", "purple")) for _ in images]
        got = rouge.candidate_stats(Candidates(references, hyps, np.array(images)), prepared)
        expected = rouge.segment_stats(hyps, [refs[i] for i in images])
        np.testing.assert_array_equal(got, expected)
