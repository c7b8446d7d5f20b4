"""capeval score and df build stream: --jobs and --chunk-size never change a byte of output;
workers never import code from the working directory; progress goes to stderr only."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from capeval.cli.progress import ChunkProgress
from tests.cli.helpers import run_cli
from tests.streaming.corpus import make_corpus, write_files

METRICS = "bleu,meteor,rouge-l"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return write_files(make_corpus(120, seed=11), tmp_path_factory.mktemp("cli"))


def score(files, tmp_path, *options):
    per_item = tmp_path / f"items{len(list(tmp_path.iterdir()))}.jsonl"
    result = run_cli("score", "--refs", files.references, "--hyps", files.hypotheses,
                     "--metrics", METRICS, "--per-item", per_item, *options)
    return result.stdout, per_item.read_bytes()


def test_every_jobs_and_chunk_size_gives_the_same_bytes(files, tmp_path):
    expected = score(files, tmp_path)
    for options in [("--jobs", "2", "--chunk-size", "7"), ("--jobs", "3", "--chunk-size", "50"),
                    ("--chunk-size", "1")]:
        assert score(files, tmp_path, *options) == expected, options


def test_df_build_is_the_same_for_every_chunking(files, tmp_path):
    outputs = []
    for options in [(), ("--chunk-size", "9", "--jobs", "2")]:
        path = tmp_path / f"df{len(outputs)}.json"
        run_cli("df", "build", "--refs", files.references, "-o", path, *options)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]


def test_workers_ignore_code_in_the_working_directory(files, tmp_path):
    """A hostile capeval/ package and cli.py in the cwd must not run, in the parent or in the
    workers: the output equals that of a run from a clean directory."""
    command = [str(Path(sys.executable).with_name("capeval")), "score",
               "--refs", str(files.references), "--hyps", str(files.hypotheses),
               "--metrics", METRICS, "--jobs", "2", "--chunk-size", "20"]
    clean = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=True)
    hostile = tmp_path / "hostile"
    (hostile / "capeval").mkdir(parents=True)
    trap = "import pathlib; pathlib.Path(__file__).with_name('RAN').touch(); raise SystemExit(9)\n"
    (hostile / "capeval" / "__init__.py").write_text(trap)
    (hostile / "cli.py").write_text(trap)
    run = subprocess.run(command, capture_output=True, text=True, cwd=hostile)
    assert (run.returncode, run.stdout, run.stderr) == (0, clean.stdout, clean.stderr)
    assert not list(hostile.rglob("RAN"))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_draws_only_on_a_terminal(capsys):
    quiet = ChunkProgress(io.StringIO())
    quiet("score", 10, 100)
    quiet.close()
    assert quiet.stream.getvalue() == ""
    terminal = Terminal()
    shown = ChunkProgress(terminal)
    for done in (40, 100):
        shown("tokenize", done, 100)
    shown("score", 100, 100)
    shown.close()
    drawn = terminal.getvalue()
    assert "tokenizing" in drawn and "scoring" in drawn and "100/100" in drawn
    assert "images/s" in drawn
    assert capsys.readouterr() == ("", "")
