"""``capeval score``: score one system's captions against references."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import click

from capeval.diversity import DIVERSITY_METRICS
from capeval.errors import CapevalUsageError
from capeval.io import write_per_item
from capeval.cli import diversity
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
@click.option("--dask", "dask_address", metavar="ADDRESS|local",
              help="Score on a Dask cluster: a scheduler address (tcp://host:8786), or `local` "
                   "for a LocalCluster of --jobs worker processes (needs capeval[dask]).")
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
    image ids). Other runs stream the files in chunks (memory does not grow with the number
    of images) and write per-image scores as they are computed (--jobs, --dask).
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
        groups = read_group_file(options)
        if groups is None:
            _score_streamed(hyps, metrics, as_json, dask_address, options)
            return
        if dask_address is not None:
            raise CapevalUsageError("--dask does not apply to --groups (read whole)",
                                    option="dask")
        references = read_reference_files(options)
        hypotheses = read_hypothesis_file(hyps, options)
        settings = dict(tokenizer=options["tokenizer"], document_frequencies=options["df_path"],
                        allow_partial=options["allow_partial"],
                        sources=(hyps, ",".join(options["refs"])))
        _score_groups(hypotheses, references, groups, metrics, settings, as_json, options)
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

    fields = options["caption_fields"]
    with _cluster(dask_address, options["jobs"]) as client, ChunkProgress() as progress:
        result = evaluate_files(
            hyps, options["refs"], metrics, tokenizer=options["tokenizer"],
            document_frequencies=options["df_path"], allow_partial=options["allow_partial"],
            per_item=options["per_item_path"], chunk_size=options["chunk_size"],
            jobs=options["jobs"], client=client, progress=progress,
            hypotheses_format=options["hyps_format"], references_format=options["refs_format"],
            id_field=options["id_field"], hypotheses_id_field=options["hyps_id_field"],
            references_id_field=options["refs_id_field"], caption_field=options["caption_field"],
            caption_fields=fields.split(",") if fields else None,
            split=list(options["splits"]) or None)
    _print_corpus(result.corpus, result.n_images, result.signature_string(), as_json)


@contextmanager
def _cluster(address: str | None, jobs: int) -> Iterator[Any]:
    """Yield a Dask client for --dask (None without it)."""
    if address is None:
        yield None
        return
    try:
        import distributed  # noqa: F401 - the optional extra
    except ImportError:
        raise CapevalUsageError("--dask needs Dask: pip install 'capeval[dask]'",
                                option="dask") from None
    from capeval.streaming.dask import connect

    with ExitStack() as stack:
        try:
            client = stack.enter_context(connect(address, jobs))
        except (OSError, ValueError) as error:  # unreachable scheduler, malformed address
            raise CapevalUsageError(f"--dask {address}: cannot connect to the Dask scheduler "
                                    f"({error})", option="dask") from None
        yield client


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
