"""Compare capeval's METEOR with pycocoevalcap's (the jar) on a Flickr8k-style TSV file.

For every image, caption 0 is the hypothesis and captions 1.. are the references. All captions
are tokenized once by pycocoevalcap's own PTBTokenizer (Java), and the same token strings go to
both scorers, so the comparison isolates METEOR. Needs the ``reference`` extra and Java.

Usage::

    python tools/check_meteor_parity.py /work/shared/data/flickr8k_train.tsv [--limit N]

Prints the number of segments whose statistics and score are identical and the two aggregates;
exits 1 on any difference.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from capeval.metrics.meteor import Meteor


def read_tsv(path: Path, limit: int | None) -> tuple[list[str], dict[str, list[str]]]:
    """Return image ids (file order) and their captions (by caption number) of a TSV file."""
    captions: dict[str, dict[int, str]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header[:3] != ["image", "k", "caption"]:
            sys.exit(f"error: {path}: expected the header image, k, caption; got {header}")
        for row in reader:
            captions[row[0]][int(row[1])] = row[2]
    images = list(captions)[:limit]
    return images, {image: [captions[image][k] for k in sorted(captions[image])]
                    for image in images}


def ptb_tokenize(images: list[str], captions: dict[str, list[str]]) -> dict[str, list[str]]:
    """Tokenize with pycocoevalcap's PTBTokenizer (Java), as its eval scripts do."""
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    request = {image: [{"caption": c} for c in captions[image]] for image in images}
    return PTBTokenizer().tokenize(request)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tsv", type=Path)
    parser.add_argument("--limit", type=int, help="use only the first N images")
    args = parser.parse_args(argv)

    from pycocoevalcap.meteor.meteor import Meteor as JarMeteor

    images, captions = read_tsv(args.tsv, args.limit)
    tokenized = ptb_tokenize(images, captions)
    hypotheses = {image: [tokenized[image][0]] for image in images}
    references = {image: tokenized[image][1:] for image in images}

    start = time.perf_counter()
    jar_aggregate, jar_scores = JarMeteor().compute_score(references, hypotheses)
    jar_seconds = time.perf_counter() - start

    metric = Meteor()
    start = time.perf_counter()
    hyp_tokens = [hypotheses[image][0].split(" ") for image in images]
    ref_tokens = [[ref.split(" ") for ref in references[image]] for image in images]
    stats = metric.segment_stats(hyp_tokens, ref_tokens)
    ours = metric.scores_from_stats(stats)[:, 0]
    aggregate = metric.corpus_score_from_stats(stats)["METEOR"]
    seconds = time.perf_counter() - start

    jar = np.array(jar_scores, dtype=np.float64)
    identical = int(np.sum(jar == ours))
    print(f"segments: {len(images)}")
    print(f"identical segment scores: {identical}/{len(images)}")
    print(f"max |difference|: {np.max(np.abs(jar - ours)):.3g}")
    print(f"aggregate jar:     {jar_aggregate!r}")
    print(f"aggregate capeval: {aggregate!r}")
    print(f"aggregates identical: {jar_aggregate == aggregate}")
    print(f"time: jar {jar_seconds:.2f} s (JVM start, table load), capeval {seconds:.2f} s")
    for index in np.flatnonzero(jar != ours)[:10]:
        image = images[index]
        print(f"  differs: {image}: jar {jar[index]!r} capeval {ours[index]!r}\n"
              f"    hyp: {hypotheses[image][0]}\n    refs: {references[image]}")
    return 0 if identical == len(images) and jar_aggregate == aggregate else 1


if __name__ == "__main__":
    sys.exit(main())
