"""capeval score and capeval df: the CLI contract of issue 2."""
from __future__ import annotations

import csv
import json

import pytest

import capeval
from tests.cli.helpers import run_cli

KEYS = ["BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D"]


@pytest.fixture
def files(tmp_path):
    (tmp_path / "hyps.txt").write_text("a dog runs on the grass\na cat sleeps\n")
    (tmp_path / "refs1.txt").write_text("a dog running on grass\na cat is sleeping\n")
    (tmp_path / "refs2.txt").write_text("the dog runs\nthe cat sleeps on a sofa\n")
    results = [{"image_id": 1, "caption": "a dog runs on the grass"},
               {"image_id": 2, "caption": "a cat sleeps"}]
    (tmp_path / "results.json").write_text(json.dumps(results))
    annotations = {"annotations": [
        {"image_id": 1, "caption": "a dog running on grass"},
        {"image_id": 1, "caption": "the dog runs"},
        {"image_id": 2, "caption": "a cat is sleeping"},
        {"image_id": 2, "caption": "the cat sleeps on a sofa"}]}
    (tmp_path / "refs.json").write_text(json.dumps(annotations))
    return tmp_path


def expected_scores():
    return capeval.evaluate(
        {1: "a dog runs on the grass", 2: "a cat sleeps"},
        {1: ["a dog running on grass", "the dog runs"],
         2: ["a cat is sleeping", "the cat sleeps on a sofa"]},
        tokenizer="none",
    )


def test_json_output_has_the_contract_keys(files):
    result = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "results.json",
                     "--tokenizer", "none", "--json")
    scores = json.loads(result.stdout)
    assert list(scores) == KEYS
    assert scores == expected_scores().corpus
    assert result.stderr == ""


def test_plain_text_files_give_the_same_scores(files):
    result = run_cli("score", "--refs", files / "refs1.txt", "--refs", files / "refs2.txt",
                     "--hyps", files / "hyps.txt", "--tokenizer", "none", "--json")
    assert json.loads(result.stdout) == expected_scores().corpus


def test_default_output_is_a_readable_table(files):
    result = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "results.json",
                     "--tokenizer", "none")
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:len(KEYS)]] == KEYS
    assert lines[len(KEYS)].startswith("images: 2  signature: nrefs:2|tok:none|")


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
def test_per_item_file(files, suffix):
    out = files / f"items.{suffix}"
    run_cli("score", "--refs", files / "refs.json", "--hyps", files / "results.json",
            "--tokenizer", "none", "--per-item", out)
    if suffix == "jsonl":
        records = [json.loads(line) for line in out.read_text().splitlines()]
    else:
        records = list(csv.DictReader(out.open()))
    assert [str(r["image_id"]) for r in records] == ["1", "2"]
    assert list(records[0]) == ["image_id", *KEYS]
    expected = expected_scores().per_item
    assert float(records[1]["CIDEr-D"]) == pytest.approx(expected.loc[2, "CIDEr-D"], abs=1e-12)


def test_metric_selection(files):
    result = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "results.json",
                     "--tokenizer", "none", "--metrics", "rouge-l,cider", "--json")
    assert list(json.loads(result.stdout)) == ["ROUGE-L", "CIDEr"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--metrics", "bleu,spice"], "unknown metric spice"),
        (["--per-item", "out.txt"], "must end in .jsonl or .csv"),
    ],
)
def test_usage_errors_exit_2(files, args, message):
    result = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "results.json",
                     *args, expect=2)
    assert message in result.stderr


def test_bad_input_is_one_line_naming_the_file(files):
    (files / "bad.json").write_text('[{"image_id": 1, "caption": 5}]')
    result = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "bad.json",
                     expect=2)
    assert result.stderr.startswith(f"error: {files / 'bad.json'}:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_missing_hypotheses_fail_unless_partial_is_allowed(files):
    (files / "one.json").write_text('[{"image_id": 1, "caption": "a dog"}]')
    failed = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "one.json",
                     "--tokenizer", "none", expect=2)
    assert "no hypothesis for 1 of the 2 images" in failed.stderr
    partial = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "one.json",
                      "--tokenizer", "none", "--allow-partial", "--json")
    assert "warning:" in partial.stderr and "left out" in partial.stderr
    alone = capeval.evaluate({1: "a dog"}, {1: ["a dog running on grass", "the dog runs"]},
                             tokenizer="none").corpus
    scores = json.loads(partial.stdout)
    assert {key: scores[key] for key in KEYS if key != "CIDEr-D"} == pytest.approx(
        {key: alone[key] for key in KEYS if key != "CIDEr-D"}, rel=1e-12)


def test_df_build_then_score_with_it(files):
    table = files / "df.npz"
    built = run_cli("df", "build", "--refs", files / "refs.json", "--tokenizer", "none",
                    "-o", table)
    assert "2 images" in built.stderr
    info = run_cli("df", "info", table)
    assert "images: 2" in info.stdout and "tokenizer: none" in info.stdout
    with_df = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "results.json",
                      "--tokenizer", "none", "--df", table, "--json")
    assert json.loads(with_df.stdout)["CIDEr-D"] == pytest.approx(
        expected_scores().corpus["CIDEr-D"], abs=1e-12)


def test_bad_df_file(files):
    (files / "df.json").write_text("{}")
    result = run_cli("score", "--refs", files / "refs.json", "--hyps", files / "results.json",
                     "--df", files / "df.json", expect=2)
    assert "not a capeval-document-frequencies file" in result.stderr
