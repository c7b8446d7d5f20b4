"""Candidates scored against prepared references: CIDEr-D (and CIDEr) scores, BLEU statistics.

`match_candidates` finds, for every candidate, its distinct n-grams (in order of first
appearance, with counts), their idf, and the row of the candidate's image that holds each of
them (if any). Matching uses a hash index of just the batch's images' rows, so the work is
proportional to the batch, not to the reference corpus.

`cider` then reproduces the CIDEr-D scorer of pycocoevalcap (``cider_scorer.py``) and of the
vrama91/cider lineage (the ``ciderD_scorer.py`` that self-critical.pytorch vendors), which
compute the same thing, operation by operation: the same float64 products, sums taken in the
same order (each sum runs over one caption's n-grams in order of first appearance, as Python
dictionaries iterate), ``pow(w, 2)`` via libm as Python does, the same Gaussian length penalty
expression. Its scores are therefore identical to the reference's for the same document
frequencies, not merely close, and a candidate's score depends only on the candidate, its
image's references and the df table, never on the other candidates of the batch.

`bleu_stats` gives BLEU's sufficient statistics (`capeval.metrics.bleu.Bleu`), with the one
closest-reference-length rule of the code base.

Letters used in shapes: C candidates, K maximum references per image, n maximum n-gram order,
E distinct (candidate, n-gram) entries of all orders.
"""
from __future__ import annotations

import math

from dataclasses import dataclass

import numpy as np

from capeval.arrays import distinct, libm
from capeval.ngrams.occurrences import iter_occurrences
from capeval.ngrams.references import IdfTrie, ReferenceVectors
from capeval.ngrams.vocabulary import EncodedCaptions


@dataclass(frozen=True)
class CandidateNgrams:
    """The distinct n-grams of C candidates, matched against their images' references.

    Attributes
    ----------
    images : ndarray of shape (C,), dtype int64
        Image (position in the reference set) of each candidate.
    lengths : ndarray of shape (C,), dtype int64
        Words per candidate.
    caption, order, count : ndarray of shape (E,), dtype int64
        Candidate, n-gram order (1..n) and occurrences of each entry. Entries are grouped by
        order; within an order, by candidate, in order of first appearance.
    idf, idf_squared : ndarray of shape (E,), dtype float64
        The n-gram's idf and ``pow(idf, 2)``.
    row : ndarray of shape (E,), dtype int64
        `ReferenceVectors` row of the entry's n-gram in the candidate's image, -1 if none of
        the image's references contains it.
    """

    images: np.ndarray
    lengths: np.ndarray
    caption: np.ndarray
    order: np.ndarray
    count: np.ndarray
    idf: np.ndarray
    idf_squared: np.ndarray
    row: np.ndarray


def match_candidates(
    candidates: EncodedCaptions, images: np.ndarray, vectors: ReferenceVectors, trie: IdfTrie
) -> CandidateNgrams:
    """Return the n-gram entries of encoded candidates, with idf and reference rows.

    Parameters
    ----------
    candidates : EncodedCaptions
        C candidates.
    images : ndarray of shape (C,), dtype int64
        Position of each candidate's image in `vectors`.
    """
    batch_rows, batch_index = vectors.row_index(distinct(images))
    n_candidates = len(candidates)
    parts = []
    # Rows and trie ids of the previous order's entries, indexed by its codes.
    previous_row = previous_ngram = np.zeros(0, dtype=np.int64)
    for occ in iter_occurrences(candidates.identity, candidates.lengths,
                                np.arange(n_candidates, dtype=np.int64), vectors.max_order):
        first = occ.first
        caption = occ.caption[first]
        words = candidates.words[occ.start[first] + occ.order - 1]
        if occ.order == 1:
            queried = np.flatnonzero(words >= 0)
            keys = vectors.unigram_keys(images[caption[queried]], words[queried])
        else:
            prefix_row = previous_row[occ.prefix_code[first]]
            queried = np.flatnonzero((words >= 0) & (prefix_row >= 0))
            keys = prefix_row[queried] * vectors.n_words + words[queried]
        row = np.full(first.size, -1, dtype=np.int64)
        found = batch_index.get_indexer(keys)  # type: ignore[arg-type]  # stubs: Index only
        hit = found >= 0
        row[queried[hit]] = batch_rows[found[hit]]

        matched = row >= 0
        if occ.order == 1:
            ngram = trie.unigrams(words)
        else:
            # A matched row already knows its n-gram; look up only the others.
            ngram = np.full(first.size, -1, dtype=np.int64)
            ngram[matched] = vectors.row_ngram[row[matched]]
            unmatched = np.flatnonzero(~matched)
            prefix_ngram = previous_ngram[occ.prefix_code[first[unmatched]]]
            ngram[unmatched] = trie.extend(occ.order, prefix_ngram, words[unmatched])
        parts.append((caption, np.full(first.size, occ.order, dtype=np.int64), occ.count,
                      trie.idf(occ.order, ngram), trie.idf_squared(occ.order, ngram), row))
        previous_row, previous_ngram = row, ngram

    if parts:
        columns = [np.concatenate(arrays) for arrays in zip(*parts)]
    else:
        columns = [np.zeros(0, dtype=dtype) for dtype in (np.int64,) * 3 + (np.float64,) * 2
                   + (np.int64,)]
    return CandidateNgrams(images, candidates.lengths, *columns)


class LengthPenalty:
    """CIDEr-D's Gaussian length penalty ``e ** (-(d**2) / (2 sigma**2))``, as the reference
    evaluates it (Python's ``**`` on floats), for non-negative integer differences d.

    Parameters
    ----------
    sigma : float
        Standard deviation, in bigrams (the reference's lengths count bigrams).
    table_size : int, default=256
        Differences below this are precomputed; larger ones are computed when asked for.
    """

    def __init__(self, sigma: float, table_size: int = 256) -> None:
        self.sigma = float(sigma)
        self._table = np.array([math.e ** (-(float(d) ** 2) / (2 * self.sigma**2))
                                for d in range(table_size)])

    def __call__(self, delta: np.ndarray) -> np.ndarray:
        """Return the penalty of each difference, same shape as `delta`, dtype float64."""
        table = self._table
        out = table[np.minimum(delta, table.size - 1)]
        large = delta >= table.size
        if large.any():
            out[large] = libm(math.pow, math.e,
                              -(delta[large].astype(np.float64) ** 2) / (2 * self.sigma**2))
        return out


def cider(
    ngrams: CandidateNgrams, vectors: ReferenceVectors, *, clip: bool = True,
    penalty: LengthPenalty | None = None,
) -> np.ndarray:
    """Return the CIDEr-D score (x10) of each candidate, shape (C,), dtype float64.

    Parameters
    ----------
    clip : bool, default=True
        Clip each candidate weight by the reference weight (CIDEr-D); False gives CIDEr.
    penalty : LengthPenalty, optional
        The length penalty (CIDEr-D); None applies none (CIDEr).
    """
    n_candidates, max_order = ngrams.lengths.size, vectors.max_order
    max_refs = vectors.row_counts.shape[1]
    images, entry_order = ngrams.images, ngrams.order - 1
    weights = ngrams.count * ngrams.idf
    # pow(w, 2) as libm computes it (not always w * w); for a count of 1 it is pow(idf, 2).
    squares = ngrams.idf_squared.copy()
    repeated = np.flatnonzero(ngrams.count > 1)
    squares[repeated] = np.float_power(weights[repeated], 2.0)
    norm_bins = ngrams.caption * max_order + entry_order
    candidate_norms = np.sqrt(np.bincount(norm_bins, squares,
                                          minlength=n_candidates * max_order))
    candidate_norms = candidate_norms.reshape(n_candidates, 1, max_order)

    matched = np.flatnonzero(ngrams.row >= 0)
    ref_weights = vectors.row_counts[ngrams.row[matched]] * ngrams.idf[matched, np.newaxis]
    # Products min(w_hyp, w_ref) * w_ref (CIDEr: w_hyp * w_ref), summed per (candidate,
    # reference, order) in entry order.
    hyp_weights = weights[matched, np.newaxis]
    products = (np.minimum(hyp_weights, ref_weights) if clip else hyp_weights) * ref_weights
    bins = ((ngrams.caption[matched, np.newaxis] * max_refs + np.arange(max_refs))
            * max_order + entry_order[matched, np.newaxis])
    sums = np.bincount(bins.ravel(), products.ravel(),
                       minlength=n_candidates * max_refs * max_order)
    # (float64 even when nothing matched: bincount of no weights is int64.)
    similarity = sums.astype(np.float64).reshape(n_candidates, max_refs, max_order)

    ref_norms = vectors.ref_norms[images]
    both = (candidate_norms != 0) & (ref_norms != 0)
    np.divide(similarity, candidate_norms * ref_norms, out=similarity, where=both)
    if penalty is not None:
        # Lengths in the penalty count bigrams: max(words - 1, 0).
        delta = np.abs(np.maximum(ngrams.lengths - 1, 0)[:, np.newaxis]
                       - np.maximum(vectors.ref_lengths[images] - 1, 0))
        similarity *= penalty(delta)[:, :, np.newaxis]

    # Sum over references in order (padding references add 0.0), then the mean over orders.
    total = similarity[:, 0, :].copy()
    for slot in range(1, max_refs):
        total += similarity[:, slot, :]
    return total.mean(axis=1) / vectors.refs_per_image[images] * 10.0


def bleu_stats(ngrams: CandidateNgrams, vectors: ReferenceVectors) -> np.ndarray:
    """Return BLEU's statistics of each candidate, shape (C, 2 + 2n), dtype float64.

    Columns: candidate length, closest reference length, clipped matches of orders 1..n
    (against the maximum count over the image's references), n-gram totals of orders 1..n.
    The closest reference length is the one nearest the candidate's, ties to the shorter, as
    ``min((abs(l - hyp_len), l) ...)`` in pycocoevalcap.
    """
    n_candidates, max_order = ngrams.lengths.size, vectors.max_order
    matched = np.flatnonzero(ngrams.row >= 0)
    best = vectors.row_counts[ngrams.row[matched]].max(axis=1)
    clipped = np.minimum(ngrams.count[matched], best)
    matches = np.bincount(ngrams.caption[matched] * max_order + ngrams.order[matched] - 1,
                          clipped, minlength=n_candidates * max_order)
    matches = matches.reshape(n_candidates, max_order)
    hyp_len = ngrams.lengths
    totals = np.maximum(hyp_len[:, np.newaxis] - np.arange(max_order), 0)

    ref_len = vectors.ref_lengths[ngrams.images]
    present = np.arange(ref_len.shape[1]) < vectors.refs_per_image[ngrams.images][:, np.newaxis]
    distance = np.where(present, np.abs(ref_len - hyp_len[:, np.newaxis]), np.iinfo(np.int64).max)
    # Closest length, ties to the shorter: minimise (distance, length) lexicographically.
    tie_break = np.where(distance == distance.min(axis=1, keepdims=True), ref_len,
                         np.iinfo(np.int64).max)
    closest = tie_break.min(axis=1)
    return np.column_stack([hyp_len, closest, matches, totals]).astype(np.float64)
