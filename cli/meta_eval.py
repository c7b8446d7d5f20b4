"""``capeval meta-eval``: correlation of each metric with human judgements."""
from __future__ import annotations

import click

from capeval.meta_eval import PROTOCOLS
from capeval.metrics import DEFAULT_METRICS
from capeval.report import META_EVAL_FORMATS
from capeval.cli.inputs import parse_metrics, per_item_option, tokenizer_option


@click.command("meta-eval")
@click.argument("judgements", metavar="FILE")
@click.option("--metrics", "metric_names", default=",".join(DEFAULT_METRICS), show_default=True,
              callback=lambda ctx, param, value: parse_metrics(value),
              help="Comma-separated metrics.")
@tokenizer_option
@click.option("--protocol", type=click.Choice(tuple(PROTOCOLS)), default="keep",
              show_default=True,
              help="A candidate that is one of its references: keep it, skip the row "
                   "(flickr8k-expert) or remove it from the references (crowdflower).")
@click.option("--df", "df_path", metavar="FILE",
              help="CIDEr-D document frequencies (default: the judged images' references).")
@click.option("--format", "fmt", type=click.Choice(META_EVAL_FORMATS), default="table",
              show_default=True)
@click.option("--candidate-field", help="Field of the candidate caption.")
@click.option("--references-field", help="Field of the reference captions (a list).")
@click.option("--human-field", help="Field of the human score (a number or a list).")
@click.option("--id-field", help="Field of the image id (optional).")
@per_item_option("Write each scored row's human and metric scores.")
def meta_eval_command(judgements, metric_names, tokenizer, protocol, df_path, fmt,
                      candidate_field, references_field, human_field, id_field,
                      per_item_path) -> None:
    """Correlate metric scores with human scores (Kendall tau-b/c, Pearson, Spearman).

    FILE is JSON or JSON Lines ('-': stdin), one object per judged caption with a
    candidate, its references and a human score.
    """
    from capeval.errors import CapevalError, CapevalInputError
    from capeval.io import read_judgements, write_per_item
    from capeval.meta_eval import meta_evaluate
    from capeval.report import format_meta_evaluation

    rows = read_judgements(judgements, candidate_field=candidate_field,
                           references_field=references_field, human_field=human_field,
                           id_field=id_field)
    try:
        result = meta_evaluate(rows, metric_names, tokenizer=tokenizer, protocol=protocol,
                               document_frequencies=df_path)
    except CapevalError:
        raise
    except ValueError as error:
        raise CapevalInputError(judgements, None, str(error)) from None
    if per_item_path:
        write_per_item(per_item_path, result.per_item.rename_axis("row"))
    click.echo(format_meta_evaluation(result, fmt), nl=False)
