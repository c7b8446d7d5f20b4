"""The per-chunk functions of a streamed evaluation, the same for one process, `--jobs` and Dask.

Two passes, each a map over chunks followed by a reduction in chunk order:

1. `tokenize_chunk`: tokenize a chunk's captions (with their stream context) and count the
   document frequencies of its references; the tables of all chunks are merged
   (`DocumentFrequencies.merge`) into the corpus table CIDEr-D needs.
2. `chunk_statistics`: the per-image sufficient statistics of every metric for a chunk of
   tokenized images, with CIDEr-D bound to the corpus table; the corpus totals are the rows
   added one by one in image order (`capeval.metrics.base.sum_stats`), so any chunking gives
   the same bits.

Every function is pure and takes its settings as an argument, so any engine that can map a
function over partitions (a process pool, Dask, Ray, Spark) can run it.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import numpy as np

from capeval.document_frequencies import DocumentFrequencies
from capeval.evaluation import Evaluator, check_token_lengths, evaluate_tokenized
from capeval.human import hold_out
from capeval.metrics import Metric
from capeval.metrics.cider import CiderD
from capeval.streaming.chunks import Chunk
from capeval.tokenizers import tokenize

Tokens = list[str]


class TokenizedImages(NamedTuple):
    """C images, tokenized: ids, hypothesis tokens, reference tokens."""

    ids: list
    hypotheses: list[Tokens]
    references: list[list[Tokens]]


@dataclass(frozen=True)
class Settings:
    """What the per-chunk functions need to know: metrics, tokenizer, df table.

    Attributes
    ----------
    metrics : tuple of Metric
        As configured by the caller, one core each (`Metric.single_threaded`); a CIDEr-D
        without a table gets the corpus table (`with_document_frequencies`) before scoring.
    tokenizer : str
        A name of `capeval.tokenizers.TOKENIZERS`.
    df_order : int
        The highest n-gram order of the df tables `tokenize_chunk` counts (0: none).
    """

    metrics: tuple[Metric, ...]
    tokenizer: str
    df_order: int = 0
    sources: tuple[str, str] = ("hypotheses", "references")

    @classmethod
    def of(cls, metrics: Sequence[Metric], tokenizer: str,
           sources: tuple[str, str] = ("hypotheses", "references")) -> Settings:
        """Settings counting the corpus df if a CIDEr-D of `metrics` has no table; every
        process of the run uses one core (`Metric.single_threaded`)."""
        df_order = max((metric.max_order for metric in metrics
                        if isinstance(metric, CiderD) and metric.document_frequencies is None),
                       default=0)
        return cls(tuple(metric.single_threaded() for metric in metrics), tokenizer, df_order,
                   sources)

    def with_document_frequencies(self, table: DocumentFrequencies) -> Settings:
        """Return settings whose CIDEr-D metrics without a table use `table`."""
        metrics = []
        for metric in self.metrics:
            if isinstance(metric, CiderD) and metric.document_frequencies is None:
                metric = copy.copy(metric)
                metric.document_frequencies = table
            metrics.append(metric)
        return Settings(tuple(metrics), self.tokenizer, 0, self.sources)  # no df to count


def tokenize_chunk(
    settings: Settings, chunk: Chunk
) -> tuple[TokenizedImages, DocumentFrequencies | None]:
    """Tokenize a chunk as its part of the two streams; count its references' df if needed.

    Returns
    -------
    (TokenizedImages, DocumentFrequencies or None)
        The table covers the chunk's C images (None when no metric needs the corpus df).
    """
    images = chunk.images
    hypotheses = tokenize(images.hypotheses, settings.tokenizer,
                          following=chunk.hypotheses_following)
    flat = tokenize([ref for refs in images.references for ref in refs], settings.tokenizer,
                    following=chunk.references_following)
    references, start = [], 0
    for refs in images.references:
        references.append(flat[start:start + len(refs)])
        start += len(refs)
    check_token_lengths(settings.sources[0], images.ids, [[tokens] for tokens in hypotheses])
    check_token_lengths(settings.sources[1], images.ids, references)
    tokenized = TokenizedImages(images.ids, hypotheses, references)
    return tokenized, reference_frequencies(settings, tokenized) if settings.df_order else None


def chunk_statistics(settings: Settings, images: TokenizedImages) -> dict[str, np.ndarray]:
    """Return each metric's per-image statistics, ndarray of shape (C, K), keyed by name."""
    result = evaluate_tokenized(images.ids, images.hypotheses, images.references,
                                settings.metrics, tokenizer=settings.tokenizer)
    return result.stats


def reference_frequencies(settings: Settings, images: TokenizedImages) -> DocumentFrequencies:
    """Return the df table of a chunk's references (n-grams up to `settings.df_order`)."""
    return DocumentFrequencies.from_references(images.references, settings.df_order)


def fold_view(images: TokenizedImages, fold: int) -> TokenizedImages:
    """Return the images of leave-one-out fold `fold` (`capeval.human.hold_out`): each
    image's references without reference `fold`."""
    return TokenizedImages(images.ids, images.hypotheses,
                           hold_out(images.references, fold).references)


class EncodedImages(NamedTuple):
    """C tokenized images as a `PairingStore` keeps them: ids, and each image's hypothesis
    tokens and reference tokens as JSON text."""

    ids: list
    hypotheses: list[str]
    references: list[str]


def encode_images(images: TokenizedImages) -> EncodedImages:
    """The store's form of tokenized images (JSON text, non-ASCII characters kept)."""
    dumps = partial(json.dumps, ensure_ascii=False)
    return EncodedImages(images.ids, list(map(dumps, images.hypotheses)),
                         list(map(dumps, images.references)))


def decode_images(images: EncodedImages) -> TokenizedImages:
    """The tokenized images of `encode_images`' text."""
    return TokenizedImages(images.ids, list(map(json.loads, images.hypotheses)),
                           list(map(json.loads, images.references)))


# The per-chunk functions of a `PairingStore` run (`capeval.streaming.driver`): the tokens
# cross between processes as the store's JSON text, encoded and decoded in the workers.

def tokenize_encoded(
    settings: Settings, chunk: Chunk
) -> tuple[EncodedImages, DocumentFrequencies | None]:
    """`tokenize_chunk`, the tokens encoded for the store."""
    images, table = tokenize_chunk(settings, chunk)
    return encode_images(images), table


def chunk_frequencies(settings: Settings, chunk: Chunk) -> DocumentFrequencies:
    """The df table of a chunk's references (`tokenize_chunk`'s second half: the tokens stay in
    the worker); `settings` must ask for one (``df_order``)."""
    table = tokenize_chunk(settings, chunk)[1]
    if table is None:
        raise ValueError("chunk_frequencies needs settings with a df_order")
    return table


BoardChunk = tuple[EncodedImages, list[list[str]], int | None, bool]
"""Stored images, other systems' hypotheses of the same images (JSON text, one list per
system), a leave-one-out fold (None: all references) and whether to add the human row."""


def encoded_statistics(settings: Settings, item: BoardChunk) -> list[dict[str, np.ndarray]]:
    """`chunk_statistics` of every row of a board's chunk, against its references prepared
    once.

    ``item = (images, others, fold, human)``. Rows: with `human`, each image's reference
    `fold` (held out); then the images' own hypotheses; then each system of `others`. With
    `fold` not None, every row is scored against the references without reference `fold`
    (`capeval.human.hold_out`).
    """
    images, others, fold, human = item
    decoded = decode_images(images)
    references, rows = decoded.references, [decoded.hypotheses]
    rows += [list(map(json.loads, hypotheses)) for hypotheses in others]
    if fold is not None:
        split = hold_out(references, fold)
        references = split.references
        if human:
            rows.insert(0, split.held_out)
    evaluator = Evaluator.from_tokens(range(len(references)), references, settings.metrics,
                                      tokenizer=settings.tokenizer)
    positions = np.arange(len(references), dtype=np.int64)
    return [evaluator.statistics(row, positions) for row in rows]


def encoded_fold_frequencies(settings: Settings,
                             item: tuple[EncodedImages, int]) -> DocumentFrequencies:
    """`reference_frequencies` of fold ``item[1]`` of stored images ``item[0]``."""
    images, fold = item
    return reference_frequencies(settings, fold_view(decode_images(images), fold))


def reference_counts(references: Sequence[Sequence[object]]) -> set[int]:
    """Return the distinct numbers of references per image (for the ``nrefs`` signature)."""
    return {len(refs) for refs in references}
