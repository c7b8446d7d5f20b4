"""Canonical image ids: the same image matches whichever file format named it."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.io import canonical_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (391895, 391895),
        ("391895", 391895),  # a CSV cell or JSON string naming a COCO id
        (" 42 ", 42),  # surrounding whitespace is never part of an id
        ("0", 0),
        (np.int64(7), 7),
        ("0042", "0042"),  # leading zeros: a name, not a number
        ("-3", "-3"),
        ("1e3", "1e3"),
        ("٣", "٣"),  # non-ASCII digits stay text
        ("img_1.jpg", "img_1.jpg"),
        (" a b ", "a b"),
        (-3, -3),
    ],
)
def test_canonical_id(value, expected):
    result = canonical_id(value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "image_id is null"),
        ("", "image_id is empty"),
        ("  ", "image_id is empty"),
        (True, "image_id is not an integer or a string (got bool)"),
        (3.0, "image_id is not an integer or a string (got float)"),
        ([1], "image_id is not an integer or a string (got list)"),
    ],
)
def test_canonical_id_rejects(value, reason):
    with pytest.raises(ValueError) as raised:
        canonical_id(value, "image_id")
    assert str(raised.value) == reason
