"""Vocabulary encoding and the optimisers and clipping."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.reference_models import OPTIMIZERS
from capeval.reference_models.optim import clip_by_norm, clip_elementwise, make_optimizer
from capeval.reference_models.vocab import END_ID, NULL_ID, SPECIAL_TOKENS, START_ID, UNK_ID, Vocabulary


def test_vocabulary_threshold_and_order():
    captions = [["b", "a", "b"], ["c", "b", "a"], ["d"]]
    vocab = Vocabulary.build(captions, min_count=2)
    assert vocab.words == SPECIAL_TOKENS + ("b", "a")
    assert Vocabulary.build(reversed(captions), min_count=2) == vocab
    with pytest.raises(ValueError, match="min_count"):
        Vocabulary.build(captions, min_count=0)


def test_encode_is_time_major_with_start_end_and_padding():
    vocab = Vocabulary.build([["a", "dog"], ["a", "cat"]])
    ids = vocab.encode([["a", "dog", "runs"], ["a"]], max_length=2)
    a, dog = vocab.words.index("a"), vocab.words.index("dog")
    np.testing.assert_array_equal(ids[:, 0], [START_ID, a, dog, END_ID])
    np.testing.assert_array_equal(ids[:, 1], [START_ID, a, END_ID, NULL_ID])
    assert vocab.encode([["zebra"]], 3)[1, 0] == UNK_ID


def test_decode_stops_at_end_and_skips_padding():
    vocab = Vocabulary.build([["a", "dog"]])
    a, dog = vocab.words.index("a"), vocab.words.index("dog")
    ids = np.array([[START_ID, a, dog, END_ID, a], [a, NULL_ID, dog, NULL_ID, NULL_ID]])
    assert vocab.decode(ids) == [["a", "dog"], ["a", "dog"]]


def test_vocabulary_rejects_missing_specials_and_repeats():
    with pytest.raises(ValueError, match="start with"):
        Vocabulary(("a", "b"))
    with pytest.raises(ValueError, match="repeat"):
        Vocabulary(SPECIAL_TOKENS + ("a", "a"))


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_minimises_a_quadratic(name):
    rates = {"sgd": 0.05, "adam": 0.1, "rmsprop": 0.02, "adagrad": 0.5}
    target = np.array([1.0, -2.0, 3.0])
    params = {"w": np.zeros(3)}
    optimizer = make_optimizer(name, rates[name])
    for _ in range(500):
        optimizer.step(params, {"w": 2 * (params["w"] - target)})
    np.testing.assert_allclose(params["w"], target, atol=0.05)


def test_unknown_optimizer_and_bad_rate():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("lbfgs", 0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        make_optimizer("adam", 0.0)


def test_clipping():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[4.0]])}
    assert clip_by_norm(grads, 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])
    np.testing.assert_allclose(grads["b"], [[0.8]])
    unchanged = {"a": np.array([0.1])}
    clip_by_norm(unchanged, 1.0)
    assert unchanged["a"][0] == 0.1
    clip_elementwise(grads, 0.7)
    np.testing.assert_allclose(grads["b"], [[0.7]])
