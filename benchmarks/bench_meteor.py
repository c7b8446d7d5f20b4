"""Benchmark: METEOR, capeval vs pycocoevalcap (meteor-1.5.jar), in one run.

Usage (needs the reference: ``pip install -e '.[reference]'`` and Java)::

    python benchmarks/bench_meteor.py [--data ../shared/data/flickr8k_train.tsv] [--repeat 3]

Workload: the 6,000 Flickr8k train images, caption 0 as hypothesis, captions 1-4 as references,
tokenized once by pycocoevalcap's PTBTokenizer; both sides score the same token strings, so
only METEOR is timed. pycocoevalcap: ``Meteor()`` (JVM start, paraphrase table load) plus
``compute_score``. capeval: ``Meteor()`` plus statistics and corpus score (data loading
included). Each measurement runs in a fresh process, `--repeat` times; medians are reported.
Peak memory: the largest resident set of the measuring process and of its children (the JVM).
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from flickr8k import DEFAULT_PATH, load_flickr8k  # noqa: E402

from fresh_process import peak_memory_mb, run_child  # noqa: E402

SIDES = {"pycocoevalcap": "pycocoevalcap (jar)", "capeval": "capeval"}


def tokenize(data: Path) -> dict:
    """Tokenize the workload with pycocoevalcap's PTBTokenizer (Java), as COCOEvalCap does."""
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    hyps, refs = load_flickr8k(data)
    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({k: [{"caption": c} for c in v] for k, v in refs.items()})
    res = tokenizer.tokenize({k: [{"caption": v}] for k, v in hyps.items()})
    return {"ids": list(hyps), "gts": gts, "res": res}


def run_reference(work: dict) -> dict:
    from pycocoevalcap.meteor.meteor import Meteor

    start = time.perf_counter()
    scorer = Meteor()
    aggregate, scores = scorer.compute_score(work["gts"], work["res"])
    seconds = time.perf_counter() - start
    del scorer  # its __del__ stops and reaps the JVM, so RUSAGE_CHILDREN sees it
    gc.collect()
    return {"seconds": seconds, "aggregate": aggregate, "scores": list(scores)}


def run_capeval(work: dict) -> dict:
    from capeval.metrics.meteor import Meteor

    hyps = [work["res"][i][0].split(" ") for i in work["ids"]]
    refs = [[ref.split(" ") for ref in work["gts"][i]] for i in work["ids"]]
    start = time.perf_counter()
    metric = Meteor()
    stats = metric.segment_stats(hyps, refs)
    aggregate = metric.corpus_score_from_stats(stats)["METEOR"]
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "aggregate": aggregate,
            "scores": metric.scores_from_stats(stats)[:, 0].tolist()}


def child(side: str, work_path: Path) -> None:
    work = json.loads(work_path.read_text(encoding="utf-8"))
    if side == "pycocoevalcap":
        result = run_reference(work)
    else:
        result = run_capeval(work)
    print(json.dumps({**result, **peak_memory_mb()}))


def measure(side: str, work_path: Path) -> dict:
    return run_child(__file__, side, "--work", str(work_path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=list(SIDES), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.work)
        return

    with tempfile.TemporaryDirectory() as folder:
        work_path = Path(folder) / "tokenized.json"
        work_path.write_text(json.dumps(tokenize(args.data)), encoding="utf-8")
        runs = {side: [] for side in SIDES}
        for _ in range(args.repeat):  # interleaved, so load changes hit every side alike
            for side in SIDES:
                runs[side].append(measure(side, work_path))

    reference = runs["pycocoevalcap"]
    ref_seconds = statistics.median(r["seconds"] for r in reference)
    print(f"workload: {args.data.name}, 6,000 images x (1 hypothesis + 4 references), "
          f"PTB-tokenized; median of {args.repeat} fresh processes per side")
    print(f"{'':<22} {'seconds':>8} {'ratio':>7} {'peak MB (process)':>18} "
          f"{'peak MB (children)':>19}")
    for side, label in SIDES.items():
        seconds = statistics.median(r["seconds"] for r in runs[side])
        self_mb = max(r["self_mb"] for r in runs[side])
        children_mb = max(r["children_mb"] for r in runs[side])
        print(f"{label:<22} {seconds:>8.2f} {ref_seconds / seconds:>6.1f}x {self_mb:>18.0f} "
              f"{children_mb:>19.0f}")
    ours = runs["capeval"][0]
    identical = sum(a == b for a, b in zip(ours["scores"], reference[0]["scores"], strict=True))
    print(f"capeval: {identical}/{len(ours['scores'])} segment scores identical, "
          f"aggregate {ours['aggregate']!r} vs jar {reference[0]['aggregate']!r}")


if __name__ == "__main__":
    main()
