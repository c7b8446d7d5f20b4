"""The jar's alignment search (beam 40) and the statistics of the chosen alignment.

The search reproduces ``meteor-1.5.jar`` including its quirks (capeval METEOR specification,
section 5): a pre-pass fixes every reference position with a single, uncontested candidate;
the beam search then walks the reference left to right, ranking partial alignments by
(integer-truncated match score, descending; closed chunks; distance) with a stable sort;
a match's distance is charged to its parent path, and chunks count only when closed.

A partial alignment is the tuple ``(key, hyp_used, ref_used, open_end, path)``: ``key``
packs the rank key into one integer (smaller is better), the used-word sets are bit masks,
``open_end`` is the hypothesis position after the open chunk (-1 if none) and ``path`` is a
linked list ``(match, rest)`` of the matches taken so far (fixed matches excluded). The jar
also tracks the next reference position to process; it is implied here: a used reference
position either starts a fixed match (taken there) or lies inside a match already taken.
"""
from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from capeval.metrics.meteor.matchers import Match
from capeval.metrics.meteor.scoring import N_STATS

BEAM_SIZE = 40
"""The jar's default beam width."""

# Rank key = -score * _SCORE + chunks * _CHUNK + distance, exact while distances < 2**64
_CHUNK = 1 << 64
_SCORE = 1 << 96  # and chunks < 2**32
_rank = itemgetter(0)


def _fixed_matches(by_ref: Sequence[Sequence[Match]], n_hyp: int) -> list[Match | None]:
    """Return the definite match of each reference position (or None), per the jar's pre-pass.

    A position is fixed when it has exactly one candidate and no other candidate covers any
    word of it, on either side.
    """
    hyp_cover = [0] * n_hyp
    ref_cover = [0] * len(by_ref)
    for matches in by_ref:
        for ref_start, ref_len, hyp_start, hyp_len, _ in matches:
            for j in range(ref_start, ref_start + ref_len):
                ref_cover[j] += 1
            for i in range(hyp_start, hyp_start + hyp_len):
                hyp_cover[i] += 1
    fixed: list[Match | None] = [None] * len(by_ref)
    for matches in by_ref:
        if len(matches) == 1:
            ref_start, ref_len, hyp_start, hyp_len, _ = match = matches[0]
            if (sum(ref_cover[ref_start:ref_start + ref_len]) == ref_len
                    and sum(hyp_cover[hyp_start:hyp_start + hyp_len]) == hyp_len):
                fixed[ref_start] = match
    return fixed


def align(by_ref: Sequence[Sequence[Match]], n_hyp: int, exact_slot: int | None,
          beam_size: int = BEAM_SIZE) -> list[Match]:
    """Return the matches of the jar's best alignment, ordered by reference position.

    Parameters
    ----------
    by_ref : sequence of n sequences of Match
        Candidates per reference position, in the jar's order (`matchers.candidates`).
    n_hyp : int
        Hypothesis length m.
    exact_slot : int or None
        Slot of the exact module: its matches weigh 1 in the search, all others 0.5.
    beam_size : int, default=40
    """
    fixed = _fixed_matches(by_ref, n_hyp)
    chosen = [match for match in fixed if match is not None]
    if len(chosen) == sum(map(len, by_ref)):  # every candidate is fixed: nothing to search
        return chosen
    hyp_used = ref_used = 0
    for match in fixed:
        if match is not None:
            ref_start, ref_len, hyp_start, hyp_len, _ = match
            ref_used |= ((1 << ref_len) - 1) << ref_start
            hyp_used |= ((1 << hyp_len) - 1) << hyp_start

    frontier = [(0, hyp_used, ref_used, -1, None)]
    for pos, options in enumerate(by_ref):
        if len(frontier) > 1:
            frontier.sort(key=_rank)
        beam = frontier[:beam_size] if len(frontier) > beam_size else frontier
        bit = 1 << pos
        match = fixed[pos]
        if match is not None:  # every path has reached the fixed match: take it
            ref_start, ref_len, hyp_start, hyp_len, _ = match
            step = abs(ref_start - hyp_start) - _gain(match, exact_slot) * _SCORE
            hyp_end = hyp_start + hyp_len
            frontier = [
                (key + step + (_CHUNK if open_end != -1 and open_end != hyp_start else 0),
                 hyp_used, ref_used, hyp_end, path)
                for key, hyp_used, ref_used, open_end, path in beam
            ]
        elif not options:  # nothing to match: close open chunks unless inside a taken match
            frontier = [
                state if state[3] == -1 or state[2] & bit
                else (state[0] + _CHUNK, state[1], state[2], -1, state[4])
                for state in beam
            ]
        else:
            frontier = _branch(beam, bit, options, exact_slot)
    frontier.sort(key=_rank)
    closed = [(key + _CHUNK if open_end != -1 else key, path)
              for key, _, _, open_end, path in frontier[:beam_size]]
    closed.sort(key=_rank)
    path = closed[0][1]
    while path is not None:
        match, path = path
        chosen.append(match)
    chosen.sort()
    return chosen


def _branch(beam: list[tuple], bit: int, options: Sequence[Match],
            exact_slot: int | None) -> list[tuple]:
    """Extend each path by every usable candidate of the position, then by skipping it."""
    expanded = [
        (match, ((1 << match[3]) - 1) << match[2], ((1 << match[1]) - 1) << match[0],
         match[2], match[2] + match[3], _gain(match, exact_slot) * _SCORE,
         abs(match[0] - match[2]))
        for match in options
    ]
    frontier: list[tuple] = []
    append = frontier.append
    for state in beam:
        key, hyp_used, ref_used, open_end, path = state
        if ref_used & bit:  # inside a match taken earlier
            append(state)
            continue
        for match, hyp_mask, ref_mask, hyp_start, hyp_end, gain, distance in expanded:
            if hyp_used & hyp_mask or ref_used & ref_mask:
                continue
            child_key = key - gain
            if open_end != -1 and hyp_start != open_end:
                child_key += _CHUNK
            append((child_key, hyp_used | hyp_mask, ref_used | ref_mask, hyp_end,
                    (match, path)))
            key += distance  # the jar charges the distance to the parent path
        if open_end != -1:
            key += _CHUNK
        append((key, hyp_used, ref_used, -1, path))
    return frontier


def _gain(match: Match, exact_slot: int | None) -> int:
    """Search score of a match: words on both sides times 1 (exact) or 0.5, truncated."""
    if match[4] == exact_slot:
        return match[1] + match[3]
    return match[1] // 2 + match[3] // 2


def alignment_stats(chosen: Sequence[Match], hyp_function: Sequence[bool],
                    ref_function: Sequence[bool]) -> list[int]:
    """Return the jar's 23 statistics of an alignment (see `scoring` for the layout).

    Parameters
    ----------
    chosen : sequence of Match
        The alignment, ordered by reference position (`align`).
    hyp_function, ref_function : sequence of bool
        Function-word flag of each hypothesis / reference word.
    """
    stats = [0] * N_STATS
    stats[0], stats[1] = len(hyp_function), len(ref_function)
    stats[2], stats[3] = sum(hyp_function), sum(ref_function)
    chunks = 0
    previous_end = -1  # hyp position after the previous match, if it ended at this ref position
    ref_next = 0
    for ref_start, ref_len, hyp_start, hyp_len, slot in chosen:
        base = 4 + 4 * slot
        for i in range(hyp_start, hyp_start + hyp_len):
            stats[base + (2 if hyp_function[i] else 0)] += 1
        for j in range(ref_start, ref_start + ref_len):
            stats[base + (3 if ref_function[j] else 1)] += 1
        if ref_start != ref_next or hyp_start != previous_end:
            chunks += 1
        previous_end = hyp_start + hyp_len
        ref_next = ref_start + ref_len
        stats[21] += hyp_len
        stats[22] += ref_len
    stats[20] = chunks
    return stats
