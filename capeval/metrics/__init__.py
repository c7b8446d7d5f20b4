"""Metric registry: names accepted by the CLI and `capeval.evaluate`, mapped to classes."""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from capeval.errors import CapevalTypeError, CapevalUsageError

if TYPE_CHECKING:
    from capeval.metrics.base import Metric, SegmentMeanMetric, Tokens

METRICS: dict[str, str] = {
    "bleu": "capeval.metrics.bleu:Bleu",
    "meteor": "capeval.metrics.meteor:Meteor",
    "rouge-l": "capeval.metrics.rouge:RougeL",
    "cider-d": "capeval.metrics.cider:CiderD",
    "cider": "capeval.metrics.cider:OriginalCider",
}
"""Registry key -> ``module:Class``; classes are imported on first use."""

DEFAULT_METRICS: tuple[str, ...] = ("bleu", "meteor", "rouge-l", "cider-d")
"""The metrics of the COCO caption evaluation, in its column order."""


def metric_class(name: str) -> type[Metric]:
    """Return the metric class registered under `name` (case-insensitive).

    Raises
    ------
    CapevalUsageError
        If `name` is not a registered metric.
    CapevalTypeError
        If `name` is not a string.
    """
    if not isinstance(name, str):
        raise CapevalTypeError(f"a metric is a registry name or a Metric, got "
                               f"{type(name).__name__}")
    key = name.strip().lower()
    if key not in METRICS:
        raise CapevalUsageError(f"unknown metric {name!r}; choose from {', '.join(METRICS)}",
                                option="metrics")
    module_name, class_name = METRICS[key].split(":")
    return getattr(import_module(module_name), class_name)


def __getattr__(name: str):
    # The base classes pull in NumPy, SciPy and pandas; the registry itself (used by the CLI
    # for its option choices) must not.
    if name in ("Metric", "SegmentMeanMetric", "Tokens"):
        from capeval.metrics import base

        return getattr(base, name)
    raise AttributeError(f"module 'capeval.metrics' has no attribute {name!r}")


def get_metric(name: str, **options: object) -> Metric:
    """Return a new instance of the metric registered under `name`, built with `options`."""
    return metric_class(name)(**options)


__all__ = ["DEFAULT_METRICS", "METRICS", "Metric", "SegmentMeanMetric", "Tokens", "get_metric",
           "metric_class"]
