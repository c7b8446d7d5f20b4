"""``capeval score --metrics div-1,...``: diversity metrics on several captions per image."""
from __future__ import annotations

from capeval.errors import CapevalUsageError
from capeval.io import read_caption_sets, read_references
from capeval.io.source import Source
from capeval.io.detect import resolve_format


def train_captions(path: str) -> list[str]:
    """Read the training captions of ``--train-captions``: every caption of a references file
    (plain text: one per line; Karpathy JSON: images of the train and restval splits)."""
    split = ("train", "restval") if resolve_format(Source(path), None) == "karpathy" else None
    return [caption for captions in read_references(path, split=split).values()
            for caption in captions]


def read_sets(path: str, options: dict) -> dict:
    """Read one file of caption sets with the format options of `scoring_options`."""
    return read_caption_sets(path, options["hyps_format"],
                             id_field=options["hyps_id_field"] or options["id_field"],
                             caption_field=options["caption_field"])


UNUSED_OPTIONS = {"allow_partial": "--allow-partial", "meteor_modules": "--meteor-modules",
                  "paraphrase_table": "--paraphrase-table", "dask_address": "--dask"}
"""Options of the scoring commands that diversity metrics have no use for."""


def check_options(options: dict) -> None:
    """Refuse options that would be ignored with diversity metrics (never silently)."""
    given = [flag for key, flag in UNUSED_OPTIONS.items() if options.get(key)]
    if given:
        raise CapevalUsageError(f"{', '.join(given)} do(es) not apply to diversity metrics",
                                option="metrics")


def shared_inputs(options: dict) -> dict:
    """Return the keyword arguments of the diversity functions that come from the options."""
    from capeval.cli.inputs import read_reference_files

    check_options(options)
    names = options["metric_names"]
    train_path = options.get("train_captions")
    return {"references": read_reference_files(options) if "self-cider" in names else None,
            "train_captions": train_captions(train_path) if train_path else None,
            "train_source": train_path or "train", "document_frequencies": options["df_path"],
            "tokenizer": options["tokenizer"]}


def evaluate_files(hyps: str, options: dict):
    """Read the caption sets of `hyps` and the inputs the chosen metrics need; score them."""
    from capeval.diversity import evaluate_diversity

    return evaluate_diversity(read_sets(hyps, options), options["metric_names"], source=hyps,
                              **shared_inputs(options))


def diversity_board(files: dict[str, str], options: dict, **settings):
    """Read every system's caption sets (name -> file) and rank them by diversity."""
    from capeval.diversity.leaderboard import diversity_leaderboard

    systems = {name: read_sets(path, options) for name, path in files.items()}
    return diversity_leaderboard(systems, options["metric_names"], sources=files,
                                 **shared_inputs(options), **settings)
