"""Write reward goldens with the reference SCST scorers (vrama91/cider-lineage CIDEr-D, BLEU).

Usage (from the repository root; nothing of the reference is committed)::

    pip install -e '.[reference]' six      # pycocoevalcap==1.2 (BLEU); six for the CIDEr-D code
    python tools/make_reward_goldens.py --cider /path/to/cider
        # writes tests/fixtures/rewards/scst_token_ids.json

``--cider`` is a checkout of the CIDEr-D code that self-critical.pytorch vendors as its
``cider`` submodule (ruotianluo/cider, a fork of vrama91/cider): the directory that contains
``pyciderevalcap/ciderD/ciderD_scorer.py``.

The corpus is synthetic and deterministic: token-id references for a few dozen images (1 to 6
references each, ids from a small vocabulary so that n-grams repeat, rows of width 16 padded
with the end token 0, long captions truncated without an end token) and candidate rows that
cover the edge cases (empty caption, no end token, tokens after the end token, ids absent from
the references, repeated n-grams, copies of references). The reference side follows
self-critical.pytorch's ``get_self_critical_reward``: every row becomes the string of its ids up
to and including the first 0, document frequencies come from all images' reference strings
(``CiderScorer.compute_doc_freq``, as its ``prepro_ngrams.py``), and ``CiderD.compute_score``
scores the candidates with that fixed table; BLEU-4 is ``pycocoevalcap.bleu.bleu.Bleu(4)``'s
per-image score on the same strings.

Never edit the output by hand: change this script and run it again.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ciderd_reference import reference_ciderd  # noqa: E402

DEFAULT_OUT = (Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "rewards"
               / "scst_token_ids.json")
WIDTH = 16
END = 0


def ids_to_string(row) -> str:
    """The SCST caption string of a row: its ids up to and including the first end token."""
    words = []
    for token in row:
        words.append(str(int(token)))
        if token == END:
            break
    return " ".join(words)


def synthetic_corpus(rng: np.random.Generator) -> tuple[list, np.ndarray, np.ndarray]:
    """Return (references per image as (K, WIDTH) rows, candidate rows, candidate images)."""
    n_images, vocabulary = 40, np.arange(1, 31)
    zipf = 1.0 / vocabulary
    zipf /= zipf.sum()

    def row(length: int, garbage: bool = False) -> np.ndarray:
        out = np.zeros(WIDTH, dtype=np.int64)
        tokens = rng.choice(vocabulary, size=min(length, WIDTH), p=zipf)
        out[: tokens.size] = tokens
        if garbage and length < WIDTH - 1:
            out[length + 1:] = rng.choice(vocabulary, size=WIDTH - length - 1)
        return out

    references = []
    for _ in range(n_images):
        count = int(rng.integers(1, 7))
        references.append(np.stack([row(int(rng.integers(0, 22))) for _ in range(count)]))

    candidates, images = [], []
    for image, refs in enumerate(references):
        for kind in range(5):
            if kind == 0:
                candidate = refs[int(rng.integers(len(refs)))].copy()   # a copy of a reference
            elif kind == 1:
                candidate = row(int(rng.integers(1, 12)), garbage=True)  # tokens after the end
            elif kind == 2:
                candidate = row(WIDTH + 4)                               # no end token
            elif kind == 3:
                candidate = row(int(rng.integers(2, 10)))
                candidate[rng.integers(0, 2)] = rng.integers(31, 40)     # unseen ids
            else:
                candidate = np.tile(row(3)[:3], WIDTH // 3 + 1)[:WIDTH]   # repeated n-grams
                candidate[int(rng.integers(6, WIDTH))] = END
            candidates.append(candidate)
            images.append(image)
    candidates.append(np.zeros(WIDTH, dtype=np.int64))  # the empty caption ("0")
    images.append(0)
    return references, np.stack(candidates), np.array(images)


def reference_scores(cider_path: Path, references, candidates, images) -> dict:
    from pycocoevalcap.bleu.bleu import Bleu

    gts_by_image = [[ids_to_string(r) for r in refs] for refs in references]
    cider = reference_ciderd(cider_path, gts_by_image, "training-references")

    res = [{"image_id": i, "caption": [ids_to_string(c)]} for i, c in enumerate(candidates)]
    gts = {i: gts_by_image[image] for i, image in enumerate(images)}
    _, cider_scores = cider.compute_score(gts, res)
    _, bleu_scores = Bleu(4).compute_score(gts, {r["image_id"]: r["caption"] for r in res},
                                           verbose=0)
    return {"cider_d": [float(s) for s in cider_scores],
            "bleu_4": [float(s) for s in bleu_scores[3]]}


def describe(cider_path: Path) -> str:
    try:
        commit = subprocess.run(["git", "-C", str(cider_path), "rev-parse", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown commit"
    return f"pyciderevalcap.ciderD from {cider_path.name} ({commit})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cider", type=Path, required=True,
                        help="checkout containing pyciderevalcap/ciderD/ciderD_scorer.py")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=20150208)
    args = parser.parse_args()

    references, candidates, images = synthetic_corpus(np.random.default_rng(args.seed))
    scores = reference_scores(args.cider.resolve(), references, candidates, images)
    golden = {
        "header": {
            "generator": "tools/make_reward_goldens.py",
            "reference": describe(args.cider.resolve()),
            "bleu_reference": f"pycocoevalcap {metadata.version('pycocoevalcap')}",
            "date": datetime.date.today().isoformat(),
            "command": f"python tools/make_reward_goldens.py --cider <checkout> --seed {args.seed}",
            "convention": "token ids up to and including the first end token 0; df from all "
                          "images' references; N = number of images",
            "note": "Generated by the reference implementation; never edit by hand.",
        },
        "end_token": END,
        "references": [refs.tolist() for refs in references],
        "candidates": candidates.tolist(),
        "image_ids": images.tolist(),
        **scores,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(golden) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(candidates)} candidates, {len(references)} images")


if __name__ == "__main__":
    main()
