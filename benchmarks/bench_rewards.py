"""Benchmark: SCST reward batches, capeval's RewardScorer vs the vrama91/cider-lineage scorer.

Usage (nothing of the reference is committed; it needs ``six``)::

    pip install -e '.[reference]' six
    python benchmarks/bench_rewards.py --cider /path/to/cider [--data flickr8k_train.tsv]

``--cider`` is a checkout of the CIDEr-D code self-critical.pytorch vendors (ruotianluo/cider,
from vrama91/cider): the directory containing ``pyciderevalcap/ciderD/ciderD_scorer.py``.

Workload, as in self-critical training: the Flickr8k train captions become token ids
(lowercased words, words seen fewer than 5 times -> UNK, at most 16 ids, end token 0, rows of
width 16); document frequencies come from the references of all 6,000 images. A batch is 50
random images x 6 candidates (5 "samples" and 1 "greedy" caption), each a real caption of another
image (the greedy one is caption 0 of a random image, the samples shuffled captions), scored
against the image's 5 references. Every batch is scored by both implementations; scores must be
identical (exact float equality), and per-batch wall-clock milliseconds are reported (median
and 90th percentile over batches, each batch timed ``--repeat`` times, best of those kept), with
the ratio reference / capeval. Also reported: the string-candidate path, both rewards from one
pass, capeval's corpus ``CiderD`` with a df table on the same batch (the design the reward
scorer replaces), and construction and file loading times.

Times are wall clock on a possibly shared machine: compare ratios measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from ciderd_reference import reference_ciderd  # noqa: E402
from flickr8k import DEFAULT_PATH  # noqa: E402

WIDTH, MIN_COUNT, END = 16, 5, 0


def token_id_references(path: Path) -> np.ndarray:
    """Return the references as token ids, shape (6000, 5, WIDTH), 0-padded."""
    import csv

    captions: dict[str, list[list[str]]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            words = re.findall(r"[a-z0-9]+", row["caption"].lower())
            captions.setdefault(row["image"], []).append(words)
    counts = Counter(w for caps in captions.values() for caption in caps for w in caption)
    vocabulary = sorted(w for w, c in counts.items() if c >= MIN_COUNT)
    ids = {word: index + 1 for index, word in enumerate(vocabulary)}
    unknown = len(vocabulary) + 1
    refs = np.zeros((len(captions), 5, WIDTH), dtype=np.int64)
    for image, caps in enumerate(captions.values()):
        for k, caption in enumerate(caps[:5]):
            tokens = [ids.get(word, unknown) for word in caption][:WIDTH]
            refs[image, k, : len(tokens)] = tokens
    return refs


def make_batches(refs: np.ndarray, n_batches: int, n_images: int, samples: int,
                 rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return (candidates (n_images * (samples + 1), WIDTH), image ids) batches."""
    batches = []
    total = refs.shape[0]
    for _ in range(n_batches):
        images = rng.choice(total, n_images, replace=False)
        others = rng.integers(0, total, size=(n_images, samples + 1))
        caption = rng.integers(0, refs.shape[1], size=(n_images, samples + 1))
        caption[:, -1] = 0  # "greedy": caption 0 of another image
        candidates = refs[others, caption].reshape(-1, WIDTH)
        batches.append((candidates, np.repeat(images, samples + 1)))
    return batches


def array_to_str(row) -> str:
    """The SCST caption string of a row: its ids up to and including the first end token."""
    words = []
    for token in row.tolist():
        words.append(str(token))
        if token == END:
            break
    return " ".join(words)


def per_batch_ms(function, batches, repeat: int) -> list[float]:
    """Best-of-`repeat` wall time of each batch, in milliseconds."""
    best = [float("inf")] * len(batches)
    for _ in range(repeat):
        for index, batch in enumerate(batches):
            start = time.perf_counter()
            function(*batch)
            best[index] = min(best[index], (time.perf_counter() - start) * 1e3)
    return best


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"median_ms": statistics.median(ordered),
            "p90_ms": ordered[int(0.9 * (len(ordered) - 1))], "mean_ms": statistics.fmean(ordered)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cider", type=Path, required=True,
                        help="checkout containing pyciderevalcap/ciderD/ciderD_scorer.py")
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--batches", type=int, default=100)
    parser.add_argument("--reference-batches", type=int, default=30,
                        help="batches also timed with the (slow) reference; all are compared")
    parser.add_argument("--images", type=int, default=50, help="images per batch")
    parser.add_argument("--samples", type=int, default=5, help="sampled captions per image")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from capeval.document_frequencies import DocumentFrequencies
    from capeval.metrics.cider import CiderD
    from capeval.rewards import RewardScorer

    refs = token_id_references(args.data)
    results: dict = {"images": refs.shape[0], "batch": f"{args.images} images x "
                     f"{args.samples + 1} candidates, {refs.shape[1]} references each"}

    tracemalloc.start()
    start = time.perf_counter()
    scorer = RewardScorer(refs)
    results["capeval_build_s"] = time.perf_counter() - start
    # NumPy arrays are traced; pandas' hash tables are not (a few MB more).
    results["capeval_arrays_mb"] = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "flickr8k-train.npz"
        scorer.save(path)
        results["file_mb"] = path.stat().st_size / 2**20
        start = time.perf_counter()
        RewardScorer.load(path)
        results["capeval_load_s"] = time.perf_counter() - start

    reference_strings = [[array_to_str(row) for row in rows] for rows in refs]
    start = time.perf_counter()
    reference = reference_ciderd(args.cider.resolve(), reference_strings, "flickr8k-train")
    results["reference_df_s"] = time.perf_counter() - start

    def reference_cider(candidates, images):
        res = [{"image_id": i, "caption": [array_to_str(row)]} for i, row in enumerate(candidates)]
        gts = {i: reference_strings[image] for i, image in enumerate(images)}
        return reference.compute_score(gts, res)[1]

    batches = make_batches(refs, args.batches, args.images, args.samples,
                           np.random.default_rng(args.seed))
    mismatches, worst = 0, 0.0
    for candidates, images in batches:
        ours, theirs = scorer.cider_d(candidates, images), reference_cider(candidates, images)
        mismatches += int(np.count_nonzero(ours != theirs))
        worst = max(worst, float(np.abs(ours - theirs).max()))
    results["compared_candidates"] = sum(len(images) for _, images in batches)
    results["mismatches"] = mismatches
    results["max_abs_difference"] = worst

    string_batches = [([array_to_str(row) for row in candidates], images)
                      for candidates, images in batches]
    table = DocumentFrequencies.from_references([[s.split() for s in strings]
                                                 for strings in reference_strings])
    corpus_metric = CiderD(table)

    def corpus_cider(strings, images):
        return corpus_metric.sentence_scores([s.split() for s in strings],
                                             [[r.split() for r in reference_strings[i]]
                                              for i in images])

    timings = {
        "capeval cider_d (token ids)": per_batch_ms(scorer.cider_d, batches, args.repeat),
        "capeval cider_d (strings)": per_batch_ms(scorer.cider_d, string_batches, args.repeat),
        "capeval bleu (token ids)": per_batch_ms(scorer.bleu, batches, args.repeat),
        "capeval scores: CIDEr-D + BLEU-4": per_batch_ms(scorer.scores, batches, args.repeat),
        "capeval corpus CiderD(df table)": per_batch_ms(corpus_cider, string_batches[:20], 1),
        "reference ciderD_scorer": per_batch_ms(reference_cider,
                                                batches[: args.reference_batches], 1),
    }
    results["per_batch"] = {name: summary(times) for name, times in timings.items()}
    reference_ms = results["per_batch"]["reference ciderD_scorer"]["median_ms"]
    ours_ms = results["per_batch"]["capeval cider_d (token ids)"]["median_ms"]
    results["speedup_median"] = reference_ms / ours_ms

    print(f"Flickr8k train: {results['images']} images; batch = {results['batch']}")
    print(f"parity: {results['compared_candidates']} candidates, {mismatches} differ "
          f"(max |difference| {worst:.3g})")
    print(f"build {results['capeval_build_s']:.2f} s ({results['capeval_arrays_mb']:.0f} MB of "
          f"arrays), save as npz {results['file_mb']:.1f} MB, "
          f"load {results['capeval_load_s']:.2f} s; reference df {results['reference_df_s']:.2f} s")
    print(f"{'per batch':36s} {'median ms':>10s} {'p90 ms':>8s}")
    for name, stats in results["per_batch"].items():
        print(f"{name:36s} {stats['median_ms']:10.3f} {stats['p90_ms']:8.3f}")
    print(f"speed-up over the reference (median): {results['speedup_median']:.0f}x")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
