"""METEOR against meteor-1.5.jar: the specification's crafted and random conformance cases.

Oracle: the jar's ``SCORE`` statistics lines, per-segment ``EVAL`` scores and ``EVAL``
aggregates recorded with the capeval METEOR specification (copied to tests/fixtures/meteor:
``crafted40.json``, 40 cases under both module configurations, and ``conformance.jsonl``,
3,816 random cases under the COCO command). Texts are given to capeval as space-split tokens,
which re-join to exactly the jar's input.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from capeval.metrics.meteor import Meteor
from tests.conftest import FIXTURES

CRAFTED = json.loads((FIXTURES / "meteor" / "crafted40.json").read_text(encoding="utf-8"))
CONFORMANCE_TEXT = (FIXTURES / "meteor" / "conformance.jsonl").read_text(encoding="utf-8")
CONFORMANCE = [json.loads(line) for line in CONFORMANCE_TEXT.splitlines()]
CONFIGURATIONS = {"all": ("exact", "stem", "synonym", "paraphrase"),
                  "nopara": ("exact", "stem", "synonym")}


def segments(cases):
    return ([case["hyp"].split(" ") for case in cases],
            [[ref.split(" ") for ref in case["refs"]] for case in cases])


def parse_stats(lines):
    return np.array([[float(value) for value in line.split()] for line in lines])


def assert_same_rows(actual, expected, cases, what):
    differing = np.flatnonzero(np.any(actual != expected, axis=-1) if actual.ndim > 1
                               else actual != expected)
    details = [f"{cases[k].get('id', k)}: {cases[k]['hyp']!r} vs {cases[k]['refs']!r}: "
               f"got {actual[k].tolist()}, jar {expected[k].tolist()}" for k in differing[:5]]
    assert not len(differing), f"{len(differing)} {what} differ:\n" + "\n".join(details)


@pytest.fixture(scope="module", params=list(CONFIGURATIONS))
def configuration(request):
    return request.param, Meteor(modules=CONFIGURATIONS[request.param])


def test_crafted_cases_match_the_jar_statistics_and_scores(configuration):
    name, metric = configuration
    cases = CRAFTED["cases"]
    stats = metric.jar_stats(*segments(cases))
    assert_same_rows(stats, parse_stats([case[f"stats_{name}"] for case in cases]), cases,
                     "statistics lines")
    scores = metric.scores_from_stats(stats)[:, 0]
    jar_scores = np.array([float(case[f"score_{name}"]) for case in cases])
    assert_same_rows(scores, jar_scores, cases, "scores")  # bit for bit


def test_crafted_aggregate_is_the_jar_eval_aggregate(configuration):
    name, metric = configuration
    assert (metric.corpus_score(*segments(CRAFTED["cases"]))["METEOR"]
            == float(CRAFTED[f"aggregate_{name}"]))


def test_crafted_aggregate_differs_from_the_mean_of_segment_scores():
    metric = Meteor()
    hypotheses, references = segments(CRAFTED["cases"])
    mean = metric.sentence_scores(hypotheses, references).mean()
    assert mean == pytest.approx(0.59925, abs=1e-5)
    assert metric.corpus_score(hypotheses, references)["METEOR"] == pytest.approx(0.41684,
                                                                                 abs=1e-5)


def test_conformance_cases_match_the_jar():
    metric = Meteor()
    stats = metric.jar_stats(*segments(CONFORMANCE))
    assert_same_rows(stats, parse_stats([case["stats"] for case in CONFORMANCE]), CONFORMANCE,
                     "statistics lines")
    scores = metric.scores_from_stats(stats)[:, 0]
    assert_same_rows(scores, np.array([float(case["score"]) for case in CONFORMANCE]),
                     CONFORMANCE, "scores")


def test_conformance_cases_cover_multiple_references_and_paraphrases():
    assert len(CONFORMANCE) == 3816
    assert max(len(case["refs"]) for case in CONFORMANCE) >= 4
    paraphrase_slots = parse_stats([case["stats"] for case in CONFORMANCE])[:, 16:20]
    assert (paraphrase_slots.sum(axis=1) > 0).sum() > 500
