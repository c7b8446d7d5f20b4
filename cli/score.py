"""``capeval score``: score one system's captions against references."""
from __future__ import annotations

import json

import click

from capeval.io import write_per_item
from capeval.cli.inputs import (
    StepProgress,
    check_one_stdin,
    chosen_metrics,
    read_hypothesis_file,
    read_reference_files,
    reference_options,
    scoring_options,
)


@click.command("score")
@reference_options
@click.option("--hyps", required=True, metavar="FILE",
              help="Hypothesis captions, one per image ('-': stdin).")
@scoring_options
@click.option("--json", "as_json", is_flag=True, help="Print corpus scores as one JSON object.")
def score_command(hyps, as_json, **options) -> None:
    """Score hypotheses against references (BLEU-1..4, METEOR, ROUGE-L, CIDEr-D).

    Formats are detected (COCO, Karpathy, plain text, CSV/TSV/JSON Lines); the numbers are
    those of pycocoevalcap's COCOEvalCap.
    """
    from capeval.evaluation import evaluate

    check_one_stdin(hyps, *options["refs"])
    metrics = chosen_metrics(options)
    references = read_reference_files(options)
    hypotheses = read_hypothesis_file(hyps, options)
    progress = StepProgress(1 + len(metrics))
    try:
        result = evaluate(hypotheses, references, metrics, tokenizer=options["tokenizer"],
                          document_frequencies=options["df_path"],
                          allow_partial=options["allow_partial"], progress=progress,
                          sources=(hyps, ",".join(options["refs"])))
    finally:
        progress.close()
    if options["per_item_path"]:
        write_per_item(options["per_item_path"], result.per_item)
    if as_json:
        click.echo(json.dumps(result.corpus))
        return
    width = max(map(len, result.corpus))
    for name, value in result.corpus.items():
        click.echo(f"{name:<{width}}  {value:.4f}")
    click.echo(f"images: {len(result.ids)}  signature: {result.signature_string()}")
