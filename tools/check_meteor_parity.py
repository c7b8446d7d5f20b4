"""Compare capeval's METEOR with pycocoevalcap's (the jar) on a Flickr8k-style TSV file.

For every image, caption 0 is the hypothesis and captions 1-4 are the references. All captions
are tokenized once by pycocoevalcap's own PTBTokenizer (Java), and the same token strings go to
both scorers, so the comparison isolates METEOR. The jar's per-image statistics lines come from
pycocoevalcap's ``Meteor._stat`` (the ``SCORE`` line it sends for each image), its per-image
scores and aggregate from ``Meteor.compute_score``. Needs the ``reference`` extra and Java.

Usage::

    python tools/check_meteor_parity.py [../shared/data/flickr8k_train.tsv] [--limit N] [--raw]

Prints how many images have identical statistics and scores and both aggregates; exits 1 on
any difference.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from capeval.metrics.meteor import Meteor

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flickr8k import DEFAULT_PATH, load_flickr8k  # noqa: E402


def ptb_tokenize(captions: dict[str, list[str]]) -> dict[str, list[str]]:
    """Tokenize with pycocoevalcap's PTBTokenizer (Java), as its eval scripts do."""
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    return PTBTokenizer().tokenize({k: [{"caption": c} for c in v] for k, v in captions.items()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tsv", type=Path, nargs="?", default=DEFAULT_PATH)
    parser.add_argument("--limit", type=int, help="use only the first N images")
    parser.add_argument("--raw", action="store_true",
                        help="skip the PTB tokenizer: send the raw captions (exercises "
                             "METEOR's own normalizer on real punctuation and case)")
    args = parser.parse_args(argv)
    from pycocoevalcap.meteor.meteor import Meteor as JarMeteor

    hyps, refs = load_flickr8k(args.tsv)
    images = list(hyps)[: args.limit]
    captions = {image: [hyps[image], *refs[image]] for image in images}
    tokenized = captions if args.raw else ptb_tokenize(captions)
    hypotheses = {image: [tokenized[image][0]] for image in images}
    references = {image: tokenized[image][1:] for image in images}

    jar = JarMeteor()
    jar_lines = [jar._stat(hypotheses[image][0], references[image]) for image in images]
    start = time.perf_counter()
    jar_aggregate, jar_scores = jar.compute_score(references, hypotheses)
    jar_seconds = time.perf_counter() - start

    metric = Meteor()
    start = time.perf_counter()
    hyp_tokens = [hypotheses[image][0].split(" ") for image in images]
    ref_tokens = [[ref.split(" ") for ref in references[image]] for image in images]
    segment_stats = metric.segment_stats(hyp_tokens, ref_tokens)
    scores = metric.scores_from_stats(segment_stats)[:, 0]
    aggregate = metric.corpus_score_from_stats(segment_stats)["METEOR"]
    seconds = time.perf_counter() - start
    stats = metric.jar_stats(hyp_tokens, ref_tokens)  # the raw lines, for the comparison

    expected_stats = np.array([[float(v) for v in line.split()] for line in jar_lines])
    same_stats = np.all(stats == expected_stats, axis=1)
    jar_scores = np.array(jar_scores, dtype=np.float64)
    same_scores = scores == jar_scores
    print(f"images: {len(images)}")
    print(f"identical statistics lines: {int(same_stats.sum())}/{len(images)}")
    print(f"identical segment scores:   {int(same_scores.sum())}/{len(images)} "
          f"(max |difference| {np.max(np.abs(scores - jar_scores)):.3g})")
    print(f"aggregate jar:     {jar_aggregate!r}")
    verdict = "identical" if aggregate == jar_aggregate else "DIFFERENT"
    print(f"aggregate capeval: {aggregate!r} ({verdict})")
    print(f"time (indicative; see benchmarks/bench_meteor.py): EVAL in the running jar "
          f"{jar_seconds:.2f} s, capeval from scratch {seconds:.2f} s")
    for index in np.flatnonzero(~(same_stats & same_scores))[:10]:
        image = images[index]
        print(f"  differs: {image}: jar {jar_lines[index]} / {jar_scores[index]!r}\n"
              f"    capeval {' '.join(map(str, stats[index]))} / {scores[index]!r}\n"
              f"    hyp: {hypotheses[image][0]}\n    refs: {references[image]}")
    return 0 if same_stats.all() and same_scores.all() and aggregate == jar_aggregate else 1


if __name__ == "__main__":
    sys.exit(main())
