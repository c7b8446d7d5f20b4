"""Cost of the longest caption capeval accepts, per metric (the figures behind README "Limits").

One image: a hypothesis of `capeval.limits.MAX_CAPTION_TOKENS` tokens against five references
of the same length, words drawn from a 3,000-word vocabulary (seed 0), each metric in a fresh
process (seconds for its statistics, after a warm-up call that loads METEOR's tables; peak
memory of the process). Run: ``python benchmarks/bench_limits.py``.
"""
from __future__ import annotations

import json
import sys
import time

from fresh_process import peak_memory_mb, run_child

METRICS = ("bleu", "meteor", "rouge-l", "cider-d")


def child(metric_name: str) -> None:
    import numpy as np

    from capeval.limits import MAX_CAPTION_TOKENS
    from capeval.metrics import get_metric

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(3000)]

    def caption() -> list[str]:
        return rng.choice(words, MAX_CAPTION_TOKENS).tolist()

    hypothesis, references = caption(), [caption() for _ in range(5)]
    metric = get_metric(metric_name)
    metric.segment_stats([["w1"]], [[["w1"]]])  # load METEOR's tables first: not timed
    started = time.perf_counter()
    metric.segment_stats([hypothesis], [references])
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, **peak_memory_mb()}))


def main() -> None:
    from capeval.limits import MAX_CAPTION_TOKENS

    print(f"one image: hypothesis and 5 references of {MAX_CAPTION_TOKENS:,} tokens each")
    print(f"{'metric':<10}{'seconds':>10}{'peak MB':>10}")
    for name in METRICS:
        result = run_child(__file__, name)
        print(f"{name:<10}{result['seconds']:>10.2f}{result['self_mb']:>10.0f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
