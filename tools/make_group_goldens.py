"""Regenerate the per-group (nocaps-style) goldens with pycocoevalcap 1.2 + Java.

Usage (from the repository root, in an environment with the reference installed)::

    python tools/make_group_goldens.py

It writes a synthetic corpus in the shape of nocaps' ``nocaps_val_4500_captions.json`` (COCO
annotations whose ``images[].domain`` is ``in-domain``, ``near-domain`` or ``out-domain``;
the captions are generated here from small word lists, not taken from nocaps), two systems'
COCO results files, and then does what the nocaps offline scripts do: split the annotations
into one file per domain and run the COCO caption evaluation on each, plus one run on the
entire file. Each run is ``COCOEvalCap.evaluate`` without SPICE: PTBTokenizer on the
references and on the results (one call each), then Bleu(4), Meteor, Rouge and Cider, each
run with fresh scorers, so every domain has its own CIDEr-D document frequencies, and its
own tokenizer streams: captions whose tokens depend on the next caption end two domains'
streams (`_end_streams`), so a per-group tokenization that differs from a separate run fails.

Outputs: ``tests/fixtures/groups/nocaps_synthetic_{captions,system_a,system_b}.json`` (the
inputs) and ``tests/fixtures/golden/groups_nocaps.json`` (corpus and per-image scores of every
run). Never edit them by hand: change this script and run it again.
"""
from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.meteor.meteor import Meteor
from pycocoevalcap.rouge.rouge import Rouge
from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer
from pycocotools.coco import COCO

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_goldens import java_version  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEED = 20261201
ENTIRE = "entire"

# Objects COCO captions know (in-domain), a mix (near-domain), and novel ones (out-domain).
OBJECTS = {
    "in-domain": ["a dog", "a cat", "a man", "a woman", "a horse", "a bus", "a pizza",
                  "a giraffe", "two children", "a surfer"],
    "near-domain": ["a dog", "a man", "a woman", "a tortoise", "a lighthouse", "a violin",
                    "a red panda", "a kayak", "a girl", "a snowplow"],
    "out-domain": ["a jellyfish", "an accordion", "a harpsichord", "a stingray",
                   "a lynx", "a tiara", "an armadillo", "a sea lion", "a corkscrew",
                   "a bagpipe"],
}
ACTIONS = ["sits on", "stands near", "is lying on", "is next to", "rests beside", "is on",
           "floats above", "is placed on", "is shown in front of", "leans against"]
PLACES = ["the grass", "a wooden table", "the beach", "a busy street", "the water",
          "a stone wall", "the snow", "a white background", "a shelf", "the sand"]
EXTRAS = ["", "", "", " on a sunny day", " at night", " in a museum", " with a red ball",
          " near some trees"]
ENDINGS = ["", ".", " .", "!"]
SPECIAL_HYPOTHESES = ["", "a a a a a", "A Lynx, A LYNX... a lynx!", "it's a dog's toy"]
N_IMAGES = {"in-domain": 9, "near-domain": 18, "out-domain": 9}


def _caption(rng: random.Random, scene: tuple[str, str, str], noise: float) -> str:
    subject, action, place = scene
    objects = [o for domain in OBJECTS.values() for o in domain]
    if rng.random() < noise:
        subject = rng.choice(objects)
    if rng.random() < noise:
        action = rng.choice(ACTIONS)
    if rng.random() < noise:
        place = rng.choice(PLACES)
    text = f"{subject} {action} {place}{rng.choice(EXTRAS)}{rng.choice(ENDINGS)}"
    return text[0].upper() + text[1:] if rng.random() < 0.4 else text


def synthetic_corpus(seed: int = SEED) -> tuple[dict, dict[str, list[dict]]]:
    """Return nocaps-shaped annotations and two systems' results (deterministic for `seed`)."""
    rng = random.Random(seed)
    domains = [domain for domain, count in N_IMAGES.items() for _ in range(count)]
    rng.shuffle(domains)  # domains interleave over image ids, as in nocaps
    # The entire file ends with an out-domain image, so the in-domain and near-domain streams
    # end before the entire one does (see `_end_streams`).
    last_out = max(i for i, domain in enumerate(domains) if domain == "out-domain")
    domains[last_out], domains[-1] = domains[-1], domains[last_out]
    images, annotations = [], []
    systems: dict[str, list[dict]] = {"system_a": [], "system_b": []}
    for image_id, domain in enumerate(domains):
        scene = (rng.choice(OBJECTS[domain]), rng.choice(ACTIONS), rng.choice(PLACES))
        n_refs = 10 if image_id % 4 else rng.randint(1, 10)
        references = [_caption(rng, scene, 0.25) for _ in range(n_refs)]
        images.append({"id": image_id, "open_images_id": f"{image_id:016x}",
                       "file_name": f"{image_id:016x}.jpg", "height": 480, "width": 640,
                       "domain": domain})
        annotations += [{"image_id": image_id, "id": len(annotations) + k, "caption": caption}
                        for k, caption in enumerate(references)]
        strong = references[0] if image_id % 7 == 0 else _caption(rng, scene, 0.2)
        weak = (SPECIAL_HYPOTHESES[image_id // 9] if image_id % 9 == 0
                else _caption(rng, scene, 0.6))
        systems["system_a"].append({"image_id": image_id, "caption": strong})
        systems["system_b"].append({"image_id": image_id, "caption": weak})
    _end_streams(images, annotations, systems["system_a"])
    captions = {
        "info": {"description": "synthetic corpus in the shape of nocaps val annotations, "
                                "generated by tools/make_group_goldens.py (not nocaps data)",
                 "version": "0.1"},
        "licenses": [],
        "images": images,
        "annotations": annotations,
    }
    return captions, systems


def _end_streams(images: list[dict], annotations: list[dict], results: list[dict]) -> None:
    """Put captions whose tokens depend on what follows them at the end of domain streams.

    A domain run tokenizes its references (and its results) as one stream ending with the
    domain's last image, where the entire run goes on with the next image: the jar lexes a
    final ``you're`` as ``you re`` but ``you 're`` when a caption follows, and keeps the
    period of ``Grade A.`` unless the next caption starts with ``The``.
    """
    last = {image["domain"]: image["id"] for image in images}  # last image of each domain
    following = {image["id"]: after["id"] for image, after in zip(images, images[1:])}
    you_are, grade = last["in-domain"], last["near-domain"]
    result_of = {result["image_id"]: result for result in results}
    for image_id, text in ((you_are, "a sign that says you're"),
                           (grade, "a sign that says Grade A.")):
        if image_id not in following:
            raise SystemExit(f"image {image_id} ends the entire stream too; change the seed")
        mine = [a for a in annotations if a["image_id"] == image_id]
        mine[-1]["caption"] = text
        result_of[image_id]["caption"] = text
    after = [a for a in annotations if a["image_id"] == following[grade]]
    after[0]["caption"] = "The " + after[0]["caption"][0].lower() + after[0]["caption"][1:]
    result_of[following[grade]]["caption"] = after[0]["caption"]


def evaluate_run(annotation_file: Path, results: list[dict]) -> dict:
    """What ``COCOEvalCap(coco, coco.loadRes(results)).evaluate()`` computes, minus SPICE."""
    coco = COCO(str(annotation_file))
    coco_results = coco.loadRes(results)
    image_ids = coco.getImgIds()
    gts = {image_id: coco.imgToAnns[image_id] for image_id in image_ids}
    res = {image_id: coco_results.imgToAnns[image_id] for image_id in image_ids}
    tokenizer = PTBTokenizer()
    gts, res = tokenizer.tokenize(gts), tokenizer.tokenize(res)
    corpus: dict[str, float] = {}
    per_image: dict[int, dict[str, float]] = {image_id: {} for image_id in gts}
    scorers = [(Bleu(4), ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4"]), (Meteor(), ["METEOR"]),
               (Rouge(), ["ROUGE-L"]), (Cider(), ["CIDEr-D"])]
    for scorer, names in scorers:
        score, scores = scorer.compute_score(gts, res)
        if len(names) == 1:
            score, scores = [score], [scores]
        for name, value, values in zip(names, score, scores, strict=True):
            corpus[name] = float(value)
            for image_id, item_value in zip(gts, values, strict=True):
                per_image[image_id][name] = float(item_value)
    return {"corpus": corpus,
            "items": [{"image_id": image_id, "scores": scores}
                      for image_id, scores in per_image.items()]}


def domain_file(captions: dict, domain: str | None, folder: Path) -> Path:
    """Write the annotations of one domain (all of them for None) as their own file."""
    images = [image for image in captions["images"] if domain in (None, image["domain"])]
    keep = {image["id"] for image in images}
    subset = {**captions, "images": images,
              "annotations": [a for a in captions["annotations"] if a["image_id"] in keep]}
    path = folder / f"{domain or ENTIRE}.json"
    path.write_text(json.dumps(subset), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=REPO / "tests" / "fixtures")
    args = parser.parse_args()
    captions, systems = synthetic_corpus()

    inputs = args.fixtures / "groups"
    inputs.mkdir(parents=True, exist_ok=True)
    names = {"captions": "nocaps_synthetic_captions.json",
             **{system: f"nocaps_synthetic_{system}.json" for system in systems}}
    (inputs / names["captions"]).write_text(
        json.dumps(captions, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for system, results in systems.items():
        (inputs / names[system]).write_text(
            json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    domains = sorted({image["domain"] for image in captions["images"]})
    runs: dict[str, dict[str, dict]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for domain in [None, *domains]:
            annotation_file = domain_file(captions, domain, Path(folder))
            keep = {image["id"] for image in json.loads(annotation_file.read_text())["images"]}
            for system, results in systems.items():
                run = evaluate_run(annotation_file, [r for r in results if r["image_id"] in keep])
                runs.setdefault(system, {})[domain or ENTIRE] = run
    header = {
        "generator": "tools/make_group_goldens.py",
        "reference": f"pycocoevalcap {metadata.version('pycocoevalcap')}, "
                     f"pycocotools {metadata.version('pycocotools')}",
        "java": java_version(),
        "date": datetime.date.today().isoformat(),
        "command": "python tools/make_group_goldens.py",
        "inputs": {key: f"tests/fixtures/groups/{name}" for key, name in names.items()},
        "note": "One COCOEvalCap-style run (without SPICE) per domain file and one on the "
                "entire file. Generated by the reference implementation; never edit by hand.",
    }
    golden = args.fixtures / "golden" / "groups_nocaps.json"
    golden.write_text(json.dumps({"header": header, "systems": runs}, ensure_ascii=False,
                                 indent=1) + "\n", encoding="utf-8")
    for system, by_group in runs.items():
        for group, run in by_group.items():
            print(f"{system} {group}: {len(run['items'])} images, CIDEr-D "
                  f"{run['corpus']['CIDEr-D']:.4f}", file=sys.stderr)


if __name__ == "__main__":
    main()
