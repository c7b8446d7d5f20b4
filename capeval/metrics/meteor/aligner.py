"""The jar's alignment search (beam 40) and the statistics of the chosen alignment, for all
sentence pairs of a corpus at once.

The search reproduces ``meteor-1.5.jar`` including its quirks (capeval METEOR specification,
section 5): a pre-pass fixes every reference position with a single, uncontested candidate;
the beam search then walks the reference left to right, ranking partial alignments by
(integer-truncated match score, descending; closed chunks; distance) with a stable sort;
a match's distance is charged to its parent path, and chunks count only when closed.

Pairs whose candidates are all fixed by the pre-pass need no search: the pre-pass's matches are
then the only ones there are, none contests another, and every path of the jar takes each of
them. All other pairs are searched together: each step advances the beams of every pair over
its next reference position by NumPy operations over all their partial alignments, in the
jar's order (children of a path in candidate order, then the path itself; a stable sort per
pair), so each pair's beam is exactly the jar's. Runs of positions where no state can branch
(no candidate, or only a fixed one) are crossed in one move (`_Runs`).

A partial alignment (a *state*) is a row of: its pair, a rank key (one integer, smaller is
better), the hypothesis words it uses (a bit mask in W 64-bit words), ``open_end`` (the
hypothesis position after its open chunk, -1 if none), ``ref_next`` (the first reference
position not inside a match it took) and its path (node of a linked list of the matches taken,
fixed matches excluded). A used reference position either starts a fixed match (taken there)
or lies inside a match already taken, so ``ref_next`` replaces the jar's reference bit set.

Letters: P pairs, X candidates, S states, W mask words.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from capeval.arrays import expand
from capeval.metrics.meteor.arrays import take_rows
from capeval.metrics.meteor.scoring import N_STATS

BEAM_SIZE = 40
"""The jar's default beam width."""


@dataclass(frozen=True)
class Candidates:
    """Candidate matches of P sentence pairs, shape (X,) each, int64.

    Sorted by pair, then reference start, then the jar's candidate order (`matchers`).
    A match covers reference words ``ref_start .. ref_start + ref_len - 1`` and hypothesis
    words ``hyp_start .. hyp_start + hyp_len - 1``; ``slot`` is its module's position in the
    configured module list.
    """

    pair: np.ndarray
    ref_start: np.ndarray
    ref_len: np.ndarray
    hyp_start: np.ndarray
    hyp_len: np.ndarray
    slot: np.ndarray

    def take(self, index: np.ndarray) -> Candidates:
        return take_rows(self, index)


def _span_counts(starts: np.ndarray, lengths: np.ndarray, size: int) -> np.ndarray:
    """Return how many spans ``[start, start + length)`` cover each of `size` positions."""
    row, offset = expand(lengths)
    return np.bincount(starts[row] + offset, minlength=size)


def fixed_matches(candidates: Candidates, n_hyp: np.ndarray, n_ref: np.ndarray) -> np.ndarray:
    """Return which candidates the jar's pre-pass fixes, shape (X,), bool.

    A candidate is fixed when it is the only one at its reference position and no other
    candidate covers any word of it, on either side.
    """
    c = candidates
    hyp_base = np.cumsum(n_hyp) - n_hyp
    ref_base = np.cumsum(n_ref) - n_ref
    ref_at = ref_base[c.pair] + c.ref_start
    hyp_at = hyp_base[c.pair] + c.hyp_start
    ref_prefix = np.concatenate([[0], np.cumsum(_span_counts(ref_at, c.ref_len, n_ref.sum()))])
    hyp_prefix = np.concatenate([[0], np.cumsum(_span_counts(hyp_at, c.hyp_len, n_hyp.sum()))])
    alone = np.bincount(ref_at, minlength=n_ref.sum())[ref_at] == 1
    return (alone & (ref_prefix[ref_at + c.ref_len] - ref_prefix[ref_at] == c.ref_len)
            & (hyp_prefix[hyp_at + c.hyp_len] - hyp_prefix[hyp_at] == c.hyp_len))


def align(candidates: Candidates, n_hyp: np.ndarray, n_ref: np.ndarray,
          exact_slot: int | None, beam_size: int = BEAM_SIZE) -> np.ndarray:
    """Return which candidates form the jar's best alignment of each pair, shape (X,), bool.

    Parameters
    ----------
    candidates : Candidates
    n_hyp, n_ref : ndarray of shape (P,), int64
        Hypothesis and reference length of each pair.
    exact_slot : int or None
        Slot of the exact module: its matches weigh 1 in the search, all others 0.5.
    beam_size : int, default=40
    """
    c = candidates
    fixed = fixed_matches(c, n_hyp, n_ref)
    chosen = fixed.copy()
    open_pairs = np.flatnonzero(np.bincount(c.pair[~fixed], minlength=len(n_hyp)))
    if not len(open_pairs):
        return chosen
    local_of = np.full(len(n_hyp), -1, dtype=np.int64)
    local_of[open_pairs] = np.arange(len(open_pairs))
    searched = np.flatnonzero(local_of[c.pair] >= 0)
    local_pair = local_of[c.pair[searched]]
    layout = _KeyLayout.fitting(np.bincount(local_pair), n_hyp[open_pairs], n_ref[open_pairs])
    bounds = np.searchsorted(local_pair, np.arange(0, len(open_pairs) + layout.batch,
                                                   layout.batch))
    for batch, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        index = searched[start:stop]
        pairs = open_pairs[batch * layout.batch:(batch + 1) * layout.batch]
        local = Candidates(local_pair[start:stop] - batch * layout.batch, c.ref_start[index],
                           c.ref_len[index], c.hyp_start[index], c.hyp_len[index], c.slot[index])
        path = _Search(local, fixed[index], n_hyp[pairs], n_ref[pairs], exact_slot, beam_size,
                       layout).run()
        chosen[index[path]] = True
    return chosen


@dataclass(frozen=True)
class _KeyLayout:
    """How a state's pair and rank fit in one int64 key, smaller = better.

    key = pair << shift + base - score * score_unit + chunks * chunk_unit + distance; `base`
    keeps it above the pair's floor whatever the score, and `batch` pairs fit in 63 bits.
    """

    chunk_unit: int
    score_unit: int
    base: int
    shift: int
    batch: int

    @classmethod
    def fitting(cls, per_pair: np.ndarray, n_hyp: np.ndarray, n_ref: np.ndarray) -> _KeyLayout:
        """Choose the layout for pairs with `per_pair` candidates and these lengths."""
        longest = int(max(n_hyp.max(), n_ref.max()))
        distance_bits = (int(per_pair.max()) * (longest + 1)).bit_length()
        chunk_bits = (int(n_ref.max()) + 2).bit_length()
        score_bits = int(n_hyp.max() + n_ref.max() + 1).bit_length()
        shift = distance_bits + chunk_bits + score_bits + 1
        # Within capeval's caption limit (1,000 tokens) shift stays <= 58: at most 5.2e7
        # candidates per pair (paraphrases of up to 7 words on both sides) times 1,001.
        if shift > 62:
            raise ValueError("captions too long for METEOR's alignment search "
                             f"({int(n_hyp.max())} and {int(n_ref.max())} words)")
        score_unit = 1 << (distance_bits + chunk_bits)
        return cls(1 << distance_bits, score_unit, score_unit << score_bits, shift,
                   min(_MAX_BATCH, 1 << (62 - shift)))


_MAX_BATCH = 1 << 13
"""Pairs searched together at most (bounds the per-step arrays)."""


class _Search:
    """The beam search of Q pairs that have candidates left after the pre-pass."""

    def __init__(self, candidates: Candidates, fixed: np.ndarray, n_hyp: np.ndarray,
                 n_ref: np.ndarray, exact_slot: int | None, beam_size: int,
                 layout: _KeyLayout) -> None:
        c = self.candidates = candidates
        self.beam_size, self.layout = beam_size, layout
        self.gain = np.where(c.slot == exact_slot, c.ref_len + c.hyp_len,
                             c.ref_len // 2 + c.hyp_len // 2)
        self.distance = np.abs(c.ref_start - c.hyp_start)
        self.hyp_end = c.hyp_start + c.hyp_len
        self.width = -(-int(n_hyp.max()) // 64)
        self.mask = _bit_ranges(c.hyp_start, self.hyp_end, self.width)
        self.fixed = fixed
        # The candidates at (pair, reference position): cell = pair * stride + position.
        self.stride = int(n_ref.max()) + 1
        self.count = np.bincount(c.pair * self.stride + c.ref_start,
                                 minlength=len(n_ref) * self.stride)
        self.low = np.cumsum(self.count) - self.count
        self.fixed_cell = np.zeros(len(self.count), dtype=bool)
        self.fixed_cell[(c.pair * self.stride + c.ref_start)[fixed]] = True
        # Past its last candidate a pair's beam only closes chunks, as `_finish` does. (Every
        # pair searched has candidates, sorted by pair.)
        self.finish_at = np.maximum.reduceat(c.ref_start + c.ref_len,
                                             np.searchsorted(c.pair, np.arange(len(n_ref))))
        self.runs = _Runs.of(self, np.flatnonzero(fixed))
        self.parents: list[np.ndarray] = []
        self.matches: list[np.ndarray] = []
        self.n_nodes = 0

    def run(self) -> np.ndarray:
        """Return the local candidate ids on the best path of every pair (fixed excluded)."""
        n_pairs = len(self.finish_at)
        hyp_used = np.zeros((n_pairs, self.width), dtype=np.uint64)
        fixed = np.flatnonzero(self.fixed)
        np.bitwise_or.at(hyp_used, self.candidates.pair[fixed], self.mask[fixed])
        minus_one = np.full(n_pairs, -1, dtype=np.int64)
        key = (np.arange(n_pairs, dtype=np.int64) << self.layout.shift) + self.layout.base
        state = _States(key, hyp_used, minus_one, np.zeros(n_pairs, dtype=np.int64), minus_one)
        best = np.full(n_pairs, -1, dtype=np.int64)
        at = np.zeros(n_pairs, dtype=np.int64)  # each pair's next reference position
        while len(state.key):
            state = self._skip(state, at)
            pair = state.key >> self.layout.shift
            done = self.finish_at[pair] == at[pair]
            if done.any():  # pairs past their last candidate: finished here
                self._finish(state.take(np.flatnonzero(done)), best)
                state = state.take(np.flatnonzero(~done))
            if len(state.key):
                state = self._step(state, at)
                at += 1
        return self._trace(best)

    def _skip(self, state: _States, at: np.ndarray) -> _States:
        """Move every pair that can to the end of its run of positions without a choice
        (`_Runs`), advancing `at`; states stay in the jar's order."""
        runs = self.runs
        pair = state.key >> self.layout.shift
        start = at[pair]
        cell = pair * self.stride + start
        stop = runs.stop[cell]
        inside = np.zeros(len(at), dtype=bool)  # pairs with a state inside a match here
        inside[pair[state.ref_next > start]] = True
        moving = np.flatnonzero((stop > start) & ~runs.covered[cell] & ~inside[pair])
        if not len(moving):
            return state
        q, first, last = pair[moving], start[moving], stop[moving]
        row = q * (self.stride + 1)  # of the prefix arrays
        open_end = state.open_end[moving]
        closed = (((open_end != -1) & (open_end != runs.fixed_start[cell[moving]]))
                  + runs.closing[row + last] - runs.closing[row + first + 1])
        key, open_ends, ref_next = state.key.copy(), state.open_end.copy(), state.ref_next.copy()
        key[moving] += (closed * self.layout.chunk_unit
                        + runs.change[row + last] - runs.change[row + first])
        open_ends[moving] = runs.open_after[q * self.stride + last - 1]
        ref_next[moving] = last
        at[q] = last
        moved = _States(key, state.hyp_used, open_ends, ref_next, state.node)
        if (key[1:] >= key[:-1]).all():  # still in order (the usual case)
            return moved
        return moved.take(np.argsort(key, kind="stable"))

    def _step(self, state: _States, at: np.ndarray) -> _States:
        """Advance every state over its pair's reference position `at`; keep each pair's best.

        The jar generates each state's children (one per usable candidate at the position, in
        candidate order), then the state itself, then stably sorts each pair's generation by
        key and keeps the first `beam_size`. Only the keys of the whole generation are
        computed; the other columns only for the rows kept.
        """
        c, chunk, score = self.candidates, self.layout.chunk_unit, self.layout.score_unit
        pair = state.key >> self.layout.shift
        pos = at[pair]
        cell = pair * self.stride + pos
        low, at_fixed = self.low[cell], self.fixed_cell[cell]
        through = state.ref_next > pos  # inside a match this path took
        is_open = state.open_end != -1

        # Children: one per (state, usable candidate), in candidate order.
        row, offset = expand(np.where(at_fixed | through, 0, self.count[cell]))
        candidate = low[row] + offset
        usable = np.flatnonzero(~(state.hyp_used[row] & self.mask[candidate]).any(axis=1))
        parent, taken = row[usable], candidate[usable]
        n_children = np.bincount(parent, minlength=len(cell))
        # A child's key carries the distances of its elder siblings, the state all of them.
        charged = np.concatenate([[0], np.cumsum(self.distance[taken])])
        eldest = np.cumsum(n_children) - n_children
        open_end = state.open_end[parent]
        child_key = (state.key[parent] + charged[:-1] - charged[eldest[parent]]
                     - self.gain[taken] * score
                     + np.where((open_end != -1) & (c.hyp_start[taken] != open_end), chunk, 0))

        # The state itself takes the fixed match, passes through, or skips (closing its chunk).
        own_key = state.key + charged[eldest + n_children] - charged[eldest]
        own_key += np.where(is_open & ~through, chunk, 0)
        at = np.flatnonzero(at_fixed)
        fixed = low[at]
        own_key[at] += (self.distance[fixed] - self.gain[fixed] * score
                        - np.where(state.open_end[at] == c.hyp_start[fixed], chunk, 0))

        # Generation order: each state's children, then the state; sort, cut, keep.
        own_at = eldest + n_children + np.arange(len(cell))
        generated = np.empty(len(taken) + len(cell), dtype=np.int64)
        generated[own_at] = own_key
        source = np.empty(len(generated), dtype=np.int64)  # child index, or S + state
        source[own_at] = len(taken) + np.arange(len(cell))
        child_at = np.arange(len(taken)) + parent
        generated[child_at] = child_key
        source[child_at] = np.arange(len(taken))
        kept = self._best_first(generated)
        return self._keep(state, generated[kept], source[kept], parent, taken, at_fixed, low,
                          through, pos)

    def _best_first(self, key: np.ndarray) -> np.ndarray:
        """Return the rows of the first `beam_size` keys of each pair, stably sorted."""
        order = np.argsort(key, kind="stable")
        pair = key[order] >> self.layout.shift
        index = np.arange(len(pair))
        group_start = np.maximum.accumulate(
            np.where(np.concatenate([[True], pair[1:] != pair[:-1]]), index, 0))
        return order[index - group_start < self.beam_size]

    def _keep(self, state: _States, key: np.ndarray, source: np.ndarray, parent: np.ndarray,
              taken: np.ndarray, at_fixed: np.ndarray, low: np.ndarray, through: np.ndarray,
              pos: np.ndarray) -> _States:
        """Build the kept states from their `source` (a child index, or S + the state's row);
        each kept child gets a path node of its own. `pos`: each state's position."""
        c = self.candidates
        child = np.flatnonzero(source < len(taken))
        own = np.flatnonzero(source >= len(taken))
        origin = np.empty(len(source), dtype=np.int64)
        origin[child] = parent[source[child]]
        origin[own] = source[own] - len(taken)
        match = taken[source[child]]
        hyp_used = state.hyp_used[origin]
        hyp_used[child] |= self.mask[match]
        open_end = np.empty(len(source), dtype=np.int64)
        ref_next = np.empty(len(source), dtype=np.int64)
        open_end[child] = self.hyp_end[match]
        ref_next[child] = pos[origin[child]] + c.ref_len[match]
        row = origin[own]
        fixed, is_fixed = low[row], at_fixed[row]
        fixed_at = np.minimum(fixed, len(self.distance) - 1)  # used where `is_fixed` only
        open_end[own] = np.where(is_fixed, self.hyp_end[fixed_at],
                                 np.where(through[row], state.open_end[row], -1))
        ref_next[own] = np.where(is_fixed, pos[row] + c.ref_len[fixed_at],
                                 state.ref_next[row])
        node = state.node[origin]
        self.parents.append(node[child])
        self.matches.append(match)
        node[child] = self.n_nodes + np.arange(len(child))
        self.n_nodes += len(child)
        return _States(key, hyp_used, open_end, ref_next, node)

    def _finish(self, state: _States, best: np.ndarray) -> None:
        """The jar's last iteration: close open chunks, then keep each pair's best path."""
        closed = state.key + np.where(state.open_end != -1, self.layout.chunk_unit, 0)
        order = np.argsort(closed, kind="stable")
        pair = closed[order] >> self.layout.shift
        first = np.flatnonzero(np.concatenate([[True], pair[1:] != pair[:-1]]))
        best[pair[first]] = state.node[order[first]]

    def _trace(self, best: np.ndarray) -> np.ndarray:
        """Return the candidate ids on the paths ending at nodes `best`."""
        if not self.n_nodes:
            return np.zeros(0, dtype=np.int64)
        parents = np.concatenate(self.parents)
        matches = np.concatenate(self.matches)
        taken = []
        node = best[best >= 0]
        while len(node):
            taken.append(matches[node])
            node = parents[node]
            node = node[node >= 0]
        return np.concatenate(taken) if taken else np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class _Runs:
    """Runs of reference positions where a pair's states have no choice, crossed at once.

    At a position without candidates, or with only a fixed one, no state branches: each takes
    the fixed match or skips the position (closing its open chunk), and the beam cannot
    overflow. If no state of the pair is inside a match there, this first position leaves
    all of them with the same open chunk, so each later position of the run changes all
    their keys alike: after the run, their order is the stable sort of their final keys,
    which is what the jar's stable sort at every position gives.

    Cells are (pair, position) as in `_Search`, flat; the prefix arrays are flat too,
    (Q * (stride + 1),): entry q * (stride + 1) + j sums pair q's positions before j.
    """

    stop: np.ndarray  # next position with a candidate that is not fixed, else finish_at
    covered: np.ndarray  # bool: inside a fixed match (not its first position)
    fixed_start: np.ndarray  # hypothesis start of the fixed match starting here, else -1
    open_after: np.ndarray  # open_end after the position, for states that entered it alike
    closing: np.ndarray  # prefix: chunks closed by such states
    change: np.ndarray  # prefix: key change of the fixed matches taken

    @classmethod
    def of(cls, search: _Search, fixed: np.ndarray) -> _Runs:
        c, stride = search.candidates, search.stride
        n_cells = len(search.count)
        position = np.arange(n_cells) % stride
        at_fixed = (c.pair * stride + c.ref_start)[fixed]
        row, offset = expand(c.ref_len[fixed] - 1)
        covered = np.zeros(n_cells, dtype=bool)
        covered[at_fixed[row] + 1 + offset] = True
        fixed_start = np.full(n_cells, -1, dtype=np.int64)
        fixed_start[at_fixed] = c.hyp_start[fixed]
        open_after = np.full(n_cells, -1, dtype=np.int64)
        open_after[at_fixed] = search.hyp_end[fixed]
        # Inside a fixed match the open chunk is the match's: carry it forward.
        last_uncovered = np.maximum.accumulate(
            np.where(covered, 0, np.arange(n_cells)).reshape(-1, stride), axis=1)
        open_after = open_after[last_uncovered.reshape(-1)]
        before = np.where(position > 0, np.roll(open_after, 1), -1)
        choice = (search.count > 0) & ~search.fixed_cell
        closes = ~covered & ~choice & (before != -1) & (before != fixed_start)
        change = np.zeros(n_cells, dtype=np.int64)
        change[at_fixed] = (search.distance[fixed]
                            - search.gain[fixed] * search.layout.score_unit)
        next_choice = np.minimum.accumulate(
            np.where(choice, position, stride).reshape(-1, stride)[:, ::-1], axis=1)[:, ::-1]
        stop = np.minimum(next_choice, search.finish_at[:, np.newaxis]).reshape(-1)
        return cls(stop, covered, fixed_start, open_after, _prefix(closes, stride),
                   _prefix(change, stride))


def _prefix(values: np.ndarray, stride: int) -> np.ndarray:
    """Return per-row exclusive prefix sums of flat (rows * stride) values, flat
    (rows * (stride + 1),): a flat index gathers faster than a (row, column) pair."""
    rows = values.reshape(-1, stride).astype(np.int64)
    return np.concatenate([np.zeros((len(rows), 1), dtype=np.int64), np.cumsum(rows, axis=1)],
                          axis=1).reshape(-1)


@dataclass(frozen=True)
class _States:
    """S partial alignments, grouped by pair (the key's high bits) in the jar's order."""

    key: np.ndarray
    hyp_used: np.ndarray  # (S, W) uint64
    open_end: np.ndarray
    ref_next: np.ndarray
    node: np.ndarray  # path so far (-1: empty)

    def take(self, index: np.ndarray) -> _States:
        return take_rows(self, index)


def _bit_ranges(starts: np.ndarray, ends: np.ndarray, width: int) -> np.ndarray:
    """Return bit masks of the positions ``start .. end - 1``, shape (len(starts), width)."""
    masks = np.zeros((len(starts), width), dtype=np.uint64)
    for word in range(width):
        low = np.clip(starts - 64 * word, 0, 64).astype(np.uint64)
        high = np.clip(ends - 64 * word, 0, 64).astype(np.uint64)
        masks[:, word] = _low_bits(high) ^ _low_bits(low)
    return masks


def _low_bits(count: np.ndarray) -> np.ndarray:
    """Return ``2**count - 1`` for counts 0..64, as uint64."""
    full = count >= 64
    shifted = np.left_shift(np.uint64(1), np.where(full, 0, count).astype(np.uint64))
    return np.where(full, ~np.uint64(0), shifted - np.uint64(1))


def alignment_stats(candidates: Candidates, chosen: np.ndarray, n_hyp: np.ndarray,
                    n_ref: np.ndarray, hyp_function: np.ndarray,
                    ref_function: np.ndarray) -> np.ndarray:
    """Return the jar's 23 statistics of each pair's alignment, shape (P, 23), int64.

    Parameters
    ----------
    candidates : Candidates
    chosen : ndarray of shape (X,), bool
        The alignment (`align`).
    n_hyp, n_ref : ndarray of shape (P,)
    hyp_function, ref_function : ndarray of shape (sum(n_hyp),) and (sum(n_ref),), bool
        Function-word flag of each word of the pairs' hypotheses / references, pair by pair.
    """
    n_pairs = len(n_hyp)
    stats = np.zeros((n_pairs, N_STATS), dtype=np.int64)
    hyp_prefix = np.concatenate([[0], np.cumsum(hyp_function)])
    ref_prefix = np.concatenate([[0], np.cumsum(ref_function)])
    hyp_base = np.cumsum(n_hyp) - n_hyp
    ref_base = np.cumsum(n_ref) - n_ref
    stats[:, 0], stats[:, 1] = n_hyp, n_ref
    stats[:, 2] = hyp_prefix[hyp_base + n_hyp] - hyp_prefix[hyp_base]
    stats[:, 3] = ref_prefix[ref_base + n_ref] - ref_prefix[ref_base]
    m = candidates.take(np.flatnonzero(chosen))  # ordered by pair, then reference start
    hyp_at = hyp_base[m.pair] + m.hyp_start
    ref_at = ref_base[m.pair] + m.ref_start
    hyp_function_count = hyp_prefix[hyp_at + m.hyp_len] - hyp_prefix[hyp_at]
    ref_function_count = ref_prefix[ref_at + m.ref_len] - ref_prefix[ref_at]
    base = 4 + 4 * m.slot
    flat = stats.reshape(-1)
    row = m.pair * N_STATS
    for offset, values in ((0, m.hyp_len - hyp_function_count), (1, m.ref_len - ref_function_count),
                           (2, hyp_function_count), (3, ref_function_count)):
        np.add.at(flat, row + base + offset, values)
    np.add.at(flat, row + 21, m.hyp_len)
    np.add.at(flat, row + 22, m.ref_len)
    opens_chunk = np.ones(len(m.pair), dtype=bool)  # not contiguous with the previous match
    opens_chunk[1:] = ((m.pair[1:] != m.pair[:-1])
                       | (m.ref_start[1:] != m.ref_start[:-1] + m.ref_len[:-1])
                       | (m.hyp_start[1:] != m.hyp_start[:-1] + m.hyp_len[:-1]))
    np.add.at(flat, row + 20, opens_chunk.astype(np.int64))
    return stats
