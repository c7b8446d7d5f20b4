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
MAPPED = {"cli": "capeval/cli/", "reference_models": "capeval/reference_models/"}


def installed_layout(tmp_path: Path) -> Path:
    """Links ``tmp_path/capeval/*`` to the repository as the package installs; returns tmp_path."""
    package = tmp_path / "capeval"
    package.mkdir(parents=True)
    for entry in (ROOT / "capeval").iterdir():
        (package / entry.name).symlink_to(entry)
    for folder, name in MAPPED.items():
        (tmp_path / name.rstrip("/")).symlink_to(ROOT / folder)
    return tmp_path


def repository_paths(report: str) -> str:
    """mypy's report with paths of the linked tree written as repository paths."""
    for folder, name in MAPPED.items():
        report = report.replace(name, f"{folder}/")
    return report


def test_mypy_reports_no_error(tmp_path):
    layout = installed_layout(tmp_path / "tree")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / "cache"), "-p", "capeval"],
        cwd=layout, capture_output=True, text=True)
    assert result.returncode == 0, repository_paths(result.stdout + result.stderr)
