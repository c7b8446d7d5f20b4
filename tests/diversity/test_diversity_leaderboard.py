"""Diversity leaderboards: bootstrap intervals from per-image statistics, ranking, errors."""
from __future__ import annotations

import json

import numpy as np
import pytest

from capeval import CapevalInputError
from capeval.diversity.leaderboard import diversity_leaderboard
from capeval.report import format_leaderboard
from capeval.stats import Bootstrap

SYSTEMS = {
    "varied": {1: ["a dog runs on grass", "a brown dog is running", "two dogs play"],
               2: ["a cat sleeps", "a cat on a sofa", "the kitten naps on a couch"],
               3: ["food on a plate", "a sandwich and fries", "a plate with a sandwich"]},
    "repetitive": {1: ["a dog runs on grass"] * 3,
                   2: ["a cat sleeps on a sofa", "a cat sleeps on a sofa", "a cat on a sofa"],
                   3: ["a plate of food"] * 3},
}
REFERENCES = {1: ["a dog on the grass"], 2: ["a cat on a couch"], 3: ["a plate of food"]}


def board(metrics, **options):
    return diversity_leaderboard(SYSTEMS, metrics, references=REFERENCES, tokenizer="none",
                                 n_bootstrap=200, seed=7, **options)


def test_interval_is_the_percentile_of_resampled_image_means():
    result = board(["div-1"])
    per_image = result.per_item.set_index("system").loc["varied", "Div-1"].to_numpy()
    draw = Bootstrap.draw(3, 200, np.random.default_rng(7))
    means = per_image[draw.indices].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    assert result.ci_low.at["varied", "Div-1"] == pytest.approx(low, rel=1e-12)
    assert result.ci_high.at["varied", "Div-1"] == pytest.approx(high, rel=1e-12)


def test_ranking_direction_follows_the_score():
    assert board(["div-2"]).systems == ["varied", "repetitive"]          # higher: more diverse
    assert board(["mbleu-4"]).systems == ["varied", "repetitive"]        # lower: more diverse
    assert board(["self-cider", "mbleu-4"], sort="mBLEU-4").settings.sort == "mBLEU-4"


def test_vocab_has_no_interval():
    result = board(["vocab", "div-1"])
    assert np.isnan(result.ci_low.at["varied", "Vocab"])
    table = format_leaderboard(result, "table")
    assert "No interval for Vocab" in table
    row = next(line for line in table.splitlines() if line.startswith("1  varied"))
    assert row.split()[2] == f"{result.scores.at['varied', 'Vocab']:.3f}"   # value, no brackets
    systems = json.loads(format_leaderboard(result, "json"))["systems"]
    assert list(systems[0]["ci"]) == ["Div-1"]


def test_systems_must_caption_the_same_images():
    systems = {"a": SYSTEMS["varied"], "b": {1: SYSTEMS["varied"][1]}}
    with pytest.raises(CapevalInputError, match="b: has no captions for image 2; every system "
                                                "must caption the same images"):
        diversity_leaderboard(systems, ["div-1"], tokenizer="none")


def test_cli_leaderboard_of_diversity_metrics(tmp_path):
    from tests.cli.helpers import run_cli

    files = []
    for name, captions in SYSTEMS.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps([{"image_id": i, "caption": c}
                                    for i, caps in captions.items() for c in caps]))
        files.append(path)
    refs = tmp_path / "refs.json"
    refs.write_text(json.dumps({"annotations": [{"image_id": i, "caption": c}
                                                for i, caps in REFERENCES.items()
                                                for c in caps]}))
    result = run_cli("leaderboard", "--refs", refs, "--metrics", "div-1,self-cider",
                     "--format", "json", "--bootstrap", "50", *files)
    names = [system["name"] for system in json.loads(result.stdout)["systems"]]
    assert names == ["varied", "repetitive"]
    refused = run_cli("leaderboard", "--refs", refs, "--metrics", "div-1", "--paired-bs",
                      *files, expect=2)
    assert "paired tests, --baseline, --human and --groups are not defined for diversity" \
        in refused.stderr


def test_html_report_of_a_board_without_references():
    result = diversity_leaderboard(SYSTEMS, ["div-1"], tokenizer="none", n_bootstrap=0)
    html = format_leaderboard(result, "html")
    assert html.count("<ul></ul>") == 2 * 2 * 3  # best and worst of 3 images, per system
