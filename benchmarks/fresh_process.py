"""Running one side of a benchmark in a fresh Python process, and reading its peak memory."""
from __future__ import annotations

import compileall
import functools
import importlib.util
import json
import resource
import subprocess
import sys


@functools.cache
def compile_capeval() -> None:
    """Compile capeval's modules (with its CLI and reference models) to bytecode once, as
    installing a wheel does (pycocoevalcap's are): an editable install under
    ``PYTHONDONTWRITEBYTECODE`` would otherwise compile them again in every fresh process."""
    for package in ("capeval", "capeval.cli", "capeval.reference_models"):  # three folders
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)


def run_child(script: str, *args: str) -> dict:
    """Run ``python script --child ARGS`` and return the JSON object it prints last
    (capeval's modules compiled first, see `compile_capeval`)."""
    compile_capeval()
    out = subprocess.run([sys.executable, script, "--child", *args], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_memory_mb() -> dict[str, float]:
    """Return the peak resident memory of this process and of its largest child (e.g. a JVM).

    ru_maxrss is in KiB on Linux; RUSAGE_CHILDREN reports the largest reaped child.
    """
    return {"self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}
