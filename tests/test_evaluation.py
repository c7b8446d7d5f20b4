"""capeval.evaluate: input forms, alignment, ordering, results and signature."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import capeval
from capeval import CapevalInputError
from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics.bleu import Bleu
from capeval.tokenizers import tokenize
from tests.golden import GOLDEN_FILES, load_golden

HYPS = {3: "a dog runs on the grass", 1: "a cat sleeps", 2: "two people walk"}
REFS = {
    1: ["a cat is sleeping", "the cat sleeps on a sofa"],
    2: ["two men walk down a street", "people walking"],
    3: ["a dog running on grass", "the dog runs", "a brown dog runs on the green grass"],
}


def test_results_keep_hypothesis_order_and_all_images():
    result = capeval.evaluate(HYPS, REFS, tokenizer="none")
    assert result.ids == [3, 1, 2]
    assert list(result.per_item.index) == [3, 1, 2]
    assert result.per_item.index.name == "image_id"
    assert list(result.per_item.columns) == ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR",
                                             "ROUGE-L", "CIDEr-D"]
    assert list(result.corpus) == list(result.per_item.columns)


def test_corpus_scores_come_from_the_statistics():
    result = capeval.evaluate(HYPS, REFS, tokenizer="none")
    bleu = result.metrics["BLEU"]
    expected = bleu.corpus_score_from_stats(result.stats["BLEU"])
    assert {k: result.corpus[k] for k in expected} == expected
    assert result.corpus["CIDEr-D"] == pytest.approx(result.per_item["CIDEr-D"].mean())


@pytest.mark.parametrize(
    "hyps, refs",
    [
        (pd.Series(HYPS), pd.Series(REFS)),
        (pd.DataFrame({"image_id": list(HYPS), "caption": list(HYPS.values())}),
         pd.DataFrame([{"image_id": i, "caption": c} for i, cs in REFS.items() for c in cs])),
        ({str(k): v for k, v in HYPS.items()}, REFS),  # "3" and 3 are the same image
    ],
    ids=["series", "dataframes", "string-ids"],
)
def test_pandas_and_id_forms_give_the_same_scores(hyps, refs):
    expected = capeval.evaluate(HYPS, REFS, tokenizer="none").corpus
    assert capeval.evaluate(hyps, refs, tokenizer="none").corpus == expected


def test_sequences_pair_by_position():
    result = capeval.evaluate(list(HYPS.values()), [REFS[k] for k in HYPS], tokenizer="none")
    assert result.ids == [0, 1, 2]
    assert result.corpus == capeval.evaluate(HYPS, REFS, tokenizer="none").corpus


def test_metric_selection_objects_and_df_table():
    table = DocumentFrequencies.from_references([[c.split() for c in REFS[k]] for k in REFS])
    by_name = capeval.evaluate(HYPS, REFS, ["cider-d"], tokenizer="none",
                               document_frequencies=table)
    default = capeval.evaluate(HYPS, REFS, ["cider-d"], tokenizer="none")
    assert by_name.corpus == pytest.approx(default.corpus, abs=1e-12)
    assert by_name.signature["CIDEr-D.df"] == "table(N=3)"
    two = capeval.evaluate(HYPS, REFS, [Bleu(max_order=2)], tokenizer="none")
    assert list(two.corpus) == ["BLEU-1", "BLEU-2"]


def test_bad_input_is_reported_not_dropped():
    with pytest.raises(CapevalInputError, match="no hypothesis for 1 of the 3 images"):
        capeval.evaluate({1: "a", 2: "b"}, REFS, tokenizer="none")
    with pytest.raises(CapevalInputError, match="no references"):
        capeval.evaluate({**HYPS, 9: "x"}, REFS, tokenizer="none")
    with pytest.raises(ValueError, match="unknown metric"):
        capeval.evaluate(HYPS, REFS, ["bleu", "nope"], tokenizer="none")
    with pytest.raises(ValueError, match="listed twice"):
        capeval.evaluate(HYPS, REFS, ["bleu", "bleu"], tokenizer="none")


def test_partial_evaluation_scores_the_intersection(caplog):
    result = capeval.evaluate({1: "a cat sleeps"}, REFS, tokenizer="none", allow_partial=True)
    assert result.ids == [1]
    assert "left out" in caplog.text


def test_signature_and_progress_steps():
    steps = []
    result = capeval.evaluate(HYPS, REFS, tokenizer="none", progress=steps.append)
    assert steps == ["tokenize", "BLEU", "METEOR", "ROUGE-L", "CIDEr-D"]
    text = result.signature_string()
    assert text.startswith("nrefs:var|tok:none|") and text.endswith(f"|version:{capeval.__version__}")


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: p.stem)
def test_raw_captions_reproduce_reference_tokens_and_scores(path):
    """End to end against pycocoevalcap: PTB tokenization, then every metric."""
    golden = load_golden(path)
    tokens = tokenize([*golden.hypotheses, *(r for rs in golden.references for r in rs)])
    expected = [*golden.hypothesis_tokens, *(r for rs in golden.reference_tokens for r in rs)]
    assert tokens == expected
    result = capeval.evaluate(dict(zip(golden.ids, golden.hypotheses)),
                              dict(zip(golden.ids, golden.references)))
    for name, value in golden.corpus_scores.items():
        assert result.corpus[name] == pytest.approx(value, abs=1e-9), name
    expected_items = np.array([[item[name] for name in golden.corpus_scores]
                               for item in golden.item_scores])
    np.testing.assert_allclose(result.per_item[list(golden.corpus_scores)].to_numpy(),
                               expected_items, rtol=0, atol=1e-9)


@pytest.mark.parametrize("hypotheses, where", [
    (pd.Series(["a cat", "a dog"], index=[1, 1]), "hypotheses:image 1: appears twice in the index"),
    (pd.DataFrame({"image_id": [2, 2], "caption": ["a", "b"]}),
     "hypotheses:image 2: appears twice in the image_id column"),
])
def test_a_repeated_pandas_id_is_an_error_not_the_last_caption(hypotheses, where):
    refs = {1: REFS[1], 2: REFS[2]}
    with pytest.raises(CapevalInputError, match=where):
        capeval.evaluate(hypotheses, refs, metrics=["bleu"], tokenizer="none")
    with pytest.raises(CapevalInputError, match="references:image 1: appears twice"):
        capeval.evaluate({1: "a"}, pd.Series([["a"], ["b"]], index=[1, 1]), metrics="bleu")
    with pytest.raises(CapevalInputError, match="DataFrame has no caption column"):
        capeval.evaluate(pd.DataFrame({"image_id": [1]}), refs, metrics="bleu")


def test_metrics_may_be_one_name_and_never_repeat():
    from capeval import CapevalUsageError

    one = capeval.evaluate(HYPS, REFS, metrics="rouge-l", tokenizer="none")
    assert one.corpus == capeval.evaluate(HYPS, REFS, metrics=["rouge-l"], tokenizer="none").corpus
    assert list(one.corpus) == ["ROUGE-L"]
    for metrics in (["bleu", "bleu"], ["bleu", "BLEU"]):
        with pytest.raises(CapevalUsageError, match="metric listed twice: BLEU"):
            capeval.evaluate(HYPS, REFS, metrics=metrics)
    with pytest.raises(CapevalUsageError, match="no metric to compute"):
        capeval.evaluate(HYPS, REFS, metrics=[])
