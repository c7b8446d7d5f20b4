"""``capeval score`` with diversity metrics: caption-set files, --train-captions, errors."""
from __future__ import annotations

import json

from tests.cli.helpers import run_cli

RESULTS = [{"image_id": 1, "caption": "A dog runs on grass."},
           {"image_id": 1, "caption": "a dog is running"},
           {"image_id": 2, "caption": "A cat sleeps."},
           {"image_id": 2, "caption": "the cat on a sofa"}]
ANNOTATIONS = {"annotations": [{"image_id": 1, "caption": "A dog runs."},
                               {"image_id": 2, "caption": "A cat on a couch."}]}


def write_inputs(tmp_path):
    hyps, refs, train = tmp_path / "samples.json", tmp_path / "refs.json", tmp_path / "train.txt"
    hyps.write_text(json.dumps(RESULTS), encoding="utf-8")
    refs.write_text(json.dumps(ANNOTATIONS), encoding="utf-8")
    train.write_text("A dog is running.\nsomething else\n", encoding="utf-8")
    return hyps, refs, train


def test_score_prints_diversity_metrics_of_repeated_ids(tmp_path):
    hyps, refs, train = write_inputs(tmp_path)
    result = run_cli("score", "--refs", refs, "--hyps", hyps, "--json", "--train-captions",
                     train, "--metrics", "vocab,novel,div-1,div-2,mbleu-4,self-cider")
    scores = json.loads(result.stdout)
    assert list(scores) == ["Vocab", "%Novel", "Div-1", "Div-2", "mBLEU-4", "Self-CIDEr"]
    # 11 words: a dog runs on grass is running cat sleeps the sofa; "a dog is running" is a
    # training caption once tokenized: 3 of 4 captions are novel.
    assert scores["Vocab"] == 11 and scores["%Novel"] == 75.0


def test_per_item_file_of_diversity_metrics(tmp_path):
    hyps, refs, _ = write_inputs(tmp_path)
    items = tmp_path / "items.csv"
    run_cli("score", "--refs", refs, "--hyps", hyps, "--metrics", "div-1", "--per-item", items)
    # Image 1: {a, dog, runs, on, grass, is, running} over 9 words;
    # image 2: {a, cat, sleeps, the, on, sofa} over 3 + 5 words ("." is filtered out).
    lines = items.read_text().splitlines()
    assert lines[0] == "image_id,Div-1"
    assert [float(line.split(",")[1]) for line in lines[1:]] == [7 / (9 + 1e-6), 6 / (8 + 1e-6)]


def test_repeated_ids_stay_an_error_for_accuracy_metrics(tmp_path):
    hyps, refs, _ = write_inputs(tmp_path)
    result = run_cli("score", "--refs", refs, "--hyps", hyps, "--metrics", "bleu", expect=2)
    assert "second hypothesis for image 1 (the first is at record 1)" in result.stderr


def test_mixing_diversity_and_accuracy_metrics_is_refused(tmp_path):
    hyps, refs, _ = write_inputs(tmp_path)
    result = run_cli("score", "--refs", refs, "--hyps", hyps, "--metrics", "div-1,bleu",
                     expect=2)
    assert "need separate runs; got div-1, bleu" in result.stderr


def test_novel_without_training_captions(tmp_path):
    hyps, refs, _ = write_inputs(tmp_path)
    result = run_cli("score", "--refs", refs, "--hyps", hyps, "--metrics", "novel", expect=2)
    assert result.stderr == "error: novel needs the training captions (--train-captions FILE)\n"


def test_plain_text_cannot_hold_caption_sets(tmp_path):
    _, refs, _ = write_inputs(tmp_path)
    text = tmp_path / "samples.txt"
    text.write_text("a dog\n", encoding="utf-8")
    result = run_cli("score", "--refs", refs, "--hyps", text, "--metrics", "vocab", expect=2)
    assert result.stderr.startswith(f"error: {text}: caption sets need image ids")


def test_options_diversity_metrics_cannot_use_are_refused_not_ignored(tmp_path):
    hyps, refs, _ = write_inputs(tmp_path)
    for extra, flag in [(("--allow-partial",), "--allow-partial"),
                        (("--meteor-modules", "exact"), "--meteor-modules"),
                        (("--dask", "local"), "--dask")]:
        result = run_cli("score", "--refs", refs, "--hyps", hyps, "--metrics", "div-1", *extra,
                         expect=2)
        assert result.stderr == f"error: {flag} do(es) not apply to diversity metrics\n"
    result = run_cli("leaderboard", "--refs", refs, "--metrics", "div-1", "--allow-partial",
                     hyps, expect=2)
    assert result.stderr == "error: --allow-partial do(es) not apply to diversity metrics\n"
