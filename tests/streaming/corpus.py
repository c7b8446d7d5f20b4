"""Seeded synthetic corpora and their caption files, for the streaming tests."""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import NamedTuple

SUBJECTS = ["a man", "A woman", "two dogs", "the child", "a brown dog", "Three people",
            "a girl in red", "an old man's dog"]
VERBS = ["is riding", "runs across", "plays with", "sits on", "jumps over", "looks at",
         "isn't near", "walks beside"]
OBJECTS = ["a horse", "the grass.", "a red ball", "a wooden bench", "the water!", "a fence",
           "some snow", "the camera (smiling)", "a street, at night"]


class Corpus(NamedTuple):
    ids: list
    hypotheses: list[str]
    references: list[list[str]]


def caption(rng: random.Random) -> str:
    return " ".join([rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)])


def make_corpus(n_images: int, seed: int = 0) -> Corpus:
    """`n_images` images with 1 to 5 references each; ids mix ints and strings."""
    rng = random.Random(seed)
    ids = [index if index % 3 else f"img_{index}.jpg" for index in range(1, n_images + 1)]
    references = [[caption(rng) for _ in range(rng.randint(1, 5))] for _ in ids]
    hypotheses = [caption(rng) if rng.random() < 0.9 else refs[0] for refs in references]
    return Corpus(ids, hypotheses, references)


class Files(NamedTuple):
    hypotheses: Path
    references: Path


def write_files(corpus: Corpus, directory: Path, seed: int = 1) -> Files:
    """Write long-form CSV references (rows shuffled, so an image's references are spread
    over the file, each image's in their order) and JSON Lines hypotheses in another
    shuffled order."""
    rng = random.Random(seed)
    rows = [index for index, refs in enumerate(corpus.references) for _ in refs]
    rng.shuffle(rows)
    references = directory / "refs.csv"
    with references.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["image_id", "caption"])
        written = [0] * len(corpus.ids)
        for index in rows:  # the k-th row of an image carries its k-th reference
            writer.writerow([corpus.ids[index], corpus.references[index][written[index]]])
            written[index] += 1
    hypotheses = directory / "hyps.jsonl"
    order = list(range(len(corpus.ids)))
    rng.shuffle(order)
    with hypotheses.open("w", encoding="utf-8") as stream:
        for index in order:
            stream.write(json.dumps({"image_id": corpus.ids[index],
                                     "caption": corpus.hypotheses[index]}) + "\n")
    return Files(hypotheses, references)
