"""The image captioner: image features set the initial state of a recurrent language model.

Show and Tell (Vinyals et al., CVPR 2015) with the CS231n layout: an affine map of the image
features initialises the hidden state of each layer, words are embedded, a vanilla RNN, LSTM
or GRU stack reads them, and an affine map gives word scores at every step. Optionally the
image features are also added to the first input, and the first layer attends over region
features (Show, Attend and Tell, `reference_models.attention`), whose mean can take the
place of the global features as the image vector (as in that paper). Training is
teacher-forced with the masked softmax loss.

Letters used in shapes: N images, T steps, F global feature size, L regions, R region
feature size, W word vector size, H hidden size, V vocabulary size.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from capeval.reference_models import layers, recurrent
from capeval.reference_models.attention import (
    AttentionLstmWeights,
    attention_lstm_backward,
    attention_lstm_forward,
    attention_lstm_step_forward,
    doubly_stochastic_penalty,
    project_regions_forward,
)
from capeval.reference_models.vocab import NULL_ID

CELLS = ("rnn", "lstm", "gru")
STATE_SOURCES = ("features", "regions")
"""What the image vector (initial state, fed features) is made from."""
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
"""Number of stacked gate blocks in each cell's weights."""


@dataclass(frozen=True)
class CaptionerConfig:
    """Architecture of a `Captioner`; stored in checkpoints."""

    vocab_size: int  # V, including the four special tokens
    feature_dim: int  # F, size of the global image feature vector
    cell: str = "lstm"  # "rnn" (tanh), "lstm" or "gru"
    word_dim: int = 128  # W
    hidden_dim: int = 256  # H, for every layer
    num_layers: int = 1  # stacked recurrent layers
    feed_features: bool = False  # also add projected image features to the first input
    attention: bool = False  # soft attention over regions in the first layer (LSTM only)
    region_dim: int = 0  # R, size of a region feature (needed with attention)
    attention_dim: int = 64  # A, hidden size of the attention MLP
    attention_penalty: float = 1.0  # weight of the doubly stochastic regulariser
    state_from: str = "features"  # image vector: global "features" or mean of the "regions"

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(f"unknown cell {self.cell!r}; choose from {', '.join(CELLS)}")
        for name in ("vocab_size", "feature_dim", "word_dim", "hidden_dim", "num_layers"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.attention and self.cell != "lstm":
            raise ValueError("attention is implemented for the LSTM cell only")
        if self.attention and (self.region_dim < 1 or self.attention_dim < 1):
            raise ValueError("attention needs region_dim and attention_dim >= 1")
        if self.state_from not in STATE_SOURCES:
            raise ValueError(f"unknown state_from {self.state_from!r}; choose from "
                             f"{', '.join(STATE_SOURCES)}")
        if self.state_from == "regions" and self.region_dim < 1:
            raise ValueError("state_from='regions' needs region_dim >= 1")

    @property
    def uses_regions(self) -> bool:
        """Whether the model reads region features (attention, or its image vector)."""
        return self.attention or self.state_from == "regions"

    @property
    def image_dim(self) -> int:
        """Size of the image vector: F, or R when it is the mean of the regions."""
        return self.region_dim if self.state_from == "regions" else self.feature_dim

    def to_dict(self) -> dict:
        return asdict(self)


def parameter_shapes(config: CaptionerConfig) -> dict[str, tuple[int, ...]]:
    """Return the name and shape of every parameter the configuration needs."""
    F, W, H, V = config.image_dim, config.word_dim, config.hidden_dim, config.vocab_size
    G = GATES[config.cell] * H
    shapes: dict[str, tuple[int, ...]] = {"W_embed": (V, W)}
    if config.feed_features:
        shapes["W_feed"] = (F, W)
    for layer in range(config.num_layers):
        shapes[f"W_init{layer}"] = (F, H)
        shapes[f"b_init{layer}"] = (H,)
        shapes[f"Wx{layer}"] = (W if layer == 0 else H, G)
        shapes[f"Wh{layer}"] = (H, G)
        shapes[f"b{layer}"] = (G,)
    if config.attention:
        R, A = config.region_dim, config.attention_dim
        shapes.update(Wz0=(R, G), Wr=(R, A), br=(A,), Wa=(H, A), va=(A,))
    shapes.update(W_vocab=(H, V), b_vocab=(V,))
    return shapes


def init_params(
    config: CaptionerConfig, rng: np.random.Generator, dtype=np.float32
) -> dict[str, np.ndarray]:
    """Return freshly initialised parameters.

    Matrices are normal with standard deviation 1/sqrt(fan-in), biases zero except the LSTM
    forget gates, which start at 1 so that early training remembers.
    """
    params = {}
    for name, shape in parameter_shapes(config).items():
        if name == "va":  # the attention MLP's output weights: zeros would freeze Wa and Wr
            params[name] = (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(dtype)
        elif len(shape) == 1:
            params[name] = np.zeros(shape, dtype=dtype)
        else:
            fan_in = shape[0] if name != "W_embed" else 1
            params[name] = (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(dtype)
    if config.cell == "lstm":
        H = config.hidden_dim
        for layer in range(config.num_layers):
            params[f"b{layer}"][H : 2 * H] = 1.0
    return params


class Captioner:
    """A captioning model: `config` plus a dict of parameter arrays (all of one dtype).

    Parameters
    ----------
    config : CaptionerConfig
    params : dict of str to ndarray
        Shapes as given by `parameter_shapes`; float32 for training, float64 for checks.
    """

    def __init__(self, config: CaptionerConfig, params: dict[str, np.ndarray]) -> None:
        expected = parameter_shapes(config)
        if set(params) != set(expected):
            raise ValueError(f"parameters {sorted(params)} do not match {sorted(expected)}")
        for name, shape in expected.items():
            if params[name].shape != shape:
                raise ValueError(
                    f"parameter {name} has shape {params[name].shape}, expected {shape}"
                )
        self.config = config
        self.params = params

    @classmethod
    def initialise(cls, config: CaptionerConfig, rng: np.random.Generator, dtype=np.float32):
        """Return a new model with random parameters (`init_params`)."""
        return cls(config, init_params(config, rng, dtype))

    @property
    def dtype(self) -> np.dtype:
        return self.params["W_vocab"].dtype

    def _attention_weights(self) -> AttentionLstmWeights:
        p = self.params
        return AttentionLstmWeights(p["Wx0"], p["Wz0"], p["Wh0"], p["b0"], p["Wr"], p["br"],
                                    p["Wa"], p["va"])

    def _check_inputs(self, features: np.ndarray, regions: np.ndarray | None):
        """Return (image vector (N, image_dim), regions or None) in the model's dtype."""
        if features.ndim != 2 or features.shape[1] != self.config.feature_dim:
            raise ValueError(f"features must have shape (N, {self.config.feature_dim}), "
                             f"got {features.shape}")
        if self.config.uses_regions and (regions is None or regions.ndim != 3
                              or regions.shape[2] != self.config.region_dim):
            raise ValueError(f"this model needs regions of shape (N, L, "
                             f"{self.config.region_dim})")
        if regions is None:
            return features.astype(self.dtype, copy=False), None
        regions = regions.astype(self.dtype, copy=False)
        if self.config.state_from == "regions":
            return regions.mean(axis=1), regions
        return features.astype(self.dtype, copy=False), regions

    # -- training --------------------------------------------------------------------------------
    def loss(
        self, features: np.ndarray, captions: np.ndarray, regions: np.ndarray | None = None
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Return the teacher-forced loss and the gradient of every parameter.

        Parameters
        ----------
        features : ndarray of shape (N, F)
        captions : ndarray of int, shape (T + 1, N)
            As made by `Vocabulary.encode`: row t is the input of step t, row t + 1 its target.
        regions : ndarray of shape (N, L, R), optional
            Needed by attention models and by models with ``state_from="regions"``.

        Returns
        -------
        loss : float
            Nats summed over time, averaged over images, plus the attention penalty.
        grads : dict of str to ndarray
            Same keys and shapes as `params`.
        """
        cfg, p = self.config, self.params
        image, regions = self._check_inputs(features, regions)
        inputs, targets = captions[:-1], captions[1:]
        mask = targets != NULL_ID
        grads: dict[str, np.ndarray] = {}

        x, embed_cache = layers.word_embedding_forward(inputs, p["W_embed"])
        if cfg.feed_features:
            x[0] += image @ p["W_feed"]
        caches = []
        alpha = None
        for layer in range(cfg.num_layers):
            h0 = image @ p[f"W_init{layer}"] + p[f"b_init{layer}"]
            if layer == 0 and cfg.attention:
                x, alpha, cache = attention_lstm_forward(
                    x, h0, np.zeros_like(h0), regions, self._attention_weights()
                )
            else:
                x, cache = _SEQUENCE_FORWARD[cfg.cell](
                    x, h0, p[f"Wx{layer}"], p[f"Wh{layer}"], p[f"b{layer}"]
                )
            caches.append(cache)
        scores, vocab_cache = layers.temporal_affine_forward(x, p["W_vocab"], p["b_vocab"])
        loss, dscores = layers.temporal_softmax_loss(scores, targets, mask)
        dalpha = None
        if alpha is not None and cfg.attention_penalty > 0:
            penalty, dalpha = doubly_stochastic_penalty(alpha, mask, cfg.attention_penalty)
            loss += penalty

        dx, grads["W_vocab"], grads["b_vocab"] = layers.temporal_affine_backward(
            dscores, vocab_cache
        )
        for layer in reversed(range(cfg.num_layers)):
            if layer == 0 and cfg.attention:
                dx, dh0, _, _, dw = attention_lstm_backward(dx, dalpha, caches[0])
                grads.update(Wx0=dw.Wx, Wz0=dw.Wz, Wh0=dw.Wh, b0=dw.b, Wr=dw.Wr, br=dw.br,
                             Wa=dw.Wa, va=dw.va)
            else:
                dx, dh0, dWx, dWh, db = _SEQUENCE_BACKWARD[cfg.cell](dx, caches[layer])[:5]
                grads[f"Wx{layer}"], grads[f"Wh{layer}"], grads[f"b{layer}"] = dWx, dWh, db
            grads[f"W_init{layer}"] = image.T @ dh0
            grads[f"b_init{layer}"] = dh0.sum(axis=0)
        if cfg.feed_features:
            grads["W_feed"] = image.T @ dx[0]
        grads["W_embed"] = layers.word_embedding_backward(dx, embed_cache)
        return loss, grads

    # -- decoding --------------------------------------------------------------------------------
    def start(self, features: np.ndarray, regions: np.ndarray | None = None) -> dict:
        """Return the decoder state before the ``<START>`` step.

        The state is a dict of arrays whose first axis is the image (N); beam search reorders
        it with `reorder_state`.
        """
        cfg, p = self.config, self.params
        image, regions = self._check_inputs(features, regions)
        state = {}
        for layer in range(cfg.num_layers):
            state[f"h{layer}"] = image @ p[f"W_init{layer}"] + p[f"b_init{layer}"]
            if cfg.cell == "lstm":
                state[f"c{layer}"] = np.zeros_like(state[f"h{layer}"])
        if cfg.feed_features:
            state["feed"] = image @ p["W_feed"]
        if cfg.attention:
            state["regions"] = regions
            state["projected"] = project_regions_forward(regions, p["Wr"], p["br"])[0]
        return state

    def step(self, state: dict, words: np.ndarray) -> tuple[np.ndarray, dict, np.ndarray | None]:
        """Feed one word per image and return log-probabilities of the next word.

        Parameters
        ----------
        state : dict
            From `start` or a previous `step`.
        words : ndarray of int, shape (N,)

        Returns
        -------
        log_probs : ndarray of shape (N, V)
        state : dict
            The next state (the input state is not modified).
        alpha : ndarray of shape (N, L) or None
            Attention weights used at this step, for attention models.
        """
        cfg, p = self.config, self.params
        x = p["W_embed"][words]
        new_state = {k: v for k, v in state.items() if k != "feed"}
        if "feed" in state:
            x = x + state["feed"]
        alpha = None
        for layer in range(cfg.num_layers):
            h, c = state[f"h{layer}"], state.get(f"c{layer}")
            if layer == 0 and cfg.attention:
                h, c, alpha = attention_lstm_step_forward(
                    x, h, c, state["regions"], state["projected"], self._attention_weights()
                )
            elif cfg.cell == "lstm":
                h, c, _ = recurrent.lstm_step_forward(
                    x, h, c, p[f"Wx{layer}"], p[f"Wh{layer}"], p[f"b{layer}"]
                )
            else:
                h, _ = _STEP_FORWARD[cfg.cell](
                    x, h, p[f"Wx{layer}"], p[f"Wh{layer}"], p[f"b{layer}"]
                )
            new_state[f"h{layer}"] = h
            if c is not None:
                new_state[f"c{layer}"] = c
            x = h
        scores = x @ p["W_vocab"] + p["b_vocab"]
        scores -= scores.max(axis=1, keepdims=True)
        log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        return log_probs, new_state, alpha


def reorder_state(state: dict, rows: np.ndarray) -> dict:
    """Return the decoder state of the images (or beams) `rows`, in that order."""
    return {name: value[rows] for name, value in state.items()}


_SEQUENCE_FORWARD = {
    "rnn": recurrent.rnn_forward,
    "lstm": recurrent.lstm_forward,
    "gru": recurrent.gru_forward,
}
_SEQUENCE_BACKWARD: dict[str, Callable[..., tuple]] = {
    "rnn": recurrent.rnn_backward,
    "lstm": recurrent.lstm_backward,
    "gru": recurrent.gru_backward,
}
_STEP_FORWARD = {"rnn": recurrent.rnn_step_forward, "gru": recurrent.gru_step_forward}
