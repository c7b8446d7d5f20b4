"""Training: a short smoke run must learn (far above a blind model); runs are seeded."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.reference_models import shapes, training
from capeval.reference_models.data import CaptionData
from capeval.reference_models.decoding import generate_captions
from capeval.reference_models.pipeline import fit_captioner
from capeval.reference_models.scoring import corpus_scores
from capeval.reference_models.training import TrainConfig


def split(n: int, seed: int) -> CaptionData:
    d = shapes.generate(n, np.random.default_rng(seed))
    return CaptionData(list(range(n)), d.features, d.regions, d.captions)


@pytest.fixture(scope="module")
def splits():
    return split(1200, 1), split(60, 2), split(150, 3)


def test_smoke_run_learns_to_caption(splits):
    """About 7 s: an LSTM beats a blind language model on the same data by a wide margin.

    The blind model (features zeroed) levels off within one epoch, so it gets one. Measured:
    CIDEr-D 4.23 against 1.15.
    """
    train, val, test = splits
    options = dict(cell="lstm", hidden_dim=96, word_dim=32)
    scores = {}
    for blind in (False, True):
        cfg = TrainConfig(epochs=1 if blind else 4, patience=4, learning_rate=8e-3,
                          zero_features=blind)
        model, vocab, result = fit_captioner(train.without_regions(), val.without_regions(),
                                             options, cfg, np.random.default_rng(0))
        hyps = generate_captions(model, vocab, test, zero_features=blind)
        scores[blind] = corpus_scores(hyps, test.captions, ("cider-d",))["CIDEr-D"]
        assert len(result.history) >= 1 and result.best_epoch >= 1
    assert scores[False] > 3.0
    assert scores[False] > scores[True] + 2.0, scores


def test_same_seed_same_model_and_history_however_slow_the_machine(splits, monkeypatch):
    """The second run reads a clock that advances an hour per reading (a very busy machine)."""
    train, val, _ = splits
    small_train, small_val = train.subset(range(100)), val.subset(range(20))
    config = TrainConfig(epochs=2, batch_size=64)

    def run():
        return fit_captioner(small_train, small_val, dict(hidden_dim=16, word_dim=8), config,
                             np.random.default_rng(7))

    m1, _, r1 = run()
    readings = iter(range(0, 10**9, 3600))
    monkeypatch.setattr(training.time, "perf_counter", lambda: float(next(readings)))
    m2, _, r2 = run()
    assert r2.seconds > 3600 and len(r2.history) == 2 == len(r1.history)
    for name in m1.params:
        np.testing.assert_array_equal(m1.params[name], m2.params[name])
    assert r1.history == r2.history
    assert m1.dtype == np.float32


def test_early_stopping_keeps_the_best_epoch(splits):
    train, val, _ = splits
    # A huge learning rate with no decay makes validation worse after the first epoch.
    config = TrainConfig(epochs=6, patience=1, learning_rate=0.5, lr_decay=1.0, clip_norm=None,
                         batch_size=256)
    model, vocab, result = fit_captioner(train.subset(range(200)), val, dict(hidden_dim=16,
                                         word_dim=8), config, np.random.default_rng(0))
    ciders = [h["CIDEr-D"] for h in result.history]
    assert result.best_cider == max(ciders)
    assert result.history[result.best_epoch - 1]["CIDEr-D"] == result.best_cider
    if len(ciders) < 6:
        assert "no better validation" in result.stopped
    again = corpus_scores(generate_captions(model, vocab, val), val.captions, ("cider-d",))
    assert again["CIDEr-D"] == pytest.approx(result.best_cider)


def test_training_config_is_validated():
    with pytest.raises(ValueError, match="epochs"):
        TrainConfig(epochs=0)
    with pytest.raises(ValueError, match="lr_decay"):
        TrainConfig(lr_decay=1.5)
