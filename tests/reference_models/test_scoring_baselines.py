"""Leave-one-out scoring and the nearest-neighbour baseline."""
from __future__ import annotations

import numpy as np
import pytest

from reference_models.baselines import consensus, nearest_neighbour_captions
from reference_models.scoring import corpus_scores, leave_one_out_scores

REFS = [
    [["a", "red", "circle"], ["a", "red", "ball"], ["the", "circle", "is", "red"]],
    [["a", "blue", "square"], ["a", "square", "that", "is", "blue"], ["blue", "square"]],
]


def test_leave_one_out_averages_over_held_out_references():
    system = [["a", "red", "circle"], ["a", "blue", "square"]]
    scores = leave_one_out_scores({"sys": system}, REFS, ("bleu",))
    expected_sys, expected_human = 0.0, 0.0
    for k in range(3):
        rest = [[r for j, r in enumerate(refs) if j != k] for refs in REFS]
        expected_sys += corpus_scores(system, rest, ("bleu",))["BLEU-1"] / 3
        expected_human += corpus_scores([refs[k] for refs in REFS], rest, ("bleu",))["BLEU-1"] / 3
    assert list(scores) == ["sys", "human"]
    assert scores["sys"]["BLEU-1"] == pytest.approx(expected_sys)
    assert scores["human"]["BLEU-1"] == pytest.approx(expected_human)


def test_leave_one_out_needs_equal_reference_counts():
    with pytest.raises(ValueError, match="same number"):
        leave_one_out_scores({"s": [["a"], ["b"]]}, [REFS[0], REFS[1][:2]], ("bleu",))
    with pytest.raises(ValueError, match="already called"):
        leave_one_out_scores({"human": [["a"], ["b"]]}, REFS, ("bleu",))


def test_consensus_picks_the_caption_most_like_the_others():
    candidates = [["a", "cat"], ["a", "red", "circle"], ["red", "circle"], ["a", "red", "ball"]]
    assert consensus(candidates) == ["a", "red", "circle"]


def test_nearest_neighbour_copies_from_the_closest_image():
    train_features = np.array([[1.0, 0.0], [0.0, 1.0]])
    train_captions = [[["left", "one"]], [["right", "one"]]]
    test_features = np.array([[0.1, 2.0], [3.0, 0.2]])
    copied = nearest_neighbour_captions(train_features, train_captions, test_features, k=1)
    assert copied == [["right", "one"], ["left", "one"]]
