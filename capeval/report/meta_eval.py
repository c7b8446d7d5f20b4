"""Render a meta-evaluation (`capeval.meta_eval`) as a text table, CSV or JSON."""
from __future__ import annotations

import json
import math

from capeval.errors import CapevalUsageError
from capeval.evaluation import format_signature
from capeval.meta_eval import CORRELATIONS
from capeval.meta_eval.correlation import MetaEvaluation
from capeval.report import META_EVAL_FORMATS


def format_meta_evaluation(result: MetaEvaluation, fmt: str = "table") -> str:
    """Render correlations as ``table``, ``csv`` or ``json`` (each with the signature)."""
    signature = format_signature(result.signature)
    table = result.correlations
    if fmt == "json":
        return json.dumps({"signature": signature, "skipped": result.n_skipped,
                           "correlations": {score: {k: _json_number(v) for k, v in row.items()}
                                            for score, row in table.iterrows()}},
                          indent=2) + "\n"
    if fmt == "csv":
        return table.assign(signature=signature).to_csv(lineterminator="\n")
    if fmt != "table":
        raise CapevalUsageError(f"unknown format {fmt!r}; choose from "
                                f"{', '.join(META_EVAL_FORMATS)}", option="fmt")
    width = max(len("score"), *map(len, table.index))
    lines = [f"{'score':<{width}}  " + "  ".join(f"{name:>13}" for name in CORRELATIONS)]
    for score, row in table.iterrows():
        lines.append(f"{score:<{width}}  " + "  ".join(f"{row[name]:>13.4f}"
                                                        for name in CORRELATIONS))
    lines += ["", f"{len(result.per_item)} judgements scored, {result.n_skipped} skipped "
              f"(protocol {result.protocol}). Signature: {signature}"]
    return "\n".join(lines) + "\n"


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
