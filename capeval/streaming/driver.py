"""Score a corpus of any size in bounded memory: the passes of a streamed evaluation.

1. Read references, then hypotheses, record by record into a `PairingStore` and check them
   (the in-memory readers' and `align`'s checks and messages).
2. Tokenize chunk by chunk in the reference image order (the order of the tokenization
   streams), storing the tokens, and merge the chunks' document frequencies into the corpus
   table (the first reduction; only when a CIDEr-D needs the corpus df).
3. Score chunk by chunk in hypothesis order: per-image statistics, per-image scores written
   as they come, corpus totals added row by row (the second reduction).

Memory holds a few chunks, the df table and METEOR's data, whatever the number of images;
the scores equal those of `capeval.evaluate` on the same inputs.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from capeval import __version__
from capeval.document_frequencies import DocumentFrequencies
from capeval.evaluation import format_signature
from capeval.io import PerItemWriter
from capeval.io.writers import writing
from capeval.io.source import PathLike
from capeval.streaming import DEFAULT_CHUNK_SIZE
from capeval.streaming.chunks import chunked
from capeval.streaming.pool import ordered_map
from capeval.streaming.store import PairingStore
from capeval.streaming.tables import FrequentCounter
from capeval.metrics.base import sum_stats
from capeval.streaming.work import (
    BoardChunk,
    EncodedImages,
    Settings,
    encoded_fold_frequencies,
    encoded_statistics,
    reference_counts,
    tokenize_encoded,
)
from capeval.tokenizers import tokenizer_signature

Progress = Callable[[str, int, int], None]
"""Called as ``progress(step, images_done, images_total)`` after each chunk; step is
``"tokenize"`` or ``"score"``."""


@dataclass(frozen=True)
class StreamedEvaluation:
    """Corpus scores of a streamed evaluation (per-image scores went to a file).

    Attributes
    ----------
    corpus : dict of str to float
        As `capeval.Evaluation.corpus`.
    n_images : int
        How many images were scored.
    signature : dict of str to str
        As `capeval.Evaluation.signature`.
    """

    corpus: dict[str, float]
    n_images: int
    signature: dict[str, str] = field(default_factory=dict)

    def signature_string(self) -> str:
        """Return the signature as ``key:value|key:value|...`` (version last)."""
        return format_signature(self.signature)


Mapper = Callable[[Callable[[Any, Any], Any], Any, Iterable[Any]], Iterator[tuple[Any, Any]]]
"""Maps ``function(settings, item)`` over items, yielding ``(item, result)`` in item order
(`capeval.streaming.pool.ordered_map`, `capeval.streaming.dask.dask_map`)."""


def evaluate_store(
    store: PairingStore,
    settings: Settings,
    *,
    allow_partial: bool = False,
    per_item: PathLike | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    mapper: Mapper | None = None,
    progress: Progress | None = None,
) -> StreamedEvaluation:
    """Check, tokenize and score the images of a loaded store (passes 2 and 3 above).

    Parameters
    ----------
    store : PairingStore
        References and hypotheses added.
    settings : Settings
    allow_partial : bool, default=False
        As for `capeval.evaluate`.
    per_item : path, optional
        ``.jsonl`` or ``.csv`` file for per-image scores (as ``write_per_item`` writes them).
    chunk_size : int
        Images per chunk; the results do not depend on it.
    mapper : Mapper, optional
        How chunks are mapped (default: in this process); the results do not depend on it.
    progress : callable, optional
        See `Progress`.
    """
    total = store.check_pairing(allow_partial)
    run = mapper or partial(ordered_map, jobs=1)
    notify = progress or (lambda step, done, total: None)
    bound, counts = tokenize_store(store, settings, chunk_size, run, notify)

    totals = {metric.name: np.zeros(len(metric.stat_names)) for metric in settings.metrics}
    with per_item_writer(per_item, score_columns(settings)) as writer:
        done = 0
        for ids, (stats,) in store_statistics(store, bound, chunk_size, run):
            for metric in settings.metrics:
                totals[metric.name] = sum_stats(stats[metric.name], totals[metric.name])
            if writer is not None:
                writer.write_scores(ids, image_scores(settings, stats))
            done += len(ids)
            notify("score", done, total)
    return evaluation_result(settings, totals, total, counts)


def tokenize_store(
    store: PairingStore, settings: Settings, chunk_size: int, run: Mapper,
    notify: Progress, systems: Sequence[str] = ("",), group: str | None = None,
) -> tuple[Settings, set[int]]:
    """Tokenize the checked images of a store chunk by chunk (pass 2), storing the tokens.

    System 0 is tokenized with the references (their df tables merged into the corpus
    table), then systems 1, 2, ... alone, each as its own stream in the reference order.

    Parameters
    ----------
    systems : sequence of str
        A label per system of the store, shown by `notify` (``"tokenize LABEL"``).
    group : str, optional
        Tokenize the images of this group alone, as their own streams (default: all).

    Returns
    -------
    (Settings, set of int)
        `settings` bound to the corpus df table where a CIDEr-D needs it, and the distinct
        numbers of references per image.
    """
    total = store.count_hypotheses(group=group)
    counts: set[int] = set()
    done = 0
    step = " ".join(("tokenize", systems[0])).strip()
    with store.scratch_directory("df") as scratch:  # this pass's bucket files only
        tables = FrequentCounter(scratch)
        for chunk, (images, table) in run(tokenize_encoded, settings,
                                          chunked(store.pairs(group), chunk_size)):
            store.add_tokens(*images)
            counts.update(reference_counts(chunk.images.references))
            if table is not None:
                tables.add(table)
            done += len(images.ids)
            notify(step, done, total)
        bound = (settings if tables.empty
                 else settings.with_document_frequencies(tables.result()))
    alone = replace(settings, df_order=0)
    for system, label in enumerate(systems[1:], start=1):
        images = ((image_id, caption, ())
                  for image_id, caption in store.hypotheses(system, group=group))
        done = 0
        for _, (tokens, _) in run(tokenize_encoded, alone, chunked(images, chunk_size)):
            store.add_tokens(tokens.ids, tokens.hypotheses, None, system)
            done += len(tokens.ids)
            notify(f"tokenize {label}", done, total)
    return bound, counts


def store_statistics(
    store: PairingStore, bound: Settings, chunk_size: int, run: Mapper, systems: int = 1,
    fold: int | None = None, human: bool = False,
) -> Iterator[tuple[list, list[dict[str, np.ndarray]]]]:
    """Yield (ids, per-image statistics of every metric for each row) of tokenized systems,
    chunk by chunk in the hypothesis order of system 0 (pass 3).

    Rows: with `human`, the held-out references of fold `fold`; then systems 0 to
    ``systems - 1``, which caption the same images. Each chunk's references are prepared
    once for all its rows, against leave-one-out fold `fold` of them when it is not None
    (`capeval.human`).
    """
    others = [store.tokens(system) for system in range(1, systems)]

    def items() -> Iterator[BoardChunk]:
        for images in _batches(store.tokens(0), chunk_size):
            hypotheses = []
            for rows in others:
                ids, captions, _ = zip(*islice(rows, len(images.ids)), strict=True)
                if list(ids) != images.ids:
                    raise RuntimeError("the systems of a board caption different images")
                hypotheses.append(list(captions))
            yield images, hypotheses, fold, human

    for (images, *_), stats in run(encoded_statistics, bound, items()):
        yield images.ids, stats


def fold_frequencies(
    store: PairingStore, settings: Settings, chunk_size: int, run: Mapper, fold: int
) -> DocumentFrequencies:
    """Return the df table of leave-one-out fold `fold` of the tokenized references (the
    n-grams of two or more images, as `tokenize_store` keeps them)."""
    with store.scratch_directory("df") as scratch:  # one fold's bucket files at a time
        tables = FrequentCounter(scratch)
        items = ((images, fold) for images in _batches(store.tokens(0, 0), chunk_size))
        for _, table in run(encoded_fold_frequencies, settings, items):
            tables.add(table)
        return tables.result()


@contextmanager
def per_item_writer(
    per_item: PathLike | None, columns: Sequence[str]
) -> Iterator[PerItemWriter | None]:
    """Yield a writer of the per-image file (None: no file), with `columns` after the id.

    The rows go to a temporary file next to `per_item`, renamed to it when the block ends
    without an error (and deleted otherwise), so a failed run leaves no partial file.
    """
    if per_item is None:
        yield None
        return
    path = Path(per_item)
    partial_path = path.with_name(f".{path.name}.partial{path.suffix}")
    writer = PerItemWriter(partial_path, columns, reported_as=path)
    try:
        yield writer
    except BaseException:
        writer.close()
        partial_path.unlink(missing_ok=True)
        raise
    writer.close()
    with writing(path):
        os.replace(partial_path, path)


def score_columns(settings: Settings) -> list[str]:
    """Return the names of the scores of `settings`' metrics, in metric order."""
    return [name for metric in settings.metrics for name in metric.score_names]


def image_scores(settings: Settings, stats: dict[str, np.ndarray]) -> np.ndarray:
    """Return the per-image scores of chunk statistics, shape (C, total scores)."""
    return np.hstack([metric.scores_from_stats(stats[metric.name])
                      for metric in settings.metrics])


def evaluation_result(
    settings: Settings, totals: dict[str, np.ndarray], n_images: int, counts: set[int]
) -> StreamedEvaluation:
    """Return the corpus scores of summed statistics, with the run's signature.

    `counts` holds the distinct numbers of references per image.
    """
    corpus: dict[str, float] = {}
    for metric in settings.metrics:
        scores = metric.scores_from_stats(totals[metric.name]).tolist()
        corpus.update(zip(metric.score_names, scores, strict=True))
    return StreamedEvaluation(corpus, n_images, signature_of(settings, counts))


def _batches(rows: Iterator[tuple], size: int) -> Iterator[EncodedImages]:
    """Group store rows (id, hypothesis tokens, reference tokens) into `EncodedImages`."""
    while batch := list(islice(rows, size)):
        yield EncodedImages(*(list(column) for column in zip(*batch, strict=True)))


def signature_of(settings: Settings, counts: set[int]) -> dict[str, str]:
    """Return the signature of a run (as `capeval.Evaluation.signature`); `counts` holds the
    distinct numbers of references per image."""
    signature = {"nrefs": str(next(iter(counts))) if len(counts) == 1 else "var",
                 "tok": tokenizer_signature(settings.tokenizer)}
    for metric in settings.metrics:
        signature.update({f"{metric.name}.{key}": value
                          for key, value in metric.signature().items()})
    signature["version"] = __version__
    return signature
