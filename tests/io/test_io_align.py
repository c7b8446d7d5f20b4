"""align(): pairs hypotheses with references in hypothesis order, never dropping silently."""
from __future__ import annotations

import logging

import pytest

from capeval import CapevalInputError
from capeval.errors import naming_flags
from capeval.io import align

REFERENCES = {1: ["a", "b"], 2: ["c"], 3: ["d", "e", "f"]}


def test_pairs_in_hypothesis_order():
    ids, hyps, refs = align({3: "z", 1: "x", 2: "y"}, REFERENCES)
    assert ids == [3, 1, 2]
    assert hyps == ["z", "x", "y"]
    assert refs == [["d", "e", "f"], ["a", "b"], ["c"]]


def test_returns_named_fields_and_new_lists():
    aligned = align({1: "x", 2: "y", 3: "z"}, REFERENCES)
    assert aligned.ids == [1, 2, 3]
    aligned.references[0].append("changed")
    assert REFERENCES[1] == ["a", "b"]


def test_ids_of_different_types_name_the_same_image():
    aligned = align({"391895": "x", 42: "y"}, {391895: ["a"], "42": ("b",)})
    assert aligned == ([391895, 42], ["x", "y"], [["a"], ["b"]])


def test_hypotheses_for_unknown_images_are_an_error_even_when_partial():
    with pytest.raises(CapevalInputError) as raised:
        align({1: "x", 9: "y", "0001": "z"}, REFERENCES, hyp_source="hyps.json",
              ref_source="refs.json", allow_partial=True)
    assert str(raised.value) == (
        "hyps.json: hypotheses for 2 image(s) that have no references in refs.json: 9, '0001'"
    )


def test_no_matching_id_at_all_shows_both_sides():
    references = {391895 + image_id: ["r"] for image_id in range(5)}
    with pytest.raises(CapevalInputError) as raised:
        align({1: "x", 2: "y"}, references, hyp_source="hyps.txt", ref_source="refs.json")
    assert str(raised.value) == (
        "hyps.txt: no hypothesis id matches an image id of refs.json (hypotheses: 1, 2; "
        "references: 391895, 391896, 391897 and 2 more)"
    )


def test_images_without_hypotheses_are_an_error_by_default():
    with pytest.raises(CapevalInputError) as raised:
        align({2: "y"}, REFERENCES, hyp_source="hyps.json", ref_source="refs.json")
    assert str(raised.value) == (
        "hyps.json: no hypothesis for 2 of the 3 images in refs.json: 1, 3; to score only the "
        "1 image(s) that have one, allow partial evaluation (allow_partial)"
    )
    with naming_flags(), pytest.raises(CapevalInputError, match=r"\(--allow-partial\)$"):
        align({2: "y"}, REFERENCES, hyp_source="hyps.json", ref_source="refs.json")


def test_long_id_lists_are_shortened():
    references = {image_id: ["r"] for image_id in range(20)}
    with pytest.raises(CapevalInputError) as raised:
        align({0: "x"}, references)
    assert ": 1, 2, 3, 4, 5 and 14 more;" in str(raised.value)


def test_partial_scores_the_intersection_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="capeval"):
        aligned = align({3: "z", 1: "x"}, REFERENCES, hyp_source="hyps.json",
                        ref_source="refs.json", allow_partial=True)
    assert aligned == ([3, 1], ["z", "x"], [["d", "e", "f"], ["a", "b"]])
    assert caplog.messages == [
        "hyps.json: scoring 2 of the 3 images in refs.json; 1 image(s) without a hypothesis "
        "are left out: 2"
    ]


def test_complete_alignment_does_not_warn(caplog):
    align({1: "x", 2: "y", 3: "z"}, REFERENCES, allow_partial=True)
    assert caplog.records == []


@pytest.mark.parametrize(
    ("hypotheses", "references", "expected"),
    [
        ({}, REFERENCES, "hypotheses: no hypotheses"),
        ({1: "x"}, {}, "references: no references"),
        ({1: 5}, REFERENCES, "hypotheses:image 1: hypothesis is not a string (got int)"),
        ({1: "x"}, {1: "a"}, "references:image 1: references must be a list of strings (got str)"),
        ({1: "x"}, {1: []}, "references:image 1: no reference captions"),
        ({1: "x"}, {1: ["a", None]}, "references:image 1: reference is not a string (got null)"),
        ({None: "x"}, REFERENCES, "hypotheses:image None: image id is null"),
        ({1.5: "x"}, REFERENCES,
         "hypotheses:image 1.5: image id is not an integer or a string (got float)"),
        ({7: "x", "7": "y"}, {7: ["a"]},
         "hypotheses:image '7': same image as 7 (ids are compared as canonical ids)"),
    ],
)
def test_invalid_mappings(hypotheses, references, expected):
    with pytest.raises(CapevalInputError) as raised:
        align(hypotheses, references)
    assert str(raised.value) == expected
