"""Streamed evaluation: corpora of any size in bounded memory, on several cores or a cluster.

`evaluate_files` scores caption files chunk by chunk with the numbers of `capeval.evaluate`;
the per-chunk functions it maps (`capeval.streaming.work`) are what ``--jobs`` workers and Dask
partitions run.
"""
from __future__ import annotations

DEFAULT_CHUNK_SIZE = 2_000
"""Images per chunk: large enough that per-chunk costs vanish, small enough to keep a chunk's
n-gram matrices and METEOR alignments within tens of megabytes."""

DEFAULT_JOBS = 1
"""Worker processes by default: none besides the calling process. Parallel scoring pays for
starting workers, moving chunks between processes and one copy of METEOR's data per worker,
so it is asked for (``--jobs N``, ``jobs=N``)."""

__all__ = ["DEFAULT_CHUNK_SIZE", "DEFAULT_JOBS", "StreamedEvaluation", "document_frequencies_of_files",
           "evaluate_files"]


def __getattr__(name: str):
    # The functions pull in NumPy and pandas: import them on first use, not with the package.
    if name in ("evaluate_files", "document_frequencies_of_files"):
        from capeval.streaming import files

        return getattr(files, name)
    if name == "StreamedEvaluation":
        from capeval.streaming.driver import StreamedEvaluation

        return StreamedEvaluation
    raise AttributeError(f"module 'capeval.streaming' has no attribute {name!r}")
