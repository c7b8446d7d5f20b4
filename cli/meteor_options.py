"""METEOR options of the scoring commands: module list and paraphrase table."""
from __future__ import annotations

from collections.abc import Callable

import click


def meteor_options(command: Callable) -> Callable:
    """Add ``--meteor-modules`` and ``--paraphrase-table`` to a command."""
    command = click.option(
        "--paraphrase-table", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
        help="METEOR paraphrase table: a METEOR .gz table (probability, phrase, paraphrase "
             "lines) or a .npz from tools/build_meteor_data.py (default: the jar's English "
             "table, packaged).")(command)
    return click.option(
        "--meteor-modules", metavar="LIST",
        help="METEOR matching modules in slot order (default: exact,stem,synonym,paraphrase); "
             "scoring weights follow the jar's defaults by position.")(command)


def meteor_metric(metric_names: list[str], modules: str | None,
                  paraphrase_table: str | None) -> list:
    """Replace ``meteor`` in `metric_names` by a ``Meteor`` configured from the options.

    Raises
    ------
    click.BadParameter
        For an invalid module list or table, or METEOR options without METEOR.
    """
    if modules is None and paraphrase_table is None:
        return list(metric_names)
    from capeval.metrics.meteor import Meteor
    from capeval.metrics.meteor.matchers import MODULES

    hint = "--meteor-modules" if modules is not None else "--paraphrase-table"
    if "meteor" not in metric_names:
        raise click.BadParameter("METEOR options need meteor in --metrics", param_hint=hint)
    chosen = MODULES if modules is None else tuple(
        name.strip().lower() for name in modules.split(",") if name.strip())
    try:
        metric = Meteor(chosen, paraphrase_table=paraphrase_table)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=hint) from None
    return [metric if name == "meteor" else name for name in metric_names]
