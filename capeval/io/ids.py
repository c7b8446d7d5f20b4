"""Canonical image ids, so that the same image matches across file formats.

Rule: an id is an ``int`` or a ``str``. Integers stay integers. A string is stripped of
surrounding whitespace; if what remains is a plain decimal number without leading zeros
(``"0"``, ``"391895"``), it becomes that integer, so COCO's ``391895`` and a CSV cell
``"391895"`` are the same image. Every other string (``"0042"``, ``"img_1.jpg"``, ``"-3"``)
stays a string, compared exactly. Booleans, floats, null and empty strings are rejected.
"""
from __future__ import annotations

import numbers
import re

from capeval.io.source import type_name

ImageId = int | str
"""An image id after canonicalisation: an ``int``, or a ``str`` that is not a plain number."""

_PLAIN_INTEGER = re.compile(r"0|[1-9][0-9]*")


def canonical_id(value: object, field: str = "image id") -> ImageId:
    """Return the canonical form of an image id.

    Parameters
    ----------
    value : int or str
        An id as read from a file or given by a caller (NumPy integers are accepted).
    field : str, default="image id"
        What the value is called in its file, for the error message.

    Returns
    -------
    int or str

    Raises
    ------
    ValueError
        ``"<field> is null"`` and the like, fit as the reason of a `CapevalInputError`.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            raise ValueError(f"{field} is empty")
        return int(stripped) if _PLAIN_INTEGER.fullmatch(stripped) else stripped
    if value is None:
        raise ValueError(f"{field} is null")
    raise ValueError(f"{field} is not an integer or a string (got {type_name(value)})")
