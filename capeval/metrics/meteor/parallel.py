"""Split a CPU-bound map over forked worker processes, without pickle.

Workers are forked, so they share the parent's prepared data copy-on-write; each returns its
rows as raw int32 bytes through a pipe. Forking is only used where it is safe and pays: on
POSIX, in a single-threaded process, for enough items; otherwise the map runs in-process.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

Item = TypeVar("Item")
logger = logging.getLogger("capeval")


def available_cpus() -> int:
    """Return the number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def fork_map(function: Callable[[Sequence[Item]], np.ndarray], items: Sequence[Item],
             width: int, n_jobs: int) -> np.ndarray:
    """Return ``function(items)``, computed in up to `n_jobs` processes.

    Parameters
    ----------
    function : callable
        Maps a contiguous slice of `items` to an integer array of shape (len(slice), width)
        with values that fit in int32. Must be deterministic.
    items : sequence
    width : int
        Row width of the result.
    n_jobs : int
        Number of processes (this one included); 1 runs everything here.

    Returns
    -------
    ndarray of shape (len(items), width), dtype int64
    """
    n_jobs = min(n_jobs, len(items))
    if n_jobs <= 1 or not hasattr(os, "fork") or threading.active_count() > 1:
        return np.asarray(function(items), dtype=np.int64).reshape(len(items), width)
    bounds = np.linspace(0, len(items), n_jobs + 1).astype(int).tolist()
    pending = []  # (pid, pipe, start, stop) of workers not yet reaped
    try:
        for start, stop in zip(bounds[1:-1], bounds[2:], strict=True):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # worker: compute its slice, send it, exit without cleanup handlers
                status = 1
                try:
                    os.close(read_end)
                    rows = np.asarray(function(items[start:stop]), dtype=np.int32)
                    with os.fdopen(write_end, "wb") as pipe:
                        pipe.write(rows.tobytes())
                    status = 0
                finally:
                    os._exit(status)
            os.close(write_end)
            pending.append((pid, os.fdopen(read_end, "rb"), start, stop))
        parts = [np.asarray(function(items[bounds[0]:bounds[1]]), dtype=np.int64)]
        while pending:
            pid, pipe, start, stop = pending[0]
            with pipe:
                data = pipe.read()
            _, status = os.waitpid(pid, 0)
            pending.pop(0)
            if status != 0 or len(data) != (stop - start) * width * 4:
                logger.warning("a METEOR worker process failed; computing its share here")
                parts.append(np.asarray(function(items[start:stop]), dtype=np.int64))
            else:
                parts.append(np.frombuffer(data, dtype=np.int32).astype(np.int64))
    except BaseException:  # e.g. KeyboardInterrupt: stop and reap the remaining workers
        for pid, pipe, _, _ in pending:
            pipe.close()
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        raise
    return np.concatenate([part.reshape(-1, width) for part in parts])
