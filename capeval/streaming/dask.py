"""Run a streamed evaluation on a Dask cluster (the optional ``capeval[dask]`` extra).

Two entry points, both mapping the per-chunk functions of `capeval.streaming.work` and
reducing in chunk order, so the numbers are those of one process, bit for bit:

- `dask_map`: the driver's mapper for files (``capeval score --dask ADDRESS``): chunks are cut
  and joined on the client and scored on the cluster, a bounded number at a time.
- `evaluate_collection`: a Dask DataFrame or Bag of (image_id, hypothesis, references) rows,
  scored where its partitions live; the df is a first reduction (the partitions' tables
  come back one by one, in order, to the client's bounded `FrequentCounter`, as in the
  driver), the statistics come back partition by partition and are added row by row in
  collection order.

A worker lost mid-run is handled by the scheduler: its tasks run again elsewhere (every task
is a pure function of its inputs, the run's settings included: they are a task too, see
`share`); if the scheduler gives up (a task killed several workers), the run fails with one
`ClusterError` and returns no numbers.
"""
from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from capeval.evaluation import MetricSpec, resolve_metrics
from capeval.io import canonical_id
from capeval.metrics import DEFAULT_METRICS
from capeval.streaming.chunks import Chunk, Images
from capeval.streaming.driver import (
    Progress,
    StreamedEvaluation,
    evaluation_result,
    image_scores,
    per_item_writer,
    score_columns,
)
from capeval.metrics.base import sum_stats
from capeval.streaming.tables import FrequentCounter
from capeval.streaming.work import (
    Settings,
    chunk_statistics,
    reference_counts,
    tokenize_chunk,
)
from capeval.tokenizers import stream_lookahead

LOCAL = "local"
"""The `--dask` address that starts a `distributed.LocalCluster` for the run."""


class ClusterError(RuntimeError):
    """The cluster could not finish the run (e.g. workers kept dying); no score is returned."""


@contextmanager
def connect(address: str, workers: int) -> Iterator[Any]:
    """Yield a `distributed.Client` of the scheduler at `address`, or of a new LocalCluster
    of `workers` single-threaded worker processes when `address` is ``"local"``."""
    from distributed import Client, LocalCluster

    if address != LOCAL:
        with Client(address) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


@contextmanager
def _cluster_errors() -> Iterator[None]:
    from distributed import KilledWorker

    try:
        yield
    except KilledWorker as error:
        raise ClusterError(f"the Dask cluster lost the workers running a task ({error}); "
                           "no result was produced") from None


def _same(value: Any) -> Any:
    return value


def share(client: Any, value: Any) -> Any:
    """Return a future of `value` for many tasks, which the cluster can make again if every
    worker holding it dies.

    Scattered data could not be: its last copy is lost with its worker, and the tasks that
    need it are cancelled (the scheduler's memory manager keeps a single copy of a broadcast
    once no task needs more). Here the value travels in the task itself (the scheduler keeps
    it), so the size warning for large task graphs is raised above a df table's size.
    """
    import dask

    with dask.config.set({"distributed.admin.large-graph-warning-threshold": "2GB"}):
        return client.submit(_same, value, pure=False)


def dask_map(
    function: Callable[[Any, Any], Any],
    settings: Any,
    items: Iterable[Any],
    *,
    client: Any,
    window: int | None = None,
) -> Iterator[tuple[Any, Any]]:
    """Yield ``(item, function(settings, item))`` computed on the cluster, in item order.

    `settings` is sent to the workers once; at most `window` items (default: twice the
    number of worker threads) are in flight.
    """
    window = window or 2 * max(1, sum(client.nthreads().values()))
    shared = share(client, settings)
    pending: deque[tuple[Any, Any]] = deque()
    with _cluster_errors():
        for item in items:
            pending.append((item, client.submit(function, shared, item, pure=False)))
            if len(pending) >= window:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def partition_images(partition: Any) -> Images:
    """Turn one partition (a pandas DataFrame with columns ``image_id``, ``hypothesis``,
    ``references``, or a list of such triples) into `Images` with canonical ids."""
    if hasattr(partition, "itertuples"):
        rows = zip(partition["image_id"], partition["hypothesis"], partition["references"],
                   strict=True)
    else:
        rows = iter(partition)
    ids, hypotheses, references = [], [], []
    for image_id, hypothesis, refs in rows:
        ids.append(canonical_id(image_id.item() if hasattr(image_id, "item") else image_id))
        hypotheses.append(hypothesis)
        references.append(list(refs))
    return Images(ids, hypotheses, references)


def _heads(images: Images) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The look-ahead each stream needs from this partition's start."""
    return (stream_lookahead(images.hypotheses),
            stream_lookahead(ref for refs in images.references for ref in refs))


def _item(pair: tuple[Any, Any], index: int) -> Any:
    return pair[index]


def _ids(images: Any) -> list:
    return images.ids


def _size(images: Images) -> int:
    return len(images.ids)


def _counts(images: Images) -> set[int]:
    return reference_counts(images.references)


def evaluate_collection(
    collection: Any,
    metrics: Iterable[MetricSpec] = DEFAULT_METRICS,
    *,
    client: Any,
    tokenizer: str = "ptb",
    document_frequencies: Any = None,
    per_item: str | Path | None = None,
    progress: Progress | None = None,
) -> StreamedEvaluation:
    """Score a Dask DataFrame or Bag of (image_id, hypothesis, references) on a cluster.

    The collection's order (partition by partition) is the order of the tokenization
    streams, of the per-image file and of the corpus sums; the scores are those of
    ``capeval.evaluate`` on the same rows in that order, bit for bit.

    Parameters
    ----------
    collection : dask.dataframe.DataFrame or dask.bag.Bag
        Columns (or triples) ``image_id``, ``hypothesis`` (str), ``references`` (list of str).
    metrics, tokenizer, document_frequencies
        As for `capeval.evaluate`.
    client : distributed.Client
    per_item : path, optional
        ``.jsonl`` or ``.csv`` file for per-image scores, written partition by partition.
    progress : callable, optional
        ``progress("score", images_done, images_total)`` after each partition.
    """
    from dask import delayed

    settings = Settings.of(resolve_metrics(metrics, document_frequencies, tokenizer=tokenizer),
                           tokenizer)
    submit = partial(client.submit, pure=False)  # fresh keys: nothing shared between runs
    parts = [client.compute(delayed(partition_images)(part)) for part in collection.to_delayed()]
    heads = client.gather([submit(_heads, part) for part in parts])
    with _cluster_errors():
        chunks = []
        for index, part in enumerate(parts):
            later = heads[index + 1:]
            chunks.append(submit(
                Chunk, part,
                stream_lookahead(caption for head in later for caption in head[0]),
                stream_lookahead(caption for head in later for caption in head[1])))
        shared = share(client, settings)
        tokenized = [submit(tokenize_chunk, shared, chunk) for chunk in chunks]
        images = [submit(_item, pair, 0) for pair in tokenized]
        counts = set().union(*client.gather([submit(_counts, part) for part in parts]))
        sizes = client.gather([submit(_size, part) for part in parts])
        bound = shared
        if settings.df_order:  # the driver's df pass, on the client, a partition at a time
            with tempfile.TemporaryDirectory(prefix="capeval-df-") as directory:
                counter = FrequentCounter(directory)
                for pair in tokenized:
                    table = submit(_item, pair, 1)
                    counter.add(table.result())
                    table.release()
                bound = share(client, settings.with_document_frequencies(counter.result()))
        statistics = [submit(chunk_statistics, bound, part) for part in images]
        totals = {metric.name: np.zeros(len(metric.stat_names)) for metric in settings.metrics}
        done = 0
        with per_item_writer(per_item, score_columns(settings)) as writer:
            for part, stats_future, size in zip(images, statistics, sizes, strict=True):
                stats = stats_future.result()
                for metric in settings.metrics:
                    totals[metric.name] = sum_stats(stats[metric.name], totals[metric.name])
                if writer is not None:
                    ids = submit(_ids, part).result()
                    writer.write_scores(ids, image_scores(settings, stats))
                done += size
                if progress is not None:
                    progress("score", done, sum(sizes))
                stats_future.release()
    return evaluation_result(settings, totals, sum(sizes), counts)


