"""Nothing in the working directory is imported in place of capeval (issue 11, imports).

A hostile ``cli.py``, ``reference_models/`` or ``capeval/`` in the working directory must not
run: ``python -m capeval`` resolves the CLI inside the package, and the demo's training
workers start in the demo's own models folder.
"""
from __future__ import annotations

import subprocess
import sys

import click
import pytest

HOSTILE = "import pathlib; pathlib.Path(__file__).with_name('PWNED').with_suffix('').touch()\n"


def _plant(folder):
    (folder / "cli.py").write_text(HOSTILE)
    for package in ("cli", "reference_models", "capeval"):
        (folder / package).mkdir()
        (folder / package / "__init__.py").write_text(HOSTILE)
        (folder / package / "__main__.py").write_text(HOSTILE)


def _pwned(folder) -> list:
    return sorted(path.relative_to(folder) for path in folder.rglob("PWNED"))


def test_python_m_capeval_ignores_cli_modules_in_the_working_directory(tmp_path):
    for package in ("cli", "reference_models"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(HOSTILE)
    (tmp_path / "cli.py").write_text(HOSTILE)
    result = subprocess.run([sys.executable, "-m", "capeval", "tokenize"], cwd=tmp_path,
                            input=b"A dog.\n", capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"a dog\n"
    assert _pwned(tmp_path) == []


def test_demo_workers_do_not_start_in_the_working_directory(tmp_path, monkeypatch):
    from capeval.cli.demo import _run_training
    from capeval.reference_models.demo import TrainingJob

    _plant(tmp_path)
    monkeypatch.chdir(tmp_path)
    models = tmp_path / "out" / "models"
    models.mkdir(parents=True)
    job = TrainingJob("lstm", ())
    with pytest.raises(click.ClickException, match="training the lstm model failed"):
        _run_training([job], ("--features", str(tmp_path / "none.npy"), "--captions",
                              str(tmp_path / "none.json")), {"lstm": models / "lstm.npz"}, 1,
                      models)
    assert _pwned(tmp_path) == []
