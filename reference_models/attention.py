"""Soft attention over image regions and the attention LSTM of Show, Attend and Tell.

Xu et al., "Show, Attend and Tell: Neural Image Caption Generation with Visual Attention"
(ICML 2015), deterministic soft attention: at every step the previous hidden state scores
each region with a one-hidden-layer MLP, a softmax over regions gives weights alpha, and
the alpha-weighted mean of the region features (the context) is fed to the LSTM with the
word. The doubly stochastic regulariser pushes every region's attention summed over time
towards 1, so that the model looks at every part of the image.

Letters used in shapes: T time steps, N batch, D word size, H hidden size, L regions,
R region feature size, A attention size.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from capeval.reference_models.recurrent import _lstm_cell, _lstm_cell_backward, _shifted


def project_regions_forward(regions, Wr, br):
    """Project region features once per image: (N, L, R) -> (N, L, A), the MLP's region term."""
    N, L, R = regions.shape
    return (regions.reshape(N * L, R) @ Wr + br).reshape(N, L, -1), (regions, Wr)


def project_regions_backward(dprojected, cache):
    """Return ``(dregions, dWr, dbr)`` for the gradient of the projection, (N, L, A)."""
    regions, Wr = cache
    N, L, A = dprojected.shape
    d2 = dprojected.reshape(N * L, A)
    dregions = (d2 @ Wr.T).reshape(regions.shape)
    return dregions, regions.reshape(N * L, -1).T @ d2, d2.sum(axis=0)


class AttentionCache(NamedTuple):
    h_prev: np.ndarray
    regions: np.ndarray
    hidden: np.ndarray
    alpha: np.ndarray
    Wa: np.ndarray
    va: np.ndarray


def attention_step_forward(h_prev, regions, projected, Wa, va):
    """Attend over regions given the previous hidden state.

    ``e_l = va . tanh(projected_l + h_prev @ Wa)``, ``alpha = softmax(e)``,
    ``context = sum_l alpha_l regions_l``.

    Parameters
    ----------
    h_prev : ndarray of shape (N, H)
    regions : ndarray of shape (N, L, R)
    projected : ndarray of shape (N, L, A)
        ``regions @ Wr + br`` from `project_regions_forward`.
    Wa : ndarray of shape (H, A)
    va : ndarray of shape (A,)

    Returns
    -------
    context : ndarray of shape (N, R)
    alpha : ndarray of shape (N, L), rows sum to 1
    cache : AttentionCache
    """
    hidden = np.tanh(projected + (h_prev @ Wa)[:, np.newaxis, :])
    scores = hidden @ va
    scores -= scores.max(axis=1, keepdims=True)
    alpha = np.exp(scores)
    alpha /= alpha.sum(axis=1, keepdims=True)
    context = np.einsum("nl,nlr->nr", alpha, regions)
    return context, alpha, AttentionCache(h_prev, regions, hidden, alpha, Wa, va)


def attention_step_backward(dcontext, dalpha, cache: AttentionCache):
    """Backpropagate through `attention_step_forward`.

    Parameters
    ----------
    dcontext : ndarray of shape (N, R)
    dalpha : ndarray of shape (N, L) or None
        Gradient reaching the weights directly (e.g. from the doubly stochastic penalty).

    Returns
    -------
    dh_prev, dregions, dprojected, dWa, dva
    """
    h_prev, regions, hidden, alpha, Wa, va = cache
    dalpha_total = np.einsum("nr,nlr->nl", dcontext, regions)
    if dalpha is not None:
        dalpha_total += dalpha
    dscores = alpha * (dalpha_total - np.sum(alpha * dalpha_total, axis=1, keepdims=True))
    dva = np.einsum("nla,nl->a", hidden, dscores)
    dprojected = dscores[:, :, np.newaxis] * va * (1.0 - hidden * hidden)
    dquery = dprojected.sum(axis=1)
    dregions = alpha[:, :, np.newaxis] * dcontext[:, np.newaxis, :]
    return dquery @ Wa.T, dregions, dprojected, h_prev.T @ dquery, dva


class AttentionLstmWeights(NamedTuple):
    """Weights of the attention LSTM: gates from word (Wx), context (Wz) and state (Wh)."""

    Wx: np.ndarray  # (D, 4H)
    Wz: np.ndarray  # (R, 4H)
    Wh: np.ndarray  # (H, 4H)
    b: np.ndarray  # (4H,)
    Wr: np.ndarray  # (R, A)
    br: np.ndarray  # (A,)
    Wa: np.ndarray  # (H, A)
    va: np.ndarray  # (A,)


def attention_lstm_step_forward(x, h_prev, c_prev, regions, projected, w: AttentionLstmWeights):
    """One decoding step: attend, then update the LSTM with the word and the context.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    h_prev, c_prev : ndarray of shape (N, H)
    regions : ndarray of shape (N, L, R)
    projected : ndarray of shape (N, L, A)

    Returns
    -------
    h, c : ndarray of shape (N, H)
    alpha : ndarray of shape (N, L)
    """
    context, alpha, _ = attention_step_forward(h_prev, regions, projected, w.Wa, w.va)
    gates = x @ w.Wx + context @ w.Wz + h_prev @ w.Wh + w.b
    c = np.empty_like(c_prev)
    h = _lstm_cell(gates, c_prev, c, np.empty_like(c_prev))
    return h, c, alpha


class AttentionLstmCache(NamedTuple):
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    h: np.ndarray
    c: np.ndarray
    gates: np.ndarray
    tanh_c: np.ndarray
    context: np.ndarray
    steps: list
    projection: tuple
    w: AttentionLstmWeights


def attention_lstm_forward(x, h0, c0, regions, w: AttentionLstmWeights):
    """Run the attention LSTM over a sequence.

    Parameters
    ----------
    x : ndarray of shape (T, N, D)
    h0, c0 : ndarray of shape (N, H)
    regions : ndarray of shape (N, L, R)
    w : AttentionLstmWeights

    Returns
    -------
    h : ndarray of shape (T, N, H)
    alpha : ndarray of shape (T, N, L)
    cache : AttentionLstmCache
    """
    T, N, D = x.shape
    H = h0.shape[1]
    projected, projection = project_regions_forward(regions, w.Wr, w.br)
    gates = (x.reshape(T * N, D) @ w.Wx + w.b).reshape(T, N, 4 * H)
    h = np.empty((T, N, H), dtype=gates.dtype)
    c = np.empty_like(h)
    tanh_c = np.empty_like(h)
    context = np.empty((T, N, regions.shape[2]), dtype=gates.dtype)
    alpha = np.empty((T, N, regions.shape[1]), dtype=gates.dtype)
    steps = []
    h_prev, c_prev = h0, c0
    for t in range(T):
        context[t], alpha[t], step = attention_step_forward(h_prev, regions, projected, w.Wa, w.va)
        steps.append(step)
        gates[t] += context[t] @ w.Wz + h_prev @ w.Wh
        h[t] = _lstm_cell(gates[t], c_prev, c[t], tanh_c[t])
        h_prev, c_prev = h[t], c[t]
    cache = AttentionLstmCache(x, h0, c0, h, c, gates, tanh_c, context, steps, projection, w)
    return h, alpha, cache


def attention_lstm_backward(dh, dalpha, cache: AttentionLstmCache):
    """Backpropagate through `attention_lstm_forward`.

    Parameters
    ----------
    dh : ndarray of shape (T, N, H)
    dalpha : ndarray of shape (T, N, L) or None

    Returns
    -------
    dx : ndarray of shape (T, N, D)
    dh0, dc0 : ndarray of shape (N, H)
    dregions : ndarray of shape (N, L, R)
    dw : AttentionLstmWeights
        Gradients of every weight.
    """
    x, h0, c0, h, c, gates, tanh_c, context, steps, projection, w = cache
    T, N, D = x.shape
    da = np.empty_like(gates)
    dprojected = np.zeros_like(steps[0].hidden)
    dregions = np.zeros_like(projection[0])
    dWa = np.zeros_like(w.Wa)
    dva = np.zeros_like(w.va)
    dh_next = np.zeros_like(h0)
    dc_next = np.zeros_like(c0)
    for t in reversed(range(T)):
        c_prev = c0 if t == 0 else c[t - 1]
        dc_next = _lstm_cell_backward(dh[t] + dh_next, dc_next, gates[t], c_prev, tanh_c[t], da[t])
        dcontext = da[t] @ w.Wz.T
        dh_att, dreg, dproj, dWa_t, dva_t = attention_step_backward(
            dcontext, None if dalpha is None else dalpha[t], steps[t]
        )
        dh_next = da[t] @ w.Wh.T + dh_att
        dregions += dreg
        dprojected += dproj
        dWa += dWa_t
        dva += dva_t
    da2 = da.reshape(T * N, -1)
    h_in = _shifted(h, h0).reshape(T * N, -1)
    dreg_proj, dWr, dbr = project_regions_backward(dprojected, projection)
    dw = AttentionLstmWeights(
        Wx=x.reshape(T * N, D).T @ da2,
        Wz=context.reshape(T * N, -1).T @ da2,
        Wh=h_in.T @ da2,
        b=da2.sum(axis=0),
        Wr=dWr,
        br=dbr,
        Wa=dWa,
        va=dva,
    )
    dx = (da2 @ w.Wx.T).reshape(T, N, D)
    return dx, dh_next, dc_next, dregions + dreg_proj, dw


def doubly_stochastic_penalty(alpha, mask, weight: float):
    """Penalty ``weight / N * sum_n sum_l (1 - sum_t alpha_tnl)^2`` over the unmasked steps.

    Parameters
    ----------
    alpha : ndarray of shape (T, N, L)
    mask : ndarray of bool, shape (T, N)
    weight : float
        The regularisation strength (lambda in the paper).

    Returns
    -------
    loss : float
    dalpha : ndarray of shape (T, N, L)
    """
    N = alpha.shape[1]
    m = mask.astype(alpha.dtype)[:, :, np.newaxis]
    gap = (alpha * m).sum(axis=0) - 1.0  # (N, L)
    loss = weight / N * float(np.sum(gap * gap))
    dalpha = (2.0 * weight / N) * gap[np.newaxis] * m
    return loss, dalpha
