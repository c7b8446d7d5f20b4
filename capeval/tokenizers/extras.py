"""Optional segmenters: import them with one clear error naming the extra, report versions."""
from __future__ import annotations

from importlib import import_module, metadata
from types import ModuleType

from capeval.errors import CapevalUsageError


def require(module: str, tokenizer: str, extra: str) -> ModuleType:
    """Import `module` for the `tokenizer` tokenizer, or fail naming the extra that installs it.

    Raises
    ------
    CapevalUsageError
        If `module` cannot be imported.
    """
    try:
        return import_module(module)
    except ImportError:
        raise CapevalUsageError(
            f"the {tokenizer} tokenizer needs {module}, which is not installed: "
            f"pip install 'capeval[{extra}]'", option="tokenizer") from None


def version(distribution: str) -> str:
    """Return the installed version of `distribution` (e.g. ``"0.42.1"``)."""
    return metadata.version(distribution)
