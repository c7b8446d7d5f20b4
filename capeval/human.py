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

from collections.abc import Sequence
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
        F is the smallest number of references per image; images with more references keep
        their extra references in every fold.

    Raises
    ------
    ValueError
        If some image has fewer than two references.
    """
    if not references:
        raise ValueError("no images")
    n_folds = min(len(refs) for refs in references)
    if n_folds < 2:
        short = next(index for index, refs in enumerate(references) if len(refs) < 2)
        raise ValueError(
            f"the human baseline needs at least two references per image; image number "
            f"{short + 1} has {len(references[short])}"
        )
    return [
        Fold([refs[fold] for refs in references],
             [[*refs[:fold], *refs[fold + 1:]] for refs in references])
        for fold in range(n_folds)
    ]
