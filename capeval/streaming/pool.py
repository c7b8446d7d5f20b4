"""Map a per-chunk function over chunks in worker processes, results in input order.

Workers are forked from the running process where the platform allows (Linux), so they use
the modules the parent already imported and its `sys.path` (never the working directory's
code); elsewhere they are spawned with the parent's `sys.path`. At most ``2 * jobs`` chunks
are in flight, so memory stays bounded however many chunks there are.
"""
from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

_Item = TypeVar("_Item")
_Result = TypeVar("_Result")

class WorkerLostError(RuntimeError):
    """A worker process died (killed, or out of memory); the run gives no result."""


_state: dict[str, Any] = {}
"""In a worker: the function and settings `ordered_map` installed."""


def _start_method() -> str:
    return "fork" if sys.platform.startswith("linux") else "spawn"


def _install(function: Callable[[Any, Any], Any], settings: Any) -> None:
    _state["function"], _state["settings"] = function, settings


def _run(item: Any) -> Any:
    return _state["function"](_state["settings"], item)


def ordered_map(
    function: Callable[[Any, _Item], _Result],
    settings: Any,
    items: Iterable[_Item],
    jobs: int = 1,
) -> Iterator[tuple[_Item, _Result]]:
    """Yield ``(item, function(settings, item))`` for each item, in order.

    Parameters
    ----------
    function : callable
        A module-level function (workers look it up by name).
    settings : object
        Passed to every call; given to each worker once.
    items : iterable
        Read lazily, at most ``2 * jobs`` ahead of the results consumed.
    jobs : int, default=1
        Worker processes; 1 runs everything in the calling process.
    """
    if jobs == 1:
        for item in items:
            yield item, function(settings, item)
        return
    context = multiprocessing.get_context(_start_method())
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_install,
                             initargs=(function, settings)) as pool:
        pending: deque[tuple[_Item, Future]] = deque()
        try:
            for item in items:
                pending.append((item, pool.submit(_run, item)))
                if len(pending) >= 2 * jobs:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
        except BrokenProcessPool:
            raise WorkerLostError(
                "a worker process died (killed, or out of memory); no result was produced; "
                "run again, with fewer --jobs or a smaller --chunk-size if memory is short"
            ) from None
        finally:
            for _, future in pending:
                future.cancel()
