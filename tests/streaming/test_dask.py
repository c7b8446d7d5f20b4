"""The Dask path on a real `distributed.LocalCluster` of worker processes equals one process,
also when a worker is killed mid-run."""
from __future__ import annotations

import json
import os
import signal

import pandas as pd
import pytest

import capeval
from capeval.io import write_per_item
from capeval.report import FORMATS, GROUPED_FORMATS, format_grouped, format_leaderboard
from capeval.report.grouped import leaderboard_groups_files
from capeval.report.html import N_EXAMPLES
from capeval.report.leaderboard import leaderboard_files
from capeval.streaming import evaluate_files
from capeval.streaming.dask import evaluate_collection, partition_images
from capeval.streaming.files import evaluate_groups_files
from tests.cli.helpers import run_cli
from tests.streaming.corpus import make_corpus, write_files
from tests.streaming.test_leaderboard_modes_streaming import generated

__all__ = ["generated"]  # the fixture

distributed = pytest.importorskip("distributed")  # the `test` extra installs it
bag = pytest.importorskip("dask.bag")

METRICS = ["bleu", "meteor", "rouge-l"]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:
            yield client


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_files(make_corpus(150, seed=21), tmp_path_factory.mktemp("dask"))


def run_files(files, path, **options):
    result = evaluate_files(files.hypotheses, files.references, METRICS, per_item=path,
                            chunk_size=20, **options)
    return result.corpus, result.signature, path.read_bytes()


def test_files_on_the_cluster_equal_one_process(client, files, tmp_path):
    assert (run_files(files, tmp_path / "dask.jsonl", client=client)
            == run_files(files, tmp_path / "one.jsonl"))


@pytest.mark.parametrize("victims", [1, 2], ids=["one worker", "every worker"])
def test_workers_killed_mid_run_change_nothing(client, files, tmp_path, victims):
    # Killing every worker also loses every copy of the run's settings: the cluster must be
    # able to make them again (scattered data would be gone for good).
    pids = list(client.run(os.getpid).values())[:victims]
    killed = []

    def kill_workers(step, done, total):
        if step == "score" and not killed:
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            killed.append(done)

    expected = run_files(files, tmp_path / "one.jsonl")
    assert run_files(files, tmp_path / "dask.jsonl", client=client,
                     progress=kill_workers) == expected
    assert killed and killed[0] < 150  # the kill happened before the last chunk
    client.wait_for_workers(2, timeout=300)  # restarts are slow on a loaded machine


def test_a_bag_of_triples_equals_in_memory(client, tmp_path):
    corpus = make_corpus(90, seed=4)
    triples = list(zip(corpus.ids, corpus.hypotheses, corpus.references))
    collection = bag.from_sequence(triples, npartitions=4)
    result = evaluate_collection(collection, METRICS, client=client,
                                 per_item=tmp_path / "dask.csv")
    expected = capeval.evaluate(dict(zip(corpus.ids, corpus.hypotheses)),
                                dict(zip(corpus.ids, corpus.references)), METRICS)
    write_per_item(tmp_path / "memory.csv", expected.per_item)
    assert result.corpus == expected.corpus
    assert result.signature == expected.signature
    assert (tmp_path / "dask.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()


def test_a_dataframe_partition_becomes_images():
    frame = pd.DataFrame({"image_id": [3, 4], "hypothesis": ["a", "b"],
                          "references": [["x", "y"], ["z"]]})
    images = partition_images(frame)
    assert images.ids == [3, 4] and all(type(i) is int for i in images.ids)
    assert images.hypotheses == ["a", "b"]
    assert images.references == [["x", "y"], ["z"]]


def test_cli_dask_local_equals_one_process(files):
    args = ["score", "--refs", files.references, "--hyps", files.hypotheses, "--metrics",
            "bleu,rouge-l", "--json"]
    assert (run_cli(*args, "--dask", "local", "--jobs", "2").stdout
            == run_cli(*args).stdout)


# -- the store-based runs: leaderboards and per-group breakdowns ---------------------------

@pytest.fixture
def mapped(monkeypatch):
    """The functions mapped on the cluster, by name (so a test can tell it was used)."""
    from capeval.streaming import dask as dask_module

    names = []
    dask_map = dask_module.dask_map

    def counting(function, settings, items, **options):
        names.append(function.__name__)
        return dask_map(function, settings, items, **options)

    monkeypatch.setattr(dask_module, "dask_map", counting)
    return names


def board_outputs(systems, references, tmp_path, label, **options):
    per_item = tmp_path / f"{label}.jsonl"
    board = leaderboard_files(systems, references, per_item=per_item, examples=N_EXAMPLES,
                              chunk_size=16, n_bootstrap=20, test="bs", **options)
    return [format_leaderboard(board, fmt) for fmt in FORMATS], per_item.read_bytes()


@pytest.mark.parametrize("human", [False, True], ids=["systems", "with the human row"])
def test_a_leaderboard_on_the_cluster_equals_one_process(client, generated, tmp_path, human,
                                                        mapped):
    systems, references, _ = generated
    assert (board_outputs(systems, references, tmp_path, "dask", human=human, client=client)
            == board_outputs(systems, references, tmp_path, "one", human=human))
    assert {"tokenize_encoded", "encoded_statistics"} <= set(mapped)


def test_groups_on_the_cluster_equal_one_process(client, generated, tmp_path, mapped):
    systems, references, groups = generated
    outputs = []
    for label, options in (("dask", {"client": client}), ("one", {})):
        per_item = tmp_path / f"{label}.jsonl"
        result = evaluate_groups_files(systems["first"], references, groups, METRICS,
                                       per_item=per_item, chunk_size=16, **options)
        grouped = leaderboard_groups_files(systems, references, groups, n_bootstrap=20,
                                           metrics=METRICS, chunk_size=16, **options)
        outputs.append((json.dumps(result.corpus), per_item.read_bytes(),
                        [format_grouped(grouped, fmt) for fmt in GROUPED_FORMATS]))
    assert outputs[0] == outputs[1]
    assert mapped.count("encoded_statistics") == 2 * 4  # the entire set and 3 groups, twice


def test_cli_leaderboard_and_groups_on_dask_local_equal_one_process(generated, mapped):
    systems, references, groups = generated
    board = ["leaderboard", "--refs", references, *systems.values(), "--metrics",
             "bleu,rouge-l", "--bootstrap", "20", "--human", "--format", "json"]
    grouped = ["score", "--refs", references, "--hyps", systems["first"], "--groups", groups,
               "--metrics", "bleu,cider-d", "--json"]
    for args in (board, grouped):
        assert (run_cli(*args, "--dask", "local", "--jobs", "2").stdout
                == run_cli(*args).stdout)
    assert "encoded_statistics" in mapped


def test_cli_df_build_on_dask_local_equals_one_process(generated, tmp_path, mapped):
    _, references, _ = generated
    tables = []
    for label, extra in (("dask", ("--dask", "local", "--jobs", "2")), ("one", ())):
        run_cli("df", "build", "--refs", references, "-o", tmp_path / f"{label}.json",
                "--chunk-size", "16", *extra)
        tables.append((tmp_path / f"{label}.json").read_bytes())
    assert tables[0] == tables[1]
    assert "chunk_frequencies" in mapped
