"""capeval: caption evaluation identical to pycocoevalcap, in pure Python.

``capeval.evaluate(hypotheses, references)`` scores a captioning system with BLEU-1..4,
METEOR, ROUGE-L and CIDEr-D exactly as the COCO caption evaluation does, without Java;
``capeval.Evaluator(references)`` prepares a reference set once to score many systems.
"""
from __future__ import annotations

__version__ = "0.1.0"

from capeval.errors import CapevalError, CapevalInputError, CapevalTypeError, CapevalUsageError

__all__ = ["CapevalError", "CapevalInputError", "CapevalTypeError", "CapevalUsageError", "Evaluation", "Evaluator", "__version__", "evaluate", "leaderboard"]


def __getattr__(name: str):
    # `evaluate` pulls in pandas and SciPy: import it on first use, not with the package.
    if name in ("evaluate", "Evaluation", "Evaluator"):
        from capeval import evaluation

        return getattr(evaluation, name)
    if name == "leaderboard":
        from capeval.report import leaderboard

        return leaderboard
    raise AttributeError(f"module 'capeval' has no attribute {name!r}")
