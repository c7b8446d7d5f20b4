"""Checkpoints: exact round trip, and a clear CapevalInputError for every kind of bad file."""
from __future__ import annotations

import json

import numpy as np
import pytest

from capeval import CapevalInputError
from capeval.reference_models.captioner import Captioner, CaptionerConfig
from capeval.reference_models.checkpoint import load_checkpoint, save_checkpoint
from capeval.reference_models.decoding import greedy_decode
from capeval.reference_models.vocab import Vocabulary


@pytest.fixture
def saved(tmp_path, rng):
    vocab = Vocabulary.build([["a", "red", "circle"], ["a", "blue", "square"]])
    config = CaptionerConfig(vocab_size=len(vocab), feature_dim=6, cell="lstm", hidden_dim=8,
                             word_dim=4, attention=True, region_dim=3, attention_dim=5)
    model = Captioner.initialise(config, rng)
    path = tmp_path / "model.npz"
    save_checkpoint(path, model, vocab, {"best_epoch": 3})
    return path, model, vocab


def test_round_trip(saved, rng):
    path, model, vocab = saved
    loaded, loaded_vocab, metadata = load_checkpoint(path)
    assert loaded.config == model.config and loaded_vocab == vocab
    assert metadata == {"best_epoch": 3}
    for name, value in model.params.items():
        np.testing.assert_array_equal(loaded.params[name], value)
    features, regions = rng.normal(size=(5, 6)), rng.normal(size=(5, 4, 3))
    np.testing.assert_array_equal(greedy_decode(loaded, features, regions).ids,
                                  greedy_decode(model, features, regions).ids)


def rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    for name, value in changes.items():
        key = name.replace("__", "/")
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


@pytest.mark.parametrize("changes, part, message", [
    (dict(format=np.array("something-else")), "format", "expected 'capeval-captioner'"),
    (dict(version=np.array(7)), "version", "unsupported version"),
    (dict(config=np.array("{not json")), "config", "malformed JSON"),
    (dict(config=np.array(json.dumps({"vocab_size": 9, "feature_dim": 6, "cell": "tcn"}))),
     "config", "unknown cell"),
    (dict(config=np.array(json.dumps({"vocab_size": 9, "feature_dim": 6, "colour": 1}))),
     "config", "unknown settings"),
    (dict(vocab=np.array(["a", "b"])), "vocab", "must start with"),
    (dict(param__W_vocab=None), "param/W_vocab", "missing"),
    (dict(param__W_vocab=np.zeros((2, 2), np.float32)), "param/W_vocab", "has shape (2, 2)"),
    (dict(param__b0=np.full(32, np.nan, np.float32)), "param/b0", "NaN"),
    (dict(param__b0=np.zeros(32, np.int64)), "param/b0", "dtype int64"),
    (dict(param__extra=np.zeros(3)), "param/extra", "not a parameter"),
    (dict(metadata=None), None, "no 'metadata' array"),
])
def test_damaged_checkpoints_are_named(saved, changes, part, message):
    path = saved[0]
    rewrite(path, **changes)
    with pytest.raises(CapevalInputError) as caught:
        load_checkpoint(path)
    assert caught.value.source == str(path)
    assert caught.value.record == part
    assert message in caught.value.reason


def test_files_that_are_not_checkpoints(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    array = tmp_path / "array.npz"
    with open(array, "wb") as handle:
        np.save(handle, np.zeros(3))
    pickled = tmp_path / "pickled.npz"
    with open(pickled, "wb") as handle:
        np.savez(handle, format=np.array([{"a": 1}], dtype=object))
    for path, reason in [(tmp_path / "missing.npz", "no such file"),
                         (text, "not a readable .npz"),
                         (array, "single .npy array"),
                         (pickled, "without pickle"),
                         (tmp_path, "directory")]:
        with pytest.raises(CapevalInputError) as caught:
            load_checkpoint(path)
        assert reason in caught.value.reason, caught.value
