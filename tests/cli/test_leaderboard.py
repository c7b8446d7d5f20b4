"""``capeval leaderboard``: formats, names, statistics options, per-item export, errors."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from capeval.cli.main import capeval
from tests.report.corpus import REFERENCES, SYSTEMS


@pytest.fixture
def files(tmp_path):
    refs = tmp_path / "refs.jsonl"
    refs.write_text("".join(json.dumps({"image_id": i, "captions": c}) + "\n"
                            for i, c in REFERENCES.items()), encoding="utf-8")
    systems = []
    for name, hyps in SYSTEMS.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps([{"image_id": i, "caption": c} for i, c in hyps.items()]),
                        encoding="utf-8")
        systems.append(str(path))
    return str(refs), systems


def run(*args):
    result = CliRunner().invoke(capeval, list(args), obj={}, catch_exceptions=False)
    return result


def leaderboard(files, *options):
    refs, systems = files
    return run("leaderboard", "--refs", refs, "--tokenizer", "none", "--bootstrap", "40",
               *options, *systems)


def test_table_ranks_systems_named_after_their_files(files):
    result = leaderboard(files)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["#", "System", "CIDEr-D", "METEOR", "ROUGE-L", "BLEU-1",
                                "BLEU-2", "BLEU-3", "BLEU-4"]
    assert [line.split()[1] for line in lines[2:5]] == ["strong", "weak", "markup"]
    assert "Signature: nrefs:var|refs:all|tok:none|" in result.stdout
    assert result.stderr == ""


def test_json_output_and_paired_test(files):
    result = leaderboard(files, "--format", "json", "--paired-ar", "--baseline", "weak",
                         "--seed", "0")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"signature", "systems"}
    assert "test:paired-ar|baseline:weak|seed:0|" in report["signature"]
    by_name = {system["name"]: system for system in report["systems"]}
    assert by_name["weak"]["p"] == {}
    assert set(by_name["strong"]["p"]) == set(by_name["strong"]["scores"])
    assert all(0 < p <= 1 for p in by_name["strong"]["p"].values())
    low, high = by_name["strong"]["ci"]["CIDEr-D"]
    assert low <= by_name["strong"]["scores"]["CIDEr-D"] <= high


def test_same_seed_same_output(files):
    first = leaderboard(files, "--paired-bs", "--seed", "0", "--format", "csv")
    again = leaderboard(files, "--paired-bs", "--seed", "0", "--format", "csv")
    assert first.exit_code == 0
    assert first.stdout == again.stdout
    assert leaderboard(files, "--paired-bs", "--seed", "1", "--format", "csv").stdout \
        != first.stdout


def test_names_sort_human_and_per_item(files, tmp_path):
    per_item = tmp_path / "items.csv"
    result = leaderboard(files, "--name", "A", "--name", "B", "--name", "C", "--sort",
                         "BLEU-4", "--human", "--per-item", str(per_item), "--format",
                         "markdown")
    assert result.exit_code == 0, result.stderr
    assert "| 1 | " in result.stdout
    assert "Human: each reference scored against the other references" in result.stdout
    assert "Ranked by BLEU-4." in result.stdout
    with per_item.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 4 * len(REFERENCES)
    assert {row["system"] for row in rows} == {"Human", "A", "B", "C"}
    assert list(rows[0])[:3] == ["image_id", "system", "caption"]


@pytest.mark.parametrize("fmt, start", [("latex", "\\begin{tabular}"), ("html", "<!DOCTYPE html>"),
                                        ("csv", "rank,system,CIDEr-D,")])
def test_other_formats(files, fmt, start):
    result = leaderboard(files, "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(start)


def test_duplicate_names_are_one_line_exit_2(files, tmp_path):
    refs, systems = files
    other = tmp_path / "copy"
    other.mkdir()
    twin = other / "strong.json"
    twin.write_bytes(Path(systems[0]).read_bytes())
    result = run("leaderboard", "--refs", refs, "--tokenizer", "none", systems[0], str(twin))
    assert result.exit_code == 2
    assert result.stderr == (f"error: {twin}: system name 'strong' is also the name of "
                             f"{systems[0]}; give every system its own --name\n")


def test_different_image_sets_are_one_line_exit_2(files, tmp_path):
    refs, systems = files
    short = tmp_path / "short.json"
    short.write_text(json.dumps([{"image_id": i, "caption": c}
                                 for i, c in SYSTEMS["weak"].items() if i < 7]))
    result = run("leaderboard", "--refs", refs, "--tokenizer", "none", systems[0], str(short))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"error: {short}: captions 6 images, {systems[0]} captions 8")


@pytest.mark.parametrize("options, message", [
    (["--name", "only-one"], "got 1 names for 3 systems"),
    (["--sort", "SPICE"], "cannot sort by 'SPICE'"),
    (["--baseline", "nobody"], "baseline 'nobody' is not one of the systems"),
    (["--ci", "1.5"], "--ci"),
    (["--bootstrap", "0", "--paired-bs"], "a paired test needs samples"),
    (["--paired-bs", "--paired-ar"], "choose one test"),
])
def test_bad_options_exit_2(files, options, message):
    result = leaderboard(files, *options)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_chunks_and_jobs_do_not_change_the_output(files, tmp_path, fmt):
    outputs = []
    for options in ([], ["--chunk-size", "3", "--jobs", "2"]):
        per_item = tmp_path / f"items-{len(options)}.jsonl"
        result = leaderboard(files, "--format", fmt, "--paired-bs", "--per-item",
                             str(per_item), *options)
        assert result.exit_code == 0, result.stderr
        outputs.append((result.stdout, per_item.read_bytes()))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("options", [["--human"], ["--format", "html"], ["--human", "--format", "html"]],
                         ids=["human", "html", "human-html"])
def test_chunks_and_jobs_apply_to_human_and_html(files, tmp_path, options):
    outputs = []
    for streaming in ([], ["--chunk-size", "2", "--jobs", "2"]):
        per_item = tmp_path / f"items-{len(streaming)}.csv"
        result = leaderboard(files, "--paired-bs", "--per-item", str(per_item), *options,
                             *streaming)
        assert result.exit_code == 0, result.stderr
        outputs.append((result.stdout, per_item.read_bytes()))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("option, flag", [(("--jobs", "2"), "--jobs"),
                                          (("--chunk-size", "5"), "--chunk-size"),
                                          (("--dask", "local"), "--dask")])
def test_streaming_options_of_diversity_boards_exit_2(files, option, flag):
    result = leaderboard(files, "--metrics", "div-1", *option)
    assert result.exit_code == 2
    assert result.stderr == (f"error: diversity metrics read(s) every caption into memory; "
                             f"{flag} does not apply\n")
