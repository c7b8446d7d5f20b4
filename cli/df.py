"""``capeval df``: build and inspect CIDEr-D document frequency tables."""
from __future__ import annotations

import click

from capeval.cli.inputs import (
    dask_cluster,
    output_path_callback,
    reference_options,
    streaming_options,
    tokenizer_option,
)


@click.group("df")
def df_group() -> None:
    """Document frequencies for CIDEr-D (build once from a corpus, score anything with them)."""


@df_group.command("build")
@reference_options
@tokenizer_option
@click.option("-o", "--output", required=True, metavar="FILE.json|FILE.npz",
              callback=output_path_callback((".json", ".npz"), "output"),
              help="Where to write the table (.npz is compact, .json readable).")
@click.option("--max-order", default=4, show_default=True, type=click.IntRange(1, 9))
@streaming_options
def build_command(tokenizer, output, max_order, jobs, chunk_size, dask_address,
                  **reference_args) -> None:
    """Count, for every n-gram, the images whose references contain it (streamed in chunks)."""
    from capeval.io.writers import writing
    from capeval.streaming import document_frequencies_of_files

    fields = reference_args["caption_fields"]
    with dask_cluster(dask_address, jobs) as client:
        table = document_frequencies_of_files(
            reference_args["refs"], tokenizer=tokenizer, max_order=max_order,
            chunk_size=chunk_size, jobs=jobs, client=client,
            references_format=reference_args["refs_format"], id_field=reference_args["id_field"],
            caption_fields=fields.split(",") if fields else None,
            split=list(reference_args["splits"]) or None)
    with writing(output):
        table.save(output)
    sizes = ", ".join(f"{len(df):,} {n}-grams" for n, df in enumerate(table.df, start=1))
    click.echo(f"{output}: {table.n_images:,} images; {sizes}", err=True)


@df_group.command("info")
@click.argument("path")
def info_command(path) -> None:
    """Describe a document frequency table."""
    from capeval.document_frequencies import DocumentFrequencies

    table = DocumentFrequencies.load(path)
    click.echo(f"images: {table.n_images}")
    for n, df in enumerate(table.df, start=1):
        click.echo(f"{n}-grams: {len(df)}")
    for key, value in sorted(table.metadata.items()):
        click.echo(f"{key}: {value}")
