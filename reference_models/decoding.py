"""Caption decoding: greedy, temperature sampling and batched beam search.

All three drive a model through ``model.start(features, regions) -> state`` and
``model.step(state, words) -> (log_probs, state, alpha)`` (see `Captioner`), so they work for
every cell and for attention. Results are word ids of shape (N, T) ending at ``<END>`` or at
`max_length` words; `Vocabulary.decode` turns them into words.

Letters used in shapes: N images, T steps, V vocabulary size, L regions, B beam size.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from capeval.reference_models.captioner import reorder_state
from capeval.reference_models.data import CaptionData
from capeval.reference_models.vocab import END_ID, NULL_ID, START_ID, Vocabulary


class Decoded(NamedTuple):
    """Decoded captions: word ids and, for attention models, the weights at every step."""

    ids: np.ndarray  # (N, T) int, NULL after END
    alpha: np.ndarray | None  # (N, T, L) or None


def _decode(model, features, regions, max_length: int, choose) -> Decoded:
    """Run the model one word at a time; `choose(log_probs)` picks the next word ids (N,)."""
    N = features.shape[0]
    state = model.start(features, regions)
    words = np.full(N, START_ID)
    done = np.zeros(N, dtype=bool)
    ids = np.full((N, max_length + 1), NULL_ID, dtype=np.int64)
    alphas = []
    for t in range(max_length + 1):
        log_probs, state, alpha = model.step(state, words)
        if alpha is not None:
            alphas.append(alpha)
        if t == max_length:  # out of room: force the end
            words = np.full(N, END_ID)
        else:
            words = choose(log_probs)
        ids[:, t] = np.where(done, NULL_ID, words)
        done |= words == END_ID
        if done.all():
            break
    alpha = np.stack(alphas, axis=1) if alphas else None
    return Decoded(ids, alpha)


def greedy_decode(model, features, regions=None, max_length: int = 20) -> Decoded:
    """Pick the most probable word at every step (the first one on ties).

    Parameters
    ----------
    model : Captioner
    features : ndarray of shape (N, F)
    regions : ndarray of shape (N, L, R), optional
    max_length : int, default=20
        Most words per caption, not counting ``<END>``.
    """
    return _decode(model, features, regions, max_length, lambda lp: lp.argmax(axis=1))


def sample_decode(
    model, features, regions=None, *, rng: np.random.Generator, temperature: float = 1.0,
    max_length: int = 20,
) -> Decoded:
    """Sample every word from the model's distribution sharpened by ``1 / temperature``.

    Temperature 1 samples the model's own distribution; towards 0 it approaches greedy.
    """
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")

    def choose(log_probs: np.ndarray) -> np.ndarray:
        scaled = log_probs / temperature
        scaled -= scaled.max(axis=1, keepdims=True)
        probs = np.exp(scaled)
        cumulative = np.cumsum(probs, axis=1)
        draws = rng.random(len(probs)) * cumulative[:, -1]
        return (cumulative < draws[:, np.newaxis]).sum(axis=1)

    return _decode(model, features, regions, max_length, choose)


def beam_search(
    model, features, regions=None, beam_size: int = 3, max_length: int = 20,
    length_penalty: float = 0.0,
) -> Decoded:
    """Keep the `beam_size` most probable partial captions of every image, all images at once.

    A caption's score is its summed log-probability divided by ``length ** length_penalty``
    (0 = no normalisation), length counting ``<END>``. Beam size 1 is greedy decoding.

    Returns
    -------
    Decoded
        Best caption per image; `alpha` is None.
    """
    if beam_size < 1:
        raise ValueError(f"beam_size must be at least 1, got {beam_size}")
    N, B = features.shape[0], beam_size
    state = reorder_state(model.start(features, regions), np.repeat(np.arange(N), B))
    scores = np.full((N, B), -np.inf)
    scores[:, 0] = 0.0  # all beams start equal: expand only the first
    ids = np.full((N, B, max_length + 1), NULL_ID, dtype=np.int64)
    lengths = np.zeros((N, B), dtype=np.int64)
    done = np.zeros((N, B), dtype=bool)
    words = np.full(N * B, START_ID)
    for t in range(max_length + 1):
        log_probs, state, _ = model.step(state, words)
        log_probs = log_probs.reshape(N, B, -1).astype(np.float64)
        if t == max_length:  # out of room: only <END> may follow
            forced = np.full_like(log_probs, -np.inf)
            forced[:, :, END_ID] = log_probs[:, :, END_ID]
            log_probs = forced
        # A finished caption continues with <NULL> at no cost and nothing else.
        log_probs[done] = -np.inf
        log_probs[done, NULL_ID] = 0.0
        V = log_probs.shape[2]
        candidates = (scores[:, :, np.newaxis] + log_probs).reshape(N, B * V)
        best = np.argsort(-candidates, axis=1, kind="stable")[:, :B]
        beam, words2 = np.divmod(best, V)
        rows = np.arange(N)[:, np.newaxis]
        scores = candidates[rows, best]
        ids = ids[rows, beam]
        ids[:, :, t] = words2
        lengths = lengths[rows, beam] + ~done[rows, beam]
        done = done[rows, beam] | (words2 == END_ID)
        state = reorder_state(state, (rows * B + beam).reshape(-1))
        words = words2.reshape(-1)
        if done.all():
            break
    final = scores / np.maximum(lengths, 1) ** length_penalty
    best_beam = np.argmax(final, axis=1)
    return Decoded(ids[np.arange(N), best_beam], None)


def generate_captions(
    model,
    vocab: Vocabulary,
    data: CaptionData,
    *,
    beam_size: int = 1,
    temperature: float | None = None,
    rng: np.random.Generator | None = None,
    zero_features: bool = False,
    max_length: int = 20,
    batch_size: int = 250,
) -> list[list[str]]:
    """Caption every image of `data`; returns one token list per image, in order.

    Greedy by default; `beam_size` > 1 runs beam search; `temperature` samples (needs `rng`).
    """
    if temperature is not None and rng is None:
        raise ValueError("sampling with a temperature needs an rng")
    captions: list[list[str]] = []
    for start in range(0, len(data), batch_size):
        features, regions = data.model_inputs(slice(start, start + batch_size), zero_features)
        if temperature is not None and rng is not None:
            decoded = sample_decode(model, features, regions, rng=rng, temperature=temperature,
                                    max_length=max_length)
        elif beam_size > 1:
            decoded = beam_search(model, features, regions, beam_size, max_length)
        else:
            decoded = greedy_decode(model, features, regions, max_length)
        captions += vocab.decode(decoded.ids)
    return captions
