"""End-to-end steps shared by ``capeval train``, ``capeval caption`` and ``capeval demo``."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from capeval.reference_models.captioner import Captioner, CaptionerConfig
from capeval.reference_models.data import CaptionData
from capeval.reference_models.training import Progress, TrainConfig, TrainResult, train
from capeval.reference_models.vocab import Vocabulary

TRAIN_SPLITS = ("train", "restval")
"""Karpathy splits used for training; ``val`` is used for validation, ``test`` never."""


def split_for_training(
    data: CaptionData, splits: Sequence[str], val_fraction: float, rng: np.random.Generator
) -> tuple[CaptionData, CaptionData]:
    """Return (train, validation) images.

    With Karpathy splits, train is ``train`` + ``restval`` and validation is ``val``.
    Without splits (COCO annotations, or files without ``split``), a random `val_fraction`
    of the images (at least one) is held out for validation.

    Raises
    ------
    ValueError
        If a split is empty.
    """
    splits = list(splits)
    if any(splits):
        train_rows = [i for i, s in enumerate(splits) if s in TRAIN_SPLITS]
        val_rows = [i for i, s in enumerate(splits) if s == "val"]
    else:
        if not 0 < val_fraction < 1:
            raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
        order = rng.permutation(len(data))
        n_val = max(1, int(round(val_fraction * len(data))))
        val_rows, train_rows = sorted(order[:n_val]), sorted(order[n_val:])
    if not train_rows:
        raise ValueError("no training images (Karpathy split 'train' or 'restval')")
    if not val_rows:
        raise ValueError("no validation images (Karpathy split 'val')")
    return data.subset(train_rows), data.subset(val_rows)


def fit_captioner(
    train_data: CaptionData,
    val_data: CaptionData | None,
    model_options: dict,
    config: TrainConfig,
    rng: np.random.Generator,
    *,
    min_count: int = 1,
    callback: Callable[[Progress], None] | None = None,
) -> tuple[Captioner, Vocabulary, TrainResult]:
    """Build the vocabulary and a float32 model for `train_data`, then train it.

    Parameters
    ----------
    model_options : dict
        `CaptionerConfig` fields other than the sizes taken from the data (vocab_size,
        feature_dim, region_dim).
    rng : numpy.random.Generator
        Initialises the parameters, then orders the examples.
    """
    vocab = Vocabulary.build((c for caps in train_data.captions for c in caps), min_count)
    region_dim = 0 if train_data.regions is None else train_data.regions.shape[2]
    model_config = CaptionerConfig(vocab_size=len(vocab), feature_dim=train_data.features.shape[1],
                                   region_dim=region_dim, **model_options)
    model = Captioner.initialise(model_config, rng, dtype=np.float32)
    result = train(model, vocab, train_data, val_data, config, rng, callback)
    return model, vocab, result
