"""Fixture captions for the golden tests, written for capeval (deterministic, no external data).

`golden_corpora()` returns named corpora ``{name: {"hypotheses": {id: str}, "references":
{id: [str]}}}``. Scenes are built from small hand-written word lists with a seeded generator;
special cases (empty, identical, repeated words, 60-word, Unicode, punctuation-only, PTB
tokenizer corner cases) are listed by hand below.
"""
from __future__ import annotations

import random

SUBJECTS = [
    "a dog", "a black dog", "two dogs", "a small child", "a young girl", "a boy", "a man",
    "an old woman", "a group of people", "three children", "a brown horse", "a cat",
    "a woman in a red dress", "a man wearing a hat", "two men", "a surfer", "a skier",
    "a baby", "a girl with long hair", "a team of football players",
]
ACTIONS = [
    "runs through", "is playing in", "jumps over", "is sitting on", "walks along",
    "stands near", "is lying in", "rides a bike across", "plays with a ball in",
    "is climbing", "looks at", "is running on", "waits beside", "dances on", "sleeps under",
]
PLACES = [
    "the grass", "the snow", "a wooden fence", "the beach", "a busy street", "the water",
    "a park bench", "the sand", "a rocky hill", "the field", "a large tree", "the road",
    "a swimming pool", "the kitchen", "a stone wall", "the ocean waves", "a crowded market",
]
EXTRAS = [
    "", "", "", " on a sunny day", " at night", " while another dog watches",
    " in front of a building", " with a red ball", " next to a lake", " near some trees",
]
ENDINGS = ["", " .", ".", "", "!"]

SPECIAL_HYPOTHESES = [
    "",
    "   ",
    "...",
    "!!!",
    ", , ,",
    "- -- ---",
    "a",
    "dog",
    "a a a a a a",
    "the dog the dog the dog the dog",
    "A DOG RUNS THROUGH THE GRASS.",
    "A man, wearing a hat, rides a horse.",
    "Two dogs (one black, one white) play in the snow.",
    "It's a dog's life; don't worry.",
    "The boy can't swim, so he's sitting on the dock.",
    "A 3 1/2 inch nail and numbers 10 100 1000 on a sign",
    "A woman holds a sign that says \"STOP\".",
    "un café près de la tour Eiffel",
    "Ein Mann fährt Fahrrad über die Brücke",
    "一只狗在草地上奔跑",
    "a dog 🐕 runs on the 🌱 grass",
    "naïve façade with a crème brûlée",
    "Ελληνικά γράμματα on a wall",
    "Mr. Smith and Dr. Jones walk down Main St. together",
    "a t-shirt with a 10-year-old boy's mother-in-law",
    "the U.S. flag waves",
    "a man -- tall and thin -- walks",
    "a cat on a mat @home #cute",
    "email me at someone@example.com",
    "http://example.com shows a dog",
    "a dog's ball and the dogs' bone",
    "50% off at the $5 store",
    "a\ttab separated caption",
]


def _scene(rng: random.Random) -> tuple[str, str, str]:
    return rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(PLACES)


def _caption(rng: random.Random, scene: tuple[str, str, str], capitalize: bool) -> str:
    subject, action, place = scene
    if rng.random() < 0.3:
        subject = rng.choice(SUBJECTS)
    if rng.random() < 0.3:
        action = rng.choice(ACTIONS)
    text = f"{subject} {action} {place}{rng.choice(EXTRAS)}{rng.choice(ENDINGS)}"
    return text[0].upper() + text[1:] if capitalize else text


def _long_caption(rng: random.Random, n_words: int) -> str:
    words: list[str] = []
    while len(words) < n_words:
        subject, action, place = _scene(rng)
        words += f"{subject} {action} {place} and".split()
    return " ".join(words[:n_words])


def _references(rng: random.Random, scene, count: int) -> list[str]:
    return [_caption(rng, scene, capitalize=rng.random() < 0.5) for _ in range(count)]


def golden_corpora(seed: int = 20261125) -> dict[str, dict[str, dict]]:
    """Return the named fixture corpora (deterministic for `seed`)."""
    rng = random.Random(seed)
    corpora: dict[str, dict[str, dict]] = {}

    def add(name: str, items: list[tuple[str, list[str]]], int_ids: bool = True) -> None:
        ids = list(range(1, len(items) + 1)) if int_ids else [f"img_{i:03d}" for i in range(
            1, len(items) + 1)]
        corpora[name] = {
            "hypotheses": {i: hyp for i, (hyp, _) in zip(ids, items)},
            "references": {i: refs for i, (_, refs) in zip(ids, items)},
        }

    # COCO-like: five references per image, generated hypotheses.
    items = []
    for _ in range(120):
        scene = _scene(rng)
        items.append((_caption(rng, scene, capitalize=rng.random() < 0.5),
                      _references(rng, scene, 5)))
    add("five_references", items)

    # Every special hypothesis, with 1..20 references; some hypotheses equal a reference.
    items = []
    for index, hyp in enumerate(SPECIAL_HYPOTHESES):
        scene = _scene(rng)
        refs = _references(rng, scene, 1 + index % 20)
        items.append((hyp, refs))
    for count in (1, 2, 5, 20):
        scene = _scene(rng)
        refs = _references(rng, scene, count)
        items.append((refs[rng.randrange(count)], refs))  # candidate equal to a reference
    for n_words in (40, 60, 61):
        scene = _scene(rng)
        items.append((_long_caption(rng, n_words), _references(rng, scene, 3) + [
            _long_caption(rng, 60)]))
    special_refs = [hyp for hyp in SPECIAL_HYPOTHESES if hyp.strip()]
    for index in range(0, len(special_refs), 3):
        scene = _scene(rng)
        items.append((_caption(rng, scene, False), special_refs[index:index + 3] + [
            _caption(rng, scene, True)]))
    items.append(("a dog runs", ["", "a dog runs"]))  # an empty reference
    items.append(("", ["", "..."]))  # empty hypothesis against empty references
    add("special_cases", items, int_ids=False)

    # Twenty references per image.
    items = []
    for _ in range(25):
        scene = _scene(rng)
        items.append((_caption(rng, scene, False), _references(rng, scene, 20)))
    add("twenty_references", items)

    # A single image (CIDEr-D's corpus document frequencies make it 0).
    scene = _scene(rng)
    add("single_image", [(_caption(rng, scene, True), _references(rng, scene, 5))])

    # Varying reference counts and repeated-word hypotheses.
    items = []
    for index in range(60):
        scene = _scene(rng)
        refs = _references(rng, scene, 1 + (index * 7) % 20)
        hyp = _caption(rng, scene, False)
        if index % 6 == 0:
            hyp = " ".join(word for word in hyp.split() for _ in range(2))
        items.append((hyp, refs))
    add("varying_references", items)
    return corpora
