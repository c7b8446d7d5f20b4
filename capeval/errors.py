"""capeval's error contract: every failure a caller can cause is one of two types.

- `CapevalInputError`: bad input *data* (a file, a record, a caption). Its message names the
  source, the record and what is wrong.
- `CapevalUsageError`: a bad *argument or option* (an unknown metric, an output folder that does
  not exist, contradictory settings). Its message names the argument (the library's keyword
  and, for the CLI, the flag).

Both subclass `ValueError`, so ``except ValueError`` keeps working; type errors in library calls
(a string where a list of token lists is expected) raise `CapevalTypeError`, a `TypeError`
subclass of `CapevalUsageError`'s family. The CLI maps `CapevalError` to exit code 2 in one place
(`capeval.cli.main`); anything else is an internal error (exit 123).
"""
from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_NAMING_FLAGS: ContextVar[bool] = ContextVar("capeval_naming_flags", default=False)

NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
"""The errnos of a write to a full disk (or past a file size limit)."""


def is_no_space(error: BaseException) -> bool:
    """Whether `error` is an OSError of a write to a full disk (`NO_SPACE`)."""
    return isinstance(error, OSError) and error.errno in NO_SPACE


class CapevalError(Exception):
    """Base class of the errors a caller can cause (bad data or bad arguments)."""


class CapevalInputError(CapevalError, ValueError):
    """Bad input data: names the source (a file), the record in it and what is wrong.

    ``str(error)`` is ``"<source>:<record>: <reason>"`` (the record part is left out when the
    problem concerns the whole source).
    """

    def __init__(self, source: str | os.PathLike[str], record: str | int | None, reason: str) -> None:
        self.source = str(source)
        self.record = record
        self.reason = reason
        location = self.source if record is None else f"{self.source}:{record}"
        super().__init__(f"{location}: {reason}")


class CapevalUsageError(CapevalError, ValueError):
    """A bad argument or option value: the message names it and says what is accepted.

    Parameters
    ----------
    message : str
    option : str, optional
        The library keyword the message is about (``"id_field"``); the CLI shows its flag.
    """

    def __init__(self, message: str, option: str | None = None) -> None:
        self.option = option
        super().__init__(message)


class CapevalTypeError(CapevalError, TypeError):
    """An argument of the wrong type (e.g. a str where a list of token lists is expected)."""


def option_name(keyword: str) -> str:
    """Name an option in a message as the caller knows it.

    ``option_name("id_field")`` is ``"id_field"`` for library callers and ``"--id-field"``
    while the command line runs (inside `naming_flags`).
    """
    return "--" + keyword.replace("_", "-") if _NAMING_FLAGS.get() else keyword


@contextmanager
def naming_flags() -> Iterator[None]:
    """Within this block, `option_name` names command-line flags (the CLI's wrapper)."""
    token = _NAMING_FLAGS.set(True)
    try:
        yield
    finally:
        _NAMING_FLAGS.reset(token)
