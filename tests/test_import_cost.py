"""Importing the package or the CLI loads no heavy dependency (they load on first use)."""
from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["capeval", "capeval.cli.main", "capeval.metrics",
                                    "capeval.meta_eval", "capeval.report"])
def test_import_loads_no_numerical_stack(module):
    code = (f"import sys, {module}; "
            "print(sorted({'numpy', 'scipy', 'pandas'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
