"""capeval demo --quick: the end-to-end run (generate, train, caption, score, report)."""
from __future__ import annotations

import json

import pytest

from capeval.metrics import DEFAULT_METRICS, get_metric
from tests.cli.helpers import run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--quick", "--json", "--out", out, "--seed", "1")
    return out, result


def test_json_lists_every_system_with_every_metric(demo):
    _, result = demo
    systems = json.loads(result.stdout)["systems"]
    names = [s["name"] for s in systems]
    for part in ("lstm", "rnn", "blind", "human", "attention", "beam", "nearest"):
        assert any(part in name for name in names), names
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
                 "models/lstm.npz", "models/rnn.npz", "models/blind.npz", "models/attention.npz",
                 "captions/lstm_greedy.json", "captions/lstm_beam_3.json"):
        assert (out / name).exists(), name
    page = (out / "index.html").read_text()
    assert page.count("data:image/png;base64,") > 4 and "Attention" in page
    summary = json.loads((out / "leaderboard.json").read_text())
    assert summary["config"]["seed"] == 1 and "4 of the 5" in summary["protocol"]


def test_generated_captions_are_scorable_by_capeval_score(demo):
    out, _ = demo
    result = run_cli("score", "--refs", out / "shapes_captions.json", "--split", "test",
                     "--hyps", out / "captions" / "lstm_greedy.json", "--tokenizer", "none",
                     "--json")
    assert json.loads(result.stdout)["CIDEr-D"] > 0


def test_plain_table_output(tmp_path):
    result = run_cli("demo", "--quick", "--no-attention", "--seconds", "5", "--out", tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["system", "BLEU-1"]
    assert any(line.startswith("lstm greedy") for line in lines)
    assert not any("attention" in line for line in lines)
