"""``capeval score``: score one system's captions against references."""
from __future__ import annotations

import json

import click

from capeval.io import FORMATS, write_per_item
from capeval.metrics import DEFAULT_METRICS
from cli.inputs import (
    StepProgress,
    parse_metrics,
    read_hypothesis_file,
    read_reference_files,
    reference_options,
    tokenizer_option,
)
from cli.meteor_options import meteor_metric, meteor_options


@click.command("score")
@reference_options
@click.option("--hyps", required=True, metavar="FILE", help="Hypothesis captions, one per image.")
@click.option("--hyps-format", type=click.Choice(FORMATS),
              help="Format of the hypotheses (default: detected).")
@click.option("--caption-field", help="Hypothesis caption column/key of a table file.")
@click.option("--metrics", "metric_names", default=",".join(DEFAULT_METRICS), show_default=True,
              callback=lambda ctx, param, value: parse_metrics(value),
              help="Comma-separated metrics.")
@tokenizer_option
@meteor_options
@click.option("--df", "df_path", metavar="FILE",
              help="CIDEr-D document frequencies (.json/.npz from `capeval df build`); "
                   "default: the evaluated references, as pycocoevalcap does.")
@click.option("--allow-partial", is_flag=True,
              help="Score only images that have a hypothesis (warns) instead of failing.")
@click.option("--json", "as_json", is_flag=True, help="Print corpus scores as one JSON object.")
@click.option("--per-item", "per_item_path", metavar="FILE.jsonl|FILE.csv",
              help="Write per-image scores (image_id and one column per score).")
def score_command(hyps, hyps_format, caption_field, metric_names, tokenizer, meteor_modules,
                  paraphrase_table, df_path, allow_partial, as_json, per_item_path,
                  **reference_args) -> None:
    """Score hypotheses against references (BLEU-1..4, METEOR, ROUGE-L, CIDEr-D).

    Formats are detected (COCO, Karpathy, plain text, CSV/TSV/JSON Lines); the numbers are
    those of pycocoevalcap's COCOEvalCap.
    """
    from capeval.evaluation import evaluate

    if per_item_path and not per_item_path.endswith((".jsonl", ".csv")):
        raise click.BadParameter("must end in .jsonl or .csv", param_hint="--per-item")
    metric_names = meteor_metric(metric_names, meteor_modules, paraphrase_table)
    references = read_reference_files(reference_args)
    hypotheses = read_hypothesis_file(hyps, hyps_format, reference_args["id_field"],
                                      caption_field)
    progress = StepProgress(1 + len(metric_names))
    try:
        result = evaluate(hypotheses, references, metric_names, tokenizer=tokenizer,
                          document_frequencies=df_path, allow_partial=allow_partial,
                          progress=progress, sources=(hyps, ",".join(reference_args["refs"])))
    finally:
        progress.close()
    if per_item_path:
        write_per_item(per_item_path, result.per_item)
    if as_json:
        click.echo(json.dumps(result.corpus))
        return
    width = max(map(len, result.corpus))
    for name, value in result.corpus.items():
        click.echo(f"{name:<{width}}  {value:.4f}")
    click.echo(f"images: {len(result.ids)}  signature: {result.signature_string()}")
