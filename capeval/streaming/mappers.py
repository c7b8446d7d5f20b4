"""How a streamed run maps its per-chunk functions: local worker processes or a Dask cluster."""
from __future__ import annotations

from functools import partial
from typing import Any

from capeval.streaming.driver import Mapper
from capeval.streaming.pool import ordered_map


def mapper(jobs: int = 1, client: Any = None) -> Mapper:
    """The mapper of a run: on the Dask cluster of `client` if given, else in `jobs` local
    processes (1: this one)."""
    if client is not None:
        from capeval.streaming.dask import dask_map  # the optional extra

        return partial(dask_map, client=client)
    return partial(ordered_map, jobs=jobs)
