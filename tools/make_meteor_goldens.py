"""Regenerate ``tests/fixtures/golden/meteor.json`` with pycocoevalcap's real METEOR (the jar).

The segments are written here, not taken from any dataset: hand-picked edge cases (empty,
identical, repeated words, punctuation only, Unicode, ``|||``, 1 and 20 references, 60-word
captions, paraphrase-heavy pairs) plus captions assembled from small word lists by a seeded
generator. Captions are already-tokenized strings, as pycocoevalcap's PTBTokenizer would give
them, plus some raw ones to exercise METEOR's own normalizer. Every segment is scored by one
``Meteor().compute_score`` call, exactly as pycocoevalcap's eval scripts do. Needs the
``reference`` extra and Java.

Usage::

    python tools/make_meteor_goldens.py [--out tests/fixtures/golden/meteor.json]
"""
from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SEED = 20240521

EDGE_CASES = [
    # (hypothesis, references)
    ("a dog runs on the grass", ["a dog runs on the grass"]),
    ("", ["a dog runs on the grass"]),
    ("a dog runs", [""]),
    ("", [""]),
    ("a dog runs", ["", "a dog runs fast"]),
    ("dog dog dog dog dog", ["a dog and another dog"]),
    ("the the the the", ["the cat sat on the mat"]),
    ("a man a man a man", ["a man rides a horse", "a man a man"]),
    ("...", ["!!"]),
    ("- - -", ["?"]),
    ("a man , riding a horse .", ["a man riding a horse"]),
    ("A Man, Riding A Horse.", ["a man riding a horse ."]),
    ("it's the U.S.-based dog's toy", ["it is the us based dog toy"]),
    ("a tri-colored dog \"jumps\"", ["a tri colored dog jumps"]),
    ("he paid 3,000 dollars...", ["he paid 3,000 dollars"]),
    ("mr. smith and dr. who", ["mr smith and dr who"]),
    ("a café in münchen", ["a cafe in munchen", "a café in münchen"]),
    ("собака бежит по траве", ["собака бежит", "a dog runs"]),
    ("一只狗 在 草地上", ["一只狗 在 跑"]),
    ("a dog 😀 runs", ["a dog runs 😀"]),
    ("naïve façade über straße", ["naive facade uber strasse"]),
    ("a dog ||| runs", ["a dog runs"]),
    ("a dog runs", ["a dog ||| runs", "a cat sleeps"]),
    ("|||", ["a dog"]),
    ("a dog", ["|||"]),
    ("a dog or a cat", ["a dog q4 a cat"]),
    ("a man is sitting on a bench", ["a man sits on a bench"]),
    ("a man sits on a bench", ["a man is sitting on a bench"]),
    ("a boy dressed in red", ["a boy wearing red"]),
    ("a dog next to a tree", ["a dog near a tree"]),
    ("a boy plays in the sand", ["child plays in the sand"]),
    ("a lady with a hat", ["a woman with a hat"]),
    ("the man walks", ["a man walks"]),
    ("the cats are sitting on the mats", ["the cat sits on a mat"]),
    ("the mice eat cheese", ["the mouse eat cheese"]),
    ("two automobiles parked", ["two car parked"]),
    ("a kid plays", ["a child plays"]),
    ("a cat on a couch", ["a cat on a sofa"]),
    ("grass the on runs dog a", ["a dog runs on the grass"]),
    ("purple elephants sleep", ["a dog runs on the grass"]),
    ("a young boy is jumping into a swimming pool",
     ["a child jumps into the pool", "a kid is diving into a pool",
      "a little boy leaps into the water", "a boy jumping into a swimming pool"]),
]

SUBJECTS = ["a man", "a woman", "a boy", "a girl", "a child", "a dog", "two dogs", "a person",
            "a young man", "an old woman", "a little girl", "a kid", "a puppy", "a lady",
            "two people", "a group of people", "a skier", "a biker", "a guy", "children"]
VERBS = ["is running", "runs", "is sitting", "sits", "is riding", "rides", "is jumping", "jumps",
         "is playing", "plays", "is walking", "walks", "is standing", "stands", "is climbing",
         "climbs", "is wearing a red shirt and", "dressed in blue is", "is holding a ball and",
         "looks"]
PLACES = ["on the grass", "in the snow", "on a bench", "near a tree", "next to a tree",
          "on the beach", "in the water", "on a bike", "down the street", "through a field",
          "on a couch", "on a sofa", "in a park", "at the park", "by the lake", "up a hill",
          "on a rock", "in front of a building", "into a pool", "across a road"]
EXTRAS = ["", "", "", "with a ball", "while smiling", "in the sun", "with his dog",
          "with her friends", "wearing a hat", "on a sunny day"]


def caption(rng: np.random.Generator) -> str:
    words = [SUBJECTS[rng.integers(len(SUBJECTS))], VERBS[rng.integers(len(VERBS))],
             PLACES[rng.integers(len(PLACES))], EXTRAS[rng.integers(len(EXTRAS))]]
    return " ".join(word for word in words if word)


def long_caption(rng: np.random.Generator, n_words: int) -> str:
    words = []
    while len(words) < n_words:
        words.extend(caption(rng).split())
        words.append("and")
    return " ".join(words[:n_words])


def segments() -> list[tuple[str, list[str]]]:
    """Return the golden segments: edge cases, then seeded template captions."""
    rng = np.random.default_rng(SEED)
    cases = list(EDGE_CASES)
    cases.append((caption(rng), [caption(rng) for _ in range(20)]))
    cases.append((long_caption(rng, 60), [long_caption(rng, 60), caption(rng)]))
    cases.append((long_caption(rng, 60), [long_caption(rng, 55) for _ in range(3)]))
    cases.append((caption(rng), [long_caption(rng, 60)]))
    for _ in range(260):
        n_refs = int(rng.choice([1, 1, 2, 3, 4, 5, 5, 5]))
        hyp = caption(rng)
        refs = [caption(rng) for _ in range(n_refs)]
        if rng.random() < 0.1:
            refs[int(rng.integers(n_refs))] = hyp  # an identical reference
        cases.append((hyp, refs))
    return cases


def java_version() -> str:
    result = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True)
    return result.stderr.splitlines()[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path,
                        default=REPO / "tests" / "fixtures" / "golden" / "meteor.json")
    args = parser.parse_args(argv)
    from pycocoevalcap.meteor.meteor import Meteor

    cases = segments()
    ids = [f"s{index:03d}" for index in range(len(cases))]
    references = {i: refs for i, (_, refs) in zip(ids, cases, strict=True)}
    hypotheses = {i: [hyp] for i, (hyp, _) in zip(ids, cases, strict=True)}
    aggregate, scores = Meteor().compute_score(references, hypotheses)
    golden = {
        "header": {
            "generator": "tools/make_meteor_goldens.py",
            "pycocoevalcap_version": metadata.version("pycocoevalcap"),
            "java_version": java_version(),
            "command": "python " + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "scorer": "pycocoevalcap.meteor.meteor.Meteor().compute_score(gts, res), one call",
        },
        "aggregate": aggregate,
        "segments": [
            {"id": i, "hyp": hyp, "refs": refs, "score": score}
            for i, (hyp, refs), score in zip(ids, cases, scores, strict=True)
        ],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(cases)} segments, aggregate {aggregate!r}", file=sys.stderr)


if __name__ == "__main__":
    main()
