"""Recurrent cells (vanilla RNN, LSTM, GRU): single steps and whole sequences.

Step functions serve decoding and document the maths; the sequence functions are the fast
training path: the input projection of all steps is one matmul before the time loop, the
weight gradients are one matmul each after the backward loop, and per-step buffers are
preallocated. Tests check that a sequence equals its steps.

Letters used in shapes: T time steps, N batch, D input size, H hidden size.
Gate layouts: the LSTM stacks its four gates as (input, forget, output, candidate) in weights
of shape (D, 4H) and (H, 4H), so that the three sigmoid gates are one contiguous slice; the
GRU stacks (reset, update, candidate) in (D, 3H) and (H, 3H).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from capeval.reference_models.layers import sigmoid


def _shifted(h: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """Return the states entering each step: h0 followed by h[:-1], shape (T, N, H)."""
    return np.concatenate([h0[np.newaxis], h[:-1]], axis=0)


def _input_projection(x: np.ndarray, Wx: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return ``x @ Wx + b`` for all steps at once, shape (T, N, G)."""
    T, N, D = x.shape
    return (x.reshape(T * N, D) @ Wx + b).reshape(T, N, -1)


def _weight_gradients(
    x: np.ndarray, h_in: np.ndarray, da: np.ndarray, Wx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (dx, dWx, dWh, db) from the pre-activation gradients da of shape (T, N, G)."""
    T, N, G = da.shape
    da2 = da.reshape(T * N, G)
    dx = (da2 @ Wx.T).reshape(x.shape)
    dWx = x.reshape(T * N, -1).T @ da2
    dWh = h_in.reshape(T * N, -1).T @ da2
    return dx, dWx, dWh, da2.sum(axis=0)


# -- vanilla RNN -----------------------------------------------------------------------------
class RnnStepCache(NamedTuple):
    x: np.ndarray
    h_prev: np.ndarray
    h: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One tanh RNN step: ``h = tanh(x @ Wx + h_prev @ Wh + b)``.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    h_prev : ndarray of shape (N, H)
    Wx : ndarray of shape (D, H)
    Wh : ndarray of shape (H, H)
    b : ndarray of shape (H,)

    Returns
    -------
    h : ndarray of shape (N, H)
    cache : RnnStepCache
    """
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h, RnnStepCache(x, h_prev, h, Wx, Wh)


def rnn_step_backward(dh, cache: RnnStepCache):
    """Return ``(dx, dh_prev, dWx, dWh, db)`` for the gradient `dh` of shape (N, H)."""
    x, h_prev, h, Wx, Wh = cache
    da = dh * (1.0 - h * h)
    return da @ Wx.T, da @ Wh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)


class RnnCache(NamedTuple):
    x: np.ndarray
    h0: np.ndarray
    h: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def rnn_forward(x, h0, Wx, Wh, b):
    """Run a tanh RNN over a sequence.

    Parameters
    ----------
    x : ndarray of shape (T, N, D)
    h0 : ndarray of shape (N, H)
    Wx, Wh, b : as in `rnn_step_forward`

    Returns
    -------
    h : ndarray of shape (T, N, H)
        Hidden state after every step.
    cache : RnnCache
    """
    h = _input_projection(x, Wx, b)
    h_prev = h0
    for t in range(x.shape[0]):
        h[t] += h_prev @ Wh
        np.tanh(h[t], out=h[t])
        h_prev = h[t]
    return h, RnnCache(x, h0, h, Wx, Wh)


def rnn_backward(dh, cache: RnnCache, dh_last=None):
    """Backpropagate through `rnn_forward`.

    Parameters
    ----------
    dh : ndarray of shape (T, N, H)
        Gradient of the loss with respect to every hidden state.
    dh_last : ndarray of shape (N, H), optional
        Extra gradient arriving at the final state (from a later segment).

    Returns
    -------
    dx, dh0, dWx, dWh, db
    """
    x, h0, h, Wx, Wh = cache
    da = np.empty_like(h)
    dnext = np.zeros_like(h0) if dh_last is None else dh_last
    for t in reversed(range(x.shape[0])):
        np.multiply(dh[t] + dnext, 1.0 - h[t] * h[t], out=da[t])
        dnext = da[t] @ Wh.T
    dx, dWx, dWh, db = _weight_gradients(x, _shifted(h, h0), da, Wx)
    return dx, dnext, dWx, dWh, db


# -- LSTM ------------------------------------------------------------------------------------
def _lstm_cell(a: np.ndarray, c_prev: np.ndarray, c_out: np.ndarray, tanh_c_out: np.ndarray):
    """Activate the stacked pre-activations `a` (N, 4H) in place; write c and tanh(c).

    Returns the hidden state ``o * tanh(c)``.
    """
    H = c_prev.shape[1]
    sigmoid(a[:, : 3 * H], out=a[:, : 3 * H])
    np.tanh(a[:, 3 * H :], out=a[:, 3 * H :])
    i, f, o, g = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
    np.multiply(f, c_prev, out=c_out)
    c_out += i * g
    np.tanh(c_out, out=tanh_c_out)
    return o * tanh_c_out


def _lstm_cell_backward(dh, dc, gates, c_prev, tanh_c, da_out):
    """Write the pre-activation gradient into `da_out` (N, 4H); return dc_prev.

    `dc` is the gradient reaching the cell state from later steps and is overwritten.
    """
    H = c_prev.shape[1]
    i, f, o, g = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H : 3 * H], gates[:, 3 * H :]
    dc += dh * o * (1.0 - tanh_c * tanh_c)
    np.multiply(dc, g, out=da_out[:, :H])
    np.multiply(dc, c_prev, out=da_out[:, H : 2 * H])
    np.multiply(dh, tanh_c, out=da_out[:, 2 * H : 3 * H])
    np.multiply(dc, i, out=da_out[:, 3 * H :])
    # Through the nonlinearities: sigmoid' = s (1 - s), tanh' = 1 - t^2.
    da_out[:, : 3 * H] *= gates[:, : 3 * H] * (1.0 - gates[:, : 3 * H])
    da_out[:, 3 * H :] *= 1.0 - g * g
    return dc * f


class LstmStepCache(NamedTuple):
    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    gates: np.ndarray
    tanh_c: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One LSTM step with the four gates computed by one matmul.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    h_prev, c_prev : ndarray of shape (N, H)
    Wx : ndarray of shape (D, 4H)
    Wh : ndarray of shape (H, 4H)
    b : ndarray of shape (4H,)

    Returns
    -------
    h, c : ndarray of shape (N, H)
    cache : LstmStepCache
    """
    gates = x @ Wx + h_prev @ Wh + b
    c = np.empty_like(c_prev)
    tanh_c = np.empty_like(c_prev)
    h = _lstm_cell(gates, c_prev, c, tanh_c)
    return h, c, LstmStepCache(x, h_prev, c_prev, gates, tanh_c, Wx, Wh)


def lstm_step_backward(dh, dc, cache: LstmStepCache):
    """Return ``(dx, dh_prev, dc_prev, dWx, dWh, db)`` for gradients of h and c, each (N, H)."""
    x, h_prev, c_prev, gates, tanh_c, Wx, Wh = cache
    da = np.empty_like(gates)
    dc_prev = _lstm_cell_backward(dh, dc.copy(), gates, c_prev, tanh_c, da)
    return da @ Wx.T, da @ Wh.T, dc_prev, x.T @ da, h_prev.T @ da, da.sum(axis=0)


class LstmCache(NamedTuple):
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    h: np.ndarray
    c: np.ndarray
    gates: np.ndarray
    tanh_c: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """Run an LSTM over a sequence.

    Parameters
    ----------
    x : ndarray of shape (T, N, D)
    h0 : ndarray of shape (N, H)
    Wx, Wh, b : as in `lstm_step_forward`
    c0 : ndarray of shape (N, H), optional
        Initial cell state; zeros by default.

    Returns
    -------
    h : ndarray of shape (T, N, H)
    cache : LstmCache
    """
    T, N, _ = x.shape
    H = h0.shape[1]
    c0 = np.zeros_like(h0) if c0 is None else c0
    gates = _input_projection(x, Wx, b)
    h = np.empty((T, N, H), dtype=gates.dtype)
    c = np.empty_like(h)
    tanh_c = np.empty_like(h)
    h_prev, c_prev = h0, c0
    for t in range(T):
        gates[t] += h_prev @ Wh
        h[t] = _lstm_cell(gates[t], c_prev, c[t], tanh_c[t])
        h_prev, c_prev = h[t], c[t]
    return h, LstmCache(x, h0, c0, h, c, gates, tanh_c, Wx, Wh)


def lstm_backward(dh, cache: LstmCache, dh_last=None, dc_last=None):
    """Backpropagate through `lstm_forward`.

    Parameters
    ----------
    dh : ndarray of shape (T, N, H)
    dh_last, dc_last : ndarray of shape (N, H), optional
        Extra gradients arriving at the final hidden and cell state.

    Returns
    -------
    dx, dh0, dWx, dWh, db, dc0
    """
    x, h0, c0, h, c, gates, tanh_c, Wx, Wh = cache
    T = x.shape[0]
    da = np.empty_like(gates)
    dh_next = np.zeros_like(h0) if dh_last is None else dh_last
    dc_next = np.zeros_like(h0) if dc_last is None else dc_last.copy()
    for t in reversed(range(T)):
        c_prev = c0 if t == 0 else c[t - 1]
        dc_next = _lstm_cell_backward(dh[t] + dh_next, dc_next, gates[t], c_prev, tanh_c[t], da[t])
        dh_next = da[t] @ Wh.T
    dx, dWx, dWh, db = _weight_gradients(x, _shifted(h, h0), da, Wx)
    return dx, dh_next, dWx, dWh, db, dc_next


# -- GRU -------------------------------------------------------------------------------------
class GruStepCache(NamedTuple):
    x: np.ndarray
    h_prev: np.ndarray
    gates: np.ndarray
    hidden_n: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def _gru_cell(ax: np.ndarray, ah: np.ndarray, h_prev: np.ndarray):
    """Activate the GRU given input (N, 3H) and recurrent (N, 3H) pre-activations.

    Writes (r, z, n) into `ax` in place and returns the new hidden state
    ``h = (1 - z) * n + z * h_prev`` with ``n = tanh(x Wxn + b_n + r * (h_prev Whn))``.
    """
    H = h_prev.shape[1]
    ax[:, : 2 * H] += ah[:, : 2 * H]
    sigmoid(ax[:, : 2 * H], out=ax[:, : 2 * H])
    r, z, n = ax[:, :H], ax[:, H : 2 * H], ax[:, 2 * H :]
    n += r * ah[:, 2 * H :]
    np.tanh(n, out=n)
    return n + z * (h_prev - n)


def _gru_cell_backward(dh, gates, hidden_n, h_prev, da_x, da_h):
    """Write the input and recurrent pre-activation gradients (N, 3H); return the direct dh_prev."""
    H = h_prev.shape[1]
    r, z, n = gates[:, :H], gates[:, H : 2 * H], gates[:, 2 * H :]
    dn = dh * (1.0 - z) * (1.0 - n * n)
    np.multiply(dn * hidden_n, r * (1.0 - r), out=da_x[:, :H])
    np.multiply(dh * (h_prev - n), z * (1.0 - z), out=da_x[:, H : 2 * H])
    da_x[:, 2 * H :] = dn
    da_h[:, : 2 * H] = da_x[:, : 2 * H]
    np.multiply(dn, r, out=da_h[:, 2 * H :])
    return dh * z


def gru_step_forward(x, h_prev, Wx, Wh, b):
    """One GRU step (reset gate applied after the recurrent matmul, as cuDNN and PyTorch do).

    Parameters
    ----------
    x : ndarray of shape (N, D)
    h_prev : ndarray of shape (N, H)
    Wx : ndarray of shape (D, 3H)
    Wh : ndarray of shape (H, 3H)
    b : ndarray of shape (3H,)

    Returns
    -------
    h : ndarray of shape (N, H)
    cache : GruStepCache
    """
    H = h_prev.shape[1]
    gates = x @ Wx + b
    ah = h_prev @ Wh
    hidden_n = ah[:, 2 * H :].copy()
    h = _gru_cell(gates, ah, h_prev)
    return h, GruStepCache(x, h_prev, gates, hidden_n, Wx, Wh)


def gru_step_backward(dh, cache: GruStepCache):
    """Return ``(dx, dh_prev, dWx, dWh, db)`` for the gradient `dh` of shape (N, H)."""
    x, h_prev, gates, hidden_n, Wx, Wh = cache
    da_x = np.empty_like(gates)
    da_h = np.empty_like(gates)
    dh_prev = _gru_cell_backward(dh, gates, hidden_n, h_prev, da_x, da_h)
    dh_prev += da_h @ Wh.T
    return da_x @ Wx.T, dh_prev, x.T @ da_x, h_prev.T @ da_h, da_x.sum(axis=0)


class GruCache(NamedTuple):
    x: np.ndarray
    h0: np.ndarray
    h: np.ndarray
    gates: np.ndarray
    hidden_n: np.ndarray
    Wx: np.ndarray
    Wh: np.ndarray


def gru_forward(x, h0, Wx, Wh, b):
    """Run a GRU over a sequence: x (T, N, D), h0 (N, H) -> h (T, N, H), cache."""
    T, N, _ = x.shape
    H = h0.shape[1]
    gates = _input_projection(x, Wx, b)
    h = np.empty((T, N, H), dtype=gates.dtype)
    hidden_n = np.empty_like(h)
    h_prev = h0
    for t in range(T):
        ah = h_prev @ Wh
        hidden_n[t] = ah[:, 2 * H :]
        h[t] = _gru_cell(gates[t], ah, h_prev)
        h_prev = h[t]
    return h, GruCache(x, h0, h, gates, hidden_n, Wx, Wh)


def gru_backward(dh, cache: GruCache, dh_last=None):
    """Backpropagate through `gru_forward`; returns ``(dx, dh0, dWx, dWh, db)``."""
    x, h0, h, gates, hidden_n, Wx, Wh = cache
    T = x.shape[0]
    h_in = _shifted(h, h0)
    da_x = np.empty_like(gates)
    da_h = np.empty_like(gates)
    dnext = np.zeros_like(h0) if dh_last is None else dh_last
    for t in reversed(range(T)):
        dnext = _gru_cell_backward(dh[t] + dnext, gates[t], hidden_n[t], h_in[t], da_x[t], da_h[t])
        dnext += da_h[t] @ Wh.T
    dx, dWx, _, db = _weight_gradients(x, h_in, da_x, Wx)
    dWh = h_in.reshape(T * x.shape[1], -1).T @ da_h.reshape(T * x.shape[1], -1)
    return dx, dnext, dWx, dWh, db
