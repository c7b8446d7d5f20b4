"""Benchmark: streamed scoring at 10k, 100k and 1M images, --jobs 1 and 2, and Dask at 100k.

Usage::

    python benchmarks/bench_scale.py [--data ../shared/data/flickr8k_train.tsv]
        [--sizes 10000,100000,1000000] [--dask-size 100000] [--workdir DIR]

Workload: a seeded synthetic corpus (`generate`, nothing is committed): each image takes the
5 captions of a random Flickr8k train image as references, each reference lightly perturbed
(every word replaced with probability 0.05 by a word drawn with its corpus frequency), and
as hypothesis one of them more strongly perturbed (0.15 per word, plus a dropped word with
probability 0.3).
References and hypotheses are JSON Lines, the hypotheses shuffled relative to the references.
Every run scores all 7 metrics with ``capeval.streaming.evaluate_files`` in a fresh process
(imports excluded from the wall time; reading, joining, tokenizing, df pass, scoring and the
per-image file included). "own CPU" is the CPU time of that process alone, not of its
workers: with ``--jobs 2``, what the workers cannot take over (reading and checking the files,
the join, merging the chunks' df tables, writing the per-image file). Peak RSS is the
process's own and, separately, that of its largest worker (ru_maxrss). The Dask run uses a
`distributed.LocalCluster` of 2 worker processes and must give the corpus scores and the
per-image file of the --jobs 1 run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "tools"))
from flickr8k import DEFAULT_PATH, load_flickr8k  # noqa: E402

from fresh_process import peak_memory_mb, run_child  # noqa: E402

REFERENCE_NOISE = 0.05
HYPOTHESIS_NOISE = 0.15
DROP_RATE = 0.3
BLOCK = 10_000
"""Images generated per block (the generator's memory does not grow with the size)."""


def generate(data: Path, n_images: int, directory: Path, seed: int = 0) -> tuple[Path, Path]:
    """Write ``refs.jsonl`` and ``hyps.jsonl`` for `n_images` synthetic images; return both."""
    hyps0, refs0 = load_flickr8k(data)
    images = [[hyps0[key], *refs0[key]] for key in hyps0]  # 5 captions per Flickr8k image
    words = np.array([w for caps in images for c in caps for w in c.split()])  # by frequency
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_images)  # hypothesis file order
    references, hypotheses = directory / "refs.jsonl", directory / "hyps.jsonl"
    hypothesis_of = {}
    with references.open("w", encoding="utf-8") as stream:
        for start in range(0, n_images, BLOCK):
            for image_id in range(start, min(start + BLOCK, n_images)):
                base = images[rng.integers(len(images))]
                refs = [perturb(caption, words, REFERENCE_NOISE, 0.0, rng) for caption in base]
                stream.write(json.dumps({"image_id": image_id, "references": refs}) + "\n")
                hypothesis_of[image_id] = perturb(base[rng.integers(5)], words,
                                                   HYPOTHESIS_NOISE, DROP_RATE, rng)
    with hypotheses.open("w", encoding="utf-8") as stream:
        for image_id in order.tolist():
            stream.write(json.dumps({"image_id": image_id,
                                     "caption": hypothesis_of[image_id]}) + "\n")
    return hypotheses, references


def perturb(caption: str, words: np.ndarray, noise: float, drop: float,
             rng: np.random.Generator) -> str:
    tokens = caption.split()
    replace = rng.random(len(tokens)) < noise
    for index in np.flatnonzero(replace).tolist():
        tokens[index] = str(words[rng.integers(words.size)])
    if len(tokens) > 3 and rng.random() < drop:
        del tokens[rng.integers(len(tokens))]
    return " ".join(tokens)


def child(hypotheses: str, references: str, jobs: int, mode: str, per_item: str) -> None:
    """Score once in this process and print timings, peak memory and results as JSON."""
    from capeval.streaming import evaluate_files

    started = time.perf_counter()
    cpu_before = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    worker_mb = 0.0
    if mode == "dask":
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            started = time.perf_counter()
            result = evaluate_files(hypotheses, references, per_item=per_item, client=client)
            seconds = time.perf_counter() - started
            peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            worker_mb = max(peaks.values()) / 1024
    else:
        result = evaluate_files(hypotheses, references, per_item=per_item, jobs=jobs)
        seconds = time.perf_counter() - started
    memory = peak_memory_mb()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    digest = hashlib.sha256(Path(per_item).read_bytes()).hexdigest()
    print(json.dumps({"seconds": seconds, "images": result.n_images, "corpus": result.corpus,
                      "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu_before,
                      "self_mb": memory["self_mb"],
                      "worker_mb": max(worker_mb, memory["children_mb"]), "per_item": digest}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--dask-size", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--child", nargs=5, metavar=("HYPS", "REFS", "JOBS", "MODE", "OUT"))
    args = parser.parse_args()
    if args.child:
        hyps, refs, jobs, mode, out = args.child
        child(hyps, refs, int(jobs), mode, out)
        return
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="capeval-bench-scale-"))
    rows = []
    print(f"workload: synthetic Flickr8k-like corpus, 5 references + 1 hypothesis per image, "
          f"seed 0, all 7 metrics; files in {workdir}", flush=True)
    header = (f"{'images':>9}  {'run':<8} {'seconds':>9} {'images/s':>9} {'own CPU s':>9} "
              f"{'peak MB':>8} {'worker MB':>9}  same as --jobs 1")
    print(header, flush=True)
    for size in [int(s) for s in args.sizes.split(",")]:
        directory = workdir / str(size)
        directory.mkdir(parents=True, exist_ok=True)
        hyps, refs = generate(args.data, size, directory)
        runs = [(f"--jobs {j}", int(j), "jobs") for j in args.jobs.split(",")]
        if size == args.dask_size:
            runs.append(("dask 2", 2, "dask"))
        first = None
        for label, jobs, mode in runs:
            out = directory / f"items-{mode}-{jobs}.jsonl"
            result = run_child(__file__, str(hyps), str(refs), str(jobs), mode, str(out))
            first = first or result
            same = (result["corpus"] == first["corpus"]
                    and result["per_item"] == first["per_item"])
            rows.append({"size": size, "run": label, **result, "same": same})
            print(f"{size:>9,}  {label:<8} {result['seconds']:>9.1f} "
                  f"{size / result['seconds']:>9,.0f} {result['cpu_seconds']:>9.1f} "
                  f"{result['self_mb']:>8.0f} "
                  f"{result['worker_mb']:>9.0f}  {'yes' if same else 'NO'}", flush=True)
    _targets(rows)


def _targets(rows: list[dict]) -> None:
    """Print the issue's targets as measured ratios."""
    def find(size: int, run: str) -> dict | None:
        return next((r for r in rows if r["size"] == size and r["run"] == run), None)

    for run in ("--jobs 1", "--jobs 2"):
        small, large = find(100_000, run), find(1_000_000, run)
        if small and large:
            peak = max(large["self_mb"], large["worker_mb"])
            ratio = peak / max(small["self_mb"], small["worker_mb"])
            print(f"{run}: 1M peak {peak:.0f} MB (target <= 1536), {ratio:.2f}x the 100k peak "
                  f"(target <= 1.3); 1M time {large['seconds'] / small['seconds']:.2f}x the "
                  "100k time (target <= 11)")
    one, two = find(100_000, "--jobs 1"), find(100_000, "--jobs 2")
    if one and two:
        print(f"100k: --jobs 2 is {one['seconds'] / two['seconds']:.2f}x faster than --jobs 1 "
              "(target >= 1.7)")
    dask = find(100_000, "dask 2")
    if dask:
        print(f"100k: Dask identical to one process: {'yes' if dask['same'] else 'NO'}")


if __name__ == "__main__":
    main()
