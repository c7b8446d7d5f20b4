"""What one stream is: evaluate, leaderboards and COCO files tokenize as COCOEvalCap does."""
from __future__ import annotations

import json

import pytest

from capeval import evaluate, leaderboard
from capeval.compat.pycocoevalcap import COCOEvalCap
from capeval.evaluation import reference_order
from capeval.io import read_references

# Image 1's hypothesis ends in a one-letter acronym: its period survives only when the next
# hypothesis of the stream (in the references' image order) does not start a sentence.
REFERENCES = {1: ["grade a", "a grade"], 2: ["the dog runs", "a dog runs"],
              3: ["a cat", "the cat"]}
HYPOTHESES = {3: "a cat", 2: "The dog runs", 1: "Grade A."}  # not in reference order


def test_hypotheses_are_one_stream_in_the_references_image_order():
    result = evaluate(HYPOTHESES, REFERENCES, ["bleu"])
    assert list(result.per_item.index) == [3, 2, 1]  # results keep the hypothesis order
    assert result.per_item.loc[1, "BLEU-1"] == pytest.approx(1.0)  # "grade a": no period
    caption = evaluate(HYPOTHESES, REFERENCES, ["bleu"], tokenizer="ptb-caption")
    assert caption.per_item.loc[1, "BLEU-1"] < 0.9  # "grade a." keeps it
    assert caption.signature["tok"] == "ptb-corenlp-3.4.1-caption"
    assert result.signature["tok"] == "ptb-corenlp-3.4.1"


class _Coco:
    """The two attributes COCOEvalCap reads (as pycocotools' COCO objects)."""

    def __init__(self, captions: dict) -> None:
        self.imgToAnns = {i: [{"caption": c} for c in cs] for i, cs in captions.items()}

    def getImgIds(self) -> list:
        return list(self.imgToAnns)


def test_evaluate_equals_cocoevalcap_on_context_sensitive_captions():
    references = {1: ["Grade A.", "grade a"], 2: ["The dog runs.", "you're"],
                  3: ["It is a cat", "a cat, U."]}
    hypotheses = {2: "The dog runs", 3: "It's a cat you're", 1: "Grade A."}
    coco = COCOEvalCap(_Coco(references), _Coco({i: [hypotheses[i]] for i in references}))
    coco.evaluate()
    result = evaluate(hypotheses, references, ["bleu", "rouge-l", "cider-d"])
    for name, key in [("BLEU-4", "Bleu_4"), ("ROUGE-L", "ROUGE_L"), ("CIDEr-D", "CIDEr")]:
        assert result.corpus[name] == pytest.approx(coco.eval[key], abs=1e-12)
        for image_id in references:
            assert result.per_item.loc[image_id, name] == pytest.approx(
                coco.imgToEval[image_id][key], abs=1e-12)


def test_partial_evaluation_streams_only_the_scored_images():
    references = {1: ["x"], 2: ["Grade A."], 3: ["skipped"], 4: ["The end"]}
    partial = evaluate({2: "grade a", 4: "the end"}, references, ["bleu"],
                       allow_partial=True)
    assert partial.per_item.loc[2, "BLEU-1"] == pytest.approx(1.0)  # next reference: The end


def test_leaderboard_systems_are_streams_in_the_references_image_order():
    systems = {"a": HYPOTHESES, "b": dict(reversed(list(HYPOTHESES.items())))}
    board = leaderboard(systems, REFERENCES, ["bleu"], n_bootstrap=0)
    items = board.per_item.set_index(["system", "image_id"])
    assert items.loc[("a", 1), "BLEU-1"] == pytest.approx(1.0)
    assert items.loc[("b", 1), "BLEU-1"] == pytest.approx(1.0)


def test_reference_order():
    assert reference_order([3, 2, 1], REFERENCES) == [2, 1, 0]
    assert reference_order([2, 1], {"1": [], 2: []}) == [1, 0]  # keys as canonical ids
    with pytest.raises(ValueError):
        reference_order([5], REFERENCES)


def test_coco_references_follow_the_images_list(tmp_path):
    path = tmp_path / "refs.json"
    path.write_text(json.dumps({
        "images": [{"id": 2}, {"id": 1}],
        "annotations": [{"image_id": 1, "caption": "a"}, {"image_id": 2, "caption": "b"},
                        {"image_id": 1, "caption": "c"}],
    }))
    assert list(read_references(path).items()) == [(2, ["b"]), (1, ["a", "c"])]
