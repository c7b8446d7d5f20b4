"""``capeval train``: fit the bundled NumPy captioner on image features and reference captions."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from capeval.cli.inputs import output_path_callback
from capeval.reference_models import CELLS, OPTIMIZERS, STATE_SOURCES
from capeval.tokenizers import TOKENIZERS

TRAIN_HELP = """Train a captioner on FEATURES (.npy/.npz) and CAPTIONS (Karpathy or COCO JSON).

With Karpathy splits, images of 'train' and 'restval' are used for training and 'val' for
validation (CIDEr-D and BLEU-4 after every epoch, early stopping on CIDEr-D); without
splits, a random --val-fraction of the images is held out. The model is written to --out
as an .npz checkpoint for `capeval caption`.
"""


class TrainingDisplay:
    """Shows training progress on stderr: a batch counter on a terminal, a line per epoch.

    Parameters
    ----------
    label : str
        Prefix of every line, e.g. the system's name.
    live : bool, optional
        Redraw the batch counter in place; default: when stderr is a terminal.
    """

    def __init__(self, label: str = "", live: bool | None = None) -> None:
        self.prefix = f"[{label}] " if label else ""
        self.live = sys.stderr.isatty() if live is None else live
        self._last = 0.0

    def __call__(self, progress) -> None:
        if progress.epoch_scores is not None:
            scores = "  ".join(f"{name} {value:.3f}"
                               for name, value in progress.epoch_scores.items())
            self._write(f"{self.prefix}epoch {progress.epoch}: {scores}  "
                        f"({progress.elapsed:.1f} s)\n")
        elif self.live and (progress.elapsed - self._last > 0.2
                            or progress.batch == progress.batches):
            self._last = progress.elapsed
            width = 24
            filled = width * progress.batch // progress.batches
            bar = "#" * filled + "." * (width - filled)
            self._write(f"{self.prefix}epoch {progress.epoch} [{bar}] {progress.batch}/"
                        f"{progress.batches} loss {progress.loss:.2f}\r")

    def _write(self, text: str) -> None:
        click.echo(text, err=True, nl=False)


@click.command("train", help=TRAIN_HELP)
@click.option("--features", "features_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help=".npy (rows in caption-file order) or .npz with 'features', optional "
                   "'regions' (for --attention, --state-from regions) and 'image_ids'.")
@click.option("--captions", "captions_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Karpathy split JSON or COCO annotations JSON.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              callback=output_path_callback((".npz",)),
              help="Where to write the model checkpoint (a .npz file).")
@click.option("--cell", type=click.Choice(CELLS), default="lstm",
              show_default=True)
@click.option("--hidden", "hidden_dim", type=click.IntRange(1), default=256, show_default=True)
@click.option("--word-dim", type=click.IntRange(1), default=128, show_default=True)
@click.option("--layers", "num_layers", type=click.IntRange(1), default=1, show_default=True)
@click.option("--attention", is_flag=True, help="Soft attention over the 'regions' array (LSTM).")
@click.option("--attention-penalty", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Weight of the doubly stochastic attention regulariser (0: none).")
@click.option("--state-from", type=click.Choice(STATE_SOURCES), default="features",
              show_default=True, help="Image vector that sets the initial state: the global "
              "features, or the mean of the 'regions' (Show, Attend and Tell).")
@click.option("--feed-features", is_flag=True, help="Also feed the image features at step 0.")
@click.option("--blind", is_flag=True, help="Zero all image features: a pure language model.")
@click.option("--epochs", type=click.IntRange(1), default=10, show_default=True)
@click.option("--batch-size", type=click.IntRange(1), default=128, show_default=True)
@click.option("--optimizer", type=click.Choice(list(OPTIMIZERS)),
              default="adam", show_default=True)
@click.option("--lr", "learning_rate", type=click.FloatRange(min=0, min_open=True), default=4e-3,
              show_default=True)
@click.option("--lr-decay", type=click.FloatRange(0, 1, min_open=True), default=0.9,
              show_default=True, help="Learning rate factor after every epoch.")
@click.option("--clip-norm", type=click.FloatRange(min=0, min_open=True), default=5.0,
              show_default=True, help="Largest joint L2 norm of the gradients.")
@click.option("--clip-value", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Clip every gradient entry to [-v, v].")
@click.option("--patience", type=click.IntRange(1), default=2, show_default=True,
              help="Epochs without a better validation CIDEr-D before stopping.")
@click.option("--max-length", type=click.IntRange(1), default=16, show_default=True,
              help="Words kept per training caption.")
@click.option("--min-count", type=click.IntRange(1), default=1, show_default=True,
              help="Words seen fewer times become <UNK>.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop training after this long (the result then depends on speed).")
@click.option("--val-fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.05, show_default=True, help="Held out for validation without splits.")
@click.option("--tokenizer", type=click.Choice(sorted(TOKENIZERS)), default="ptb", show_default=True,
              help="How captions are split into words (ptb: as the COCO evaluation does).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--label", default="", help="Prefix of the progress lines.")
@click.option("--progress", type=click.Choice(["auto", "epochs"]), default="auto",
              show_default=True, help="auto: also a live batch counter when stderr is a "
              "terminal; epochs: one line per epoch only.")
def train_command(features_path, captions_path, out_path, cell, hidden_dim, word_dim, num_layers,
                  attention, attention_penalty, state_from, feed_features, blind, epochs,
                  batch_size, optimizer, learning_rate, lr_decay, clip_norm, clip_value, patience,
                  max_length, min_count, max_seconds, val_fraction, tokenizer, seed, label,
                  progress):
    from dataclasses import asdict

    import numpy as np

    from capeval import CapevalInputError
    from capeval.io.writers import writing
    from capeval.reference_models.checkpoint import save_checkpoint
    from capeval.reference_models.data import load_dataset
    from capeval.reference_models.pipeline import fit_captioner, split_for_training
    from capeval.reference_models.training import TrainConfig

    data, splits = load_dataset(features_path, captions_path, tokenizer)
    uses_regions = attention or state_from == "regions"
    if uses_regions and data.regions is None:
        option = "--attention" if attention else "--state-from regions"
        raise CapevalInputError(features_path, None, f"{option} needs an .npz with an array "
                                "'regions' of shape (N, L, R)")
    rng = np.random.default_rng(seed)
    try:
        train_data, val_data = split_for_training(data, splits, val_fraction, rng)
    except ValueError as error:
        raise CapevalInputError(captions_path, None, str(error)) from None
    if not uses_regions:
        train_data = train_data.without_regions()
        val_data = val_data.without_regions()
    config = TrainConfig(epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                         learning_rate=learning_rate, lr_decay=lr_decay, clip_norm=clip_norm,
                         clip_value=clip_value, max_length=max_length, patience=patience,
                         max_seconds=max_seconds, zero_features=blind)
    model_options = dict(cell=cell, hidden_dim=hidden_dim, word_dim=word_dim,
                         num_layers=num_layers, attention=attention,
                         attention_penalty=attention_penalty, state_from=state_from,
                         feed_features=feed_features)
    prefix = f"[{label}] " if label else ""
    click.echo(f"{prefix}training a captioner ({cell}{', attention' if attention else ''}) on "
               f"{len(train_data)} images, validating on {len(val_data)}", err=True)
    display = TrainingDisplay(label, live=None if progress == "auto" else False)
    model, vocab, result = fit_captioner(train_data, val_data, model_options, config, rng,
                                         min_count=min_count, callback=display)
    metadata = {
        "train_config": asdict(config), "tokenizer": tokenizer, "seed": seed,
        "history": result.history, "best_epoch": result.best_epoch, "stopped": result.stopped,
        "seconds": result.seconds, "features": str(features_path), "captions": str(captions_path),
    }
    with writing(out_path):
        save_checkpoint(out_path, model, vocab, metadata)
    click.echo(f"{prefix}kept epoch {result.best_epoch} "
               f"(validation CIDEr-D {result.best_cider:.3f}); {result.stopped}; "
               f"{result.seconds:.1f} s; wrote {out_path}", err=True)
