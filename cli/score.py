"""``capeval score``: score one system's captions against references."""
from __future__ import annotations

import json

import click

from capeval.diversity import DIVERSITY_METRICS
from capeval.io import write_per_item
from capeval.cli import diversity
from capeval.cli.inputs import (
    check_groups_options,
    check_one_stdin,
    chosen_metrics,
    dask_cluster,
    file_options,
    group_options,
    reference_options,
    scoring_options,
    streaming_options,
)
from capeval.cli.progress import ChunkProgress


@click.command("score")
@reference_options
@click.option("--hyps", required=True, metavar="FILE",
              help="Hypothesis captions, one per image ('-': stdin).")
@scoring_options
@group_options
@streaming_options
@click.option("--train-captions", metavar="FILE",
              help="Training captions for the novel metric (one per line, or any references "
                   "file; Karpathy JSON: its train and restval splits).")
@click.option("--json", "as_json", is_flag=True, help="Print corpus scores as one JSON object.")
def score_command(hyps, as_json, dask_address, **options) -> None:
    """Score hypotheses against references (BLEU-1..4, METEOR, ROUGE-L, CIDEr-D).

    Formats are detected (COCO, Karpathy, plain text, CSV/TSV/JSON Lines); the numbers are
    those of pycocoevalcap's COCOEvalCap. With --groups, the entire set and every group are
    scored as separate evaluations (each with its own CIDEr-D document frequencies, as the
    nocaps scripts do) and --json prints {"entire": {...}, "<group>": {...}, ...}. With
    diversity metrics (--metrics div-1,...), HYPS holds several captions per image (repeated
    image ids). Other runs stream the files in chunks, memory not growing with the number of
    images (--jobs, --chunk-size, --dask).
    """
    check_one_stdin(hyps, *options["refs"])
    if set(options["metric_names"]) & set(DIVERSITY_METRICS):
        if options["groups_path"]:
            raise click.BadParameter("per-group breakdowns are not available for diversity "
                                     "metrics", param_hint="--groups")
        result = diversity.evaluate_files(hyps, {**options, "dask_address": dask_address})
    else:
        if options["train_captions"]:
            raise click.BadParameter("only the novel metric reads training captions",
                                     param_hint="--train-captions")
        metrics = chosen_metrics(options)
        check_groups_options(options)
        if options["groups_path"] is None:
            _score_streamed(hyps, metrics, as_json, dask_address, options)
        else:
            _score_groups(hyps, metrics, as_json, dask_address, options)
        return
    if options["per_item_path"]:
        write_per_item(options["per_item_path"], result.per_item)
    _print_corpus(result.corpus, len(result.ids), result.signature_string(), as_json)


def _print_corpus(corpus: dict, n_images: int, signature: str, as_json: bool) -> None:
    """Print corpus scores as one JSON object, or as a table with the image count and signature."""
    if as_json:
        click.echo(json.dumps(corpus))
        return
    width = max(map(len, corpus))
    for name, value in corpus.items():
        click.echo(f"{name:<{width}}  {value:.4f}")
    click.echo(f"images: {n_images}  signature: {signature}")


def _score_streamed(hyps, metrics, as_json, dask_address, options) -> None:
    """Score in chunks (`capeval.streaming.evaluate_files`); print the corpus scores."""
    from capeval.streaming import evaluate_files

    with dask_cluster(dask_address, options["jobs"]) as client, ChunkProgress() as progress:
        result = evaluate_files(
            hyps, options["refs"], metrics, tokenizer=options["tokenizer"],
            document_frequencies=options["df_path"], allow_partial=options["allow_partial"],
            client=client, progress=progress, **file_options(options))
    _print_corpus(result.corpus, result.n_images, result.signature_string(), as_json)


def _score_groups(hyps, metrics, as_json, dask_address, options) -> None:
    """Score the entire set and every group in chunks
    (`capeval.streaming.files.evaluate_groups_files`); print one column per evaluation (or
    JSON)."""
    from capeval.streaming.files import evaluate_groups_files

    with dask_cluster(dask_address, options["jobs"]) as client, ChunkProgress() as progress:
        result = evaluate_groups_files(
            hyps, options["refs"], options["groups_path"], metrics,
            group_field=options["group_field"], tokenizer=options["tokenizer"],
            document_frequencies=options["df_path"], allow_partial=options["allow_partial"],
            client=client, progress=progress, **file_options(options))
    if as_json:
        click.echo(json.dumps(result.corpus))
        return
    columns = list(result.evaluations)
    rows = [["", *columns]]
    rows += [[name, *(f"{result.corpus[column][name]:.4f}" for column in columns)]
             for name in result.corpus[columns[0]]]
    rows.append(["images", *(str(result.evaluations[column].n_images) for column in columns)])
    widths = [max(len(row[k]) for row in rows) for k in range(len(columns) + 1)]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        click.echo("  ".join(cells))
    click.echo(f"Each column is its own evaluation. Signature: {result.signature_string()}")
