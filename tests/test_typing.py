"""The package type-checks: mypy (configured in pyproject.toml) reports no error.

The repository keeps ``cli/`` and ``reference_models/`` at the top while they install as
``capeval.cli`` and ``capeval.reference_models``; mypy maps modules to folders, so the test
checks a tree of links laid out as the package installs.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = ("cli", "reference_models")
"""Top-level folders of the repository that install as ``capeval.<name>``."""


def installed_layout(tree: Path) -> Path:
    """Link ``tree/capeval/...`` to the repository as the package installs; return `tree`."""
    package = tree / "capeval"
    package.mkdir(parents=True)
    for entry in (ROOT / "capeval").iterdir():
        if entry.name not in SUBPACKAGES:
            (package / entry.name).symlink_to(entry)
    for name in SUBPACKAGES:
        (package / name).symlink_to(ROOT / name)
    return tree


def repository_paths(report: str) -> str:
    """mypy's report with the linked tree's paths written as repository paths."""
    for name in SUBPACKAGES:
        report = report.replace(f"capeval/{name}/", f"{name}/")
    return report


def test_mypy_reports_no_error(tmp_path):
    tree = installed_layout(tmp_path / "tree")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), "-p", "capeval"],
        cwd=tree, capture_output=True, text=True)
    assert result.returncode == 0, repository_paths(result.stdout + result.stderr)
