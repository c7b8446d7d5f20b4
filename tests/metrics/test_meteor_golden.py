"""METEOR against pycocoevalcap 1.2's own ``Meteor().compute_score`` (the jar, via Java).

Oracle: tests/fixtures/golden/meteor.json, written by tools/make_meteor_goldens.py (never edited
by hand): 305 segments written for capeval (edge cases, 1 to 20 references, 60-word captions,
Unicode, punctuation, ``|||``, paraphrase-heavy pairs), their per-segment scores and the
aggregate, as pycocoevalcap returns them.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from capeval.metrics.meteor import Meteor
from tests.conftest import FIXTURES

TOLERANCE = 1e-9
GOLDEN = json.loads((FIXTURES / "golden" / "meteor.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def scored():
    metric = Meteor()
    hypotheses = [segment["hyp"].split(" ") for segment in GOLDEN["segments"]]
    references = [[ref.split(" ") for ref in segment["refs"]] for segment in GOLDEN["segments"]]
    return metric, metric.segment_stats(hypotheses, references)


def test_segment_scores_match_pycocoevalcap(scored):
    metric, stats = scored
    expected = np.array([segment["score"] for segment in GOLDEN["segments"]])
    ours = metric.scores_from_stats(stats)[:, 0]
    np.testing.assert_allclose(ours, expected, rtol=0, atol=TOLERANCE)
    assert np.array_equal(ours, expected)  # in fact bit for bit


def test_aggregate_matches_pycocoevalcap(scored):
    metric, stats = scored
    assert metric.corpus_score_from_stats(stats)["METEOR"] == pytest.approx(
        GOLDEN["aggregate"], abs=TOLERANCE)


def test_golden_header_names_its_source():
    header = GOLDEN["header"]
    assert header["generator"] == "tools/make_meteor_goldens.py"
    assert header["pycocoevalcap_version"] == "1.2"
    assert "java_version" in header and "date" in header and "command" in header


def test_goldens_cover_the_required_cases():
    segments = GOLDEN["segments"]
    assert len(segments) >= 300
    assert {1, 20} <= {len(segment["refs"]) for segment in segments}
    assert any(segment["hyp"] == "" for segment in segments)
    assert any("" in segment["refs"] for segment in segments)
    assert any(segment["hyp"] in segment["refs"] for segment in segments)
    assert max(len(segment["hyp"].split()) for segment in segments) >= 60
    assert any(not segment["hyp"].isascii() for segment in segments)
    assert any("|||" in segment["hyp"] for segment in segments)
    assert any("|||" in ref for segment in segments for ref in segment["refs"])
