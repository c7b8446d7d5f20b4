"""Pair hypotheses with references by image id, in hypothesis order."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from capeval.errors import CapevalInputError, option_name
from capeval.io.ids import ImageId, canonical_id
from capeval.io.source import type_name
from capeval.limits import caption_length_problem

logger = logging.getLogger("capeval")

SHOWN_IDS = 5
"""How many image ids an error message lists before "and N more"."""

_Value = TypeVar("_Value")


class Aligned(NamedTuple):
    """Hypotheses and references of the same N images, position by position."""

    ids: list[ImageId]
    """N canonical image ids, in hypothesis order."""
    hypotheses: list[str]
    """N hypothesis captions."""
    references: list[list[str]]
    """N lists of reference captions (at least one each)."""


def align(
    hypotheses: Mapping[Any, str],
    references: Mapping[Any, Sequence[str]],
    *,
    hyp_source: str = "hypotheses",
    ref_source: str = "references",
    allow_partial: bool = False,
) -> Aligned:
    """Pair each hypothesis with the references of the same image.

    Ids of both mappings are canonicalised first (`capeval.io.ids.canonical_id`), so
    ``391895`` and ``"391895"`` are the same image. The order of `hypotheses` is kept;
    nothing is reordered or dropped silently.

    Parameters
    ----------
    hypotheses : mapping of image id -> str
    references : mapping of image id -> sequence of str
    hyp_source, ref_source : str
        Names of where the two came from (file names), for messages.
    allow_partial : bool, default=False
        Score only the images that have a hypothesis when some referenced images have none,
        logging a warning that says how many were left out (instead of an error).

    Returns
    -------
    Aligned
        ``(ids, hypotheses, references)``, three lists of length N.

    Raises
    ------
    CapevalInputError
        When a hypothesis is for an image without references (always an error: a hypothesis
        is never dropped; when no id matches at all, the message shows ids of both sides),
        when referenced images lack hypotheses (unless `allow_partial`), or for ids and
        captions of the wrong type.
    """
    return align_checked(hypotheses, check_references(references, ref_source),
                         hyp_source=hyp_source, ref_source=ref_source,
                         allow_partial=allow_partial)


def align_checked(
    hypotheses: Mapping[Any, str],
    references: dict[ImageId, list[str]],
    *,
    hyp_source: str = "hypotheses",
    ref_source: str = "references",
    allow_partial: bool = False,
) -> Aligned:
    """`align` against references that `check_references` returned (not checked again)."""
    hyps = _canonical_keys(hypotheses, hyp_source, "hypotheses")
    _check_hypotheses(hyps, hyp_source)
    unknown = [image_id for image_id in hyps if image_id not in references]
    check_pairing(
        IdSample.of(unknown),
        IdSample.of([image_id for image_id in references if image_id not in hyps]),
        IdSample.of(list(hyps)),
        IdSample.of(list(references)),
        hyp_source=hyp_source,
        ref_source=ref_source,
        allow_partial=allow_partial,
        unknown_blank=all(not hyps[image_id].strip() for image_id in unknown),
    )
    ids = list(hyps)
    return Aligned(ids, [hyps[i] for i in ids], [references[i] for i in ids])


class IdSample(NamedTuple):
    """A set of image ids, for messages: how many there are and the first few of them."""

    total: int
    first: list[ImageId]

    @classmethod
    def of(cls, ids: Sequence[ImageId]) -> IdSample:
        return cls(len(ids), list(ids[:SHOWN_IDS]))


def check_pairing(
    unknown: IdSample,
    missing: IdSample,
    hypotheses: IdSample,
    references: IdSample,
    *,
    hyp_source: str,
    ref_source: str,
    allow_partial: bool,
    unknown_blank: bool = False,
) -> None:
    """Check how the hypothesis ids meet the reference ids (the rules of `align`).

    Parameters
    ----------
    unknown : IdSample
        Hypothesis ids without references, in hypothesis order.
    missing : IdSample
        Reference ids without a hypothesis, in reference order.
    hypotheses, references : IdSample
        All ids of each side, in their order.
    hyp_source, ref_source, allow_partial
        As for `align` (a warning is logged for a partial evaluation).
    unknown_blank : bool, default=False
        Whether every hypothesis in `unknown` is blank (the message then suggests trailing
        blank lines of a text file).

    Raises
    ------
    CapevalInputError
        As `align` does.
    """
    if unknown.total == hypotheses.total:
        raise CapevalInputError(
            hyp_source,
            None,
            f"no hypothesis id matches an image id of {ref_source} (hypotheses: "
            f"{show_ids(hypotheses, 3)}; references: {show_ids(references, 3)})",
        )
    if unknown.total:
        raise CapevalInputError(
            hyp_source,
            None,
            f"hypotheses for {unknown.total} image(s) that have no references in "
            f"{ref_source}: {show_ids(unknown)}"
            + ("; these hypotheses are empty: blank lines at the end of a text file?"
               if unknown_blank else ""),
        )
    if missing.total and not allow_partial:
        raise CapevalInputError(
            hyp_source,
            None,
            f"no hypothesis for {missing.total} of the {references.total} images in "
            f"{ref_source}: {show_ids(missing)}; to score only the {hypotheses.total} image(s) "
            f"that have one, allow partial evaluation ({option_name('allow_partial')})",
        )
    if missing.total:
        logger.warning(
            "%s: scoring %d of the %d images in %s; %d image(s) without a hypothesis are "
            "left out: %s",
            hyp_source, hypotheses.total, references.total, ref_source, missing.total,
            show_ids(missing),
        )


def check_references(
    references: Mapping[Any, Sequence[str]], source: str = "references"
) -> dict[ImageId, list[str]]:
    """Return the references re-keyed by canonical id, each image's captions as a new list.

    Raises
    ------
    CapevalInputError
        Naming `source` and the image, for an empty mapping, two keys naming one image, an
        image without captions or a caption that is not a string.
    """
    return {
        image_id: _reference_list(captions, source, image_id)
        for image_id, captions in _canonical_keys(references, source, "references").items()
    }


def _canonical_keys(
    mapping: Mapping[Any, _Value], source: str, what: str
) -> dict[ImageId, _Value]:
    """Re-key a mapping by canonical id; two keys naming one image are an error."""
    if not mapping:
        raise CapevalInputError(source, None, f"no {what}")
    canonical: dict[ImageId, _Value] = {}
    original: dict[ImageId, Any] = {}
    for key, value in mapping.items():
        try:
            image_id = canonical_id(key)
        except ValueError as error:
            raise CapevalInputError(source, f"image {key!r}", str(error)) from None
        if image_id in canonical:
            raise CapevalInputError(
                source,
                f"image {key!r}",
                f"same image as {original[image_id]!r} (ids are compared as canonical ids)",
            )
        canonical[image_id] = value
        original[image_id] = key
    return canonical


def _check_hypotheses(hypotheses: dict[ImageId, Any], source: str) -> None:
    for image_id, caption in hypotheses.items():
        if not isinstance(caption, str):
            raise CapevalInputError(
                source,
                f"image {image_id!r}",
                f"hypothesis is not a string (got {type_name(caption)})",
            )
        _check_length(caption, source, f"image {image_id!r}")


def _check_length(caption: str, source: str, record: str) -> None:
    problem = caption_length_problem(caption)
    if problem is not None:
        raise CapevalInputError(source, record, problem)


def _reference_list(captions: Any, source: str, image_id: ImageId) -> list[str]:
    """Return the references of one image as a new list, checking every caption."""
    record = f"image {image_id!r}"
    if isinstance(captions, (str, bytes, Mapping)) or not isinstance(captions, Iterable):
        raise CapevalInputError(
            source, record, f"references must be a list of strings (got {type_name(captions)})"
        )
    captions = list(captions)
    if not captions:
        raise CapevalInputError(source, record, "no reference captions")
    for caption in captions:
        if not isinstance(caption, str):
            raise CapevalInputError(
                source, record, f"reference is not a string (got {type_name(caption)})"
            )
        _check_length(caption, source, record)
    return captions


SHOWN_DIFFERENT_IDS = 3
"""How many ids `check_same_images` shows of each side."""


def check_same_images(
    source: str, first_source: str, counts: tuple[int, int], only_here: IdSample,
    only_first: IdSample,
) -> None:
    """Check that a system captions the images the first system of a leaderboard captions.

    Parameters
    ----------
    source, first_source : str
        Where the system and the first system came from (file names).
    counts : (int, int)
        How many images each of the two captions.
    only_here, only_first : IdSample
        The images only one of the two captions; `first` holds the `SHOWN_DIFFERENT_IDS`
        smallest by their displayed id (``str``).

    Raises
    ------
    CapevalInputError
        When either set is not empty.
    """
    if not only_here.total and not only_first.total:
        return

    def examples(sample: IdSample) -> str:
        more = ", ..." if sample.total > SHOWN_DIFFERENT_IDS else ""
        return f": {', '.join(map(repr, sample.first))}{more}" if sample.total else ""

    raise CapevalInputError(
        source, None,
        f"captions {counts[0]} images, {first_source} captions {counts[1]}; every system must "
        f"caption the same images ({only_here.total} only here{examples(only_here)}, "
        f"{only_first.total} only in {first_source}{examples(only_first)})",
    )


def show_ids(ids: Sequence[ImageId] | IdSample, limit: int = SHOWN_IDS) -> str:
    """List ids for a message, at most `limit` (up to `SHOWN_IDS` for an `IdSample`)."""
    total, first = (ids.total, ids.first) if isinstance(ids, IdSample) else (len(ids), ids)
    shown = ", ".join(repr(image_id) for image_id in first[:limit])
    return shown if total <= limit else f"{shown} and {total - limit} more"
