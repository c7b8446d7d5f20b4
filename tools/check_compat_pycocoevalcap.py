"""Compare capeval.compat.pycocoevalcap with pycocoevalcap 1.2 itself on Flickr8k (needs Java).

Usage (from the repository root)::

    pip install -e '.[reference]'
    python tools/check_compat_pycocoevalcap.py [--data flickr8k_train.tsv] [--images 6000]

Runs both ``PTBTokenizer``s on the references and hypotheses (caption 0 of each image is the
hypothesis, captions 1-4 the references), then ``Bleu(4)``, ``Meteor()``, ``Rouge()`` and
``Cider()`` of both on pycocoevalcap's tokenization, and reports: tokenizations that differ,
whether the return values have the same types (container and element types), and the largest
differences of corpus and per-image scores. Exits non-zero if a type differs or a score differs
by more than 1e-9. SPICE is not compared (capeval has none).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flickr8k import DEFAULT_PATH, load_flickr8k  # noqa: E402

TOLERANCE = 1e-9


def type_tree(value) -> object:
    """Type of a value and, for lists and arrays, of their first element."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, type_tree(value[0]) if value else None)
    if isinstance(value, np.ndarray):
        return ("ndarray", str(value.dtype))
    return type(value).__name__


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--images", type=int, default=6000)
    args = parser.parse_args()

    import pycocoevalcap.bleu.bleu as reference_bleu
    import pycocoevalcap.cider.cider as reference_cider
    import pycocoevalcap.meteor.meteor as reference_meteor
    import pycocoevalcap.rouge.rouge as reference_rouge
    import pycocoevalcap.tokenizer.ptbtokenizer as reference_tokenizer

    import capeval.compat.pycocoevalcap as compat

    hyps, refs = load_flickr8k(args.data)
    ids = list(hyps)[: args.images]
    gts_raw = {i: [{"caption": c} for c in refs[i]] for i in ids}
    res_raw = {i: [{"caption": hyps[i]}] for i in ids}

    failures = 0
    tokenized = {}
    for name, raw in (("references", gts_raw), ("hypotheses", res_raw)):
        theirs = reference_tokenizer.PTBTokenizer().tokenize(raw)
        ours = compat.PTBTokenizer().tokenize(raw)
        differ = sum(theirs[i] != ours.get(i) for i in theirs) + len(set(ours) - set(theirs))
        print(f"PTBTokenizer {name}: {len(theirs)} images, {differ} tokenized differently")
        tokenized[name] = theirs
    gts, res = tokenized["references"], tokenized["hypotheses"]

    pairs = [("Bleu", reference_bleu.Bleu(4), compat.Bleu(4), {"verbose": 0}),
             ("Meteor", reference_meteor.Meteor(), compat.Meteor(), {}),
             ("Rouge", reference_rouge.Rouge(), compat.Rouge(), {}),
             ("Cider", reference_cider.Cider(), compat.Cider(), {})]
    for name, reference, ours, options in pairs:
        expected = reference.compute_score(gts, res, **options)
        got = ours.compute_score(gts, res, **options)
        same_types = type_tree(expected[0]) == type_tree(got[0]) and (
            type_tree(expected[1]) == type_tree(got[1]))
        corpus = np.abs(np.subtract(expected[0], got[0])).max()
        per_image = np.abs(np.subtract(expected[1], got[1])).max()
        print(f"{name}: types {'equal' if same_types else 'DIFFER'} {type_tree(got[0])}, "
              f"{type_tree(got[1])}; max |difference| corpus {corpus:.3g}, "
              f"per image {per_image:.3g}")
        failures += (not same_types) + (corpus > TOLERANCE) + (per_image > TOLERANCE)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
