"""Entry point of the ``capeval`` command: the click group and the exit-code policy.

Exit codes: 0 success; 2 usage errors and bad input data (one line on stderr,
``error: <file>:<record>: <what is wrong>`` or ``error: <option>: <what is wrong>``); 123 an
unexpected internal error. Messages raised by the library name options as flags
(``--id-field``, not ``id_field``) while a command runs.
"""
from __future__ import annotations

import io
import logging
import os
import sys
from typing import NoReturn

import click

from capeval import __version__
from capeval.errors import CapevalError, is_no_space, naming_flags

EXIT_BAD_INPUT = 2
EXIT_INTERNAL_ERROR = 123


class CapevalGroup(click.Group):
    """A click group that turns exceptions into one-line errors and exit codes."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            _exit_usage_error(ctx, error)

    def invoke(self, ctx: click.Context):
        try:
            with naming_flags():
                return super().invoke(ctx)
        except CapevalError as error:
            click.secho(f"error: {error}", err=True, fg="red")
            ctx.exit(EXIT_BAD_INPUT)
        except click.UsageError as error:
            _exit_usage_error(ctx, error)
        except BrokenPipeError:
            # stdout closed early (e.g. piped into `head`): stop quietly.
            sys.stderr.close()
            ctx.exit(0)
        except OSError as error:
            if not is_no_space(error):
                _exit_internal_error(ctx, error)
            # Output files and temporary files are named where they are written (`writing`,
            # `PairingStore`): a full disk reaching here is the standard output's.
            click.secho(f"error: cannot write the standard output: {error.strerror}",
                        err=True, fg="red")
            _discard_stdout()
            ctx.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # noqa: BLE001 - the one place that maps crashes to an exit code
            _exit_internal_error(ctx, error)


def _discard_stdout() -> None:
    """Point the standard output at the null device, so that the interpreter's last flush of
    what could not be written does not fail again."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # no descriptor (CliRunner)
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


def _exit_internal_error(ctx: click.Context, error: Exception) -> NoReturn:
    """Print an unexpected error as one line (re-raise it under --verbose) and exit 123."""
    if ctx.obj and ctx.obj.get("verbose"):
        raise error
    click.secho(f"internal error: {type(error).__name__}: {error} (use --verbose for a "
                f"traceback)", err=True, fg="red")
    raise click.exceptions.Exit(EXIT_INTERNAL_ERROR)


def _exit_usage_error(ctx: click.Context, error: click.UsageError) -> NoReturn:
    """Print click's usage error as one line, naming the command whose help explains it."""
    command = error.ctx.command_path if error.ctx is not None else ctx.command_path
    click.secho(f"error: {error.format_message()} (see '{command} --help')", err=True, fg="red")
    raise click.exceptions.Exit(EXIT_BAD_INPUT)


def _enable_verbose(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value:
        ctx.find_root().ensure_object(dict)["verbose"] = True
        _log_to_stderr(logging.INFO)


VERBOSE_HELP = "Show progress information and tracebacks of internal errors."


@click.group(cls=CapevalGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="capeval")
@click.option("--verbose", is_flag=True, help=VERBOSE_HELP)
@click.pass_context
def capeval(ctx: click.Context, verbose: bool) -> None:
    """Caption evaluation (BLEU, METEOR, ROUGE-L, CIDEr-D) identical to pycocoevalcap."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    _log_to_stderr(logging.INFO if verbose else logging.WARNING)


class _ClickHandler(logging.Handler):
    """Writes capeval's log records to stderr as ``warning: ...`` lines."""

    def emit(self, record: logging.LogRecord) -> None:
        prefix = record.levelname.lower()
        color = "yellow" if record.levelno >= logging.WARNING else None
        click.secho(f"{prefix}: {record.getMessage()}", err=True, fg=color)


def _log_to_stderr(level: int) -> None:
    logger = logging.getLogger("capeval")
    logger.setLevel(level)
    if not any(isinstance(handler, _ClickHandler) for handler in logger.handlers):
        logger.addHandler(_ClickHandler())


def _register_commands() -> None:
    from capeval.cli.caption import caption_command
    from capeval.cli.demo import demo_command
    from capeval.cli.df import df_group
    from capeval.cli.leaderboard import leaderboard_command
    from capeval.cli.meta_eval import meta_eval_command
    from capeval.cli.score import score_command
    from capeval.cli.tokenize import tokenize_command
    from capeval.cli.train import train_command

    for command in (score_command, tokenize_command, df_group, leaderboard_command,
                    meta_eval_command, demo_command, train_command, caption_command):
        _accept_verbose(command)
        capeval.add_command(command)


def _accept_verbose(command: click.Command) -> None:
    """Let ``--verbose`` also follow the subcommand (``capeval score ... --verbose``)."""
    if isinstance(command, click.Group):
        for subcommand in command.commands.values():
            _accept_verbose(subcommand)
        return
    command.params.append(click.Option(["--verbose"], is_flag=True, expose_value=False,
                                       is_eager=True, callback=_enable_verbose,
                                       help=VERBOSE_HELP))


_register_commands()


def main() -> None:
    """Run the ``capeval`` command."""
    capeval(obj={})
