"""Running one side of a benchmark in a fresh Python process, and reading its peak memory."""
from __future__ import annotations

import json
import resource
import subprocess
import sys


def run_child(script: str, *args: str) -> dict:
    """Run ``python script --child ARGS`` and return the JSON object it prints last."""
    out = subprocess.run([sys.executable, script, "--child", *args], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_memory_mb() -> dict[str, float]:
    """Return the peak resident memory of this process and of its largest child (e.g. a JVM).

    ru_maxrss is in KiB on Linux; RUSAGE_CHILDREN reports the largest reaped child.
    """
    return {"self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
