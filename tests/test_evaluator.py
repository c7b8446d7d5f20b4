"""capeval.Evaluator: references prepared once give exactly the results of capeval.evaluate."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import capeval
from capeval import CapevalInputError
from capeval.metrics.rouge import RougeL
from tests.golden import GOLDEN_FILES, load_golden

REFS = {
    1: ["A cat is sleeping.", "The cat sleeps on a sofa"],
    2: ["Two men walk down a street", "people walking"],
    3: ["a dog running on grass", "the dog runs", "a brown dog runs on the green grass"],
}
SYSTEMS = {
    "first": {3: "a dog runs on the grass", 1: "a cat sleeps", 2: "two people walk"},
    "second": {1: "a sofa", 2: "men walking down the street", 3: "the dog"},
}


def assert_same_evaluation(actual: capeval.Evaluation, expected: capeval.Evaluation) -> None:
    assert actual.ids == expected.ids
    assert actual.corpus == expected.corpus
    pd.testing.assert_frame_equal(actual.per_item, expected.per_item, check_exact=True)
    assert actual.stats.keys() == expected.stats.keys()
    for name in expected.stats:
        np.testing.assert_array_equal(actual.stats[name], expected.stats[name], err_msg=name)
    assert actual.signature == expected.signature


@pytest.fixture(scope="module")
def evaluator() -> capeval.Evaluator:
    return capeval.Evaluator(REFS)


@pytest.mark.parametrize("system", list(SYSTEMS))
def test_every_system_scores_as_evaluate_does(evaluator, system):
    assert_same_evaluation(evaluator.evaluate(SYSTEMS[system]),
                           capeval.evaluate(SYSTEMS[system], REFS))


def test_repeated_calls_give_identical_results(evaluator):
    first = evaluator.evaluate(SYSTEMS["first"])
    evaluator.evaluate(SYSTEMS["second"])
    assert_same_evaluation(evaluator.evaluate(SYSTEMS["first"]), first)


@pytest.mark.parametrize("path", GOLDEN_FILES[:2], ids=lambda path: path.stem)
def test_golden_corpora_tokenized(path):
    golden = load_golden(path)
    metrics = ["bleu", "rouge-l", "cider-d"]
    evaluator = capeval.Evaluator.from_tokens(golden.ids, golden.reference_tokens, metrics)
    actual = evaluator.evaluate_tokenized(golden.ids, golden.hypothesis_tokens)
    expected = capeval.evaluation.evaluate_tokenized(
        golden.ids, golden.hypothesis_tokens, golden.reference_tokens, metrics)
    assert_same_evaluation(actual, expected)


def test_partial_hypotheses_keep_the_prepared_reference_set(evaluator):
    partial = {3: SYSTEMS["first"][3], 1: SYSTEMS["first"][1]}
    with pytest.raises(CapevalInputError, match="no hypothesis for 1 of the 3 images"):
        evaluator.evaluate(partial)
    result = evaluator.evaluate(partial, allow_partial=True)
    assert result.ids == [3, 1]
    full = evaluator.evaluate(SYSTEMS["first"])
    # Per-image statistics of a metric without corpus-level state do not depend on the others.
    np.testing.assert_array_equal(result.stats["BLEU"], full.stats["BLEU"][:2])
    np.testing.assert_array_equal(result.stats["METEOR"], full.stats["METEOR"][:2])


def test_a_list_of_hypotheses_is_paired_by_position():
    evaluator = capeval.Evaluator(list(REFS.values()), ["bleu"])
    hyps = [SYSTEMS["second"][i] for i in REFS]
    assert_same_evaluation(evaluator.evaluate(hyps),
                           capeval.evaluate(hyps, list(REFS.values()), ["bleu"]))
    with pytest.raises(CapevalInputError, match="2 hypotheses for the 3 images"):
        evaluator.evaluate(hyps[:2])


def test_unknown_images_and_wrong_entry_points_are_errors(evaluator):
    with pytest.raises(CapevalInputError, match="no references"):
        evaluator.evaluate({**SYSTEMS["first"], 9: "a bird"})
    with pytest.raises(ValueError, match="image id 9 is not in the references"):
        evaluator.evaluate_tokenized([9], [["a"]])
    tokens = capeval.Evaluator.from_tokens([1], [[["a", "cat"]]], ["bleu"])
    with pytest.raises(TypeError, match="evaluate_tokenized"):
        tokens.evaluate({1: "a cat"})
    with pytest.raises(ValueError, match="appears twice"):
        capeval.Evaluator.from_tokens([1, 1], [[["a"]], [["b"]]], ["bleu"])
    with pytest.raises(CapevalInputError, match="no reference captions"):
        capeval.Evaluator({1: []})


def test_each_metric_prepares_the_references_once():
    calls = []

    class CountingRouge(RougeL):
        def prepare_references(self, references):
            calls.append(len(references))
            return super().prepare_references(references)

    evaluator = capeval.Evaluator(REFS, [CountingRouge()])
    for system in SYSTEMS.values():
        evaluator.evaluate(system)
    assert calls == [3]
