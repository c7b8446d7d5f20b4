"""Running the CLI in tests (click's CliRunner), with the output in assertion messages."""
from __future__ import annotations

from click.testing import CliRunner

from capeval.cli.main import capeval


def run_cli(*args: str, input: str | bytes | None = None, expect: int = 0):
    result = CliRunner().invoke(capeval, [str(a) for a in args], input=input, obj={})
    detail = f"args={args}\nstdout={result.stdout!r}\nstderr={result.stderr!r}"
    assert result.exit_code == expect, f"exit {result.exit_code}, wanted {expect}\n{detail}"
    return result
