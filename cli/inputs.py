"""Click options shared by the commands that read caption files, and the readers behind them."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import click

from capeval.diversity import DIVERSITY_METRICS
from capeval.errors import CapevalUsageError
from capeval.io import FORMATS, read_references
from capeval.io.writers import PER_ITEM_EXTENSIONS, check_output_path
from capeval.metrics import DEFAULT_METRICS, METRICS
from capeval.tokenizers import TOKENIZERS
from capeval.cli.meteor_options import meteor_metric, meteor_options


def reference_options(command: Callable) -> Callable:
    """Add --refs, --refs-format, --id-field, --refs-id-field, --caption-fields and --split."""
    options: list[Callable[[Callable], Callable]] = [
        click.option("--refs", "refs", multiple=True, required=True, metavar="FILE",
                     help="Reference captions ('-': stdin); repeat for line-aligned plain-text "
                          "files."),
        click.option("--refs-format", type=click.Choice(FORMATS),
                     help="Format of the references (default: detected)."),
        click.option("--id-field", help="Image id column/key of table or Karpathy files "
                                        "(references and hypotheses)."),
        click.option("--refs-id-field", help="Image id field of the references only "
                                             "(overrides --id-field)."),
        click.option("--caption-fields", help="Comma-separated reference caption column(s)."),
        click.option("--split", "splits", multiple=True,
                     help="Karpathy JSON: keep only images of this split; repeat for several "
                          "(--split train --split restval)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def scoring_options(command: Callable) -> Callable:
    """Add the options shared by commands that score systems: hypothesis file format, metrics,
    tokenizer, METEOR and CIDEr-D settings, partial evaluation and the per-item file."""
    options: list[Callable[[Callable], Callable]] = [
        click.option("--hyps-format", type=click.Choice(FORMATS),
                     help="Format of the hypothesis file(s) (default: detected)."),
        click.option("--hyps-id-field", help="Image id field of the hypotheses only "
                                             "(overrides --id-field)."),
        click.option("--caption-field", help="Hypothesis caption column/key of table files."),
        click.option("--metrics", "metric_names", default=",".join(DEFAULT_METRICS),
                     show_default=True, callback=lambda ctx, param, value: parse_metrics(value),
                     help="Comma-separated metrics; or diversity metrics (vocab, novel, "
                          "div-1, div-2, mbleu-4, self-cider) on several captions per "
                          "image."),
        tokenizer_option,
        meteor_options,
        click.option("--df", "df_path", metavar="FILE",
                     help="CIDEr-D document frequencies (.json/.npz from `capeval df build`); "
                          "default: the evaluated references, as pycocoevalcap does."),
        click.option("--allow-partial", is_flag=True,
                     help="Score only the images that have hypotheses (warns) instead of "
                          "failing."),
        per_item_option("Write per-image scores (image_id and one column per score)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def streaming_options(command: Callable) -> Callable:
    """Add --jobs, --chunk-size and --dask (how a streamed evaluation runs, never what it
    gives)."""
    from capeval.streaming import DEFAULT_CHUNK_SIZE, DEFAULT_JOBS  # light: no NumPy yet

    options = [
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=DEFAULT_JOBS,
                     show_default=True,
                     help="Worker processes scoring chunks (the numbers do not change)."),
        click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK_SIZE,
                     show_default=True, metavar="IMAGES",
                     help="Images per chunk (the numbers do not change)."),
        click.option("--dask", "dask_address", metavar="ADDRESS|local",
                     help="Run the chunks on a Dask cluster: a scheduler address "
                          "(tcp://host:8786), or `local` for a LocalCluster of --jobs worker "
                          "processes (needs capeval[dask]; the numbers do not change)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@contextmanager
def dask_cluster(address: str | None, jobs: int) -> Iterator[Any]:
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


def group_options(command: Callable) -> Callable:
    """Add --groups and --group-field (per-group breakdowns, nocaps style)."""
    options = [
        click.option("--groups", "groups_path", metavar="FILE",
                     help="Score every group (and the entire set) as its own evaluation: "
                          "nocaps JSON (images[].domain) or CSV/TSV/JSON Lines with image_id "
                          "and group."),
        click.option("--group-field", metavar="NAME",
                     help="Group key/column of the --groups file (default: group, domain)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def output_path_callback(suffixes: tuple[str, ...] = (), option: str = "out") -> Callable:
    """Return a click callback that checks an output file before the command does any work."""

    def check(ctx, param, value):
        if value is not None:
            check_output_path(value, suffixes, option=option)
        return value

    return check


def per_item_option(help: str) -> Callable[[Callable], Callable]:
    """Return the --per-item option: a .jsonl or .csv file checked before any work."""
    return click.option(
        "--per-item", "per_item_path",
        metavar="|".join(f"FILE{suffix}" for suffix in PER_ITEM_EXTENSIONS),
        callback=output_path_callback(PER_ITEM_EXTENSIONS, "per_item"), help=help)


def tokenizer_option(command: Callable) -> Callable:
    return click.option(
        "--tokenizer", type=click.Choice(sorted(TOKENIZERS)), default="ptb", show_default=True,
        help="ptb: pycocoevalcap's PTBTokenizer (references one stream, hypotheses another, "
        "as pycocoevalcap lexes them); ptb-caption: the same, each caption on its own; "
        "none: captions are pre-tokenized; jieba (Chinese, as AIC-ICC), char (CJK "
        "characters), mecab (Japanese), kiwi (Korean).",
    )(command)


def file_options(options: dict) -> dict:
    """The read options of the streamed readers (`capeval.streaming.evaluate_files`), with
    --per-item, --chunk-size and --jobs."""
    fields = options["caption_fields"]
    return dict(
        per_item=options["per_item_path"], chunk_size=options["chunk_size"],
        jobs=options["jobs"], hypotheses_format=options["hyps_format"],
        references_format=options["refs_format"], id_field=options["id_field"],
        hypotheses_id_field=options["hyps_id_field"],
        references_id_field=options["refs_id_field"], caption_field=options["caption_field"],
        caption_fields=fields.split(",") if fields else None,
        split=list(options["splits"]) or None)


def check_groups_options(options: dict) -> None:
    """Refuse --group-field without --groups."""
    if options["groups_path"] is None and options["group_field"] is not None:
        raise CapevalUsageError("--group-field needs --groups", option="group_field")


def check_one_stdin(*paths: str) -> None:
    """Refuse ``-`` (standard input) for more than one input file."""
    if sum(path == "-" for path in paths) > 1:
        raise click.UsageError("only one input file can be '-' (standard input)")


def read_reference_files(options: dict) -> dict:
    """Read the references named by `reference_options`."""
    fields = options["caption_fields"]
    return read_references(
        options["refs"],
        options["refs_format"],
        id_field=options["refs_id_field"] or options["id_field"],
        caption_fields=fields.split(",") if fields else None,
        split=list(options["splits"]) or None,
    )


def chosen_metrics(options: dict) -> list:
    """Return the metrics of `scoring_options`, METEOR configured from its options."""
    return meteor_metric(options["metric_names"], options["meteor_modules"],
                         options["paraphrase_table"])


def parse_metrics(value: str) -> list[str]:
    """Parse a comma-separated list of registry names (click callback helper).

    A name listed twice is an error (as in `capeval.evaluate`), never merged silently.
    Accuracy metrics (`capeval.metrics.METRICS`) and diversity metrics
    (`capeval.diversity.DIVERSITY_METRICS`) cannot be mixed: they read different files.
    """
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    known = (*METRICS, *DIVERSITY_METRICS)
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown metric {', '.join(unknown) or '(none)'}; choose from {', '.join(known)}"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise click.BadParameter(f"metric listed twice: {', '.join(repeated)}")
    diversity = [name for name in names if name in DIVERSITY_METRICS]
    if diversity and len(diversity) < len(names):
        raise click.BadParameter(
            "diversity metrics (several captions per image) and accuracy metrics (one caption "
            f"per image) need separate runs; got {', '.join(names)}")
    return names
