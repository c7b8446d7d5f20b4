"""Whole-model gradient checks (float64) and decoding invariants of the captioner."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.reference_models.captioner import Captioner, CaptionerConfig, reorder_state
from capeval.reference_models.decoding import beam_search, greedy_decode, sample_decode
from capeval.reference_models.vocab import END_ID, NULL_ID, START_ID

N, F, L, R, V, T = 3, 5, 4, 3, 9, 4

CONFIGS = {
    "rnn": dict(cell="rnn"),
    "lstm": dict(cell="lstm"),
    "gru": dict(cell="gru"),
    "lstm-2-layers-fed": dict(cell="lstm", num_layers=2, feed_features=True),
    "gru-2-layers": dict(cell="gru", num_layers=2),
    "attention": dict(cell="lstm", attention=True, region_dim=R, attention_dim=4,
                      attention_penalty=0.5),
    "attention-2-layers": dict(cell="lstm", attention=True, region_dim=R, attention_dim=4,
                               num_layers=2, feed_features=True),
    "attention-state-from-regions": dict(cell="lstm", attention=True, region_dim=R,
                                         attention_dim=4, state_from="regions",
                                         feed_features=True),
    "gru-state-from-regions": dict(cell="gru", region_dim=R, state_from="regions"),
}


def make_model(rng, dtype=np.float64, **options):
    config = CaptionerConfig(vocab_size=V, feature_dim=F, word_dim=4, hidden_dim=5, **options)
    model = Captioner.initialise(config, rng, dtype=dtype)
    for p in model.params.values():  # non-zero biases exercise every path
        p += rng.normal(scale=0.1, size=p.shape).astype(dtype)
    return model


def make_batch(rng):
    features = rng.normal(size=(N, F))
    regions = rng.normal(size=(N, L, R))
    captions = np.full((T + 1, N), NULL_ID)
    captions[0] = START_ID
    captions[1:, 0] = [5, 6, 7, END_ID]
    captions[1:3, 1] = [4, END_ID]
    captions[1:4, 2] = [8, 8, END_ID]
    return features, regions, captions


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_whole_model_gradients(rng, check_gradients, name):
    model = make_model(rng, **CONFIGS[name])
    features, regions, captions = make_batch(rng)
    loss, grads = model.loss(features, captions, regions)
    check_gradients(lambda: model.loss(features, captions, regions)[0], model.params, grads)


def test_initial_loss_is_about_log_v_per_word(rng):
    config = CaptionerConfig(vocab_size=V, feature_dim=F, word_dim=4, hidden_dim=5)
    model = Captioner.initialise(config, rng, dtype=np.float64)
    model.params["W_vocab"][:] = 0  # uniform predictions
    features, regions, captions = make_batch(rng)
    loss, _ = model.loss(features, captions)
    words = np.sum(captions[1:] != NULL_ID)
    assert loss == pytest.approx(words / N * np.log(V))


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_step_by_step_decoding_matches_training_scores(rng, name):
    """The decoder's log-probabilities of the teacher-forced words give the training loss."""
    model = make_model(rng, **CONFIGS[name])
    model.config = model.config.__class__(**{**model.config.to_dict(), "attention_penalty": 0.0})
    features, regions, captions = make_batch(rng)
    loss, _ = model.loss(features, captions, regions)
    state = model.start(features, regions)
    total = 0.0
    for t in range(T):
        log_probs, state, _ = model.step(state, captions[t])
        target = captions[t + 1]
        total -= np.sum(np.where(target != NULL_ID, log_probs[np.arange(N), target], 0.0))
    assert total / N == pytest.approx(loss, rel=1e-12)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_beam_of_one_is_greedy(rng, name):
    model = make_model(rng, dtype=np.float32, **CONFIGS[name])
    features = rng.normal(size=(7, F))
    regions = rng.normal(size=(7, L, R))
    greedy = greedy_decode(model, features, regions, max_length=6)
    beam = beam_search(model, features, regions, beam_size=1, max_length=6)
    np.testing.assert_array_equal(beam.ids, greedy.ids)


def sequence_log_prob(model, features, regions, ids):
    """Summed log-probability of each decoded caption, <END> included."""
    state = model.start(features, regions)
    words = np.full(len(features), START_ID)
    total = np.zeros(len(features))
    alive = np.ones(len(features), dtype=bool)
    for t in range(ids.shape[1]):
        log_probs, state, _ = model.step(state, words)
        words = ids[:, t]
        total += np.where(alive, log_probs[np.arange(len(words)), words], 0.0)
        alive &= words != END_ID
    return total


def test_wider_beams_find_captions_at_least_as_probable(rng):
    model = make_model(rng, cell="lstm")
    features = rng.normal(size=(20, F))
    scores = [sequence_log_prob(model, features, None,
                                beam_search(model, features, None, beam_size=b, max_length=5).ids)
              for b in (1, 3, 8)]
    assert np.all(scores[1] >= scores[0] - 1e-9)
    assert np.all(scores[2] >= scores[1] - 1e-9)
    assert np.any(scores[2] > scores[0] + 1e-6)


def test_decoded_captions_end_and_pad(rng):
    model = make_model(rng, cell="gru")
    ids = greedy_decode(model, rng.normal(size=(10, F)), max_length=3).ids
    assert ids.shape[1] <= 4
    for row in ids:
        ends = np.flatnonzero(row == END_ID)
        assert len(ends) == 1
        assert np.all(row[ends[0] + 1:] == NULL_ID)


def test_sampling_is_seeded_and_cold_sampling_is_greedy(rng):
    model = make_model(rng, cell="lstm")
    features = rng.normal(size=(10, F))
    a = sample_decode(model, features, rng=np.random.default_rng(5), max_length=5).ids
    b = sample_decode(model, features, rng=np.random.default_rng(5), max_length=5).ids
    np.testing.assert_array_equal(a, b)
    cold = sample_decode(model, features, rng=np.random.default_rng(5), temperature=1e-4,
                         max_length=5).ids
    np.testing.assert_array_equal(cold, greedy_decode(model, features, max_length=5).ids)
    with pytest.raises(ValueError, match="temperature"):
        sample_decode(model, features, rng=rng, temperature=0)


def test_sampling_follows_the_distribution(rng):
    model = make_model(rng, cell="rnn")
    features = np.repeat(rng.normal(size=(1, F)), 4000, axis=0)
    first = sample_decode(model, features, rng=np.random.default_rng(1), max_length=1).ids[:, 0]
    expected = np.exp(model.step(model.start(features[:1]), np.array([START_ID]))[0][0])
    observed = np.bincount(first, minlength=V) / len(first)
    np.testing.assert_allclose(observed, expected, atol=0.03)


def test_attention_weights_are_returned_per_step(rng):
    model = make_model(rng, **CONFIGS["attention"])
    features, regions = rng.normal(size=(4, F)), rng.normal(size=(4, L, R))
    decoded = greedy_decode(model, features, regions, max_length=5)
    assert decoded.alpha.shape[:2] == (4, decoded.ids.shape[1]) and decoded.alpha.shape[2] == L
    np.testing.assert_allclose(decoded.alpha.sum(axis=2), 1.0, rtol=1e-5)


def test_reorder_state_picks_rows(rng):
    model = make_model(rng, cell="lstm", num_layers=2)
    state = model.start(rng.normal(size=(3, F)))
    picked = reorder_state(state, np.array([2, 2, 0]))
    np.testing.assert_array_equal(picked["c1"][1], state["c1"][2])


def test_bad_configs_and_inputs_are_rejected(rng):
    with pytest.raises(ValueError, match="unknown cell"):
        CaptionerConfig(vocab_size=V, feature_dim=F, cell="transformer")
    with pytest.raises(ValueError, match="LSTM"):
        CaptionerConfig(vocab_size=V, feature_dim=F, cell="gru", attention=True, region_dim=3)
    model = make_model(rng, **CONFIGS["attention"])
    with pytest.raises(ValueError, match="regions"):
        model.start(rng.normal(size=(2, F)))
    with pytest.raises(ValueError, match="features"):
        model.start(rng.normal(size=(2, F + 1)), rng.normal(size=(2, L, R)))


def test_state_from_regions_reads_the_mean_region_not_the_global_features(rng):
    model = make_model(rng, **CONFIGS["gru-state-from-regions"])
    features, regions, captions = make_batch(rng)
    loss = model.loss(features, captions, regions)[0]
    assert model.params["W_init0"].shape == (R, 5)
    assert model.loss(np.full_like(features, 7.0), captions, regions)[0] == loss
    assert model.loss(features, captions, regions[:, ::-1])[0] == pytest.approx(loss, rel=1e-12)
    assert model.loss(features, captions, regions + 1.0)[0] != pytest.approx(loss)
    with pytest.raises(ValueError, match="needs regions"):
        model.loss(features, captions, None)


def test_state_from_is_validated():
    with pytest.raises(ValueError, match="state_from"):
        CaptionerConfig(vocab_size=V, feature_dim=F, state_from="pixels")
    with pytest.raises(ValueError, match="region_dim"):
        CaptionerConfig(vocab_size=V, feature_dim=F, state_from="regions")


def test_attention_weights_learn_from_the_first_step(rng):
    """The attention MLP's output weights start random: at zero, Wa and Wr get no gradient."""
    config = CaptionerConfig(vocab_size=V, feature_dim=F, word_dim=4, hidden_dim=5,
                             attention=True, region_dim=R, attention_dim=4)
    model = Captioner.initialise(config, rng, dtype=np.float64)
    features, regions, captions = make_batch(rng)
    _, grads = model.loss(features, captions, regions)
    assert np.abs(grads["Wa"]).max() > 1e-6 and np.abs(grads["Wr"]).max() > 1e-6
