"""The min-char-rnn style language model: gradients, learning, sampling, the example script."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.reference_models.char_rnn import BUNDLED_TEXT, CharRnn, CharRnnConfig, main, train_char_rnn


def test_loss_gradients(rng, check_gradients):
    config = CharRnnConfig(hidden_dim=5, char_dim=3, seq_length=4, streams=2)
    model = CharRnn("abcde", config, rng)
    inputs, targets = rng.integers(5, size=(4, 2)), rng.integers(5, size=(4, 2))
    h0 = rng.normal(size=(2, 5))
    loss, grads, h_last = model.loss(inputs, targets, h0)
    assert h_last.shape == (2, 5)
    check_gradients(lambda: model.loss(inputs, targets, h0)[0], model.params, grads)


def test_learns_the_bundled_text_and_samples_from_its_alphabet():
    text = BUNDLED_TEXT.read_text(encoding="utf-8")
    assert text.startswith("Four score and seven years ago")
    config = CharRnnConfig(hidden_dim=64, seq_length=25, streams=8)
    model, history = train_char_rnn(text, config, 600, np.random.default_rng(0))
    uniform = np.log(len(set(text))) * config.seq_length
    assert history[0] == pytest.approx(uniform, rel=0.01)
    assert history[-1] < 0.75 * uniform
    sample = model.sample("F", 80, np.random.default_rng(1), temperature=0.7)
    assert len(sample) == 80 and set(sample) <= set(text)
    assert sample == model.sample("F", 80, np.random.default_rng(1), temperature=0.7)


def test_text_too_short_for_the_streams():
    with pytest.raises(ValueError, match="too short"):
        train_char_rnn("abc" * 10, CharRnnConfig(streams=8), 1, np.random.default_rng(0))


def test_example_script_prints_samples(capsys):
    main(["--steps", "20", "--every", "10"])
    out = capsys.readouterr().out
    assert out.count("--- step") == 2 and out.splitlines()[1].startswith("F")
