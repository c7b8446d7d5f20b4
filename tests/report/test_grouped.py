"""leaderboard_groups and format_grouped: one board per group, rendered in every format."""
from __future__ import annotations

import csv
import io
import json

import pytest

from capeval import CapevalInputError, CapevalUsageError
from capeval.report import format_grouped, leaderboard, leaderboard_groups
from tests.report.corpus import REFERENCES, SYSTEMS

GROUPS = {1: "animals", 2: "animals", 8: "animals", 3: "street", 4: "street", 5: "other",
          6: "other", 7: "other"}
SETTINGS = dict(metrics=["bleu", "cider-d"], tokenizer="none", n_bootstrap=50, seed=3,
                test="bs")
TWO = {name: SYSTEMS[name] for name in ("strong", "weak")}


@pytest.fixture(scope="module")
def grouped():
    return leaderboard_groups(TWO, REFERENCES, GROUPS, **SETTINGS)


def test_boards_are_entire_then_groups_sorted(grouped):
    assert list(grouped.boards) == ["entire", "animals", "other", "street"]
    assert grouped.signature["groups"] == "3"
    assert grouped.signature["CIDEr-D.df"] == "per-group"


def test_each_group_board_is_the_leaderboard_of_its_images_alone(grouped):
    for group in ("animals", "other", "street"):
        ids = [i for i, g in GROUPS.items() if g == group]
        alone = leaderboard({name: {i: captions[i] for i in ids} for name, captions in TWO.items()},
                            {i: REFERENCES[i] for i in ids}, **SETTINGS)
        assert grouped.boards[group].to_dict() == alone.to_dict()
    assert grouped.boards["entire"].to_dict() == leaderboard(TWO, REFERENCES, **SETTINGS).to_dict()


def test_table_has_a_heading_per_group_and_one_set_of_notes(grouped):
    text = format_grouped(grouped, "table")
    headings = [line for line in text.splitlines() if line.endswith("images)")]
    assert headings == ["entire (8 images)", "animals (3 images)", "other (3 images)",
                        "street (2 images)"]
    assert text.count("Signature:") == 1
    assert "entire: all 8 images; every group is scored as its own evaluation (its own " \
           "CIDEr-D df) and ranked on its own." in text


def test_markdown_and_latex_name_every_group(grouped):
    markdown = format_grouped(grouped, "markdown")
    assert "**street (2 images)**" in markdown
    latex = format_grouped(grouped, "latex")
    assert latex.count("\\begin{tabular}") == 1
    assert "\\multicolumn{7}{l}{\\textit{street} (2 images)} \\\\" in latex


def test_csv_has_a_group_column_and_every_board(grouped):
    rows = list(csv.DictReader(io.StringIO(format_grouped(grouped, "csv"))))
    assert [(row["group"], row["system"]) for row in rows] == [
        (group, system) for group, board in grouped.boards.items() for system in board.systems]
    street = grouped.boards["street"]
    row = next(r for r in rows if r["group"] == "street" and r["system"] == "weak")
    assert float(row["CIDEr-D"]) == street.scores.at["weak", "CIDEr-D"]
    assert row["signature"] == street.signature_string()


def test_json_nests_the_boards(grouped):
    data = json.loads(format_grouped(grouped, "json"))
    assert data["signature"] == grouped.signature_string()
    assert data["groups"]["other"] == {"images": 3,
                                       "systems": grouped.boards["other"].to_dict()["systems"]}


def test_html_is_refused(grouped):
    with pytest.raises(CapevalUsageError):
        format_grouped(grouped, "html")


def test_an_image_without_a_group_stops_before_scoring():
    with pytest.raises(CapevalInputError) as raised:
        leaderboard_groups(TWO, REFERENCES, {i: "a" for i in range(1, 8)}, **SETTINGS)
    assert str(raised.value) == "groups: no group for 1 of the 8 scored images: 8"
