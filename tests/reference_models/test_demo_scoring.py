"""The demo's leaderboard: capeval.leaderboard on pre-tokenized shapes captions."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.evaluation import evaluate_tokenized
from capeval.human import HUMAN
from capeval.reference_models import shapes
from capeval.reference_models.data import CaptionData
from capeval.reference_models.demo import BASELINE, DemoConfig, score_systems


@pytest.fixture(scope="module")
def test_split():
    data = shapes.generate(30, np.random.default_rng(5))
    return CaptionData(list(range(100, 130)), data.features, data.regions, data.captions)


def leave_one_out_cider(references, hypotheses_of_fold) -> float:
    """Mean over the 5 folds of CIDEr-D against the references other than the fold's."""
    total = 0.0
    for fold in range(5):
        rest = [caps[:fold] + caps[fold + 1:] for caps in references]
        hypotheses = hypotheses_of_fold(fold)
        total += evaluate_tokenized(range(len(rest)), hypotheses, rest, ("cider-d",)).corpus[
            "CIDEr-D"]
    return total / 5


def test_every_row_is_scored_against_the_same_four_references(test_split):
    refs = test_split.captions
    first_reference = [" ".join(caps[0]) for caps in refs]
    last_reference = [" ".join(caps[-1]) for caps in refs]
    board = score_systems({BASELINE: first_reference, "copy of the last": last_reference},
                          test_split, DemoConfig(bootstrap=50))
    assert set(board.systems) == {BASELINE, "copy of the last", HUMAN}
    assert board.scores.at[BASELINE, "CIDEr-D"] == pytest.approx(
        leave_one_out_cider(refs, lambda fold: [caps[0] for caps in refs]))
    assert board.scores.at[HUMAN, "CIDEr-D"] == pytest.approx(
        leave_one_out_cider(refs, lambda fold: [caps[fold] for caps in refs]))
    assert board.settings.baseline == BASELINE and board.settings.n_bootstrap == 50
    assert (board.ci_low["CIDEr-D"] <= board.scores["CIDEr-D"]).all()
    assert np.isnan(board.p_values.at[BASELINE, "CIDEr-D"])
    assert 0 < board.p_values.at["copy of the last", "CIDEr-D"] <= 1


def test_without_the_baseline_or_resamples_no_test_is_run(test_split):
    captions = {"only": [" ".join(caps[1]) for caps in test_split.captions]}
    board = score_systems(captions, test_split, DemoConfig(bootstrap=0))
    assert board.ci_low is None and board.p_values is None
    board = score_systems(captions, test_split, DemoConfig(bootstrap=20))
    assert board.ci_low is not None and board.p_values is None
