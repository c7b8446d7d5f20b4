"""Feed-forward layers and the captioning loss, each a forward/backward pair (CS231n style).

``*_forward(...)`` returns ``(out, cache)``; ``*_backward(dout, cache)`` returns the gradients
of its inputs, in input order. Sequences are time-major.

Letters used in shapes: T time steps, N batch, D input size, M output size, V vocabulary size.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Return the logistic sigmoid of `x`; never overflows, absolute error ~1e-16 in float64.

    Uses ``sigmoid(x) = (1 + tanh(x / 2)) / 2``, which never overflows; `out` may be `x`.
    """
    out = np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


class AffineCache(NamedTuple):
    x: np.ndarray
    W: np.ndarray


def affine_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, AffineCache]:
    """Compute ``x @ W + b``.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    W : ndarray of shape (D, M)
    b : ndarray of shape (M,)

    Returns
    -------
    out : ndarray of shape (N, M)
    cache : AffineCache
    """
    return x @ W + b, AffineCache(x, W)


def affine_backward(
    dout: np.ndarray, cache: AffineCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(dx, dW, db)`` for the upstream gradient `dout` of shape (N, M)."""
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def temporal_affine_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, AffineCache]:
    """Apply one affine map at every time step: (T, N, D) -> (T, N, M), as a single matmul."""
    T, N, D = x.shape
    out, cache = affine_forward(x.reshape(T * N, D), W, b)
    return out.reshape(T, N, -1), cache


def temporal_affine_backward(
    dout: np.ndarray, cache: AffineCache
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(dx, dW, db)``; `dout` has shape (T, N, M), dx has shape (T, N, D)."""
    T, N, M = dout.shape
    dx, dW, db = affine_backward(dout.reshape(T * N, M), cache)
    return dx.reshape(T, N, -1), dW, db


class EmbeddingCache(NamedTuple):
    words: np.ndarray
    vocab_size: int


def word_embedding_forward(
    words: np.ndarray, W: np.ndarray
) -> tuple[np.ndarray, EmbeddingCache]:
    """Look up word vectors.

    Parameters
    ----------
    words : ndarray of int, any shape S, values in [0, V)
    W : ndarray of shape (V, D)

    Returns
    -------
    out : ndarray of shape S + (D,)
    """
    return W[words], EmbeddingCache(words, W.shape[0])


def word_embedding_backward(dout: np.ndarray, cache: EmbeddingCache) -> np.ndarray:
    """Return dW of shape (V, D): rows of `dout` summed per word (``np.add.at``)."""
    words, vocab_size = cache
    dW = np.zeros((vocab_size, dout.shape[-1]), dtype=dout.dtype)
    np.add.at(dW, words.reshape(-1), dout.reshape(-1, dout.shape[-1]))
    return dW


def temporal_softmax_loss(
    scores: np.ndarray, targets: np.ndarray, mask: np.ndarray
) -> tuple[float, np.ndarray]:
    """Masked softmax cross-entropy over a sequence of word scores.

    Parameters
    ----------
    scores : ndarray of shape (T, N, V)
        Unnormalised log-probabilities.
    targets : ndarray of int, shape (T, N)
    mask : ndarray of bool, shape (T, N)
        False where the target is padding; those steps add nothing.

    Returns
    -------
    loss : float
        In nats, summed over time and averaged over the batch.
    dscores : ndarray of shape (T, N, V)
    """
    T, N, V = scores.shape
    flat = scores.reshape(T * N, V)
    shifted = flat - flat.max(axis=1, keepdims=True)
    np.exp(shifted, out=shifted)
    probs = shifted
    probs /= probs.sum(axis=1, keepdims=True)
    rows = np.arange(T * N)
    flat_targets = targets.reshape(-1)
    weights = mask.reshape(-1).astype(scores.dtype) / N
    picked = probs[rows, flat_targets]
    loss = -float(np.sum(weights * np.log(np.maximum(picked, np.finfo(scores.dtype).tiny))))
    probs[rows, flat_targets] -= 1.0
    probs *= weights[:, np.newaxis]
    return loss, probs.reshape(T, N, V)
