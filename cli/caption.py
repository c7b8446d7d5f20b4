"""``capeval caption``: caption image features with a trained captioner, as COCO results JSON."""
from __future__ import annotations

from pathlib import Path

import click

from capeval.cli.inputs import output_path_callback


@click.command("caption")
@click.option("--model", "model_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A checkpoint written by `capeval train`.")
@click.option("--features", "features_path", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help=".npy or .npz image features, as for training.")
@click.option("--captions", "captions_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Karpathy or COCO JSON naming the images (ids, order, splits).")
@click.option("--split", default=None, help="Caption only this Karpathy split (e.g. test).")
@click.option("--beam", "beam_size", type=click.IntRange(1), default=1, show_default=True,
              help="Beam width; 1 is greedy decoding.")
@click.option("--temperature", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Sample words at this temperature instead of searching (not with --beam).")
@click.option("--max-length", type=click.IntRange(1), default=20, show_default=True,
              help="Most words per caption.")
@click.option("--seed", type=int, default=0, show_default=True, help="For --temperature.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              callback=output_path_callback((".json",)),
              help="Write the COCO results JSON (a .json file) here instead of stdout.")
def caption_command(model_path, features_path, captions_path, split, beam_size, temperature,
                    max_length, seed, out_path):
    """Caption every image of FEATURES and write COCO results JSON (scorable by `capeval score`).

    Image ids come from the features' 'image_ids' array, else from --captions (its image
    order), else they are the row numbers 0..N-1.
    """
    import json

    import numpy as np

    from capeval import CapevalInputError
    from capeval.io import write_results
    from capeval.reference_models.checkpoint import load_checkpoint
    from capeval.reference_models.data import CaptionData, load_dataset, load_features
    from capeval.reference_models.decoding import generate_captions

    if temperature is not None and beam_size != 1:
        raise click.UsageError("--temperature samples words, --beam searches for the best "
                               "caption: give one of them, not both")
    model, vocab, metadata = load_checkpoint(model_path)
    if captions_path is not None:
        data, splits = load_dataset(features_path, captions_path, metadata.get("tokenizer", "ptb"))
        if split is not None:
            rows = [i for i, s in enumerate(splits) if s == split]
            if not rows:
                raise CapevalInputError(captions_path, None, f"no image in split {split!r}")
            data = data.subset(rows)
    else:
        if split is not None:
            raise click.UsageError("--split needs --captions")
        loaded = load_features(features_path)
        ids = loaded.image_ids or list(range(len(loaded.features)))
        data = CaptionData(ids, loaded.features, loaded.regions, [[] for _ in ids])
    if data.features.shape[1] != model.config.feature_dim:
        raise CapevalInputError(features_path, "features", f"have {data.features.shape[1]} "
                                f"columns but the model expects {model.config.feature_dim}")
    if model.config.uses_regions and (data.regions is None
                                      or data.regions.shape[2] != model.config.region_dim):
        kind = "an attention model" if model.config.attention else "this model"
        raise CapevalInputError(features_path, "regions", f"{kind} needs regions "
                                f"of shape (N, L, {model.config.region_dim})")
    zero = bool(metadata.get("train_config", {}).get("zero_features", False))
    captions = generate_captions(model, vocab, data, beam_size=beam_size, temperature=temperature,
                                 rng=np.random.default_rng(seed), zero_features=zero,
                                 max_length=max_length)
    texts = [" ".join(words) for words in captions]
    if out_path is None:
        lines = [json.dumps({"image_id": i, "caption": c}) for i, c in zip(data.image_ids, texts,
                                                                            strict=True)]
        click.echo("[\n" + ",\n".join(lines) + "\n]")
    else:
        write_results(out_path, data.image_ids, texts)
        click.echo(f"wrote {len(texts)} captions to {out_path}", err=True)
