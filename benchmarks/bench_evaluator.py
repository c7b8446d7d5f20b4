"""Benchmark: repeated `Evaluator.evaluate` against prepared references vs `capeval.evaluate`.

Usage::

    python benchmarks/bench_evaluator.py [--data ../shared/data/flickr8k_train.tsv] [--repeat 3]

Workload: the 6,000 Flickr8k train images, caption 0 as hypothesis, captions 1-4 as references,
all 7 scores (BLEU-1..4, METEOR, ROUGE-L, CIDEr-D), PTB tokenizer. In one process: `--repeat`
calls of ``capeval.evaluate(hyps, refs)``, then one ``Evaluator(refs)`` and `--repeat` calls of
``evaluator.evaluate(hyps)`` (the hypotheses differ per call only in being scored again). The
median wall time of each, the time of each step (from the ``progress`` callback) and the ratio
are printed; every result must equal the first ``capeval.evaluate`` exactly (corpus, per-image
scores and statistics). Times are wall clock on a possibly shared machine: compare the ratio.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from flickr8k import DEFAULT_PATH, load_flickr8k  # noqa: E402


def timed(call) -> tuple[object, float, dict[str, float]]:
    """Run `call(progress)`; return its result, wall seconds and seconds per progress step."""
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    result = call(lambda step: marks.append((step, time.perf_counter())))
    end = time.perf_counter()
    steps = {step: (marks[i + 1][1] if i + 1 < len(marks) else end) - at
             for i, (step, at) in enumerate(marks)}
    return result, end - start, steps


def same(first, other) -> bool:
    return (first.corpus == other.corpus and first.ids == other.ids
            and first.per_item.equals(other.per_item)
            and all(np.array_equal(first.stats[k], other.stats[k]) for k in first.stats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    import capeval

    hyps, refs = load_flickr8k(args.data)
    one_off, prepared = [], []
    results = []
    for _ in range(args.repeat):
        result, seconds, steps = timed(lambda progress: capeval.evaluate(hyps, refs,
                                                                          progress=progress))
        results.append(result)
        one_off.append((seconds, steps))
    start = time.perf_counter()
    evaluator = capeval.Evaluator(refs)
    build_s = time.perf_counter() - start
    for _ in range(args.repeat):
        result, seconds, steps = timed(lambda progress: evaluator.evaluate(hyps,
                                                                           progress=progress))
        results.append(result)
        prepared.append((seconds, steps))

    def median(runs, step=None):
        return statistics.median(s if step is None else t.get(step, 0.0) for s, t in runs)

    summary = {
        "images": len(hyps), "repeat": args.repeat,
        "identical": all(same(results[0], other) for other in results[1:]),
        "evaluate_s": median(one_off), "evaluator_build_s": build_s,
        "evaluator_evaluate_s": median(prepared),
        "steps": {step: {"evaluate_s": median(one_off, step),
                         "evaluator_s": median(prepared, step)} for step in one_off[0][1]},
        "corpus": results[0].corpus,
    }
    summary["ratio"] = summary["evaluate_s"] / summary["evaluator_evaluate_s"]
    print(f"{summary['images']} images, all 7 scores, median of {args.repeat}; "
          f"results identical: {summary['identical']}")
    print(f"{'step':<10} {'evaluate':>10} {'Evaluator':>10}")
    for step, times in summary["steps"].items():
        print(f"{step:<10} {times['evaluate_s']:>9.2f}s {times['evaluator_s']:>9.2f}s")
    print(f"{'total':<10} {summary['evaluate_s']:>9.2f}s {summary['evaluator_evaluate_s']:>9.2f}s"
          f"   (Evaluator built once in {build_s:.2f} s)")
    print(f"capeval.evaluate / Evaluator.evaluate = {summary['ratio']:.2f}x")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
