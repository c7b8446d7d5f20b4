"""``capeval df``: build and inspect CIDEr-D document frequency tables."""
from __future__ import annotations

import click

from capeval.tokenizers import tokenize_references, tokenizer_signature
from capeval.cli.inputs import (
    output_path_callback,
    read_reference_files,
    reference_options,
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
def build_command(tokenizer, output, max_order, **reference_args) -> None:
    """Count, for every n-gram, the images whose references contain it."""
    from capeval.document_frequencies import DocumentFrequencies

    references = read_reference_files(reference_args)
    split = "+".join(reference_args["splits"])
    table = DocumentFrequencies.from_references(
        tokenize_references(list(references.values()), None, tokenizer), max_order,
        tokenizer=tokenizer_signature(tokenizer), source=",".join(reference_args["refs"]),
        **({"split": split} if split else {}),
    )
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
