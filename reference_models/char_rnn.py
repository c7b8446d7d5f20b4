"""A character-level RNN language model in the manner of Karpathy's min-char-rnn.

A vanilla tanh RNN reads characters and predicts the next one. Training walks through the
text in windows of `seq_length` characters (truncated backpropagation through time: the
hidden state is carried from one window to the next, gradients are not), updates with
Adagrad and clips every gradient entry to [-5, 5]. Several streams read different parts of
the text at once (a batch). Sampling draws one character at a time at a given temperature.
Built on the captioner's layers: embedding, `rnn_forward`, temporal affine, softmax loss.

Run ``python -m capeval.reference_models.char_rnn`` to train on the bundled Gettysburg Address and
print samples as it learns.

Letters used in shapes: T window length, N streams, D character vector size, H hidden size,
V distinct characters.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from capeval.reference_models import layers, recurrent
from capeval.reference_models.optim import Adagrad, clip_elementwise

BUNDLED_TEXT = Path(__file__).parent / "data" / "gettysburg.txt"
"""The Gettysburg Address (1863), public domain; see ``data/README.md``."""


@dataclass(frozen=True)
class CharRnnConfig:
    """Model and training settings."""

    hidden_dim: int = 100  # H, as in min-char-rnn
    char_dim: int = 32  # D
    seq_length: int = 25  # T: characters per truncated-BPTT window
    streams: int = 8  # N: parts of the text read in parallel
    learning_rate: float = 0.1  # Adagrad
    clip_value: float = 5.0  # gradient entries are clipped to [-clip_value, clip_value]


class CharRnn:
    """Parameters and the loss of the character model (float64, it is small)."""

    def __init__(self, alphabet: str, config: CharRnnConfig, rng: np.random.Generator) -> None:
        V, D, H = len(alphabet), config.char_dim, config.hidden_dim
        self.alphabet = alphabet
        self.config = config
        self.params = {
            "W_embed": rng.standard_normal((V, D)) * 0.1,
            "Wx": rng.standard_normal((D, H)) / np.sqrt(D),
            "Wh": rng.standard_normal((H, H)) / np.sqrt(H),
            "b": np.zeros(H),
            "W_out": rng.standard_normal((H, V)) / np.sqrt(H),
            "b_out": np.zeros(V),
        }

    def loss(self, inputs: np.ndarray, targets: np.ndarray, h0: np.ndarray):
        """Return (loss, grads, last hidden state) for one window.

        Parameters
        ----------
        inputs, targets : ndarray of int, shape (T, N)
            Character ids; targets are the inputs shifted by one character.
        h0 : ndarray of shape (N, H)
            State carried over from the previous window.

        Returns
        -------
        loss : float
            Nats summed over the window, averaged over streams.
        grads : dict of str to ndarray
        h_last : ndarray of shape (N, H)
        """
        p = self.params
        x, embed_cache = layers.word_embedding_forward(inputs, p["W_embed"])
        h, rnn_cache = recurrent.rnn_forward(x, h0, p["Wx"], p["Wh"], p["b"])
        scores, out_cache = layers.temporal_affine_forward(h, p["W_out"], p["b_out"])
        loss, dscores = layers.temporal_softmax_loss(scores, targets, np.ones(targets.shape, bool))
        grads = {}
        dh, grads["W_out"], grads["b_out"] = layers.temporal_affine_backward(dscores, out_cache)
        dx, _, grads["Wx"], grads["Wh"], grads["b"] = recurrent.rnn_backward(dh, rnn_cache)
        grads["W_embed"] = layers.word_embedding_backward(dx, embed_cache)
        return loss, grads, h[-1].copy()

    def sample(self, first: str, length: int, rng: np.random.Generator,
               temperature: float = 1.0, h: np.ndarray | None = None) -> str:
        """Return `length` characters drawn one at a time after the character `first`."""
        p = self.params
        h = np.zeros((1, self.config.hidden_dim)) if h is None else h
        index = self.alphabet.index(first)
        out = []
        for _ in range(length):
            h, _ = recurrent.rnn_step_forward(p["W_embed"][[index]], h, p["Wx"], p["Wh"], p["b"])
            scores = (h @ p["W_out"] + p["b_out"])[0] / temperature
            probs = np.exp(scores - scores.max())
            index = int(rng.choice(len(probs), p=probs / probs.sum()))
            out.append(self.alphabet[index])
        return "".join(out)


def train_char_rnn(
    text: str, config: CharRnnConfig, steps: int, rng: np.random.Generator,
    callback: Callable[[int, float, CharRnn], None] | None = None,
) -> tuple[CharRnn, list[float]]:
    """Train on `text` for `steps` windows; return the model and the smoothed loss per step.

    The smoothed loss starts at ``log(V) * seq_length`` (uniform guessing) and follows
    ``0.999 * smooth + 0.001 * loss``, as in min-char-rnn.
    """
    alphabet = "".join(sorted(set(text)))
    T, N = config.seq_length, config.streams
    span = (len(text) - 1) // N
    if span < T + 1:
        raise ValueError(f"text of {len(text)} characters is too short for {N} streams of "
                         f"windows of {T}")
    ids = np.array([alphabet.index(c) for c in text])
    model = CharRnn(alphabet, config, rng)
    optimizer = Adagrad(learning_rate=config.learning_rate)
    starts = np.arange(N) * span  # each stream reads its own part of the text
    h = np.zeros((N, config.hidden_dim))
    offset = 0
    smooth = np.log(len(alphabet)) * T
    history = []
    for step in range(steps):
        if offset + T + 1 > span:  # end of each part: start over with a fresh state
            offset, h = 0, np.zeros_like(h)
        positions = starts[np.newaxis] + offset + np.arange(T)[:, np.newaxis]  # (T, N)
        loss, grads, h = model.loss(ids[positions], ids[positions + 1], h)
        clip_elementwise(grads, config.clip_value)
        optimizer.step(model.params, grads)
        offset += T
        smooth = 0.999 * smooth + 0.001 * loss
        history.append(smooth)
        if callback is not None:
            callback(step, smooth, model)
    return model, history


def main(argv: list[str] | None = None) -> None:
    """Train on a text file (default: the bundled one) and print samples as training goes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("text", nargs="?", type=Path, default=BUNDLED_TEXT)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--every", type=int, default=500, help="print a sample this often")
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    text = args.text.read_text(encoding="utf-8")
    rng = np.random.default_rng(args.seed)

    def report(step: int, smooth: float, model: CharRnn) -> None:
        if (step + 1) % args.every == 0:
            sample = model.sample(text[0], 200, rng, args.temperature)
            print(f"--- step {step + 1}, smoothed loss {smooth:.1f}\n{text[0]}{sample}\n")

    train_char_rnn(text, CharRnnConfig(), args.steps, rng, report)


if __name__ == "__main__":
    main()
