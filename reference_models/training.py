"""Teacher-forced training of a `Captioner` with validation and early stopping on CIDEr-D.

Every (image, reference) pair is one training example; an epoch visits each once in an order
drawn from the generator passed in, so a seed fixes the whole run. After every epoch the model
captions the validation images greedily and is scored with capeval's own CIDEr-D and BLEU-4;
the parameters of the best epoch are kept, and training stops after `patience` epochs
without improvement. Progress is reported through a callback, never printed.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from capeval.reference_models.captioner import Captioner
from capeval.reference_models.data import CaptionData
from capeval.reference_models.decoding import generate_captions
from capeval.reference_models.optim import clip_by_norm, clip_elementwise, make_optimizer
from capeval.reference_models.scoring import corpus_scores
from capeval.reference_models.vocab import NULL_ID, Vocabulary

logger = logging.getLogger("capeval")


@dataclass(frozen=True)
class TrainConfig:
    """How to train; stored in checkpoints next to the model configuration."""

    epochs: int = 10  # passes over all (image, reference) pairs
    batch_size: int = 128  # pairs per update
    optimizer: str = "adam"  # "sgd" (with momentum), "adam", "rmsprop" or "adagrad"
    learning_rate: float = 4e-3
    lr_decay: float = 0.9  # learning rate is multiplied by this after every epoch
    clip_norm: float | None = 5.0  # rescale gradients whose joint L2 norm exceeds this
    clip_value: float | None = None  # clip each gradient entry to [-clip_value, clip_value]
    max_length: int = 16  # words per training caption (longer ones are cut)
    patience: int = 2  # epochs without a better validation CIDEr-D before stopping
    max_seconds: float | None = None  # stop after this much training time (not deterministic)
    zero_features: bool = False  # train a blind language model: all image features are 0

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "max_length", "patience"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"lr_decay must be in (0, 1], got {self.lr_decay}")


@dataclass
class Progress:
    """What the callback receives after every batch (`epoch_scores` is set after validation)."""

    epoch: int
    batch: int
    batches: int
    loss: float
    elapsed: float
    epoch_scores: dict[str, float] | None = None


@dataclass
class TrainResult:
    """Per-epoch history and the epoch whose parameters the model keeps."""

    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_cider: float = float("-inf")
    stopped: str = "completed all epochs"
    seconds: float = 0.0


def validation_scores(
    model: Captioner, vocab: Vocabulary, data: CaptionData, zero_features: bool = False
) -> dict[str, float]:
    """Return corpus CIDEr-D and BLEU-4 of greedy captions of `data` against its references."""
    hypotheses = generate_captions(model, vocab, data, zero_features=zero_features)
    scores = corpus_scores(hypotheses, data.captions, ("bleu", "cider-d"))
    return {"CIDEr-D": scores["CIDEr-D"], "BLEU-4": scores["BLEU-4"]}


def train(
    model: Captioner,
    vocab: Vocabulary,
    train_data: CaptionData,
    val_data: CaptionData | None,
    config: TrainConfig,
    rng: np.random.Generator,
    callback: Callable[[Progress], None] | None = None,
) -> TrainResult:
    """Fit `model` in place on `train_data`; return the history.

    Parameters
    ----------
    model : Captioner
        Trained in its own dtype (float32 for speed).
    vocab : Vocabulary
    train_data : CaptionData
    val_data : CaptionData, optional
        Scored after every epoch; without it the last epoch's parameters are kept.
    config : TrainConfig
    rng : numpy.random.Generator
        Draws the order of the examples.
    callback : callable, optional
        Called with a `Progress` after every batch and after every validation.
    """
    notify = callback or (lambda progress: None)
    image_of_pair = np.repeat(np.arange(len(train_data)), [len(c) for c in train_data.captions])
    captions = vocab.encode([c for caps in train_data.captions for c in caps], config.max_length)
    lengths = (captions != NULL_ID).sum(axis=0)
    optimizer = make_optimizer(config.optimizer, config.learning_rate)
    batches = -(-len(image_of_pair) // config.batch_size)
    result = TrainResult()
    best_params = None
    start = time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        order = rng.permutation(len(image_of_pair))
        total_loss = 0.0
        for batch in range(batches):
            pairs = order[batch * config.batch_size : (batch + 1) * config.batch_size]
            features, regions = train_data.model_inputs(image_of_pair[pairs],
                                                        config.zero_features)
            ids = captions[: lengths[pairs].max(), pairs]  # drop all-padding steps
            loss, grads = model.loss(features, ids, regions)
            if config.clip_value is not None:
                clip_elementwise(grads, config.clip_value)
            if config.clip_norm is not None:
                clip_by_norm(grads, config.clip_norm)
            optimizer.step(model.params, grads)
            total_loss += loss
            elapsed = time.perf_counter() - start
            notify(Progress(epoch, batch + 1, batches, loss, elapsed))
            if config.max_seconds is not None and elapsed > config.max_seconds:
                break
        optimizer.learning_rate *= config.lr_decay
        record = {"epoch": epoch, "loss": total_loss / (batch + 1)}
        if val_data is not None:
            record.update(validation_scores(model, vocab, val_data, config.zero_features))
            if record["CIDEr-D"] > result.best_cider:
                result.best_epoch, result.best_cider = epoch, record["CIDEr-D"]
                best_params = {name: p.copy() for name, p in model.params.items()}
        result.history.append(record)
        notify(Progress(epoch, batches, batches, record["loss"], time.perf_counter() - start,
                        {k: v for k, v in record.items() if k != "epoch"}))
        if config.max_seconds is not None and time.perf_counter() - start > config.max_seconds:
            result.stopped = f"time limit of {config.max_seconds:g} s reached in epoch {epoch}"
            logger.info("training stopped: %s", result.stopped)
            break
        if val_data is not None and epoch - result.best_epoch >= config.patience:
            result.stopped = f"no better validation CIDEr-D for {config.patience} epochs"
            break
    if best_params is not None:
        model.params.update(best_params)
    else:
        result.best_epoch = len(result.history)
    result.seconds = time.perf_counter() - start
    return result

