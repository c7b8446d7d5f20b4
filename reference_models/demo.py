"""The ``capeval demo`` experiment: shapes data, several captioners, one leaderboard.

The steps are separate so that the command line can train the models in parallel worker
processes (each through ``capeval train``): `write_dataset` generates the shapes splits and
writes them as ordinary user files (features ``.npz`` and Karpathy JSON), `training_jobs`
lists the models to train, and `evaluate_systems` captions the test images with every
trained model and the baselines and ranks them with ``capeval.leaderboard``: every system
and the human references on equal terms (leave-one-out reference sets), with bootstrap
confidence intervals and a paired test against LSTM greedy decoding.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import numpy as np

import capeval
from capeval.io.ids import ImageId
from capeval.metrics import DEFAULT_METRICS
from capeval.report import Leaderboard
from capeval.reference_models import shapes
from capeval.reference_models.baselines import nearest_neighbour_captions
from capeval.reference_models.checkpoint import load_checkpoint
from capeval.reference_models.data import CaptionData
from capeval.reference_models.decoding import generate_captions, greedy_decode

FEATURES_FILE = "shapes_features.npz"
CAPTIONS_FILE = "shapes_captions.json"
BASELINE = "lstm greedy"
"""The system every other row is tested against (paired bootstrap)."""


@dataclass(frozen=True)
class DemoConfig:
    """Size of the demo experiment."""

    train_images: int = 3000  # x 5 references = training pairs
    val_images: int = 200  # scored after every epoch for early stopping
    test_images: int = 500  # captioned and scored at the end
    hidden_dim: int = 128
    word_dim: int = 64
    epochs: int = 12  # at most; early stopping may end sooner
    blind_epochs: int = 4  # the blind model levels off within an epoch or two
    patience: int = 3
    seconds: float = 60.0  # training budget: each model may train for half of it
    attention: bool = True  # also train the attention LSTM (the slowest model)
    seed: int = 0
    examples: int = 8  # test images shown on the HTML page
    bootstrap: int = 1000  # resamples of the test images for confidence intervals and tests


QUICK = DemoConfig(train_images=1000, val_images=100, test_images=200, hidden_dim=64, word_dim=48,
                   epochs=4, blind_epochs=2, seconds=30.0, examples=4)
"""A run of a few seconds per model, for trying the command and for tests."""


@dataclass(frozen=True)
class ShapesSplits:
    train: shapes.ShapesData
    val: shapes.ShapesData
    test: shapes.ShapesData

    def as_caption_data(self, name: str) -> CaptionData:
        """Return split `name` ("train", "val" or "test") with its global image ids."""
        split = getattr(self, name)
        n_train, n_val = len(self.train.features), len(self.val.features)
        start = {"train": 0, "val": n_train, "test": n_train + n_val}[name]
        ids: list[ImageId] = list(range(start, start + len(split.features)))
        return CaptionData(ids, split.features, split.regions, split.captions)


def generate_splits(config: DemoConfig) -> ShapesSplits:
    """Generate the three splits from independent streams of the seed."""
    streams = np.random.SeedSequence(config.seed).spawn(3)
    sizes = (config.train_images, config.val_images, config.test_images)
    return ShapesSplits(*(shapes.generate(n, np.random.default_rng(s))
                          for n, s in zip(sizes, streams, strict=True)))


def write_dataset(splits: ShapesSplits, out_dir: Path) -> tuple[Path, Path]:
    """Write all images as ``shapes_features.npz`` and ``shapes_captions.json`` (Karpathy).

    Image ids run 0..N-1 over train, val and test, in that order.
    """
    names = ("train", "val", "test")
    data = [splits.as_caption_data(name) for name in names]
    features_path, captions_path = out_dir / FEATURES_FILE, out_dir / CAPTIONS_FILE
    with open(features_path, "wb") as handle:
        np.savez(handle, features=np.concatenate([d.features for d in data]),
                 regions=np.concatenate([d.regions for d in data]),
                 image_ids=np.concatenate([np.asarray(d.image_ids, np.int64) for d in data]))
    images = [
        {"imgid": image_id, "filename": f"shapes_{image_id:05d}.png", "split": name,
         "sentences": [{"raw": " ".join(c), "tokens": list(c)} for c in captions]}
        for name, d in zip(names, data, strict=True)
        for image_id, captions in zip(d.image_ids, d.captions, strict=True)
    ]
    captions_path.write_text(json.dumps({"dataset": "shapes", "images": images}), encoding="utf-8")
    return features_path, captions_path


@dataclass(frozen=True)
class TrainingJob:
    """One model to train: its file stem and its ``capeval train`` options."""

    name: str
    options: tuple[str, ...]


def training_jobs(config: DemoConfig) -> list[TrainingJob]:
    """Return the models to train, slowest first (so two workers finish together).

    The attention LSTM is Show, Attend and Tell's: its initial state comes from the mean of
    the grid regions, so everything it learns about the image passes through attention; its
    doubly stochastic regulariser is off (with 16 regions and about 10 words, asking every
    region's attention to sum to 1 over the caption asks for uniform attention).
    """
    common = ("--hidden", str(config.hidden_dim), "--word-dim", str(config.word_dim),
              "--patience", str(config.patience), "--max-seconds", f"{config.seconds / 2:g}",
              "--tokenizer", "none", "--seed", str(config.seed))
    epochs = ("--epochs", str(config.epochs))
    jobs = [TrainingJob("lstm", ("--cell", "lstm", *epochs, *common)),
            TrainingJob("rnn", ("--cell", "rnn", *epochs, *common)),
            TrainingJob("blind", ("--cell", "lstm", "--blind",
                                  "--epochs", str(config.blind_epochs), *common))]
    if config.attention:
        jobs.insert(0, TrainingJob("attention", ("--cell", "lstm", "--attention", "--state-from",
                                                 "regions", "--attention-penalty", "0",
                                                 *epochs, *common)))
    return jobs


@dataclass
class DemoResult:
    """The leaderboard, every system's test captions and the page's examples."""

    board: Leaderboard
    captions: dict[str, list[str]]
    test_ids: list[ImageId]
    examples: list[dict] = field(default_factory=list)
    training: dict[str, dict] = field(default_factory=dict)


def evaluate_systems(
    splits: ShapesSplits, model_paths: dict[str, Path], config: DemoConfig
) -> DemoResult:
    """Caption the test split with every trained model and the baselines, then rank them.

    Every system, and each held-out human reference, is scored against the same four of
    the five references per image, averaged over the five choices (`score_systems`).
    """
    test = splits.as_caption_data("test")
    systems: dict[str, list[list[str]]] = {}
    training: dict[str, dict] = {}
    attention_model = None
    for name, path in model_paths.items():
        model, vocab, metadata = load_checkpoint(path)
        training[name] = {k: metadata.get(k) for k in ("best_epoch", "stopped", "seconds")}
        if name == "lstm":
            systems["lstm greedy"] = generate_captions(model, vocab, test)
            systems["lstm beam 3"] = generate_captions(model, vocab, test, beam_size=3)
        elif name == "rnn":
            systems["vanilla rnn greedy"] = generate_captions(model, vocab, test)
        elif name == "attention":
            systems["attention lstm greedy"] = generate_captions(model, vocab, test)
            attention_model = (model, vocab)
        elif name == "blind":
            systems["blind lstm (features zeroed)"] = generate_captions(
                model, vocab, test, zero_features=True)
    systems["nearest-neighbour copy"] = nearest_neighbour_captions(
        splits.train.features, splits.train.captions, test.features)
    captions = {name: [" ".join(c) for c in caps] for name, caps in systems.items()}
    board = score_systems(captions, test, config)
    result = DemoResult(board, captions, list(test.image_ids), training=training)
    result.examples = _examples(splits.test, captions, attention_model, config.examples)
    return result


def score_systems(captions: dict[str, list[str]], test: CaptionData,
                  config: DemoConfig) -> Leaderboard:
    """Rank systems' captions of `test` with ``capeval.leaderboard`` (pre-tokenized text).

    Adds the human row (each reference against the other four, in five folds; systems are
    scored against the same reduced reference sets), percentile bootstrap intervals over the
    test images and a paired bootstrap test against `BASELINE` when that system is present.
    """
    ids = list(test.image_ids)
    references = {i: [" ".join(c) for c in caps] for i, caps in zip(ids, test.captions,
                                                                     strict=True)}
    systems = {name: dict(zip(ids, caps, strict=True)) for name, caps in captions.items()}
    baseline = BASELINE if BASELINE in systems else None
    return capeval.leaderboard(systems, references, DEFAULT_METRICS, tokenizer="none",
                               human=True, n_bootstrap=config.bootstrap, seed=config.seed,
                               baseline=baseline if config.bootstrap else None)


def _examples(test: shapes.ShapesData, captions, attention_model, count: int) -> list[dict]:
    count = min(count, len(test.features))
    examples = [{"image": test.images[i], "references": [" ".join(c) for c in test.captions[i]],
                 "captions": {name: caps[i] for name, caps in captions.items()}}
                for i in range(count)]
    if attention_model is not None and count:
        model, vocab = attention_model
        decoded = greedy_decode(model, test.features[:count], test.regions[:count])
        alpha = cast(np.ndarray, decoded.alpha)  # an attention model decodes with weights
        for i, example in enumerate(examples):
            words = vocab.decode(decoded.ids[i : i + 1])[0] + ["<END>"]
            example["attention"] = list(zip(words, alpha[i, : len(words)], strict=True))
    return examples
