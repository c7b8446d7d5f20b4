"""Captioner checkpoints as ``.npz`` files: parameters, configuration and vocabulary, no pickle.

Layout: ``format`` (the string ``capeval-captioner``), ``version`` (1), ``config`` (JSON of
`CaptionerConfig`), ``vocab`` (the words, a string array), ``metadata`` (JSON: training
settings, history, tokenizer), and one array ``param/<name>`` per parameter. Loading uses
``np.load(allow_pickle=False)`` and checks every part, raising `CapevalInputError` naming
the file and the part that is wrong.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import fields
from pathlib import Path

import numpy as np

from capeval.data_files import NPY_MAGIC, NPZ_MAGICS
from capeval.errors import CapevalInputError
from capeval.reference_models.captioner import Captioner, CaptionerConfig, parameter_shapes
from capeval.reference_models.vocab import Vocabulary

FORMAT = "capeval-captioner"
VERSION = 1
_PARAM_PREFIX = "param/"


def save_checkpoint(
    path: str | Path, model: Captioner, vocab: Vocabulary, metadata: dict | None = None
) -> None:
    """Write `model`, `vocab` and JSON-serialisable `metadata` to `path` (``.npz``)."""
    arrays = {
        "format": np.array(FORMAT),
        "version": np.array(VERSION),
        "config": np.array(json.dumps(model.config.to_dict())),
        "vocab": np.array(vocab.words),
        "metadata": np.array(json.dumps(metadata or {})),
    }
    arrays.update({_PARAM_PREFIX + name: value for name, value in model.params.items()})
    with open(path, "wb") as handle:  # np.savez would append ".npz" to other names
        np.savez(handle, allow_pickle=False, **arrays)


def load_checkpoint(path: str | Path) -> tuple[Captioner, Vocabulary, dict]:
    """Read a checkpoint written by `save_checkpoint`.

    Returns
    -------
    model : Captioner
    vocab : Vocabulary
    metadata : dict

    Raises
    ------
    CapevalInputError
        If the file is missing, is not an ``.npz`` archive, holds pickled objects, or any part
        is missing or inconsistent.
    """
    arrays = _read_arrays(path)
    fail = lambda part, reason: CapevalInputError(path, part, reason)  # noqa: E731
    for key in ("format", "version", "config", "vocab", "metadata"):
        if key not in arrays:
            raise fail(None, f"not a capeval captioner checkpoint (no '{key}' array)")
    if str(arrays["format"]) != FORMAT:
        raise fail("format", f"expected {FORMAT!r}, got {str(arrays['format'])!r}")
    if arrays["version"].shape != () or int(arrays["version"]) != VERSION:
        raise fail("version", f"unsupported version {arrays['version']!r} (this capeval reads "
                   f"version {VERSION})")
    config_dict = _json(arrays["config"], lambda reason: fail("config", reason))
    known = {f.name for f in fields(CaptionerConfig)}
    if not isinstance(config_dict, dict) or set(config_dict) - known:
        raise fail("config", f"unknown settings {sorted(set(config_dict) - known)}"
                   if isinstance(config_dict, dict) else "expected a JSON object")
    try:
        config = CaptionerConfig(**config_dict)
    except (TypeError, ValueError) as error:
        raise fail("config", str(error)) from None
    words = arrays["vocab"]
    if words.ndim != 1 or words.dtype.kind != "U":
        raise fail("vocab", "expected a 1-d array of strings")
    try:
        vocab = Vocabulary(tuple(words.tolist()))
    except ValueError as error:
        raise fail("vocab", str(error)) from None
    if len(vocab) != config.vocab_size:
        raise fail("vocab", f"has {len(vocab)} words but the model expects {config.vocab_size}")
    params = {}
    for name, shape in parameter_shapes(config).items():
        key = _PARAM_PREFIX + name
        if key not in arrays:
            raise fail(key, "missing")
        value = arrays[key]
        if value.shape != shape:
            raise fail(key, f"has shape {value.shape}, expected {shape}")
        if value.dtype not in (np.float32, np.float64):
            raise fail(key, f"has dtype {value.dtype}, expected float32 or float64")
        if not np.all(np.isfinite(value)):
            raise fail(key, "holds NaN or infinite values")
        params[name] = value.astype(np.float32, copy=False)
    extra = sorted(k for k in arrays if k.startswith(_PARAM_PREFIX)
                   and k[len(_PARAM_PREFIX):] not in params)
    if extra:
        raise fail(extra[0], "is not a parameter of this model")
    metadata = _json(arrays["metadata"], lambda reason: fail("metadata", reason))
    return Captioner(config, params), vocab, metadata


def _read_arrays(path: str | Path) -> dict[str, np.ndarray]:
    try:
        with open(path, "rb") as handle:
            magic = handle.read(6)
        if not magic.startswith((*NPZ_MAGICS, NPY_MAGIC)):  # np.load would suggest unpickling
            raise CapevalInputError(path, None, "not a readable .npz checkpoint (not a .npz "
                                                "archive)")
        loaded = np.load(path, allow_pickle=False)
    except CapevalInputError:
        raise
    except FileNotFoundError:
        raise CapevalInputError(path, None, "no such file") from None
    except IsADirectoryError:
        raise CapevalInputError(path, None, "is a directory, not a checkpoint") from None
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise CapevalInputError(path, None, f"not a readable .npz checkpoint ({error})") from None
    if isinstance(loaded, np.ndarray):
        raise CapevalInputError(path, None, "is a single .npy array, not an .npz checkpoint")
    with loaded:
        try:
            return {name: loaded[name] for name in loaded.files}
        except ValueError as error:  # e.g. "Object arrays cannot be loaded when allow_pickle=False"
            reason = f"cannot be read without pickle ({error})"
            raise CapevalInputError(path, None, reason) from None
        except (OSError, zipfile.BadZipFile, EOFError) as error:
            raise CapevalInputError(path, None, f"has a damaged array ({error})") from None


def _json(array: np.ndarray, fail):
    if array.shape != () or array.dtype.kind != "U":
        raise fail("expected a JSON string")
    try:
        return json.loads(str(array))
    except json.JSONDecodeError as error:
        raise fail(f"malformed JSON ({error})") from None
