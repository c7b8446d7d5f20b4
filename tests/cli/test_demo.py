"""capeval demo --quick: the end-to-end run (generate, train, caption, score, report).

Training runs a fixed number of epochs (never until a clock runs out), so a seed gives the
same numbers however busy the machine is and however the models are scheduled: a second run
with one worker instead of two must reproduce the first bit for bit.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

import capeval
from capeval.io import read_hypotheses, read_references
from capeval.metrics import DEFAULT_METRICS, get_metric
from tests.cli.helpers import run_cli

SYSTEMS = ("lstm greedy", "lstm beam 3", "vanilla rnn greedy", "attention lstm greedy",
           "blind lstm (features zeroed)", "nearest-neighbour copy")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--quick", "--json", "--out", out, "--seed", "1")
    return out, result


def test_json_lists_every_system_with_every_metric(demo):
    _, result = demo
    systems = json.loads(result.stdout)["systems"]
    names = [s["name"] for s in systems]
    assert sorted(names) == sorted([*SYSTEMS, "human"])
    score_names = [n for m in DEFAULT_METRICS for n in get_metric(m).score_names]
    for system in systems:
        assert set(system) == {"name", *score_names}
    ciders = [s["CIDEr-D"] for s in systems]
    assert ciders == sorted(ciders, reverse=True)
    by_name = {s["name"]: s for s in systems}
    human = next(s for n, s in by_name.items() if "human" in n)
    blind = next(s for n, s in by_name.items() if "blind" in n)
    assert human["CIDEr-D"] > 2.5
    assert by_name["lstm greedy"]["CIDEr-D"] > blind["CIDEr-D"]


def test_output_directory(demo):
    out, result = demo
    assert f"writing everything to {out}" in result.stderr
    for name in ("shapes_features.npz", "shapes_captions.json", "leaderboard.json", "index.html",
                 "report.html",
                 "models/lstm.npz", "models/rnn.npz", "models/blind.npz", "models/attention.npz",
                 "captions/lstm_greedy.json", "captions/lstm_beam_3.json"):
        assert (out / name).exists(), name
    page = (out / "index.html").read_text()
    assert page.count("data:image/png;base64,") > 4 and "Attention" in page
    assert "leave-one-out folds" in page and "href='report.html'" in page
    summary = json.loads((out / "leaderboard.json").read_text())
    assert summary["config"]["seed"] == 1 and "4 of the 5" in summary["protocol"]
    assert "refs:leave-one-out" in summary["signature"]
    by_name = {s["name"]: s for s in summary["systems"]}
    assert set(by_name) == {"Human", *SYSTEMS}
    low, high = by_name["lstm greedy"]["ci"]["CIDEr-D"]
    assert low <= by_name["lstm greedy"]["scores"]["CIDEr-D"] <= high
    assert by_name["lstm greedy"]["p"] == {} and set(by_name["lstm beam 3"]["p"]) >= {"CIDEr-D"}


def test_generated_captions_are_scored_by_capeval_score_as_by_the_library(demo):
    out, _ = demo
    refs, hyps = out / "shapes_captions.json", out / "captions" / "lstm_greedy.json"
    result = run_cli("score", "--refs", refs, "--split", "test", "--hyps", hyps,
                     "--tokenizer", "none", "--json")
    expected = capeval.evaluate(read_hypotheses(hyps), read_references([refs], split="test"),
                                tokenizer="none").corpus
    assert json.loads(result.stdout) == pytest.approx(expected, rel=1e-12)


def test_a_second_run_with_one_worker_gives_the_same_numbers(demo, tmp_path):
    first, _ = demo
    result = run_cli("demo", "--quick", "--workers", "1", "--out", tmp_path, "--seed", "1")
    again = json.loads((tmp_path / "leaderboard.json").read_text())
    before = json.loads((first / "leaderboard.json").read_text())
    assert again["systems"] == before["systems"] and again["signature"] == before["signature"]
    for name in ("lstm", "attention"):
        with np.load(first / "models" / f"{name}.npz") as a, \
                np.load(tmp_path / "models" / f"{name}.npz") as b:
            params = [key for key in a.files if key.startswith("param")]
            assert params and all(np.array_equal(a[key], b[key]) for key in params)
    lines = result.stdout.splitlines()  # the plain table
    assert lines[0].split()[:3] == ["#", "System", "CIDEr-D"]
    rows = lines[2:lines.index("")]
    names = [re.split(r"\s{2,}", row)[1] for row in rows]
    assert names == [s["name"] + " (baseline)" * (s["name"] == "lstm greedy")
                     for s in before["systems"]]
    assert "paired bootstrap test against lstm greedy" in result.stdout
