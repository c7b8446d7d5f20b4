"""The human row, per-group boards and the HTML report read in chunks equal the in-memory ones.

Byte for byte: every output format and the per-item file, on corpora many chunks long.
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from capeval.cli.main import capeval
from capeval.errors import CapevalInputError
from capeval.io import read_hypotheses, read_references
from capeval.io.groups import read_groups
from capeval.report import GROUPED_FORMATS, FORMATS, format_grouped, format_leaderboard
from capeval.report.grouped import leaderboard_groups, leaderboard_groups_files
from capeval.report.html import N_EXAMPLES
from capeval.report.leaderboard import leaderboard_files
from tests.conftest import FIXTURES
from tests.report.corpus import REFERENCES, SYSTEMS
from tests.streaming.corpus import make_corpus
from tests.streaming.test_leaderboard_streaming import (
    FAST_METRICS,
    in_memory,
    write_references,
    write_system,
)

GROUP_NAMES = ("in-domain", "near-domain", "out-domain")
NOCAPS = FIXTURES / "groups"


@pytest.fixture
def report_corpus(tmp_path):
    systems = {name: write_system(tmp_path / f"{name}.jsonl", captions)
               for name, captions in SYSTEMS.items()}
    return systems, write_references(tmp_path / "refs.jsonl", REFERENCES)


@pytest.fixture
def generated(tmp_path):
    """150 generated images with 2 to 5 references, 3 systems each in its own shuffled order,
    references in another; a CSV group file (three groups) in yet another order."""
    corpus = make_corpus(150, seed=5)
    rng = random.Random(11)
    references = {image_id: refs if len(refs) > 1 else [*refs, f"{refs[0]} again"]
                  for image_id, refs in zip(corpus.ids, corpus.references, strict=True)}
    shuffled = list(references)
    rng.shuffle(shuffled)
    reference_file = write_references(tmp_path / "refs.jsonl",
                                      {i: references[i] for i in shuffled})
    captions = {"first": dict(zip(corpus.ids, corpus.hypotheses, strict=True)),
                "second": {i: rng.choice(refs) for i, refs in references.items()},
                "third": {i: rng.choice(refs) + " too" for i, refs in references.items()}}
    systems = {name: write_system(tmp_path / f"{name}.jsonl", system, seed=seed)
               for seed, (name, system) in enumerate(captions.items())}
    rng.shuffle(shuffled)
    groups = tmp_path / "groups.csv"
    write_groups(groups, [(i, rng.choice(GROUP_NAMES)) for i in shuffled])
    return systems, reference_file, groups


def write_groups(path: Path, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["image_id", "group"])
        writer.writerows(rows)
    return path


def assert_same_board(systems, references, tmp_path, chunk_sizes, jobs=(1,), **options):
    expected = in_memory(systems, references, tmp_path / "memory.jsonl", **options)
    for chunk_size in chunk_sizes:
        for n_jobs in jobs:
            per_item = tmp_path / f"streamed-{chunk_size}-{n_jobs}.jsonl"
            board = leaderboard_files(systems, references, per_item=per_item,
                                      examples=N_EXAMPLES, chunk_size=chunk_size, jobs=n_jobs,
                                      **options)
            for fmt in FORMATS:
                assert format_leaderboard(board, fmt) == format_leaderboard(expected, fmt), fmt
            assert per_item.read_bytes() == (tmp_path / "memory.jsonl").read_bytes()


def in_memory_groups(systems, references, groups, per_item, group_field=None, **options):
    grouped = leaderboard_groups(
        {name: read_hypotheses(path) for name, path in systems.items()},
        read_references(references), read_groups(groups, group_field=group_field),
        sources={name: str(path) for name, path in systems.items()},
        reference_source=str(references), **options)
    grouped.write_per_item(per_item)
    return grouped


def assert_same_groups(systems, references, groups, tmp_path, chunk_sizes, suffix=".jsonl",
                       **options):
    expected = in_memory_groups(systems, references, groups, tmp_path / f"memory{suffix}",
                                **options)
    for chunk_size in chunk_sizes:
        per_item = tmp_path / f"streamed-{chunk_size}{suffix}"
        grouped = leaderboard_groups_files(systems, references, groups, per_item=per_item,
                                           chunk_size=chunk_size, **options)
        assert list(grouped.boards) == list(expected.boards)
        for fmt in GROUPED_FORMATS:
            assert format_grouped(grouped, fmt) == format_grouped(expected, fmt), fmt
        assert per_item.read_bytes() == (tmp_path / f"memory{suffix}").read_bytes()


# -- the human row -------------------------------------------------------------------------

@pytest.mark.parametrize("options", [
    {"test": "bs", "baseline": "weak"},
    {"test": "ar", "baseline": "Human", "sort": "BLEU-4"},
    {"n_bootstrap": 0},
], ids=["paired-bs", "paired-ar-against-human", "no-bootstrap"])
def test_human_row_of_the_report_corpus(report_corpus, tmp_path, options):
    systems, references = report_corpus
    assert_same_board(systems, references, tmp_path, chunk_sizes=(1, 3, 100), human=True,
                      n_bootstrap=options.pop("n_bootstrap", 40), seed=0, **options)


def test_human_row_many_chunks_and_jobs(generated, tmp_path):
    systems, references, _ = generated
    assert_same_board(systems, references, tmp_path, chunk_sizes=(7,), jobs=(1, 2),
                      metrics=FAST_METRICS, human=True, n_bootstrap=30, test="bs",
                      baseline="second")


def test_human_row_with_meteor_and_every_default_metric(generated, tmp_path):
    systems, references, _ = generated
    assert_same_board(systems, references, tmp_path, chunk_sizes=(19,), human=True,
                      n_bootstrap=10, test="ar")


def test_human_row_with_a_fixed_df_table_and_partial_references(generated, tmp_path):
    from capeval.document_frequencies import DocumentFrequencies

    systems, references, _ = generated
    kept = {}
    for name, path in systems.items():
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        kept[name] = write_system(tmp_path / f"partial-{name}.jsonl", {
            r["image_id"]: r["caption"] for r in records if str(r["image_id"]).endswith("2")})
    table = DocumentFrequencies.from_references(
        [[caption.split() for caption in refs] for refs in read_references(references).values()])
    assert_same_board(kept, references, tmp_path, chunk_sizes=(4,), metrics=FAST_METRICS,
                      human=True, document_frequencies=table, n_bootstrap=10,
                      allow_partial=True)


def test_html_report_without_the_human_row(generated, tmp_path):
    systems, references, _ = generated
    assert_same_board(systems, references, tmp_path, chunk_sizes=(6,), metrics=FAST_METRICS,
                      n_bootstrap=20, test="bs", sort="BLEU-1")


def test_an_image_with_one_reference_fails_as_in_memory(report_corpus, tmp_path):
    systems, _ = report_corpus
    references = write_references(tmp_path / "short.jsonl",
                                  {**REFERENCES, 5: REFERENCES[5][:1]})
    with pytest.raises(ValueError) as streamed:
        leaderboard_files(systems, references, human=True, n_bootstrap=0, chunk_size=3)
    with pytest.raises(ValueError) as memory:
        in_memory(systems, references, tmp_path / "items.jsonl", human=True, n_bootstrap=0)
    assert str(streamed.value) == str(memory.value)
    assert "image number 5 has 1" in str(streamed.value)


# -- per-group boards ----------------------------------------------------------------------

def test_groups_many_chunks(generated, tmp_path):
    systems, references, groups = generated
    assert_same_groups(systems, references, groups, tmp_path, chunk_sizes=(5, 1000),
                       metrics=FAST_METRICS, n_bootstrap=30, test="bs", baseline="third")


def test_groups_with_the_human_row_and_csv_per_item(generated, tmp_path):
    systems, references, groups = generated
    assert_same_groups(systems, references, groups, tmp_path, chunk_sizes=(8,), suffix=".csv",
                       metrics=["meteor", "cider-d"], human=True, n_bootstrap=20, test="ar")


def test_groups_of_the_nocaps_corpus_with_partial_systems(tmp_path):
    captions = NOCAPS / "nocaps_synthetic_captions.json"
    systems = {}
    for name in ("a", "b"):
        records = json.loads((NOCAPS / f"nocaps_synthetic_system_{name}.json").read_text())
        kept = [r for r in records if r["image_id"] % 4]  # every group keeps images
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(kept), encoding="utf-8")
        systems[name] = path
    assert_same_groups(systems, captions, captions, tmp_path, chunk_sizes=(3,),
                       n_bootstrap=20, test="bs", allow_partial=True)


@pytest.mark.parametrize("damage, message", [
    ("unknown image", "groups.csv:line 4: image 99999 has no references in"),
    ("ungrouped image", "groups.csv: no group for 1 of the 150 scored images: "),
    ("listed twice", "groups.csv:line 10: image "),
    ("empty group", "group 'nowhere' has none of the "),
    ("no images", "groups.json: holds no images"),
    ("empty group name", "groups.csv:line 3: image "),
])
def test_bad_group_files_fail_as_in_memory(generated, tmp_path, damage, message):
    systems, references, groups = generated
    rows = list(csv.reader(groups.open(encoding="utf-8")))[1:]
    if damage == "unknown image":
        rows.insert(2, ["99999", "in-domain"])
    elif damage == "ungrouped image":
        del rows[6]
    elif damage == "listed twice":
        rows.insert(8, rows[0])
    elif damage == "empty group":  # the group of an image no system captions
        systems = {name: drop_image(path, rows[0][0], tmp_path) for name, path in systems.items()}
        rows[0][1] = "nowhere"
    elif damage == "empty group name":
        rows[1][1] = " "
    write_groups(groups, rows)
    if damage == "no images":
        groups = groups.with_suffix(".json")
        groups.write_text(json.dumps({"images": []}), encoding="utf-8")
    options = dict(metrics=FAST_METRICS, n_bootstrap=0, allow_partial=damage == "empty group")

    def memory():
        in_memory_groups(systems, references, groups, tmp_path / "items.jsonl", **options)

    def streamed():
        leaderboard_groups_files(systems, references, groups, chunk_size=4, **options)

    with pytest.raises(CapevalInputError) as error:
        streamed()
    assert message in str(error.value)
    with pytest.raises(CapevalInputError) as expected:
        memory()
    assert str(error.value) == str(expected.value)


def drop_image(path: Path, image_id: str, directory: Path) -> Path:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    kept = directory / f"without-{path.name}"
    return write_system(kept, {r["image_id"]: r["caption"] for r in records
                               if str(r["image_id"]) != image_id})


def test_cli_reports_a_bad_group_file_with_exit_2(generated, tmp_path):
    systems, references, groups = generated
    rows = list(csv.reader(groups.open(encoding="utf-8")))[1:]
    write_groups(groups, [*rows[:4], ["99999", "in-domain"], *rows[4:]])
    result = CliRunner().invoke(capeval, [
        "leaderboard", "--refs", str(references), "--groups", str(groups), "--metrics",
        "bleu", "--bootstrap", "0", "--chunk-size", "5", *map(str, systems.values())],
        obj={}, catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {groups}:line 6: image 99999 has no references in "
                             f"{references} (1 such image(s): 99999)\n")


def test_cli_human_groups_and_html_stream_like_the_library(generated, tmp_path):
    systems, references, groups = generated
    arguments = ["leaderboard", "--refs", str(references), "--metrics", "bleu,cider-d",
                 "--bootstrap", "10", "--human", "--chunk-size", "9"]
    per_item = tmp_path / "items.jsonl"
    result = CliRunner().invoke(capeval, [*arguments, "--groups", str(groups), "--per-item",
                                          str(per_item), *map(str, systems.values())],
                                obj={}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    expected = in_memory_groups(systems, references, groups, tmp_path / "memory.jsonl",
                                metrics=["bleu", "cider-d"], n_bootstrap=10, human=True)
    assert result.stdout == format_grouped(expected, "table")
    assert per_item.read_bytes() == (tmp_path / "memory.jsonl").read_bytes()
    html = CliRunner().invoke(capeval, [*arguments, "--format", "html",
                                        *map(str, systems.values())],
                              obj={}, catch_exceptions=False)
    assert html.exit_code == 0, html.stderr
    board = in_memory(systems, references, tmp_path / "memory.jsonl", human=True,
                      metrics=["bleu", "cider-d"], n_bootstrap=10)
    assert html.stdout == format_leaderboard(board, "html")
