"""capeval score/leaderboard --groups: nocaps-style breakdowns from the command line.

Scores are checked against tests/fixtures/golden/groups_nocaps.json (one pycocoevalcap 1.2
run per domain file, tools/make_group_goldens.py).
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli

FIXTURES = Path(__file__).parents[1] / "fixtures"
CAPTIONS = FIXTURES / "groups" / "nocaps_synthetic_captions.json"
SYSTEM_A = FIXTURES / "groups" / "nocaps_synthetic_system_a.json"
SYSTEM_B = FIXTURES / "groups" / "nocaps_synthetic_system_b.json"
GOLDEN = json.loads((FIXTURES / "golden" / "groups_nocaps.json").read_text(encoding="utf-8"))
GROUPS = ["entire", "in-domain", "near-domain", "out-domain"]


def test_score_json_gives_entire_then_every_group_as_pycocoevalcap_does():
    result = run_cli("score", "--refs", CAPTIONS, "--hyps", SYSTEM_A, "--groups", CAPTIONS,
                     "--json")
    scores = json.loads(result.stdout)
    assert list(scores) == GROUPS
    for group, run in GOLDEN["systems"]["system_a"].items():
        assert scores[group] == pytest.approx(run["corpus"], abs=1e-9), group


def test_score_table_has_one_column_per_evaluation():
    result = run_cli("score", "--refs", CAPTIONS, "--hyps", SYSTEM_B, "--groups", CAPTIONS,
                     "--metrics", "cider-d")
    lines = result.stdout.splitlines()
    assert lines[0].split() == GROUPS
    cider = GOLDEN["systems"]["system_b"]
    assert lines[1].split() == ["CIDEr-D", *(f"{cider[g]['corpus']['CIDEr-D']:.4f}"
                                             for g in GROUPS)]
    assert lines[2].split() == ["images", "36", "9", "18", "9"]
    assert "groups:3|" in lines[3] and "CIDEr-D.df:per-group" in lines[3]


def test_per_item_rows_carry_their_group(tmp_path):
    out = tmp_path / "items.csv"
    run_cli("score", "--refs", CAPTIONS, "--hyps", SYSTEM_A, "--groups", CAPTIONS,
            "--metrics", "cider-d", "--per-item", out)
    rows = list(csv.DictReader(out.open()))
    domains = {image["id"]: image["domain"]
               for image in json.loads(CAPTIONS.read_text())["images"]}
    assert [row["image_id"] for row in rows] == [str(i) for i in domains]
    assert [row["group"] for row in rows] == list(domains.values())
    expected = {item["image_id"]: item["scores"]["CIDEr-D"]
                for group, run in GOLDEN["systems"]["system_a"].items() if group != "entire"
                for item in run["items"]}
    for row in rows:
        assert float(row["CIDEr-D"]) == pytest.approx(expected[int(row["image_id"])], abs=1e-9)


def test_a_csv_group_file_with_an_unknown_image_stops_with_its_line(tmp_path):
    groups = tmp_path / "groups.csv"
    rows = [f"{image['id']},{image['domain']}"
            for image in json.loads(CAPTIONS.read_text())["images"]]
    groups.write_text("image_id,group\n" + "\n".join(rows + ["999,out-domain"]) + "\n")
    result = run_cli("score", "--refs", CAPTIONS, "--hyps", SYSTEM_A, "--groups", groups,
                     expect=2)
    assert result.stderr == (f"error: {groups}:line 38: image 999 has no references in "
                             f"{CAPTIONS} (1 such image(s): 999)\n")


def test_group_field_needs_groups():
    result = run_cli("score", "--refs", CAPTIONS, "--hyps", SYSTEM_A, "--group-field", "x",
                     expect=2)
    assert result.stderr == "error: --group-field needs --groups\n"


def leaderboard_json(*args):
    result = run_cli("leaderboard", "--refs", CAPTIONS, "--format", "json", "--bootstrap", "50",
                     "--paired-bs", *args)
    return json.loads(result.stdout)


def test_leaderboard_scores_every_group_as_pycocoevalcap_does():
    report = leaderboard_json("--groups", CAPTIONS, "--name", "system_a", "--name", "system_b",
                              SYSTEM_A, SYSTEM_B)
    assert list(report["groups"]) == GROUPS
    assert "CIDEr-D.df:per-group" in report["signature"]
    for group in GROUPS:
        board = report["groups"][group]
        assert board["images"] == len(GOLDEN["systems"]["system_a"][group]["items"])
        for system in board["systems"]:
            expected = GOLDEN["systems"][system["name"]][group]["corpus"]
            assert system["scores"] == pytest.approx(expected, abs=1e-9), (group, system["name"])
            assert set(system["ci"]) == set(expected)
        assert set(board["systems"][1]["p"]) == set(expected)


def test_a_group_board_is_the_leaderboard_of_its_images_alone(tmp_path):
    captions = json.loads(CAPTIONS.read_text())
    keep = {image["id"] for image in captions["images"] if image["domain"] == "out-domain"}
    subset = {**captions, "images": [i for i in captions["images"] if i["id"] in keep],
              "annotations": [a for a in captions["annotations"] if a["image_id"] in keep]}
    (tmp_path / "refs.json").write_text(json.dumps(subset))
    files = []
    for path in (SYSTEM_A, SYSTEM_B):
        results = [r for r in json.loads(path.read_text()) if r["image_id"] in keep]
        files.append(tmp_path / path.name)
        files[-1].write_text(json.dumps(results))
    grouped = leaderboard_json("--groups", CAPTIONS, SYSTEM_A, SYSTEM_B)["groups"]["out-domain"]
    alone = json.loads(run_cli("leaderboard", "--refs", tmp_path / "refs.json", "--format", "json",
                               "--bootstrap", "50", "--paired-bs", *files).stdout)
    assert grouped["systems"] == alone["systems"]


def test_leaderboard_tables_come_one_per_group():
    result = run_cli("leaderboard", "--refs", CAPTIONS, "--groups", CAPTIONS, "--bootstrap",
                     "20", "--metrics", "cider-d", SYSTEM_A, SYSTEM_B)
    headings = [line for line in result.stdout.splitlines() if line.endswith("images)")]
    assert headings == ["entire (36 images)", "in-domain (9 images)", "near-domain (18 images)",
                        "out-domain (9 images)"]


def test_leaderboard_per_item_has_system_image_and_group(tmp_path):
    out = tmp_path / "items.jsonl"
    run_cli("leaderboard", "--refs", CAPTIONS, "--groups", CAPTIONS, "--bootstrap", "0",
            "--metrics", "bleu", "--per-item", out, SYSTEM_A, SYSTEM_B)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 * 36
    assert list(records[0])[:4] == ["image_id", "system", "group", "caption"]
    assert [r["system"] for r in records] == (["nocaps_synthetic_system_a"] * 36
                                              + ["nocaps_synthetic_system_b"] * 36)
    assert [r["image_id"] for r in records[:36]] == list(range(36))
    assert {r["group"] for r in records} == set(GROUPS[1:])


def test_html_with_groups_is_a_usage_error():
    result = run_cli("leaderboard", "--refs", CAPTIONS, "--groups", CAPTIONS, "--format", "html",
                     SYSTEM_A, SYSTEM_B, expect=2)
    assert result.stderr == ("error: format 'html' is not available with groups (the HTML report "
                             "shows one set of images); choose from table, markdown, latex, csv, "
                             "json\n")
