"""``capeval leaderboard``: rank several systems with confidence intervals and paired tests."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from click.core import ParameterSource

from capeval.diversity import DIVERSITY_METRICS
from capeval.errors import CapevalError, CapevalInputError, CapevalUsageError
from capeval.cli.diversity import diversity_board
from capeval.report import FORMATS
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


@click.command("leaderboard")
@reference_options
@click.argument("system_files", nargs=-1, required=True, metavar="SYSTEM...")
@click.option("--name", "names", multiple=True,
              help="Name of each system, in order (repeat; default: file name without "
                   "extension).")
@scoring_options
@group_options
@streaming_options
@click.option("--sort", help="Score to rank by (default: CIDEr-D).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
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
@click.option("--train-captions", metavar="FILE",
              help="Training captions for the novel metric (see capeval score).")
@click.option("--human", is_flag=True,
              help="Add a Human row (each reference against the others); systems are then "
                   "scored against the same leave-one-out reference sets.")
def leaderboard_command(system_files, names, sort, fmt, ci, n_bootstrap, seed, baseline,
                        paired_bs, paired_ar, human, **options) -> None:
    """Rank systems (one SYSTEM file each) by CIDEr-D, METEOR, ROUGE-L and BLEU-1..4.

    Every system must caption the same images. Confidence intervals come from resampling
    the images' statistics; --paired-bs/--paired-ar test each system against --baseline.
    With --groups, the entire set and every group get their own table (own CIDEr-D document
    frequencies, ranking, intervals and tests). The files are read in chunks and only
    per-image statistics are kept (--jobs, --chunk-size, --dask), whatever the options.
    """
    from capeval.report import check_grouped_format, format_leaderboard

    if paired_bs and paired_ar:
        raise click.UsageError("choose one test: --paired-bs or --paired-ar")
    test = "bs" if paired_bs else "ar" if paired_ar else None
    check_one_stdin(*system_files, *options["refs"])
    system_names = _system_names(system_files, names)
    if set(options["metric_names"]) & set(DIVERSITY_METRICS):
        if test or human or baseline or options["groups_path"]:
            raise click.UsageError("paired tests, --baseline, --human and --groups are not "
                                   "defined for diversity metrics")
        _check_not_streaming(click.get_current_context(), "diversity metrics")
        diversity = diversity_board(dict(zip(system_names, system_files, strict=True)), options,
                                    n_bootstrap=n_bootstrap, ci=ci, seed=seed, sort=sort)
        if options["per_item_path"]:
            diversity.write_per_item(options["per_item_path"])
        click.echo(format_leaderboard(diversity, fmt), nl=False)
        return
    if options["train_captions"]:
        raise click.BadParameter("only the novel metric reads training captions",
                                 param_hint="--train-captions")
    check_groups_options(options)
    if options["groups_path"] is not None:
        check_grouped_format(fmt)
    settings = dict(
        metrics=chosen_metrics(options), tokenizer=options["tokenizer"],
        document_frequencies=options["df_path"], n_bootstrap=n_bootstrap, ci=ci, seed=seed,
        test=test, baseline=baseline, human=human, sort=sort,
        allow_partial=options["allow_partial"],
    )
    _rank_streamed(dict(zip(system_names, system_files, strict=True)), fmt, settings, options)


def _rank_streamed(systems: dict[str, str], fmt: str, settings: dict, options: dict) -> None:
    """Rank systems read in chunks (`capeval.report.leaderboard.leaderboard_files`, or
    `capeval.report.grouped.leaderboard_groups_files` with --groups)."""
    from capeval.report import format_grouped, format_leaderboard
    from capeval.report.grouped import leaderboard_groups_files
    from capeval.report.html import N_EXAMPLES
    from capeval.report.leaderboard import leaderboard_files

    read = file_options(options)
    with (_settings_errors(), dask_cluster(options["dask_address"], options["jobs"]) as client,
          ChunkProgress() as progress):
        if options["groups_path"] is not None:
            grouped = leaderboard_groups_files(
                systems, options["refs"], options["groups_path"], **settings, **read,
                group_field=options["group_field"], client=client, progress=progress)
        else:
            board = leaderboard_files(systems, options["refs"], **settings, **read,
                                      examples=N_EXAMPLES if fmt == "html" else 0,
                                      client=client, progress=progress)
    if options["groups_path"] is not None:
        click.echo(format_grouped(grouped, fmt), nl=False)
    else:
        click.echo(format_leaderboard(board, fmt), nl=False)


def _check_not_streaming(ctx: click.Context, reason: str) -> None:
    """Refuse --jobs, --chunk-size and --dask given for a run that reads in memory
    (diversity)."""
    for name, flag in (("jobs", "jobs"), ("chunk_size", "chunk-size"), ("dask_address", "dask")):
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            raise CapevalUsageError(f"{reason} read(s) every caption into memory; "
                                    f"--{flag} does not apply", option=flag.replace("-", "_"))


@contextmanager
def _settings_errors() -> Iterator[None]:
    """Report inconsistent leaderboard settings (the library's ValueError) as usage errors."""
    try:
        yield
    except CapevalError:
        raise
    except ValueError as error:
        raise click.UsageError(str(error)) from None


def _system_names(paths: tuple[str, ...], names: tuple[str, ...]) -> list[str]:
    """Return one name per system file; duplicates are an error naming both files."""
    if names and len(names) != len(paths):
        raise click.BadParameter(f"got {len(names)} names for {len(paths)} systems",
                                 param_hint="--name")
    if any(not name.strip() for name in names):
        raise click.BadParameter("a system name cannot be empty", param_hint="--name")
    chosen = list(names) or [Path(path).stem for path in paths]
    seen: dict[str, str] = {}
    for name, path in zip(chosen, paths, strict=True):
        if name in seen:
            raise CapevalInputError(path, None, f"system name {name!r} is also the name of "
                                    f"{seen[name]}; give every system its own --name")
        seen[name] = path
    return chosen
