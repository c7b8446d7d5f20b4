"""Writers: COCO results and per-image score tables round-trip through the readers."""
from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

from capeval import CapevalUsageError
from capeval.io import read_hypotheses, write_per_item, write_results


def test_results_round_trip(tmp_path):
    path = tmp_path / "results.json"
    ids = [391895, "img_2.jpg", 3]
    captions = ["a man on a bike", "Ünïcode — “quotes”", ""]
    write_results(path, ids, captions)
    assert read_hypotheses(path) == dict(zip(ids, captions, strict=True))
    assert json.loads(path.read_text(encoding="utf-8"))[1] == {
        "image_id": "img_2.jpg",
        "caption": "Ünïcode — “quotes”",
    }


def test_results_need_as_many_ids_as_captions(tmp_path):
    with pytest.raises(ValueError):
        write_results(tmp_path / "results.json", [1, 2], ["a"])


SCORES = pd.DataFrame(
    {"BLEU-4": [0.5, 1 / 3, 0.0], "CIDEr-D": [1.2345678901234567, np.nan, 10.0]},
    index=pd.Index([391895, 7, 8], name="image_id"),
)


def test_per_item_jsonl_from_a_frame(tmp_path):
    path = tmp_path / "per_item.jsonl"
    write_per_item(path, SCORES)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert records == [
        {"image_id": 391895, "BLEU-4": 0.5, "CIDEr-D": 1.2345678901234567},
        {"image_id": 7, "BLEU-4": 1 / 3, "CIDEr-D": None},
        {"image_id": 8, "BLEU-4": 0.0, "CIDEr-D": 10.0},
    ]


def test_per_item_csv_round_trips_exactly(tmp_path):
    path = tmp_path / "per_item.csv"
    write_per_item(path, SCORES)
    back = pd.read_csv(path, index_col="image_id")
    pd.testing.assert_frame_equal(back, SCORES, check_exact=True)
    with path.open(newline="") as stream:
        assert next(csv.reader(stream)) == ["image_id", "BLEU-4", "CIDEr-D"]


def test_per_item_from_records_puts_image_id_first(tmp_path):
    path = tmp_path / "per_item.jsonl"
    write_per_item(path, [{"BLEU-1": np.float64(0.25), "image_id": "a.jpg"}])
    assert path.read_text() == '{"image_id": "a.jpg", "BLEU-1": 0.25}\n'


def test_per_item_frame_with_an_unnamed_index(tmp_path):
    path = tmp_path / "per_item.csv"
    write_per_item(path, pd.DataFrame({"ROUGE-L": [0.5]}, index=[3]))
    assert path.read_text() == "image_id,ROUGE-L\n3,0.5\n"


def test_per_item_rejects_other_extensions_and_records_without_ids(tmp_path):
    with pytest.raises(CapevalUsageError) as raised:
        write_per_item(tmp_path / "scores.xlsx", SCORES)
    assert str(raised.value).endswith("scores.xlsx: the file name must end in .jsonl or .csv")
    with pytest.raises(ValueError, match="per-item record 1 has no 'image_id'"):
        write_per_item(tmp_path / "scores.csv", [{"BLEU-1": 0.5}])


def test_results_with_numpy_ids_round_trip_through_score(tmp_path):
    from tests.cli.helpers import run_cli

    path = tmp_path / "results.json"
    ids = np.array([7, 3], dtype=np.int64)
    write_results(path, ids, [np.str_("a dog runs"), "a cat sleeps"])
    assert read_hypotheses(path) == {7: "a dog runs", 3: "a cat sleeps"}
    refs = tmp_path / "refs.jsonl"
    refs.write_text('{"image_id": 7, "caption": "a dog runs"}\n'
                    '{"image_id": 3, "caption": "a cat sleeps"}\n')
    result = run_cli("score", "--refs", refs, "--hyps", path, "--metrics", "bleu", "--json")
    assert json.loads(result.stdout)["BLEU-1"] == pytest.approx(1.0)


@pytest.mark.parametrize("ids, captions, error, message", [
    ([1, "1"], ["a", "b"], ValueError, "record 2: image id '1' names the same image as record 1"),
    ([1.5], ["a"], TypeError, "record 1: image id is not an integer or a string"),
    ([""], ["a"], TypeError, "record 1: image id is empty"),
    ([1], [None], TypeError, "record 1: caption is not a string"),
    ([1, 2], ["a"], ValueError, "got 2 image ids but 1 captions"),
])
def test_results_that_score_would_reject_are_not_written(tmp_path, ids, captions, error, message):
    with pytest.raises(error, match=message):
        write_results(tmp_path / "results.json", ids, captions)
    assert not (tmp_path / "results.json").exists()


@pytest.mark.parametrize("name, suffixes, message", [
    ("missing/out.csv", (".csv",), "the folder {tmp}/missing does not exist"),
    ("file.txt/out.csv", (".csv",), "the folder {tmp}/file.txt is not a folder"),
    ("out.xlsx", (".csv", ".jsonl"), "the file name must end in .csv or .jsonl"),
    (".", (), "is a folder; give a file name"),
])
def test_outputs_are_checked_before_any_work(tmp_path, name, suffixes, message):
    from capeval.io.writers import check_output_path

    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(CapevalUsageError, match=message.format(tmp=tmp_path)):
        check_output_path(tmp_path / name, suffixes, option="per_item")
