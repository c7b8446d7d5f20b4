"""Benchmark: where the time of bench_meteor's capeval processes goes, and what METEOR's block
size costs.

Usage (the reference is needed only to tokenize the workload, as in `bench_meteor`)::

    python benchmarks/bench_meteor_parts.py [--data ../shared/data/flickr8k_train.tsv]
        [--repeat 3] [--blocks 600,1000]

The workload of `bench_meteor` (6,000 Flickr8k images, PTB-tokenized by pycocoevalcap). Every
measurement is a fresh process, alternating, and the medians of `--repeat` are printed:

- anatomy: for METEOR alone, the seven metrics and BLEU, ROUGE-L and CIDEr-D alone (the
  capeval sides of `bench_meteor`), the phases of a whole process: start (the interpreter and
  this script's own imports, until the child's first line), reading and splitting the
  workload, capeval's imports, the scoring, and exit (from the child's last line until the
  parent sees it end). Wall clock of one machine, read as shares of the whole.
- blocks: METEOR (a thread per core) with each most-hypotheses-per-block value: the first
  call, the median of three repeated calls against the same prepared references, the stage
  times of a repeated call (summed over threads) and the peak memory of the process.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from flickr8k import DEFAULT_PATH  # noqa: E402

from bench_meteor import EVALUATED, STAGES, tokenize  # noqa: E402
from fresh_process import compile_capeval, peak_memory_mb, run_child  # noqa: E402

SIDES = {"METEOR": None, "7 metrics": EVALUATED["capeval (7 metrics)"],
         "no METEOR": EVALUATED["capeval (no METEOR)"]}
"""Anatomy sides: the metrics scored through `evaluate_tokenized` (None: `Meteor` alone)."""
PHASES = ("start", "workload", "imports", "scoring", "exit")


def read_workload(work_path: Path) -> tuple[list, list, list]:
    work = json.loads(work_path.read_text(encoding="utf-8"))
    ids = work["ids"]
    return (ids, [work["res"][i][0].split(" ") for i in ids],
            [[ref.split(" ") for ref in work["gts"][i]] for i in ids])


def anatomy_child(side: str, work_path: Path) -> None:
    marks = [time.time()]
    ids, hyps, refs = read_workload(work_path)
    marks.append(time.time())
    metrics = SIDES[side]
    if metrics:
        from capeval.evaluation import evaluate_tokenized

        marks.append(time.time())
        evaluate_tokenized(ids, hyps, refs, metrics)
    else:
        from capeval.metrics.base import Candidates, ReferenceSet
        from capeval.metrics.meteor import Meteor

        marks.append(time.time())
        metric, references = Meteor(), ReferenceSet(refs)
        stats = metric.candidate_stats(Candidates(references, hyps),
                                       metric.prepare_references(references))
        metric.corpus_score_from_stats(stats)
    marks.append(time.time())
    print(json.dumps({"marks": marks}), flush=True)


def blocks_child(block: int, work_path: Path) -> None:
    _, hyps, refs = read_workload(work_path)
    from capeval.metrics.base import Candidates, ReferenceSet
    from capeval.metrics.meteor import Meteor
    from capeval.metrics.meteor import metric as metric_module

    metric_module._MAX_BLOCK = block
    start = time.perf_counter()
    metric, references = Meteor(), ReferenceSet(refs)
    prepared = metric.prepare_references(references)
    metric.candidate_stats(Candidates(references, hyps), prepared)
    first = time.perf_counter() - start
    metric.stage_seconds.clear()
    repeats = []
    for _ in range(3):
        start = time.perf_counter()
        metric.candidate_stats(Candidates(references, hyps), prepared)
        repeats.append(time.perf_counter() - start)
    stages = {name: seconds / 3 for name, seconds in metric.stage_seconds.items()}
    print(json.dumps({"first": first, "repeat": statistics.median(repeats), "stages": stages,
                      **peak_memory_mb()}))


def anatomy(side: str, work_path: Path) -> dict[str, float]:
    started = time.time()
    marks = run_child(__file__, "anatomy", side, str(work_path))["marks"]
    ended = time.time()
    points = [started, *marks, ended]
    return dict(zip(PHASES, (b - a for a, b in zip(points[:-1], points[1:])), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--blocks", default="600,1000")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, value, work = args.child
        if kind == "anatomy":
            anatomy_child(value, Path(work))
        else:
            blocks_child(int(value), Path(work))
        return

    blocks = [int(block) for block in args.blocks.split(",")]
    compile_capeval()  # before any timing
    with tempfile.TemporaryDirectory() as folder:
        work_path = Path(folder) / "tokenized.json"
        work_path.write_text(json.dumps(tokenize(args.data)), encoding="utf-8")
        phases: dict[str, list[dict]] = {side: [] for side in SIDES}
        sized: dict[int, list[dict]] = {block: [] for block in blocks}
        for _ in range(args.repeat):  # alternating, so load changes hit every side alike
            for side in SIDES:
                phases[side].append(anatomy(side, work_path))
            for block in blocks:
                sized[block].append(run_child(__file__, "blocks", str(block), str(work_path)))

    print(f"workload: {args.data.name}, 6,000 images; median of {args.repeat} alternating "
          f"fresh processes")
    print(f"{'whole process':<14}" + "".join(f"{phase:>10}" for phase in PHASES)
          + f"{'total':>10}   (seconds)")
    for side, runs in phases.items():
        medians = [statistics.median(run[phase] for run in runs) for phase in PHASES]
        total = statistics.median(sum(run.values()) for run in runs)
        print(f"{side:<14}" + "".join(f"{value:>10.3f}" for value in medians)
              + f"{total:>10.3f}")
    print(f"{'METEOR block':<14}{'first s':>10}{'repeat s':>10}{'peak MB':>10}   "
          "repeated call's stages (s, summed over threads)")
    for block, runs in sized.items():
        stages = ", ".join(
            f"{stage} {statistics.median(run['stages'].get(stage, 0.0) for run in runs):.3f}"
            for stage in STAGES)
        print(f"{block:<14}{statistics.median(run['first'] for run in runs):>10.3f}"
              f"{statistics.median(run['repeat'] for run in runs):>10.3f}"
              f"{max(run['self_mb'] for run in runs):>10.0f}   {stages}")


if __name__ == "__main__":
    main()
