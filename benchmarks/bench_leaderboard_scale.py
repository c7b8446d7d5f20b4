"""Benchmark: peak memory and time of ``capeval leaderboard`` on 3 systems at 10k and 100k images.

Usage::

    python benchmarks/bench_leaderboard_scale.py [--data ../shared/data/flickr8k_train.tsv]
        [--sizes 10000,100000] [--metrics bleu,meteor,rouge-l,cider-d] [--workdir DIR]
        [--modes plain,human,groups,html]

Workload: the synthetic corpus of `bench_scale` (seeded; nothing is committed): each image
has 5 lightly perturbed Flickr8k references; each of the 3 systems captions every image with
one of its references perturbed more strongly (0.10, 0.15 and 0.20 of the words replaced),
each system's file in its own shuffled order. Every run is one whole ``capeval leaderboard``
command in a fresh process (JSON Lines inputs, ``--format json``, ``--per-item``, 1000
bootstrap resamples, the paired bootstrap test against the first system); it prints the wall
time, peak RSS (ru_maxrss) and a digest of the output and of the per-item file, so two code
versions can be compared (run the script with ``PYTHONPATH`` pointing at another checkout).
`MODES` add ``--human`` (5 leave-one-out folds), ``--groups`` (a CSV putting image k in group
k mod 3) or ``--format html`` (instead of json).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent / "tools"))
from flickr8k import DEFAULT_PATH, load_flickr8k  # noqa: E402

from bench_scale import BLOCK, DROP_RATE, REFERENCE_NOISE, perturb  # noqa: E402
from fresh_process import peak_memory_mb, run_child  # noqa: E402

SYSTEM_NOISE = (0.10, 0.15, 0.20)
"""Fraction of words each system replaces in the reference it starts from."""

MODES = {"plain": [], "human": ["--human"], "groups": ["--groups", "{groups}"],
         "html": ["--format", "html"]}
"""Mode -> the options it adds (``{groups}``: the group file of the corpus)."""
GROUP_NAMES = ("in-domain", "near-domain", "out-domain")


def generate(data: Path, n_images: int, directory: Path, seed: int = 0) -> tuple[Path, list[Path]]:
    """Write ``refs.jsonl`` and one ``system-K.jsonl`` per system; return their paths."""
    hyps0, refs0 = load_flickr8k(data)
    images = [[hyps0[key], *refs0[key]] for key in hyps0]  # 5 captions per Flickr8k image
    words = np.array([w for caps in images for c in caps for w in c.split()])  # by frequency
    rng = np.random.default_rng(seed)
    references = directory / "refs.jsonl"
    systems = [directory / f"system-{k}.jsonl" for k in range(len(SYSTEM_NOISE))]
    captions: list[list[str]] = [[] for _ in SYSTEM_NOISE]
    with references.open("w", encoding="utf-8") as stream:
        for start in range(0, n_images, BLOCK):
            for image_id in range(start, min(start + BLOCK, n_images)):
                base = images[rng.integers(len(images))]
                refs = [perturb(caption, words, REFERENCE_NOISE, 0.0, rng) for caption in base]
                stream.write(json.dumps({"image_id": image_id, "references": refs}) + "\n")
                for system, noise in zip(captions, SYSTEM_NOISE, strict=True):
                    system.append(perturb(base[rng.integers(5)], words, noise, DROP_RATE, rng))
    for path, system in zip(systems, captions, strict=True):
        with path.open("w", encoding="utf-8") as stream:
            for image_id in rng.permutation(n_images).tolist():
                stream.write(json.dumps({"image_id": image_id,
                                         "caption": system[image_id]}) + "\n")
    with (directory / "groups.csv").open("w", encoding="utf-8") as stream:
        stream.write("image_id,group\n")
        stream.writelines(f"{image_id},{GROUP_NAMES[image_id % len(GROUP_NAMES)]}\n"
                          for image_id in range(n_images))
    return references, systems


def child(references: str, metrics: str, per_item: str, mode: str, *systems: str) -> None:
    """Run the leaderboard command once in this process; print time, memory and digests."""
    from click.testing import CliRunner

    from capeval.cli.main import capeval

    groups = str(Path(references).with_name("groups.csv"))
    options = [option.format(groups=groups) for option in MODES[mode]]
    started = time.perf_counter()
    result = CliRunner().invoke(capeval, [
        "leaderboard", "--refs", references, "--metrics", metrics, "--format", "json",
        "--paired-bs", "--per-item", per_item, *options, *systems], catch_exceptions=False)
    seconds = time.perf_counter() - started
    if result.exit_code:
        raise SystemExit(f"leaderboard failed: {result.output}")
    memory = peak_memory_mb()
    print(json.dumps({"seconds": seconds, "self_mb": memory["self_mb"],
                      "output": hashlib.sha256(result.stdout.encode()).hexdigest()[:16],
                      "per_item": hashlib.sha256(Path(per_item).read_bytes()).hexdigest()[:16]}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--metrics", default="bleu,meteor,rouge-l,cider-d")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--modes", default="plain", help=f"of {', '.join(MODES)}")
    parser.add_argument("--child", nargs="+", metavar="ARG")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="capeval-bench-leaderboard-"))
    print(f"workload: synthetic Flickr8k-like corpus, 5 references per image, "
          f"{len(SYSTEM_NOISE)} systems, seed 0, metrics {args.metrics}; files in {workdir}",
          flush=True)
    print(f"{'images':>9} {'mode':>7} {'seconds':>9} {'peak MB':>8}  output digest     "
          "per-item digest", flush=True)
    for size in [int(s) for s in args.sizes.split(",")]:
        directory = workdir / str(size)
        directory.mkdir(parents=True, exist_ok=True)
        if not (directory / "groups.csv").exists():
            generate(args.data, size, directory)
        systems = sorted(str(path) for path in directory.glob("system-*.jsonl"))
        for mode in args.modes.split(","):
            result = run_child(__file__, str(directory / "refs.jsonl"), args.metrics,
                               str(directory / "items.jsonl"), mode, *systems)
            print(f"{size:>9,} {mode:>7} {result['seconds']:>9.1f} {result['self_mb']:>8.0f}  "
                  f"{result['output']}  {result['per_item']}", flush=True)


if __name__ == "__main__":
    main()
