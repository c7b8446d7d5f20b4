"""Progress of long streamed runs on stderr: images done, images/s and ETA (click's bar)."""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import click


class ChunkProgress:
    """A `capeval.streaming.driver.Progress` callback drawing one click progress bar per step.

    Draws on `stream` (default: stderr) only when it is a terminal; stdout is never touched.
    """

    LABELS = {"tokenize": "tokenizing", "score": "scoring"}

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._step: str | None = None
        self._bar: Any = None
        self._done = 0
        self._started = 0.0

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if step != self._step:
            self.close()
            self._step, self._done, self._started = step, 0, time.monotonic()
            self._bar = click.progressbar(
                length=total, label=f"{self.LABELS.get(step, step):<10}", file=self.stream,
                show_pos=True, show_eta=True, item_show_func=self._rate,
            ).__enter__()
        self._bar.update(done - self._done, done)
        self._done = done

    def _rate(self, done: int | None) -> str | None:
        elapsed = time.monotonic() - self._started
        if not done or elapsed <= 0:
            return None
        return f"{done / elapsed:,.0f} images/s"

    def __enter__(self) -> ChunkProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Finish the current bar, if any."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
