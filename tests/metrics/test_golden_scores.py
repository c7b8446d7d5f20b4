"""BLEU, ROUGE-L and CIDEr-D against pycocoevalcap 1.2 goldens (tools/make_goldens.py).

The inputs are the reference tokenizer's own output, so these tests isolate the metrics; the
tokenizer has its own goldens.

Per-image scores are compared for exact equality: capeval performs the reference's float64
operations in the reference's order. So is corpus BLEU (a score of summed integer counts).
Corpus ROUGE-L and CIDEr-D are means of the per-image scores: the reference takes them with
``np.mean`` (pairwise summation), capeval adds the rows in image order (so that chunked runs
give the same bits as one pass), which may differ in the last bits.
"""
from __future__ import annotations

import numpy as np
import pytest

from capeval.metrics import get_metric
from tests.golden import GOLDEN_FILES, load_golden

MEAN_RELATIVE_TOLERANCE = 1e-14
"""For corpus means: a few units in the last place of a sum of up to a few hundred terms."""
METRICS = ["bleu", "rouge-l", "cider-d"]


@pytest.fixture(scope="module", params=GOLDEN_FILES, ids=lambda path: path.stem)
def golden(request):
    return load_golden(request.param)


@pytest.mark.parametrize("metric_name", METRICS)
def test_per_image_scores_match_reference(golden, metric_name):
    metric = get_metric(metric_name)
    scores = metric.sentence_scores(golden.hypothesis_tokens, golden.reference_tokens)
    for column, score_name in enumerate(metric.score_names):
        expected = np.array([item[score_name] for item in golden.item_scores])
        np.testing.assert_array_equal(scores[:, column], expected,
                                      err_msg=f"{golden.name} {score_name}")


@pytest.mark.parametrize("metric_name", METRICS)
def test_corpus_scores_match_reference(golden, metric_name):
    metric = get_metric(metric_name)
    scores = metric.corpus_score(golden.hypothesis_tokens, golden.reference_tokens)
    for score_name, value in scores.items():
        expected = golden.corpus_scores[score_name]
        if metric_name == "bleu":
            assert value == expected, score_name
        else:
            assert value == pytest.approx(expected, rel=MEAN_RELATIVE_TOLERANCE, abs=0), score_name


def test_goldens_cover_the_required_cases():
    corpora = [load_golden(path) for path in GOLDEN_FILES]
    references_per_image = {len(refs) for c in corpora for refs in c.references}
    assert {1, 5, 20} <= references_per_image
    hypotheses = [tokens for c in corpora for tokens in c.hypothesis_tokens]
    assert [] in hypotheses  # empty candidate
    assert max(map(len, hypotheses)) >= 60
    assert sum(c.ids.__len__() for c in corpora) >= 200
