"""``capeval score``: score one system's captions against references."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from capeval.errors import CapevalUsageError

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
@click.option("--dask", "dask_address", metavar="ADDRESS|local",
              help="Score on a Dask cluster: a scheduler address (tcp://host:8786), or `local` "
                   "for a LocalCluster of --jobs worker processes (needs capeval[dask]).")
@click.option("--json", "as_json", is_flag=True, help="Print corpus scores as one JSON object.")
def score_command(hyps, as_json, dask_address, **options) -> None:
    """Score hypotheses against references (BLEU-1..4, METEOR, ROUGE-L, CIDEr-D).

    Formats are detected (COCO, Karpathy, plain text, CSV/TSV/JSON Lines); the numbers are
    those of pycocoevalcap's COCOEvalCap. Files are streamed in chunks (memory does not grow
    with the number of images) and per-image scores are written as they are computed.
    """
    from capeval.streaming import evaluate_files

    with _cluster(dask_address, options["jobs"]) as client, ChunkProgress() as progress:
        result = evaluate_files(
            hyps, options["refs"], chosen_metrics(options), tokenizer=options["tokenizer"],
            document_frequencies=options["df_path"], allow_partial=options["allow_partial"],
            per_item=options["per_item_path"], chunk_size=options["chunk_size"],
            jobs=options["jobs"], client=client, progress=progress,
            hypotheses_format=options["hyps_format"], references_format=options["refs_format"],
            id_field=options["id_field"], caption_field=options["caption_field"],
            caption_fields=_fields(options["caption_fields"]), split=options["split"])
    if as_json:
        click.echo(json.dumps(result.corpus))
        return
    width = max(map(len, result.corpus))
    for name, value in result.corpus.items():
        click.echo(f"{name:<{width}}  {value:.4f}")
    click.echo(f"images: {result.n_images}  signature: {result.signature_string()}")


def _fields(value: str | None) -> list[str] | None:
    return value.split(",") if value else None


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

    with connect(address, jobs) as client:
        yield client
