"""The human baseline: each reference caption in turn scored against the other references.

Fold f holds out reference f of every image as the "human" caption and keeps the others as
that image's references. With F folds (F = the smallest number of references of any image),
the human score is the mean over folds of the corpus score of the held-out captions against
the remaining ones. Systems compared with it are scored fold by fold against the *same*
reduced reference sets and averaged the same way, so that neither side has one reference more
than the other (a system scored against all R references would have an edge over the human
captions, which only ever see R - 1).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple, TypeVar

HUMAN = "Human"
"""Name of the human row in leaderboards."""

Caption = TypeVar("Caption")


class Fold(NamedTuple):
    """One leave-one-reference-out split of S images."""

    held_out: list
    """S captions: reference f of every image (the human caption of this fold)."""
    references: list[list]
    """S lists: every image's other references."""


def leave_one_out_folds(references: Sequence[Sequence[Caption]]) -> list[Fold]:
    """Split references into F folds, fold f holding out reference f of every image.

    Parameters
    ----------
    references : sequence of S sequences of captions (str or token lists)

    Returns
    -------
    list of F `Fold`
        F is the smallest number of references per image (`fold_count`); images with more
        references keep their extra references in every fold.

    Raises
    ------
    ValueError
        If some image has fewer than two references.
    """
    return [hold_out(references, fold) for fold in range(fold_count(map(len, references)))]


def fold_count(counts: Iterable[int]) -> int:
    """Return F, the number of leave-one-out folds: the smallest number of references.

    Parameters
    ----------
    counts : iterable of S ints
        The number of references of every image, in image order (read once).

    Raises
    ------
    ValueError
        If there is no image, or some image has fewer than two references (naming the
        first such image by its number in image order).
    """
    smallest, short = None, None
    for number, count in enumerate(counts, start=1):
        smallest = count if smallest is None else min(smallest, count)
        if count < 2 and short is None:
            short = (number, count)
    if smallest is None:
        raise ValueError("no images")
    if short is not None:
        raise ValueError(
            f"the human baseline needs at least two references per image; image number "
            f"{short[0]} has {short[1]}"
        )
    return smallest


def hold_out(references: Sequence[Sequence[Caption]], fold: int) -> Fold:
    """Return fold `fold` of S images: reference `fold` of each held out, the others kept."""
    return Fold([refs[fold] for refs in references],
                [[*refs[:fold], *refs[fold + 1:]] for refs in references])
