"""capeval.compat.pycocoevalcap against pycocoevalcap 1.2 goldens (tools/make_goldens.py).

Return types are those of pycocoevalcap 1.2's source: ``Bleu`` lists of floats, ``Rouge`` and
``Cider`` a numpy.float64 and an ndarray, ``Meteor`` a float and a list of floats.
"""
from __future__ import annotations

import json
import logging
import threading

import numpy as np
import pytest

from capeval.compat.pycocoevalcap import (
    Bleu, COCOEvalCap, Cider, Meteor, PTBTokenizer, Rouge,
)
from capeval.metrics.cider import CiderD
from tests.conftest import FIXTURES
from tests.golden import GOLDEN_FILES, load_golden

TOLERANCE = 1e-9
BLEU_NAMES = ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4"]


@pytest.fixture(scope="module", params=GOLDEN_FILES, ids=lambda path: path.stem)
def golden(request):
    return load_golden(request.param)


def tokenized_inputs(golden):
    """``gts`` and ``res`` as pycocoevalcap's PTBTokenizer returned them to the scorers."""
    gts = {image_id: [" ".join(tokens) for tokens in refs]
           for image_id, refs in zip(golden.ids, golden.reference_tokens, strict=True)}
    res = {image_id: [" ".join(tokens)]
           for image_id, tokens in zip(golden.ids, golden.hypothesis_tokens, strict=True)}
    return gts, res


def expected(golden, name):
    return np.array([item[name] for item in golden.item_scores])


def test_bleu(golden):
    gts, res = tokenized_inputs(golden)
    score, scores = Bleu(4).compute_score(gts, res)
    assert type(score) is list and all(type(value) is float for value in score)
    assert type(scores) is list and len(scores) == 4
    assert all(type(column) is list and type(column[0]) is float for column in scores)
    for k, name in enumerate(BLEU_NAMES):
        assert score[k] == pytest.approx(golden.corpus_scores[name], abs=TOLERANCE)
        np.testing.assert_allclose(scores[k], expected(golden, name), rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("scorer_class, name", [(Rouge, "ROUGE-L"), (Cider, "CIDEr-D")])
def test_rouge_and_cider(golden, scorer_class, name):
    gts, res = tokenized_inputs(golden)
    score, scores = scorer_class().compute_score(gts, res)
    assert type(score) is np.float64 and type(scores) is np.ndarray
    assert score == pytest.approx(golden.corpus_scores[name], abs=TOLERANCE)
    np.testing.assert_allclose(scores, expected(golden, name), rtol=0, atol=TOLERANCE)


def test_rouge_calc_score_of_one_image(golden):
    gts, res = tokenized_inputs(golden)
    image_id = golden.ids[0]
    value = Rouge().calc_score(res[image_id], gts[image_id])
    assert value == pytest.approx(golden.item_scores[0]["ROUGE-L"], abs=TOLERANCE)


def test_tokenizer(golden):
    captions = {image_id: [{"caption": c, "id": n} for n, c in enumerate(refs)]
                for image_id, refs in zip(golden.ids, golden.references, strict=True)}
    tokenized = PTBTokenizer().tokenize(captions)
    assert list(tokenized) == golden.ids
    assert tokenized == {image_id: [" ".join(tokens) for tokens in refs] for image_id, refs
                         in zip(golden.ids, golden.reference_tokens, strict=True)}


def test_tokenizer_leaves_out_images_without_captions():
    tokenized = PTBTokenizer().tokenize({1: [{"caption": "A dog."}], 2: [], 3: [{"caption": ""}]})
    assert tokenized == {1: ["a dog"], 3: [""]}


class FakeCOCO:
    """What COCOEvalCap uses of pycocotools' COCO: getImgIds() and imgToAnns."""

    def __init__(self, captions: dict):
        self.imgToAnns = {image_id: [{"image_id": image_id, "caption": c} for c in caps]
                          for image_id, caps in captions.items()}

    def getImgIds(self):
        return list(self.imgToAnns)


def test_coco_eval_cap(golden, caplog, capsys):
    coco = FakeCOCO(dict(zip(golden.ids, golden.references, strict=True)))
    results = FakeCOCO({image_id: [hyp] for image_id, hyp in zip(golden.ids, golden.hypotheses,
                                                                  strict=True)})
    evaluator = COCOEvalCap(coco, results)
    assert evaluator.params == {"image_id": golden.ids}
    with caplog.at_level(logging.INFO, logger="capeval"):
        evaluator.evaluate()
    assert capsys.readouterr().out == ""  # pycocoevalcap prints; capeval logs
    assert "computing Bleu score..." in caplog.text
    names = {"Bleu_1": "BLEU-1", "Bleu_2": "BLEU-2", "Bleu_3": "BLEU-3", "Bleu_4": "BLEU-4",
             "ROUGE_L": "ROUGE-L", "CIDEr": "CIDEr-D"}
    assert set(evaluator.eval) == set(names) | {"METEOR"}
    assert type(evaluator.eval["METEOR"]) is float
    for key, name in names.items():
        assert evaluator.eval[key] == pytest.approx(golden.corpus_scores[name], abs=TOLERANCE)
    assert list(evaluator.imgToEval) == golden.ids
    first = evaluator.imgToEval[golden.ids[0]]
    assert first["image_id"] == golden.ids[0]
    for key, name in names.items():
        assert first[key] == pytest.approx(golden.item_scores[0][name], abs=TOLERANCE)
    assert evaluator.evalImgs == list(evaluator.imgToEval.values())


@pytest.mark.parametrize("gts, res, message", [
    ({1: ["a"]}, {2: ["a"]}, r"same image ids; only in gts: \[1\], only in res: \[2\]"),
    ({1: ["a"]}, {1: ["a", "b"]}, r"res\[1\] must be a list of exactly one caption"),
    ({1: ["a"]}, {1: ("a",)}, r"res\[1\] must be a list of exactly one caption"),
    ({1: []}, {1: ["a"]}, r"gts\[1\] must be a list of at least 1 caption"),
])
@pytest.mark.parametrize("scorer_class", [Bleu, Rouge, Cider])
def test_where_pycocoevalcap_asserts_capeval_raises_assertion_error(scorer_class, gts, res,
                                                                       message):
    with pytest.raises(AssertionError, match=message):
        scorer_class().compute_score(gts, res)


def test_non_string_captions_are_type_errors():
    with pytest.raises(TypeError, match=r"res\[1\] holds a int, expected a tokenized caption"):
        Bleu().compute_score({1: ["a"]}, {1: [3]})


def test_bleu_verbose_logs_the_totals_instead_of_printing(caplog, capsys):
    with caplog.at_level(logging.INFO, logger="capeval"):
        Bleu(2).compute_score({1: ["a dog runs"]}, {1: ["a dog"]}, verbose=1)
    assert capsys.readouterr().out == ""
    assert "testlen=2 reflen=3 guess=[2, 1] correct=[2, 1]" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="capeval"):
        Bleu(2).compute_score({1: ["a dog runs"]}, {1: ["a dog"]}, verbose=0)
    assert caplog.text == ""


def test_same_constructors_and_method_names_and_the_options_take_effect():
    gts = {1: ["a dog runs on the grass"], 2: ["a cat sits on a red mat"],
           3: ["two dogs play in the snow"]}
    res = {1: ["a dog runs on grass"], 2: ["a cat sits on the mat"], 3: ["a dog in snow"]}
    assert Bleu().method() == "Bleu" and Rouge().method() == "Rouge"
    bleu2, _ = Bleu(n=2).compute_score(gts, res)
    assert len(bleu2) == 2 and bleu2 == Bleu(4).compute_score(gts, res)[0][:2]
    assert Rouge().beta == 1.2
    cider = Cider(None, None, n=3, sigma=5.0)
    assert cider.method() == "CIDEr"
    hyps, refs = [res[i][0].split() for i in gts], [[gts[i][0].split()] for i in gts]
    _, per_image = cider.compute_score(gts, res)
    np.testing.assert_array_equal(
        per_image, CiderD(sigma=5.0, max_order=3).sentence_scores(hyps, refs)[:, 0])
    assert not np.array_equal(per_image, Cider().compute_score(gts, res)[1])


def test_per_image_results_follow_the_order_of_gts():
    gts = {"b": ["a cat sits"], "a": ["a dog runs"]}
    res = {"a": ["a dog runs"], "b": ["a dog runs"]}
    _, scores = Rouge().compute_score(gts, res)
    assert scores[0] < 1.0 and scores[1] == 1.0


def test_scorers_work_from_several_threads(golden):
    gts, res = tokenized_inputs(golden)
    expected_scores = Cider().compute_score(gts, res)[1]
    results = []

    def work():
        for _ in range(3):
            results.append(Cider().compute_score(gts, res)[1])

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 9 and all(np.array_equal(r, expected_scores) for r in results)


def test_meteor():
    golden = json.loads((FIXTURES / "golden" / "meteor.json").read_text(encoding="utf-8"))
    segments = golden["segments"]
    gts = {segment["id"]: segment["refs"] for segment in segments}
    res = {segment["id"]: [segment["hyp"]] for segment in segments}
    assert len(gts) == len(segments)
    score, scores = Meteor().compute_score(gts, res)
    assert type(score) is float and type(scores) is list and type(scores[0]) is float
    assert score == pytest.approx(golden["aggregate"], abs=TOLERANCE)
    np.testing.assert_allclose(scores, [segment["score"] for segment in segments], rtol=0,
                               atol=TOLERANCE)
