"""``capeval score``: score one system's captions against references."""
from __future__ import annotations

import json

import click

from capeval.cli.inputs import (
    chosen_metrics,
    reference_options,
    scoring_options,
    streaming_options,
)
from capeval.cli.progress import ChunkProgress


@click.command("score")
@reference_options
@click.option("--hyps", required=True, metavar="FILE", help="Hypothesis captions, one per image.")
@scoring_options
@streaming_options
@click.option("--json", "as_json", is_flag=True, help="Print corpus scores as one JSON object.")
def score_command(hyps, as_json, **options) -> None:
    """Score hypotheses against references (BLEU-1..4, METEOR, ROUGE-L, CIDEr-D).

    Formats are detected (COCO, Karpathy, plain text, CSV/TSV/JSON Lines); the numbers are
    those of pycocoevalcap's COCOEvalCap. Files are streamed in chunks (memory does not grow
    with the number of images) and per-image scores are written as they are computed.
    """
    from capeval.streaming import evaluate_files

    progress = ChunkProgress()
    try:
        result = evaluate_files(
            hyps, options["refs"], chosen_metrics(options), tokenizer=options["tokenizer"],
            document_frequencies=options["df_path"], allow_partial=options["allow_partial"],
            per_item=options["per_item_path"], chunk_size=options["chunk_size"],
            jobs=options["jobs"], progress=progress, hypotheses_format=options["hyps_format"],
            references_format=options["refs_format"], id_field=options["id_field"],
            caption_field=options["caption_field"],
            caption_fields=_fields(options["caption_fields"]), split=options["split"])
    finally:
        progress.close()
    if as_json:
        click.echo(json.dumps(result.corpus))
        return
    width = max(map(len, result.corpus))
    for name, value in result.corpus.items():
        click.echo(f"{name:<{width}}  {value:.4f}")
    click.echo(f"images: {result.n_images}  signature: {result.signature_string()}")


def _fields(value: str | None) -> list[str] | None:
    return value.split(",") if value else None
