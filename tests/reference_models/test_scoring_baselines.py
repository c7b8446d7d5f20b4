"""Corpus scoring of tokenized captions and the nearest-neighbour baseline."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.metrics import get_metric
from capeval.reference_models.baselines import consensus, nearest_neighbour_captions
from capeval.reference_models.scoring import corpus_scores

REFS = [
    [["a", "red", "circle"], ["a", "red", "ball"], ["the", "circle", "is", "red"]],
    [["a", "blue", "square"], ["a", "square", "that", "is", "blue"], ["blue", "square"]],
]


def test_corpus_scores_equal_each_metric_on_its_own():
    system = [["a", "red", "circle"], ["blue", "square", "is", "blue"]]
    scores = corpus_scores(system, REFS, ("bleu", "cider-d"))
    expected = {**get_metric("bleu").corpus_score(system, REFS),
                **get_metric("cider-d").corpus_score(system, REFS)}
    assert scores.keys() == expected.keys()
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value, abs=1e-12), name


def test_consensus_picks_the_caption_most_like_the_others():
    candidates = [["a", "cat"], ["a", "red", "circle"], ["red", "circle"], ["a", "red", "ball"]]
    assert consensus(candidates) == ["a", "red", "circle"]


def test_nearest_neighbour_copies_from_the_closest_image():
    train_features = np.array([[1.0, 0.0], [0.0, 1.0]])
    train_captions = [[["left", "one"]], [["right", "one"]]]
    test_features = np.array([[0.1, 2.0], [3.0, 0.2]])
    copied = nearest_neighbour_captions(train_features, train_captions, test_features, k=1)
    assert copied == [["right", "one"], ["left", "one"]]
