"""``capeval leaderboard``: rank several systems with confidence intervals and paired tests."""
from __future__ import annotations

from pathlib import Path

import click

from capeval.errors import CapevalInputError
from capeval.io import FORMATS
from capeval.metrics import DEFAULT_METRICS
from cli.inputs import (
    StepProgress,
    parse_metrics,
    read_hypothesis_file,
    read_reference_files,
    reference_options,
    tokenizer_option,
)

REPORT_FORMATS = ("table", "markdown", "latex", "html", "csv", "json")


@click.command("leaderboard")
@reference_options
@click.argument("system_files", nargs=-1, required=True, metavar="SYSTEM...")
@click.option("--name", "names", multiple=True,
              help="Name of each system, in order (repeat; default: file name without "
                   "extension).")
@click.option("--hyps-format", type=click.Choice(FORMATS),
              help="Format of the system files (default: detected).")
@click.option("--caption-field", help="Hypothesis caption column/key of table files.")
@click.option("--metrics", "metric_names", default=",".join(DEFAULT_METRICS), show_default=True,
              callback=lambda ctx, param, value: parse_metrics(value),
              help="Comma-separated metrics.")
@tokenizer_option
@click.option("--df", "df_path", metavar="FILE",
              help="CIDEr-D document frequencies (default: the references).")
@click.option("--sort", help="Score to rank by (default: CIDEr-D).")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="table",
              show_default=True, help="Output format (html: a self-contained report).")
@click.option("--ci", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.95,
              show_default=True, help="Confidence level of the bootstrap intervals.")
@click.option("--bootstrap", "n_bootstrap", type=click.IntRange(min=0), default=1000,
              show_default=True,
              help="Resamples of the images (and randomization trials); 0: no intervals.")
@click.option("--seed", type=int, default=12345, show_default=True,
              help="Seed of the resampling.")
@click.option("--baseline", help="System the others are tested against (default: the first).")
@click.option("--paired-bs", is_flag=True,
              help="Paired bootstrap test against the baseline (Koehn, 2004).")
@click.option("--paired-ar", is_flag=True,
              help="Paired approximate randomization test against the baseline.")
@click.option("--human", is_flag=True,
              help="Add a Human row (each reference against the others); systems are then "
                   "scored against the same leave-one-out reference sets.")
@click.option("--allow-partial", is_flag=True,
              help="Allow references for images the systems do not caption.")
@click.option("--per-item", "per_item_path", metavar="FILE.jsonl|FILE.csv",
              help="Write every system's per-image scores.")
def leaderboard_command(system_files, names, hyps_format, caption_field, metric_names,
                        tokenizer, df_path, sort, fmt, ci, n_bootstrap, seed, baseline, paired_bs,
                        paired_ar, human, allow_partial, per_item_path, **reference_args) -> None:
    """Rank systems (one SYSTEM file each) by CIDEr-D, METEOR, ROUGE-L and BLEU-1..4.

    Every system must caption the same images. Confidence intervals come from resampling
    the images' statistics; --paired-bs/--paired-ar test each system against --baseline.
    """
    from capeval.report import format_leaderboard, leaderboard

    if per_item_path and not per_item_path.endswith((".jsonl", ".csv")):
        raise click.BadParameter("must end in .jsonl or .csv", param_hint="--per-item")
    if paired_bs and paired_ar:
        raise click.UsageError("choose one test: --paired-bs or --paired-ar")
    test = "bs" if paired_bs else "ar" if paired_ar else None
    system_names = _system_names(system_files, names)
    references = read_reference_files(reference_args)
    systems = {
        name: read_hypothesis_file(path, hyps_format, reference_args["id_field"], caption_field)
        for name, path in zip(system_names, system_files, strict=True)
    }
    progress = StepProgress(3 + len(systems) + bool(human) + (test == "ar"))
    try:
        board = leaderboard(
            systems, references, metric_names, tokenizer=tokenizer, document_frequencies=df_path,
            n_bootstrap=n_bootstrap, ci=ci, seed=seed, test=test, baseline=baseline,
            human=human, sort=sort, allow_partial=allow_partial,
            sources=dict(zip(system_names, system_files, strict=True)),
            reference_source=",".join(reference_args["refs"]), progress=progress,
        )
    except CapevalInputError:
        raise
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    finally:
        progress.close()
    if per_item_path:
        board.write_per_item(per_item_path)
    click.echo(format_leaderboard(board, fmt), nl=False)


def _system_names(paths: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    """Return one name per system file; duplicates are an error naming both files."""
    if names and len(names) != len(paths):
        raise click.BadParameter(f"got {len(names)} names for {len(paths)} systems",
                                 param_hint="--name")
    chosen = list(names) or [Path(path).stem for path in paths]
    seen: dict[str, str] = {}
    for name, path in zip(chosen, paths, strict=True):
        if name in seen:
            raise CapevalInputError(path, None, f"system name {name!r} is also the name of "
                                    f"{seen[name]}; give every system its own --name")
        seen[name] = path
    return chosen
