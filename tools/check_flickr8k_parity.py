"""Compare capeval with pycocoevalcap on all of Flickr8k train (30,000 captions, 6,000 images).

Usage (needs the reference: ``pip install -e '.[reference]'`` and Java)::

    python tools/check_flickr8k_parity.py [--data ../shared/data/flickr8k_train.tsv] [--meteor]
        [--tokenizer ptb|ptb-caption] [--acronym-every N]

Runs the COCO pipeline of pycocoevalcap (PTBTokenizer on references and hypotheses, then Bleu,
Rouge, Cider and, with --meteor, Meteor) and capeval.evaluate on the same captions, and prints how
many captions tokenize identically and the largest per-image and corpus score differences.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flickr8k import DEFAULT_PATH, load_flickr8k  # noqa: E402


def reference_pipeline(hyps: dict, refs: dict, meteor: bool) -> tuple[dict, dict, dict]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    tokenizer = PTBTokenizer()
    gts = tokenizer.tokenize({k: [{"caption": c} for c in v] for k, v in refs.items()})
    res = tokenizer.tokenize({k: [{"caption": v}] for k, v in hyps.items()})
    corpus, per_image = {}, {}
    bleu, bleu_images = Bleu(4).compute_score(gts, res, verbose=0)
    for n in range(4):
        corpus[f"BLEU-{n + 1}"], per_image[f"BLEU-{n + 1}"] = bleu[n], bleu_images[n]
    scorers = [("ROUGE-L", Rouge()), ("CIDEr-D", Cider())]
    if meteor:
        from pycocoevalcap.meteor.meteor import Meteor

        scorers.append(("METEOR", Meteor()))
    for name, scorer in scorers:
        value, images = scorer.compute_score(gts, res)
        corpus[name], per_image[name] = float(value), images
    tokens = {"hyps": res, "refs": gts}
    return corpus, per_image, tokens


def with_acronyms(hyps: dict, refs: dict, every: int) -> tuple[dict, dict]:
    """Replace the end of every ``every``-th caption (file order) by `` in the U.``."""
    count = 0

    def rewrite(caption: str) -> str:
        nonlocal count
        count += 1
        return caption.rstrip(" .") + " in the U." if count % every == 0 else caption

    refs = {k: [rewrite(c) for c in v] for k, v in refs.items()}
    return {k: rewrite(v) for k, v in hyps.items()}, refs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--meteor", action="store_true", help="also compare METEOR (slow)")
    parser.add_argument("--tokenizer", default="ptb", choices=["ptb", "ptb-caption"],
                        help="capeval's tokenizer (ptb: pycocoevalcap's stream context)")
    parser.add_argument("--acronym-every", type=int, default=0, metavar="N",
                        help="end every N-th caption in a one-letter acronym (' ... in the U.'), "
                        "a context the stream decides (most captions start with 'A')")
    args = parser.parse_args()

    import capeval
    from capeval.tokenizers import tokenize

    hyps, refs = load_flickr8k(args.data)
    if args.acronym_every:
        hyps, refs = with_acronyms(hyps, refs, args.acronym_every)
    corpus, per_image, reference_tokens = reference_pipeline(hyps, refs, args.meteor)

    # Two streams, as the reference tokenizes them: hypotheses, references (same image order).
    captions = [*hyps.values(), *(c for cs in refs.values() for c in cs)]
    expected = [reference_tokens["hyps"][k][0] for k in hyps]
    expected += [t for k in refs for t in reference_tokens["refs"][k]]
    ours = [" ".join(tokens) for stream in
            (list(hyps.values()), [c for cs in refs.values() for c in cs])
            for tokens in tokenize(stream, args.tokenizer)]
    mismatches = [(c, e, o) for c, e, o in zip(captions, expected, ours, strict=True) if e != o]
    print(f"tokenization: {len(captions) - len(mismatches)} / {len(captions)} captions identical")
    for caption, want, got in mismatches[:20]:
        print(f"  {caption!r}\n    reference {want!r}\n    capeval   {got!r}")

    metrics = ["bleu", "rouge-l", "cider-d"] + (["meteor"] if args.meteor else [])
    result = capeval.evaluate(hyps, refs, metrics, tokenizer=args.tokenizer)
    print(f"{'score':<8} {'reference':>20} {'capeval':>20} {'|diff|':>9} "
          f"{'max per-image |diff|':>21} {'images equal (1e-9)':>20}")
    for name, value in corpus.items():
        diffs = np.abs(result.per_item[name].to_numpy() - np.asarray(per_image[name], float))
        print(f"{name:<8} {value:>20.15f} {result.corpus[name]:>20.15f} "
              f"{abs(value - result.corpus[name]):>9.1e} {diffs.max():>21.1e} "
              f"{int((diffs <= 1e-9).sum()):>14} / {diffs.size}")


if __name__ == "__main__":
    main()
