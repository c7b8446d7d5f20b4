"""Meta-evaluation: how well each metric's per-caption scores agree with human judgements.

Input is a set of judged captions (`capeval.io.judgements`), each a (candidate, references,
human score) row, such as Flickr8K-Expert or Flickr8K-CrowdFlower. Every row is scored as
one image (per-image BLEU, METEOR, ROUGE-L, CIDEr-D, as `capeval.evaluate` reports them),
then each score is correlated with the human scores: Kendall's tau-b and tau-c, Pearson's r
and Spearman's rho (`capeval.meta_eval.correlation.meta_evaluate`; rendered by
`capeval.report.meta_eval`).

Protocols for a candidate that is itself one of its image's references:

- ``keep``: score it as it is (it matches itself);
- ``skip``: leave such rows out (as done for Flickr8K-Expert);
- ``remove``: drop the candidate from its references (as done for Flickr8K-CrowdFlower).

A candidate "is" a reference when their tokens are equal (so case and punctuation that the
tokenizer drops do not matter).

This module holds only the names (the CLI's choices, importable without NumPy); the
computation is imported on first use.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from capeval.meta_eval.correlation import MetaEvaluation, correlate, meta_evaluate

PROTOCOLS = {"keep": "keep", "skip": "skip", "remove": "remove",
             "flickr8k-expert": "skip", "crowdflower": "remove"}
"""Protocol names (and dataset shorthands) -> what happens to a candidate among its references."""

CORRELATIONS = ("kendall_tau_b", "kendall_tau_c", "pearson", "spearman")
"""The correlation columns, in output order."""

_LAZY = ("MetaEvaluation", "correlate", "meta_evaluate")


def __getattr__(name: str):
    # The computation needs NumPy, SciPy and pandas; the names above must not.
    if name in _LAZY:
        return getattr(import_module("capeval.meta_eval.correlation"), name)
    raise AttributeError(f"module 'capeval.meta_eval' has no attribute {name!r}")


__all__ = ["CORRELATIONS", "PROTOCOLS", "MetaEvaluation", "correlate", "meta_evaluate"]
