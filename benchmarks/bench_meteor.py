"""Benchmark: METEOR (and all seven metrics), capeval vs pycocoevalcap (meteor-1.5.jar), in one run.

Usage (needs the reference: ``pip install -e '.[reference]'`` and Java)::

    python benchmarks/bench_meteor.py [--data ../shared/data/flickr8k_train.tsv] [--repeat 3]

Workload: the 6,000 Flickr8k train images, caption 0 as hypothesis, captions 1-4 as references,
tokenized once by pycocoevalcap's PTBTokenizer; every side scores the same token strings.

Sides, each in a fresh process, alternating, `--repeat` times (medians reported):

- ``jar``: pycocoevalcap's ``Meteor()`` (JVM start, paraphrase table load) + ``compute_score``;
- ``capeval``: ``Meteor()`` + statistics + corpus score (data loading included), a thread per
  core;
- ``capeval (1 thread)``: the same with ``Meteor(threads=1)``, what the threads bring;
- ``capeval (repeated calls)``: the same, then three more calls against the same prepared
  references, as a training loop validating every epoch makes (their median is reported; its
  own process, so the whole-process times above cover one evaluation on both sides). They
  score the same hypotheses again: capeval keeps
  nothing of a hypothesis between calls but `WordData`'s bounded per-word cache, so this costs
  what new hypotheses of the same kind cost (another image's caption, as this benchmark used
  before, matches its references far less, so it is scored faster than a real next epoch);
- ``pycocoevalcap (7 metrics)``: Bleu(4), Meteor, Rouge, Cider;
- ``capeval (7 metrics)``: ``capeval.evaluate_tokenized`` with BLEU, METEOR, ROUGE-L, CIDEr-D;
- ``capeval (no METEOR)``: the same without METEOR, so that the report can say what is left of
  the whole-process time of the seven metrics at 12x pycocoevalcap for METEOR.

"whole process" is the wall clock of the child from start to exit (interpreter, imports, the
JVM, reading the workload), with both packages' modules compiled to bytecode beforehand, as
installing a wheel does (`fresh_process.compile_capeval`); "in process" excludes interpreter
start and imports. Peak memory:
the largest resident set of the child and of its children (the JVM).
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

SIDES = ("jar", "capeval", "capeval (1 thread)", "pycocoevalcap (7 metrics)",
         "capeval (7 metrics)", "capeval (repeated calls)", "capeval (no METEOR)")
EVALUATED = {"capeval (7 metrics)": ["bleu", "meteor", "rouge-l", "cider-d"],
             "capeval (no METEOR)": ["bleu", "rouge-l", "cider-d"]}
"""The sides that score through ``evaluate_tokenized``, with their metrics."""
STAGES = ("alignment", "lexicon", "paraphrase matching", "corpus preparation",
          "paraphrase table")


def tokenize(data: Path) -> dict:
    """Tokenize the workload with pycocoevalcap's PTBTokenizer (Java), as COCOEvalCap does."""
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    hyps, refs = load_flickr8k(data)
    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({k: [{"caption": c} for c in v] for k, v in refs.items()})
    res = tokenizer.tokenize({k: [{"caption": v}] for k, v in hyps.items()})
    return {"ids": list(hyps), "gts": gts, "res": res}


def run_jar(work: dict, all_metrics: bool) -> dict:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge

    start = time.perf_counter()
    scorer = Meteor()
    aggregate, scores = scorer.compute_score(work["gts"], work["res"])
    if all_metrics:
        Bleu(4).compute_score(work["gts"], work["res"], verbose=0)
        Rouge().compute_score(work["gts"], work["res"])
        Cider().compute_score(work["gts"], work["res"])
    seconds = time.perf_counter() - start
    del scorer  # its __del__ stops and reaps the JVM, so RUSAGE_CHILDREN sees it
    gc.collect()
    return {"seconds": seconds, "aggregate": aggregate, "scores": list(scores)}


def run_capeval(work: dict, metrics: list[str] | None, repeat_calls: bool = False,
                threads: int | None = None) -> dict:
    from capeval.metrics.base import Candidates, ReferenceSet
    from capeval.metrics.meteor import Meteor

    ids = work["ids"]
    hyps = [work["res"][i][0].split(" ") for i in ids]
    refs = [[ref.split(" ") for ref in work["gts"][i]] for i in ids]
    if metrics:
        from capeval.evaluation import evaluate_tokenized  # pandas: only these sides

        start = time.perf_counter()
        result = evaluate_tokenized(ids, hyps, refs, metrics)
        seconds = time.perf_counter() - start
        if "meteor" not in metrics:
            return {"seconds": seconds}
        return {"seconds": seconds, "aggregate": result.corpus["METEOR"],
                "scores": result.per_item["METEOR"].tolist()}
    start, cpu_start = time.perf_counter(), time.process_time()
    metric = Meteor(threads=threads)
    references = ReferenceSet(refs)
    prepared = metric.prepare_references(references)
    stats = metric.candidate_stats(Candidates(references, hyps), prepared)
    aggregate = metric.corpus_score_from_stats(stats)["METEOR"]
    seconds = time.perf_counter() - start
    result = {"seconds": seconds, "cpu_seconds": time.process_time() - cpu_start, "stages": dict(metric.stage_seconds), "aggregate": aggregate,
              "scores": metric.scores_from_stats(stats)[:, 0].tolist()}
    if repeat_calls:
        repeats = []
        for _ in range(3):
            start = time.perf_counter()
            metric.candidate_stats(Candidates(references, hyps), prepared)
            repeats.append(time.perf_counter() - start)
        result["repeat_seconds"] = statistics.median(repeats)
    return result


def child(side: str, work_path: Path) -> None:
    work = json.loads(work_path.read_text(encoding="utf-8"))
    if side in ("jar", "pycocoevalcap (7 metrics)"):
        result = run_jar(work, all_metrics=side != "jar")
    else:
        result = run_capeval(work, EVALUATED.get(side),
                             repeat_calls=side == "capeval (repeated calls)",
                             threads=1 if side == "capeval (1 thread)" else None)
    print(json.dumps({**result, **peak_memory_mb()}))


def measure(side: str, work_path: Path) -> dict:
    start = time.perf_counter()
    result = run_child(__file__, side, "--work", str(work_path))
    return {**result, "process_seconds": time.perf_counter() - start}


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.work)
        return

    with tempfile.TemporaryDirectory() as folder:
        work_path = Path(folder) / "tokenized.json"
        work_path.write_text(json.dumps(tokenize(args.data)), encoding="utf-8")
        runs: dict[str, list[dict]] = {side: [] for side in SIDES}
        for _ in range(args.repeat):  # alternating, so load changes hit every side alike
            for side in SIDES:
                runs[side].append(measure(side, work_path))

    print(f"workload: {args.data.name}, 6,000 images x (1 hypothesis + 4 references), "
          f"PTB-tokenized; median of {args.repeat} alternating fresh processes per side")
    print(f"{'':<26} {'whole process s':>15} {'ratio':>6} {'in process s':>12} {'ratio':>6} "
          f"{'peak MB':>8} {'peak MB (JVM)':>13}")
    for side, reference in (("jar", "jar"), ("capeval", "jar"), ("capeval (1 thread)", "jar"),
                            ("pycocoevalcap (7 metrics)", "pycocoevalcap (7 metrics)"),
                            ("capeval (7 metrics)", "pycocoevalcap (7 metrics)")):
        whole, inside = median(runs[side], "process_seconds"), median(runs[side], "seconds")
        print(f"{side:<26} {whole:>15.2f} "
              f"{median(runs[reference], 'process_seconds') / whole:>5.1f}x {inside:>12.2f} "
              f"{median(runs[reference], 'seconds') / inside:>5.1f}x "
              f"{max(r['self_mb'] for r in runs[side]):>8.0f} "
              f"{max(r['children_mb'] for r in runs[side]):>13.0f}")
    ours, one = runs["capeval"], runs["capeval (1 thread)"]
    print(f"capeval METEOR, a thread per core against 1 thread: in process "
          f"{median(ours, 'seconds'):.2f} s vs {median(one, 'seconds'):.2f} s "
          f"({median(one, 'seconds') / median(ours, 'seconds'):.2f}x faster), CPU "
          f"{median(ours, 'cpu_seconds'):.2f} s vs {median(one, 'cpu_seconds'):.2f} s, peak "
          f"{max(r['self_mb'] for r in ours):.0f} MB vs {max(r['self_mb'] for r in one):.0f} MB")
    repeated = runs["capeval (repeated calls)"]
    first, repeat = median(repeated, "seconds"), median(repeated, "repeat_seconds")
    print(f"capeval METEOR, same prepared references, scored again: first call {first:.2f} s, "
          f"next calls {repeat:.2f} s ({first / repeat:.1f}x faster)")
    budget = median(runs["pycocoevalcap (7 metrics)"], "process_seconds") / 12
    without = median(runs["capeval (no METEOR)"], "process_seconds")
    print(f"7 metrics at 12x pycocoevalcap: {budget:.2f} s as a whole process; capeval without "
          f"METEOR takes {without:.2f} s ({median(runs['capeval (no METEOR)'], 'seconds'):.2f} s "
          f"in process), which leaves METEOR {budget - without:.2f} s; it adds "
          f"{median(runs['capeval (7 metrics)'], 'process_seconds') - without:.2f} s")
    print("capeval METEOR stages of the first call (seconds, median): " + ", ".join(
        f"{stage} {statistics.median(r['stages'].get(stage, 0.0) for r in ours):.2f}"
        for stage in STAGES))
    jar = runs["jar"][0]
    for side in ("capeval", "capeval (1 thread)", "capeval (7 metrics)"):
        identical = sum(a == b for a, b in zip(runs[side][0]["scores"], jar["scores"],
                                               strict=True))
        print(f"{side}: {identical}/{len(jar['scores'])} METEOR segment scores identical, "
              f"aggregate {runs[side][0]['aggregate']!r} vs jar {jar['aggregate']!r}")


if __name__ == "__main__":
    main()
