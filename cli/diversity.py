"""``capeval score --metrics div-1,...``: diversity metrics on several captions per image."""
from __future__ import annotations

from capeval.io import read_caption_sets, read_references
from capeval.io.source import Source
from capeval.io.detect import resolve_format


def train_captions(path: str) -> list[str]:
    """Read the training captions of ``--train-captions``: every caption of a references file
    (plain text: one per line; Karpathy JSON: images of the train and restval splits)."""
    split = ("train", "restval") if resolve_format(Source(path), None) == "karpathy" else None
    return [caption for captions in read_references(path, split=split).values()
            for caption in captions]


def evaluate_files(hyps: str, options: dict):
    """Read the caption sets of `hyps` and the inputs the chosen metrics need; score them."""
    from capeval.cli.inputs import read_reference_files
    from capeval.diversity import evaluate_diversity

    caption_sets = read_caption_sets(hyps, options["hyps_format"], id_field=options["id_field"],
                                     caption_field=options["caption_field"])
    names = options["metric_names"]
    references = read_reference_files(options) if "self-cider" in names else None
    train_path = options.get("train_captions")
    return evaluate_diversity(
        caption_sets, names, references=references,
        train_captions=train_captions(train_path) if train_path else None,
        document_frequencies=options["df_path"], tokenizer=options["tokenizer"], source=hyps,
        train_source=train_path or "train")
