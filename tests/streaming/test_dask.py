"""The Dask path on a real `distributed.LocalCluster` of worker processes equals one process,
also when a worker is killed mid-run."""
from __future__ import annotations

import os
import signal

import pandas as pd
import pytest

import capeval
from capeval.io import write_per_item
from capeval.streaming import evaluate_files
from capeval.streaming.dask import evaluate_collection, partition_images
from tests.cli.helpers import run_cli
from tests.streaming.corpus import make_corpus, write_files

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
