"""Per-image statistics do not depend on the other images of a call, for every metric.

Scoring a corpus in chunks (with CIDEr-D's df fixed to the corpus's) gives per-image rows and
corpus scores bit-identical to one pass, whatever the split.
"""
from __future__ import annotations

import numpy as np
import pytest

from capeval.document_frequencies import DocumentFrequencies
from capeval.evaluation import Evaluator
from capeval.metrics import METRICS, get_metric
from capeval.metrics.base import sum_stats
from tests.golden import GOLDEN_FILES, load_golden
from tests.metrics.corpora import random_corpus

CORPORA = {"random": lambda: random_corpus(7, n_images=60),
           "golden": lambda: _golden(GOLDEN_FILES[0])}


def _golden(path):
    golden = load_golden(path)
    return golden.hypothesis_tokens, golden.reference_tokens


def _metric(name, table):
    return get_metric(name, document_frequencies=table) if name.startswith("cider") \
        else get_metric(name)


def _splits(n_images: int, rng: np.random.Generator) -> list[list[int]]:
    """Chunk boundaries: one image per chunk, two halves, and random cuts."""
    cuts = sorted(rng.choice(np.arange(1, n_images), size=5, replace=False).tolist())
    return [list(range(1, n_images)), [n_images // 2], cuts]


@pytest.mark.parametrize("corpus", list(CORPORA))
@pytest.mark.parametrize("name", sorted(METRICS))
def test_chunks_give_the_rows_and_totals_of_one_pass(name, corpus):
    hyps, refs = CORPORA[corpus]()
    table = DocumentFrequencies.from_references(refs)
    metric = _metric(name, table)
    one_pass = metric.segment_stats(hyps, refs)
    whole = metric.corpus_score_from_stats(one_pass)
    for cuts in _splits(len(hyps), np.random.default_rng(len(hyps))):
        bounds = list(zip([0, *cuts], [*cuts, len(hyps)], strict=True))
        chunks = [metric.segment_stats(hyps[a:b], refs[a:b]) for a, b in bounds]
        np.testing.assert_array_equal(np.concatenate(chunks), one_pass)
        total = np.zeros(len(metric.stat_names))
        for chunk in chunks:
            total = sum_stats(chunk, total)
        np.testing.assert_array_equal(total, sum_stats(one_pass, np.zeros_like(total)))
        chunked = dict(zip(metric.score_names, metric.scores_from_stats(total).tolist(),
                           strict=True))
        assert chunked == whole


@pytest.mark.parametrize("name", sorted(METRICS))
def test_chunks_against_one_prepared_set_give_the_rows_of_one_pass(name):
    hyps, refs = random_corpus(8, n_images=50)
    ids = list(range(len(refs)))
    evaluator = Evaluator.from_tokens(ids, refs, [get_metric(name)])
    metric_name = evaluator.metrics[0].name
    one_pass = evaluator.evaluate_tokenized(ids, hyps).stats[metric_name]
    order = np.random.default_rng(0).permutation(len(ids))  # any order, any chunks
    rows = np.empty_like(one_pass)
    for chunk in np.array_split(order, 7):
        result = evaluator.evaluate_tokenized(chunk.tolist(), [hyps[i] for i in chunk])
        rows[chunk] = result.stats[metric_name]
    np.testing.assert_array_equal(rows, one_pass)


@pytest.mark.parametrize("name", ["cider-d", "cider"])
def test_corpus_document_frequencies_equal_the_same_table_given(name):
    hyps, refs = random_corpus(9, n_images=40)
    table = DocumentFrequencies.from_references(refs)
    np.testing.assert_array_equal(get_metric(name).segment_stats(hyps, refs),
                                  _metric(name, table).segment_stats(hyps, refs))
