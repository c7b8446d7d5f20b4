"""Benchmark: tokenize + BLEU + ROUGE-L + CIDEr-D, capeval vs pycocoevalcap, in one run.

Usage (needs the reference: ``pip install -e '.[reference]'`` and Java)::

    python benchmarks/bench_core.py [--data ../shared/data/flickr8k_train.tsv] [--repeat 3]

Workload: the 6,000 Flickr8k train images, caption 0 as hypothesis, captions 1-4 as references.
Each implementation runs in its own fresh process (so peak memory is its own; the JVM's is
counted for pycocoevalcap), `--repeat` times; the median time of each step is reported with the
ratio pycocoevalcap / capeval. The scores of both are compared too.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from flickr8k import DEFAULT_PATH, load_flickr8k  # noqa: E402

from fresh_process import peak_memory_mb, run_child  # noqa: E402

STEPS = ["tokenize", "BLEU", "ROUGE-L", "CIDEr-D"]


def run_reference(data: Path) -> dict:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    hyps, refs = load_flickr8k(data)
    times, scores = {}, {}
    start = time.perf_counter()
    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({k: [{"caption": c} for c in v] for k, v in refs.items()})
    res = tokenizer.tokenize({k: [{"caption": v}] for k, v in hyps.items()})
    times["tokenize"] = time.perf_counter() - start
    for step, scorer in [("BLEU", Bleu(4)), ("ROUGE-L", Rouge()), ("CIDEr-D", Cider())]:
        start = time.perf_counter()
        if step == "BLEU":
            value, _ = scorer.compute_score(gts, res, verbose=0)
            scores.update({f"BLEU-{n + 1}": v for n, v in enumerate(value)})
        else:
            value, _ = scorer.compute_score(gts, res)
            scores[step] = float(value)
        times[step] = time.perf_counter() - start
    return {"times": times, "scores": scores}


def run_capeval(data: Path) -> dict:
    from capeval.evaluation import evaluate  # imports are outside the timings, on both sides

    hyps, refs = load_flickr8k(data)
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    result = evaluate(hyps, refs, ["bleu", "rouge-l", "cider-d"],
                              progress=lambda step: marks.append((step, time.perf_counter())))
    marks.append(("end", time.perf_counter()))
    times = {step: later - now for (step, now), (_, later) in zip(marks, marks[1:])}
    times["tokenize"] += marks[0][1] - start  # alignment and validation before tokenizing
    return {"times": times, "scores": result.corpus}


def child(which: str, data: Path) -> None:
    result = (run_reference if which == "pycocoevalcap" else run_capeval)(data)
    print(json.dumps({**result, **peak_memory_mb()}))


def measure(which: str, data: Path) -> dict:
    return run_child(__file__, which, "--data", str(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=["pycocoevalcap", "capeval"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data)
        return

    runs = {name: [measure(name, args.data) for _ in range(args.repeat)]
            for name in ("pycocoevalcap", "capeval")}
    median = {name: {step: statistics.median(r["times"][step] for r in results) for step in STEPS}
              for name, results in runs.items()}
    peak = {name: {key: max(r[key] for r in results) for key in ("self_mb", "children_mb")}
            for name, results in runs.items()}
    print(f"workload: {args.data.name}, 6,000 images x (1 hypothesis + 4 references); "
          f"median of {args.repeat} fresh processes each")
    print(f"{'step':<10} {'pycocoevalcap s':>16} {'capeval s':>10} {'ratio':>7}")
    for step in [*STEPS, "total"]:
        ref = sum(median["pycocoevalcap"].values()) if step == "total" else median["pycocoevalcap"][step]
        own = sum(median["capeval"].values()) if step == "total" else median["capeval"][step]
        print(f"{step:<10} {ref:>16.3f} {own:>10.3f} {ref / own:>6.1f}x")
    ref_peak, own_peak = peak["pycocoevalcap"], peak["capeval"]
    print(f"peak memory: pycocoevalcap {ref_peak['self_mb']:.0f} MB Python + "
          f"{ref_peak['children_mb']:.0f} MB Java; capeval {own_peak['self_mb']:.0f} MB")
    ref_scores, own_scores = runs["pycocoevalcap"][0]["scores"], runs["capeval"][0]["scores"]
    worst = max(abs(ref_scores[k] - own_scores[k]) for k in ref_scores)
    print(f"largest corpus score difference: {worst:.1e}")


if __name__ == "__main__":
    main()
