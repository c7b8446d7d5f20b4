"""``capeval leaderboard``: rank several systems with confidence intervals and paired tests."""
from __future__ import annotations

from pathlib import Path

import click

from capeval.diversity import DIVERSITY_METRICS
from capeval.errors import CapevalError, CapevalInputError
from capeval.cli.diversity import diversity_board
from capeval.report import FORMATS
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


@click.command("leaderboard")
@reference_options
@click.argument("system_files", nargs=-1, required=True, metavar="SYSTEM...")
@click.option("--name", "names", multiple=True,
              help="Name of each system, in order (repeat; default: file name without "
                   "extension).")
@scoring_options
@group_options
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
    frequencies, ranking, intervals and tests).
    """
    from capeval.report import (
        GroupedLeaderboard,
        Leaderboard,
        check_grouped_format,
        format_grouped,
        format_leaderboard,
        leaderboard_groups,
    )
    from capeval.report.leaderboard import leaderboard

    if paired_bs and paired_ar:
        raise click.UsageError("choose one test: --paired-bs or --paired-ar")
    test = "bs" if paired_bs else "ar" if paired_ar else None
    check_one_stdin(*system_files, *options["refs"])
    system_names = _system_names(system_files, names)
    if set(options["metric_names"]) & set(DIVERSITY_METRICS):
        if test or human or baseline or options["groups_path"]:
            raise click.UsageError("paired tests, --baseline, --human and --groups are not "
                                   "defined for diversity metrics")
        diversity = diversity_board(dict(zip(system_names, system_files, strict=True)), options,
                                    n_bootstrap=n_bootstrap, ci=ci, seed=seed, sort=sort)
        if options["per_item_path"]:
            diversity.write_per_item(options["per_item_path"])
        click.echo(format_leaderboard(diversity, fmt), nl=False)
        return
    if options["train_captions"]:
        raise click.BadParameter("only the novel metric reads training captions",
                                 param_hint="--train-captions")
    metrics = chosen_metrics(options)
    references = read_reference_files(options)
    systems = {name: read_hypothesis_file(path, options)
               for name, path in zip(system_names, system_files, strict=True)}
    groups = read_group_file(options)
    if groups is not None:
        check_grouped_format(fmt)
    n_boards = 1 if groups is None else 1 + len(set(groups.group_of.values()))
    progress = StepProgress((3 + len(systems) + bool(human) + (test == "ar")) * n_boards)
    settings = dict(
        metrics=metrics, tokenizer=options["tokenizer"], document_frequencies=options["df_path"],
        n_bootstrap=n_bootstrap, ci=ci, seed=seed, test=test, baseline=baseline, human=human,
        sort=sort, allow_partial=options["allow_partial"],
        sources=dict(zip(system_names, system_files, strict=True)),
        reference_source=",".join(options["refs"]), progress=progress,
    )
    board: Leaderboard | GroupedLeaderboard
    try:
        if groups is None:
            board = leaderboard(systems, references, **settings)
        else:
            board = leaderboard_groups(systems, references, groups, **settings)
    except CapevalError:
        raise
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    finally:
        progress.close()
    if options["per_item_path"]:
        board.write_per_item(options["per_item_path"])
    if isinstance(board, GroupedLeaderboard):
        click.echo(format_grouped(board, fmt), nl=False)
    else:
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
