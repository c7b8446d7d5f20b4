"""Errors that carry enough context for a one-line message."""
from __future__ import annotations


class CapevalInputError(ValueError):
    """Bad input data: names the source (a file), the record in it and what is wrong.

    ``str(error)`` is ``"<source>:<record>: <reason>"`` (the record part is left out when the
    problem concerns the whole source).
    """

    def __init__(self, source: str, record: str | int | None, reason: str) -> None:
        self.source = str(source)
        self.record = record
        self.reason = reason
        location = self.source if record is None else f"{self.source}:{record}"
        super().__init__(f"{location}: {reason}")
