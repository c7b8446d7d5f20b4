"""`capeval score --groups` read in chunks (`evaluate_groups_files`) equals `evaluate_groups`.

Corpus scores of every evaluation and the per-item file, byte for byte, on a corpus many
chunks long; bad group files fail with the in-memory messages.
"""
from __future__ import annotations

import csv
import json

import pytest

from capeval.breakdown import evaluate_groups
from capeval.errors import CapevalInputError
from capeval.io import read_hypotheses, read_references, write_per_item
from capeval.io.groups import read_groups
from capeval.streaming.files import evaluate_groups_files
from tests.cli.helpers import run_cli
from tests.streaming.test_leaderboard_modes_streaming import NOCAPS, generated, write_groups

__all__ = ["generated"]  # the fixture


def in_memory(hypotheses, references, groups, per_item, **options):
    result = evaluate_groups(read_hypotheses(hypotheses), read_references(references),
                             read_groups(groups), sources=(str(hypotheses), str(references)),
                             **options)
    write_per_item(per_item, result.per_item)
    return result


@pytest.mark.parametrize("suffix, chunk_size, options", [
    (".jsonl", 4, {"metrics": ["bleu", "rouge-l", "cider-d"]}),
    (".csv", 1000, {}),
], ids=["chunks-of-4", "every-metric"])
def test_groups_streamed_equal_in_memory(generated, tmp_path, suffix, chunk_size, options):
    systems, references, groups = generated
    hypotheses = systems["first"]
    expected = in_memory(hypotheses, references, groups, tmp_path / f"memory{suffix}",
                         **options)
    per_item = tmp_path / f"streamed{suffix}"
    result = evaluate_groups_files(hypotheses, references, groups, per_item=per_item,
                                   chunk_size=chunk_size, **options)
    assert json.dumps(result.corpus) == json.dumps(expected.corpus)
    assert result.signature_string() == expected.signature_string()
    assert {name: e.n_images for name, e in result.evaluations.items()} == {
        name: len(e.ids) for name, e in expected.evaluations.items()}
    assert per_item.read_bytes() == (tmp_path / f"memory{suffix}").read_bytes()


def test_partial_nocaps_groups_streamed_equal_in_memory(tmp_path):
    captions = NOCAPS / "nocaps_synthetic_captions.json"
    records = json.loads((NOCAPS / "nocaps_synthetic_system_a.json").read_text())
    hypotheses = tmp_path / "a.json"
    hypotheses.write_text(json.dumps([r for r in records if r["image_id"] % 3]))
    expected = in_memory(hypotheses, captions, captions, tmp_path / "memory.jsonl",
                         allow_partial=True, metrics=["cider-d", "meteor"])
    result = evaluate_groups_files(hypotheses, captions, captions, allow_partial=True,
                                   metrics=["cider-d", "meteor"], chunk_size=5,
                                   per_item=tmp_path / "streamed.jsonl")
    assert json.dumps(result.corpus) == json.dumps(expected.corpus)
    assert (tmp_path / "streamed.jsonl").read_bytes() == (tmp_path / "memory.jsonl").read_bytes()


def test_a_group_file_naming_an_unknown_image_fails_as_in_memory(generated, tmp_path):
    systems, references, groups = generated
    rows = list(csv.reader(groups.open(encoding="utf-8")))[1:]
    write_groups(groups, [*rows[:2], ["99999", "in-domain"], *rows[2:]])
    with pytest.raises(CapevalInputError) as streamed:
        evaluate_groups_files(systems["first"], references, groups, chunk_size=3)
    with pytest.raises(CapevalInputError) as memory:
        in_memory(systems["first"], references, groups, tmp_path / "items.jsonl")
    assert str(streamed.value) == str(memory.value)
    assert str(streamed.value).startswith(f"{groups}:line 4: image 99999 has no references")


def test_cli_streams_groups_with_chunks_and_jobs(generated, tmp_path):
    systems, references, groups = generated
    outputs = []
    for streaming in ([], ["--chunk-size", "7", "--jobs", "2"]):
        per_item = tmp_path / f"items-{len(streaming)}.csv"
        result = run_cli("score", "--refs", references, "--hyps", systems["second"],
                         "--groups", groups, "--metrics", "bleu,cider-d", "--per-item",
                         per_item, *streaming)
        outputs.append((result.stdout, per_item.read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0].splitlines()[0].split() == ["entire", "in-domain", "near-domain",
                                                     "out-domain"]


def test_each_pass_deletes_its_scratch_files_when_it_ends(generated, monkeypatch):
    # every group's df pass spills bucket files; a run of many groups keeps one pass's at a time
    from contextlib import contextmanager

    from capeval.streaming.store import PairingStore

    made = []
    scratch_directory = PairingStore.scratch_directory

    @contextmanager
    def watched(self, name):
        with scratch_directory(self, name) as directory:
            assert not any(earlier.exists() for earlier in made)
            made.append(directory)
            yield directory

    monkeypatch.setattr(PairingStore, "scratch_directory", watched)
    systems, references, groups = generated
    evaluate_groups_files(systems["first"], references, groups, metrics=["cider-d"],
                          chunk_size=4)
    assert len(made) >= 3 and not any(directory.exists() for directory in made)
