"""``capeval score``: score one system's captions against references."""
from __future__ import annotations

import json

import click

from capeval.io import write_per_item
from capeval.cli.inputs import (
    StepProgress,
    check_one_stdin,
    chosen_metrics,
    group_options,
    read_group_file,
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
@group_options
@click.option("--json", "as_json", is_flag=True, help="Print corpus scores as one JSON object.")
def score_command(hyps, as_json, **options) -> None:
    """Score hypotheses against references (BLEU-1..4, METEOR, ROUGE-L, CIDEr-D).

    Formats are detected (COCO, Karpathy, plain text, CSV/TSV/JSON Lines); the numbers are
    those of pycocoevalcap's COCOEvalCap. With --groups, the entire set and every group are
    scored as separate evaluations (each with its own CIDEr-D document frequencies, as the
    nocaps scripts do) and --json prints {"entire": {...}, "<group>": {...}, ...}.
    """
    check_one_stdin(hyps, *options["refs"])
    metrics = chosen_metrics(options)
    references = read_reference_files(options)
    hypotheses = read_hypothesis_file(hyps, options)
    groups = read_group_file(options)
    settings = dict(tokenizer=options["tokenizer"], document_frequencies=options["df_path"],
                    allow_partial=options["allow_partial"],
                    sources=(hyps, ",".join(options["refs"])))
    if groups is not None:
        _score_groups(hypotheses, references, groups, metrics, settings, as_json, options)
        return
    from capeval.evaluation import evaluate

    progress = StepProgress(1 + len(metrics))
    try:
        result = evaluate(hypotheses, references, metrics, progress=progress, **settings)
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


def _score_groups(hypotheses, references, groups, metrics, settings, as_json, options) -> None:
    """Score the entire set and every group; print one column per evaluation (or JSON)."""
    from capeval.breakdown import evaluate_groups

    n_groups = len(set(groups.group_of.values()))
    progress = StepProgress((1 + len(metrics)) * (1 + n_groups))
    try:
        result = evaluate_groups(hypotheses, references, groups, metrics, progress=progress,
                                 **settings)
    finally:
        progress.close()
    if options["per_item_path"]:
        write_per_item(options["per_item_path"], result.per_item)
    if as_json:
        click.echo(json.dumps(result.corpus))
        return
    columns = list(result.evaluations)
    rows = [["", *columns]]
    rows += [[name, *(f"{result.corpus[column][name]:.4f}" for column in columns)]
             for name in result.corpus[columns[0]]]
    rows.append(["images", *(str(len(result.evaluations[column].ids)) for column in columns)])
    widths = [max(len(row[k]) for row in rows) for k in range(len(columns) + 1)]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        click.echo("  ".join(cells))
    click.echo(f"Each column is its own evaluation. Signature: {result.signature_string()}")
