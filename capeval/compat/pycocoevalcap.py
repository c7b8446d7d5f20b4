"""Drop-in replacements for pycocoevalcap 1.2's scorers, tokenizer and ``COCOEvalCap``.

Replace ``from pycocoevalcap.bleu.bleu import Bleu`` (and the like) by
``from capeval.compat.pycocoevalcap import Bleu``: constructors, ``compute_score(gts, res)``,
``tokenize(...)``, ``method()`` and the return values, types included, are those of
pycocoevalcap 1.2, and so are the scores (capeval's metrics reproduce it; see the README):

============  ==================================  ==========================================
class         ``compute_score`` returns            types
============  ==================================  ==========================================
Bleu(n=4)     (corpus BLEU-1..n, per-image lists)  list of float, list of n lists of float
Meteor()      (corpus METEOR, per-image scores)    float, list of float
Rouge()       (mean ROUGE-L, per-image scores)     numpy.float64, ndarray
Cider()       (mean CIDEr-D, per-image scores)     numpy.float64, ndarray
============  ==================================  ==========================================

``gts`` maps image ids to lists of tokenized reference strings and ``res`` maps the same ids
to one-element lists; per-image results follow the order of ``gts``. A caption's words are
``caption.split(" ")`` (ROUGE-L, METEOR), or its whitespace-separated words (BLEU, CIDEr-D),
as in pycocoevalcap. pycocoevalcap's ``Cider`` is CIDEr-D, and so is this one.

Deliberate differences, none of which changes a score:

* Input checks. Where pycocoevalcap uses ``assert`` (mismatched ids, a result that is not a
  one-element list, missing references), these raise ``AssertionError`` too, so code that
  catches it keeps working, but always (also under ``python -O``) and with a message naming
  the image. A caption that is not a string raises ``TypeError``.
* Nothing is printed: progress, ``Bleu``'s ``verbose`` totals and the scores
  ``COCOEvalCap.evaluate`` prints go to the ``capeval`` logger at INFO level.
* No Java, no subprocess, no temporary file. ``PTBTokenizer`` treats every line break
  inside a caption as a space (pycocoevalcap turns ``\\n`` into a space but lets ``\\r`` and
  other line breaks shift later captions onto other images).
* ``COCOEvalCap`` computes BLEU-1..4, METEOR, ROUGE-L and CIDEr(-D) but not SPICE, which
  needs Java and Stanford CoreNLP models: ``eval`` has no ``"SPICE"`` key.
* ``COCOEvalCap`` accepts any objects with ``getImgIds()`` and ``imgToAnns`` (as pycocotools'
  ``COCO``); pycocotools is not needed.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import numpy as np

from capeval.metrics.bleu import Bleu as _Bleu
from capeval.metrics.cider import CiderD as _CiderD
from capeval.metrics.meteor import Meteor as _Meteor
from capeval.metrics.rouge import RougeL as _RougeL
from capeval.tokenizers import tokenize as _tokenize

__all__ = ["Bleu", "COCOEvalCap", "Cider", "Meteor", "PTBTokenizer", "Rouge"]

logger = logging.getLogger("capeval")


def _check_same_images(gts: Mapping, res: Mapping) -> None:
    if gts.keys() != res.keys():
        only_gts = [k for k in gts if k not in res][:3]
        only_res = [k for k in res if k not in gts][:3]
        raise AssertionError(f"gts and res must have the same image ids; only in gts: "
                             f"{only_gts}, only in res: {only_res}")


def _segments(gts: Mapping, res: Mapping, min_references: int = 1
              ) -> tuple[list[list[str]], list[list[list[str]]]]:
    """Check pycocoevalcap's input invariants; return (hypotheses, references) as tokens."""
    _check_same_images(gts, res)
    hypotheses, references = [], []
    for image_id in gts:
        hypo, refs = res[image_id], gts[image_id]
        if type(hypo) is not list or len(hypo) != 1:
            raise AssertionError(f"res[{image_id!r}] must be a list of exactly one caption")
        if type(refs) is not list or len(refs) < min_references:
            raise AssertionError(f"gts[{image_id!r}] must be a list of at least "
                                 f"{min_references} caption(s)")
        hypotheses.append(_words(hypo[0], image_id, "res"))
        references.append([_words(ref, image_id, "gts") for ref in refs])
    return hypotheses, references


def _words(caption: Any, image_id: Any, where: str) -> list[str]:
    if not isinstance(caption, str):
        raise TypeError(f"{where}[{image_id!r}] holds a {type(caption).__name__}, expected a "
                        f"tokenized caption string")
    return caption.split(" ")


class Bleu:
    """BLEU-1..n of pycocoevalcap: 'closest' reference length, its smoothing constants.

    Parameters
    ----------
    n : int, default=4
    """

    def __init__(self, n: int = 4) -> None:
        self._n = n
        self._metric = _Bleu(n)

    def compute_score(self, gts: Mapping, res: Mapping, verbose: int = 1
                      ) -> tuple[list[float], list[list[float]]]:
        """Return ([BLEU-1, ..., BLEU-n] of the corpus, [per-image BLEU-k for k = 1..n]).

        With ``verbose > 0`` the corpus totals are logged (pycocoevalcap prints them).
        """
        hypotheses, references = _segments(gts, res)
        stats = self._metric.segment_stats(hypotheses, references)
        totals = stats.sum(axis=0)
        corpus = self._metric.scores_from_stats(totals).tolist()
        per_image = self._metric.scores_from_stats(stats).T.tolist()
        if verbose > 0:
            n = self._n
            logger.info("BLEU totals: testlen=%d reflen=%d guess=%s correct=%s; ratio: %r",
                        totals[0], totals[1], totals[2 + n:].astype(int).tolist(),
                        totals[2:2 + n].astype(int).tolist(),
                        (totals[0] + 1e-15) / (totals[1] + 1e-9))
        return corpus, per_image

    def method(self) -> str:
        return "Bleu"


class Meteor:
    """METEOR 1.5 as pycocoevalcap runs ``meteor-1.5.jar -l en -norm``, without Java."""

    def __init__(self) -> None:
        self._metric = _Meteor()

    def compute_score(self, gts: Mapping, res: Mapping) -> tuple[float, list[float]]:
        """Return (corpus METEOR, per-image METEOR scores)."""
        hypotheses, references = _segments(gts, res)
        stats = self._metric.segment_stats(hypotheses, references)
        per_image = self._metric.scores_from_stats(stats)[:, 0].tolist()
        return float(self._metric.scores_from_stats(stats.sum(axis=0))[0]), per_image

    def method(self) -> str:
        return "METEOR"


class Rouge:
    """ROUGE-L of pycocoevalcap (F-measure with beta = 1.2, best P and R over references)."""

    def __init__(self) -> None:
        self.beta = 1.2

    def calc_score(self, candidate: list, refs: list) -> float:
        """Return the ROUGE-L of one candidate (a one-element list) against its references."""
        if len(candidate) != 1:
            raise AssertionError("candidate must be a list of exactly one caption")
        if len(refs) == 0:
            raise AssertionError("refs must hold at least one caption")
        hypothesis = _words(candidate[0], None, "candidate")
        tokens = [_words(ref, None, "refs") for ref in refs]
        return float(_RougeL(self.beta).sentence_scores([hypothesis], [tokens])[0, 0])

    def compute_score(self, gts: Mapping, res: Mapping) -> tuple[np.float64, np.ndarray]:
        """Return (mean ROUGE-L, per-image ROUGE-L as an ndarray)."""
        hypotheses, references = _segments(gts, res)
        scores = _RougeL(self.beta).sentence_scores(hypotheses, references)[:, 0]
        return np.mean(np.array(scores)), np.array(scores)

    def method(self) -> str:
        return "Rouge"


class Cider:
    """pycocoevalcap's ``Cider``, which is CIDEr-D (clipping, length penalty, x10).

    Document frequencies come from the references of each ``compute_score`` call.

    Parameters
    ----------
    test, refs : ignored
        Accepted (and ignored) as by pycocoevalcap.
    n : int, default=4
    sigma : float, default=6.0
    """

    def __init__(self, test=None, refs=None, n: int = 4, sigma: float = 6.0) -> None:
        self._n = n
        self._sigma = sigma

    def compute_score(self, gts: Mapping, res: Mapping) -> tuple[np.float64, np.ndarray]:
        """Return (mean CIDEr-D, per-image CIDEr-D as an ndarray)."""
        hypotheses, references = _segments(gts, res)
        metric = _CiderD(sigma=self._sigma, max_order=self._n)
        scores = metric.sentence_scores(hypotheses, references)[:, 0]
        return np.mean(np.array(scores)), np.array(scores)

    def method(self) -> str:
        return "CIDEr"


class PTBTokenizer:
    """pycocoevalcap's PTB tokenization (CoreNLP 3.4.1 rules, lowercase, punctuation removed)."""

    def tokenize(self, captions_for_image: Mapping) -> dict:
        """Tokenize ``{image_id: [{"caption": str, ...}, ...]}``.

        Returns
        -------
        dict
            ``{image_id: [tokenized caption, ...]}`` with tokens joined by single spaces, in
            input order; images without captions are left out, as pycocoevalcap does.
        """
        image_ids, captions = [], []
        for image_id, image_annotations in captions_for_image.items():
            for annotation in image_annotations:
                image_ids.append(image_id)
                captions.append(annotation["caption"])
        tokenized: dict = {}
        for image_id, tokens in zip(image_ids, _tokenize(captions, "ptb"), strict=True):
            tokenized.setdefault(image_id, []).append(" ".join(tokens))
        return tokenized


class COCOEvalCap:
    """pycocoevalcap's ``COCOEvalCap``: BLEU-1..4, METEOR, ROUGE-L and CIDEr-D (no SPICE).

    Parameters
    ----------
    coco, cocoRes : objects with ``getImgIds()`` and ``imgToAnns``
        References and results, e.g. pycocotools ``COCO`` objects; the images evaluated are
        ``coco.getImgIds()``.

    Attributes
    ----------
    eval : dict
        Corpus score per metric (``"Bleu_1"`` ... ``"CIDEr"``), after `evaluate`.
    imgToEval : dict
        Per image: ``{"image_id": id, "Bleu_1": ..., ...}``.
    evalImgs : list
        The values of `imgToEval`.
    """

    def __init__(self, coco, cocoRes) -> None:
        self.evalImgs: list = []
        self.eval: dict = {}
        self.imgToEval: dict = {}
        self.coco = coco
        self.cocoRes = cocoRes
        self.params = {"image_id": coco.getImgIds()}

    def evaluate(self) -> None:
        """Tokenize, score with every metric and fill `eval`, `imgToEval` and `evalImgs`."""
        image_ids = self.params["image_id"]
        gts = {image_id: self.coco.imgToAnns[image_id] for image_id in image_ids}
        res = {image_id: self.cocoRes.imgToAnns[image_id] for image_id in image_ids}
        logger.info("tokenization...")
        tokenizer = PTBTokenizer()
        gts = tokenizer.tokenize(gts)
        res = tokenizer.tokenize(res)
        logger.info("setting up scorers...")
        scorers: list[tuple[Any, str | list[str]]] = [
            (Bleu(4), ["Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"]), (Meteor(), "METEOR"),
            (Rouge(), "ROUGE_L"), (Cider(), "CIDEr")]
        for scorer, method in scorers:
            logger.info("computing %s score...", scorer.method())
            score, scores = scorer.compute_score(gts, res)
            if isinstance(method, list):
                for corpus_score, image_scores, name in zip(score, scores, method, strict=True):
                    self.setEval(corpus_score, name)
                    self.setImgToEvalImgs(image_scores, gts.keys(), name)
                    logger.info("%s: %0.3f", name, corpus_score)
            else:
                self.setEval(score, method)
                self.setImgToEvalImgs(scores, gts.keys(), method)
                logger.info("%s: %0.3f", method, score)
        self.setEvalImgs()

    def setEval(self, score, method: str) -> None:
        self.eval[method] = score

    def setImgToEvalImgs(self, scores, imgIds, method: str) -> None:
        for image_id, score in zip(imgIds, scores):
            self.imgToEval.setdefault(image_id, {"image_id": image_id})[method] = score

    def setEvalImgs(self) -> None:
        self.evalImgs = list(self.imgToEval.values())
