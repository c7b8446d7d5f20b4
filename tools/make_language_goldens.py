"""Regenerate ``tests/fixtures/golden/languages.json``: pycocoevalcap's scorers on segmented text.

For each segmenting tokenizer (``jieba``, ``char``, ``mecab``, ``kiwi``) and the captions of
`tools/language_captions.py`, capeval segments every caption; the tokens, joined by spaces, go
to pycocoevalcap 1.2's ``Bleu(4)``, ``Rouge``, ``Cider`` and the METEOR jar (``meteor-1.5.jar
-l en -norm`` as pycocoevalcap starts it, plus ``-m exact``: exact matching only, which is what
capeval scores with these tokenizers). Segmenters have no other oracle than themselves, but
``jieba``'s second stage is pycocoevalcap's PTBTokenizer: the script runs the real one (Java)
on jieba's output and stops if capeval's tokens differ. It also reports how many segments the
jar's default modules (stem, synonym, paraphrase) would score differently.

Needs the ``reference`` extra (pycocoevalcap, Java) and the extras ``zh``, ``ja``, ``ko``::

    python tools/make_language_goldens.py [--out tests/fixtures/golden/languages.json]

Never edit the output by hand: change the captions or this script and run it again.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import threading
from importlib import metadata
from pathlib import Path

from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.meteor import meteor as pycoco_meteor
from pycocoevalcap.rouge.rouge import Rouge
from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))
from capeval.tokenizers import chinese, tokenize, tokenizer_signature  # noqa: E402
from language_captions import CORPORA  # noqa: E402

DEFAULT_OUT = REPO / "tests" / "fixtures" / "golden" / "languages.json"
SCORE_NAMES = ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D"]


class Meteor(pycoco_meteor.Meteor):
    """pycocoevalcap's METEOR wrapper, with extra jar arguments (e.g. ``-m exact``)."""

    def __init__(self, *extra: str) -> None:  # noqa: D107 (mirrors the parent's setup)
        self.meteor_cmd = ["java", "-jar", "-Xmx2G", pycoco_meteor.METEOR_JAR,
                           "-", "-", "-stdio", "-l", "en", "-norm", *extra]
        self.meteor_p = subprocess.Popen(
            self.meteor_cmd, cwd=os.path.dirname(os.path.abspath(pycoco_meteor.__file__)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lock = threading.Lock()


def java_version() -> str:
    result = subprocess.run(["java", "-version"], capture_output=True, text=True, check=True)
    return result.stderr.splitlines()[0]


def check_jieba_ptb_stage(captions: list[str]) -> None:
    """Stop unless capeval's jieba tokens equal Java PTB (with its filter) on jieba's output."""
    segmented = [chinese.segment(caption) for caption in captions]
    java = PTBTokenizer().tokenize({0: [{"caption": text} for text in segmented]})[0]
    ours = [" ".join(tokens) for tokens in tokenize(captions, "jieba")]
    bad = [(c, j, o) for c, j, o in zip(captions, java, ours, strict=True) if j != o]
    if bad:
        sys.exit("jieba tokens differ from pycocoevalcap's PTBTokenizer:\n"
                 + "\n".join(f"  {c!r}: java {j!r}, capeval {o!r}" for c, j, o in bad))


def score(corpus: dict, tokenizer: str, meteor_exact: Meteor, meteor_default: Meteor) -> dict:
    ids = list(corpus)
    hyp_tokens = tokenize([corpus[key][0] for key in ids], tokenizer)
    ref_tokens = [tokenize(corpus[key][1], tokenizer) for key in ids]
    res = {key: [" ".join(tokens)] for key, tokens in zip(ids, hyp_tokens, strict=True)}
    gts = {key: [" ".join(tokens) for tokens in refs]
           for key, refs in zip(ids, ref_tokens, strict=True)}
    bleu, bleu_items = Bleu(4).compute_score(gts, res, verbose=0)
    meteor, meteor_items = meteor_exact.compute_score(gts, res)
    _, default_items = meteor_default.compute_score(gts, res)
    rouge, rouge_items = Rouge().compute_score(gts, res)
    cider, cider_items = Cider().compute_score(gts, res)
    corpus_scores = dict(zip(SCORE_NAMES, map(float, [*bleu, meteor, rouge, cider]),
                             strict=True))
    items = []
    for index, key in enumerate(ids):
        values = [bleu_items[n][index] for n in range(4)]
        values += [meteor_items[index], rouge_items[index], cider_items[index]]
        items.append({
            "image_id": key,
            "hypothesis": corpus[key][0],
            "references": corpus[key][1],
            "hypothesis_tokens": hyp_tokens[index],
            "reference_tokens": ref_tokens[index],
            "scores": dict(zip(SCORE_NAMES, map(float, values), strict=True)),
        })
    differing = sum(a != b for a, b in zip(meteor_items, default_items, strict=True))
    print(f"{tokenizer}: METEOR with the jar's default modules differs on {differing} of "
          f"{len(ids)} segments")
    return {"tokenizer": tokenizer_signature(tokenizer), "corpus": corpus_scores,
            "items": items}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    chinese_captions = [text for hyp, refs in CORPORA["jieba"].values() for text in (hyp, *refs)]
    check_jieba_ptb_stage(chinese_captions)
    meteor_exact, meteor_default = Meteor("-m", "exact"), Meteor()
    corpora = {name: score(corpus, name, meteor_exact, meteor_default)
               for name, corpus in CORPORA.items()}
    header = {
        "generator": "tools/make_language_goldens.py",
        "reference": f"pycocoevalcap {metadata.version('pycocoevalcap')}",
        "meteor": "meteor-1.5.jar -l en -norm -m exact",
        "java": java_version(),
        "date": datetime.date.today().isoformat(),
        "command": "python tools/make_language_goldens.py",
        "note": "Generated by the reference implementation; never edit by hand.",
    }
    args.out.write_text(json.dumps({"header": header, "corpora": corpora}, ensure_ascii=False,
                                   indent=1) + "\n", encoding="utf-8")
    for name, result in corpora.items():
        print(f"{args.out}: {name}: {len(result['items'])} images, corpus {result['corpus']}")


if __name__ == "__main__":
    main()
