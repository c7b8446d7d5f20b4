"""Gradient checks of every layer (float64 centered differences, relative error <= 1e-6).

Oracle: numerical differentiation (``gradcheck.py``); sequence functions are also checked
against their own step functions, and the LSTM against PyTorch in ``benchmarks/bench_lstm.py``.
"""
from __future__ import annotations

import numpy as np
import pytest

from capeval.reference_models import attention, layers, recurrent

T, N, D, H, V, L, R, A = 3, 4, 5, 6, 7, 4, 3, 5


def test_sigmoid_never_overflows_and_is_accurate():
    x = np.array([-1000.0, -30.0, 0.0, 2.0, 1000.0])
    expected = np.array([0.0, 1 / (1 + np.exp(30.0)), 0.5, 1 / (1 + np.exp(-2.0)), 1.0])
    with np.errstate(all="raise"):
        np.testing.assert_allclose(layers.sigmoid(x), expected, rtol=0, atol=1e-15)
    x32 = np.linspace(-100, 100, 11, dtype=np.float32)
    assert layers.sigmoid(x32).dtype == np.float32


def test_affine(rng, check_gradients):
    x, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, H)), rng.normal(size=H)
    dout = rng.normal(size=(N, H))
    out, cache = layers.affine_forward(x, W, b)
    dx, dW, db = layers.affine_backward(dout, cache)
    check_gradients(lambda: layers.affine_forward(x, W, b)[0], {"x": x, "W": W, "b": b},
                     {"x": dx, "W": dW, "b": db}, dout)


def test_temporal_affine(rng, check_gradients):
    x, W, b = rng.normal(size=(T, N, D)), rng.normal(size=(D, V)), rng.normal(size=V)
    dout = rng.normal(size=(T, N, V))
    out, cache = layers.temporal_affine_forward(x, W, b)
    assert out.shape == (T, N, V)
    dx, dW, db = layers.temporal_affine_backward(dout, cache)
    check_gradients(lambda: layers.temporal_affine_forward(x, W, b)[0],
                     {"x": x, "W": W, "b": b}, {"x": dx, "W": dW, "b": db}, dout)


def test_word_embedding_accumulates_repeated_words(rng, check_gradients):
    words = np.array([[0, 2, 2], [6, 0, 2]])
    W = rng.normal(size=(V, D))
    dout = rng.normal(size=(2, 3, D))
    out, cache = layers.word_embedding_forward(words, W)
    np.testing.assert_array_equal(out[1, 0], W[6])
    dW = layers.word_embedding_backward(dout, cache)
    check_gradients(lambda: layers.word_embedding_forward(words, W)[0], {"W": W}, {"W": dW}, dout)


def test_temporal_softmax_loss(rng, check_gradients):
    scores = rng.normal(size=(T, N, V))
    targets = rng.integers(V, size=(T, N))
    mask = rng.random((T, N)) > 0.3
    loss, dscores = layers.temporal_softmax_loss(scores, targets, mask)
    check_gradients(lambda: layers.temporal_softmax_loss(scores, targets, mask)[0],
                     {"scores": scores}, {"scores": dscores})
    assert np.all(dscores[~mask] == 0)


def test_softmax_loss_starts_at_log_v_per_token():
    """Uniform scores cost log(V) nats per unmasked token (min-char-rnn's sanity anchor)."""
    mask = np.ones((10, 50), dtype=bool)
    loss, _ = layers.temporal_softmax_loss(np.zeros((10, 50, V)), np.zeros((10, 50), int), mask)
    assert loss == pytest.approx(10 * np.log(V))


CELLS = {
    "rnn": (1, recurrent.rnn_step_forward, recurrent.rnn_forward, recurrent.rnn_backward),
    "lstm": (4, recurrent.lstm_step_forward, recurrent.lstm_forward, recurrent.lstm_backward),
    "gru": (3, recurrent.gru_step_forward, recurrent.gru_forward, recurrent.gru_backward),
}


def _cell_weights(rng, gates):
    return (rng.normal(size=(D, gates * H)) * 0.5, rng.normal(size=(H, gates * H)) * 0.5,
            rng.normal(size=gates * H) * 0.5)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_sequence_equals_its_steps(rng, cell, check_gradients):
    gates, step, forward, _ = CELLS[cell]
    x, h0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H))
    Wx, Wh, b = _cell_weights(rng, gates)
    h, _ = forward(x, h0, Wx, Wh, b)
    h_prev, c_prev = h0, np.zeros_like(h0)
    for t in range(T):
        if cell == "lstm":
            h_prev, c_prev, _ = step(x[t], h_prev, c_prev, Wx, Wh, b)
        else:
            h_prev, _ = step(x[t], h_prev, Wx, Wh, b)
        np.testing.assert_allclose(h[t], h_prev, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_step_gradients(rng, cell, check_gradients):
    gates, step, _, _ = CELLS[cell]
    x, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    Wx, Wh, b = _cell_weights(rng, gates)
    dh = rng.normal(size=(N, H))
    inputs = {"x": x, "h_prev": h_prev, "Wx": Wx, "Wh": Wh, "b": b}
    if cell == "lstm":
        dc = rng.normal(size=(N, H))
        h, c, cache = step(x, h_prev, c_prev, Wx, Wh, b)
        dx, dh_prev, dc_prev, dWx, dWh, db = recurrent.lstm_step_backward(dh, dc, cache)
        analytic = {"x": dx, "h_prev": dh_prev, "c_prev": dc_prev, "Wx": dWx, "Wh": dWh, "b": db}
        inputs["c_prev"] = c_prev

        def f():
            h, c, _ = step(x, h_prev, c_prev, Wx, Wh, b)
            return np.sum(h * dh) + np.sum(c * dc)

        check_gradients(f, inputs, analytic)
        return
    backward = recurrent.rnn_step_backward if cell == "rnn" else recurrent.gru_step_backward
    _, cache = step(x, h_prev, Wx, Wh, b)
    dx, dh_prev, dWx, dWh, db = backward(dh, cache)
    analytic = {"x": dx, "h_prev": dh_prev, "Wx": dWx, "Wh": dWh, "b": db}
    check_gradients(lambda: step(x, h_prev, Wx, Wh, b)[0], inputs, analytic, dh)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_sequence_gradients(rng, cell, check_gradients):
    gates, _, forward, backward = CELLS[cell]
    x, h0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H))
    Wx, Wh, b = _cell_weights(rng, gates)
    dh = rng.normal(size=(T, N, H))
    _, cache = forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = backward(dh, cache)[:5]
    check_gradients(lambda: forward(x, h0, Wx, Wh, b)[0],
                     {"x": x, "h0": h0, "Wx": Wx, "Wh": Wh, "b": b},
                     {"x": dx, "h0": dh0, "Wx": dWx, "Wh": dWh, "b": db}, dh)


def test_lstm_initial_cell_and_final_state_gradients(rng, check_gradients):
    x, h0, c0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    Wx, Wh, b = _cell_weights(rng, 4)
    dh, dh_last = rng.normal(size=(T, N, H)), rng.normal(size=(N, H))
    dc_last = rng.normal(size=(N, H))

    def f():
        h, cache = recurrent.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
        return np.sum(h * dh) + np.sum(h[-1] * dh_last) + np.sum(cache.c[-1] * dc_last)

    _, cache = recurrent.lstm_forward(x, h0, Wx, Wh, b, c0=c0)
    dx, dh0, _, _, _, dc0 = recurrent.lstm_backward(dh, cache, dh_last, dc_last)
    check_gradients(f, {"x": x, "h0": h0, "c0": c0}, {"x": dx, "h0": dh0, "c0": dc0})


def _attention_weights(rng):
    return attention.AttentionLstmWeights(
        Wx=rng.normal(size=(D, 4 * H)) * 0.5, Wz=rng.normal(size=(R, 4 * H)) * 0.5,
        Wh=rng.normal(size=(H, 4 * H)) * 0.5, b=rng.normal(size=4 * H) * 0.5,
        Wr=rng.normal(size=(R, A)) * 0.5, br=rng.normal(size=A) * 0.5,
        Wa=rng.normal(size=(H, A)) * 0.5, va=rng.normal(size=A) * 0.5,
    )


def test_attention_step_gradients(rng, check_gradients):
    h_prev, regions = rng.normal(size=(N, H)), rng.normal(size=(N, L, R))
    projected, Wa, va = rng.normal(size=(N, L, A)), rng.normal(size=(H, A)), rng.normal(size=A)
    dcontext, dalpha = rng.normal(size=(N, R)), rng.normal(size=(N, L))
    context, alpha, cache = attention.attention_step_forward(h_prev, regions, projected, Wa, va)
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0)
    grads = attention.attention_step_backward(dcontext, dalpha, cache)

    def f():
        context, alpha, _ = attention.attention_step_forward(h_prev, regions, projected, Wa, va)
        return np.sum(context * dcontext) + np.sum(alpha * dalpha)

    inputs = {"h_prev": h_prev, "regions": regions, "projected": projected, "Wa": Wa, "va": va}
    check_gradients(f, inputs, dict(zip(inputs, grads, strict=True)))


def test_attention_lstm_sequence_gradients(rng, check_gradients):
    x, h0, c0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    regions = rng.normal(size=(N, L, R))
    w = _attention_weights(rng)
    dh, dalpha = rng.normal(size=(T, N, H)), rng.normal(size=(T, N, L))
    _, _, cache = attention.attention_lstm_forward(x, h0, c0, regions, w)
    dx, dh0, dc0, dregions, dw = attention.attention_lstm_backward(dh, dalpha, cache)

    def f():
        h, alpha, _ = attention.attention_lstm_forward(x, h0, c0, regions, w)
        return np.sum(h * dh) + np.sum(alpha * dalpha)

    inputs = {"x": x, "h0": h0, "c0": c0, "regions": regions, **w._asdict()}
    analytic = {"x": dx, "h0": dh0, "c0": dc0, "regions": dregions, **dw._asdict()}
    check_gradients(f, inputs, analytic)


def test_attention_lstm_sequence_equals_its_steps(rng, check_gradients):
    x, h0, c0 = rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    regions = rng.normal(size=(N, L, R))
    w = _attention_weights(rng)
    h, alpha, _ = attention.attention_lstm_forward(x, h0, c0, regions, w)
    projected, _ = attention.project_regions_forward(regions, w.Wr, w.br)
    h_prev, c_prev = h0, c0
    for t in range(T):
        h_prev, c_prev, alpha_t = attention.attention_lstm_step_forward(
            x[t], h_prev, c_prev, regions, projected, w)
        np.testing.assert_allclose(h[t], h_prev, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(alpha[t], alpha_t, rtol=1e-12, atol=1e-12)


def test_doubly_stochastic_penalty(rng, check_gradients):
    alpha = rng.random((T, N, L))
    mask = rng.random((T, N)) > 0.3
    loss, dalpha = attention.doubly_stochastic_penalty(alpha, mask, 0.7)
    check_gradients(lambda: attention.doubly_stochastic_penalty(alpha, mask, 0.7)[0],
                     {"alpha": alpha}, {"alpha": dalpha})
    uniform = np.full((L, 1, L), 1.0 / L)
    loss, _ = attention.doubly_stochastic_penalty(uniform, np.ones((L, 1), bool), 1.0)
    assert loss == pytest.approx(0)


def test_gradient_check_detects_a_wrong_gradient(check_gradients):
    x = np.array([1.0, 2.0])
    with pytest.raises(AssertionError, match="gradient of x"):
        check_gradients(lambda: np.sum(x**2), {"x": x}, {"x": 2 * x + 1e-4})
