"""capeval's own data files: ``.json`` (readable) or ``.npz`` (compact), version-stamped.

Document-frequency tables and reward reference files share this: the choice of format by
suffix, reading without pickle, and one `CapevalInputError` naming the file for every way a
file can be missing, unreadable or malformed.
"""
from __future__ import annotations

import json
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO, TypeVar

import numpy as np

from capeval.errors import CapevalInputError

Content = TypeVar("Content")


NPZ_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
"""The first bytes of a .npz file: a zip archive's first entry, or an empty archive's end."""

NPY_MAGIC = b"\x93NUMPY"
"""The first bytes of a .npy file."""


def starts_as_npz(handle: BinaryIO) -> bool:
    """Tell from its first four bytes whether an open file is a .npz (zip) archive.

    Only the start is read (`zipfile.is_zipfile` reads a device such as /dev/zero forever).
    """
    return handle.read(4) in NPZ_MAGICS


def read_data_file(
    path: str | Path,
    kind: str,
    from_arrays: Callable[[Mapping[str, np.ndarray], str], Content],
    from_json: Callable[[object, str], Content],
) -> Content:
    """Read a ``.npz`` or ``.json`` data file with the parser for its format.

    Parameters
    ----------
    path : path
    kind : str
        What the file holds, for messages, e.g. ``"document frequency"``.
    from_arrays, from_json : callable
        Build the content from the ``.npz`` members or the parsed JSON, and the file's name
        (for their own errors).

    Raises
    ------
    CapevalInputError
        If the file is missing, unreadable, of another suffix or not valid.
    """
    path = Path(path)
    source = str(path)
    try:
        if path.suffix == ".npz":
            with open(path, "rb") as handle:  # a missing file raises OSError here
                is_archive = starts_as_npz(handle)
            if not is_archive:  # np.load would suggest unpickling it
                raise CapevalInputError(source, None, f"invalid {kind} file (not a .npz archive)")
            with np.load(path, allow_pickle=False) as archive:
                return from_arrays(archive, source)
        if path.suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise CapevalInputError(source, None, f"invalid JSON ({error})") from None
            return from_json(data, source)
    except CapevalInputError:
        raise
    except OSError as error:
        raise CapevalInputError(source, None, f"cannot read: {error.strerror or error}") from None
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        raise CapevalInputError(source, None, f"invalid {kind} file ({error})") from None
    raise CapevalInputError(source, None, f"{kind} files end in .json or .npz")


def check_header(source: str, header: object, file_format: str, version: int) -> dict:
    """Return `header` if it names `file_format` at `version`, else raise CapevalInputError."""
    if not isinstance(header, dict) or header.get("format") != file_format:
        raise CapevalInputError(source, None, f"not a {file_format} file")
    if header.get("version") != version:
        raise CapevalInputError(
            source, None,
            f"file version {header.get('version')!r}; this capeval reads version {version}",
        )
    return header
