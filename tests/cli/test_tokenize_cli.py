"""``capeval tokenize``: stdin captions -> stdout token lines."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from capeval.cli.main import capeval
from capeval.cli.tokenize import BATCH_LINES
from capeval.io.source import MAX_LINE_BYTES


def run(stdin: bytes, *args: str):
    return CliRunner().invoke(capeval, ["tokenize", *args], input=stdin)


def test_one_output_line_per_input_line():
    result = run(b"A dog runs.\n\nYou're here\n3 1/2 inch")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode("utf-8").split("\n") == [
        "a dog runs", "", "you 're here", "3\u00a01/2 inch", ""
    ]


def test_line_ends_and_carriage_returns():
    result = run(b"crlf line\r\ncarriage\rreturn\nlast\r\n")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == b"crlf line\ncarriage return\nlast\n"


def test_utf8_in_and_out():
    result = run("Caf\u00e9 \u2014 na\u00efve \U0001f600\n".encode("utf-8"))
    assert result.stdout_bytes == "caf\u00e9 na\u00efve\n".encode("utf-8")


def test_invalid_utf8_names_stdin_and_line():
    result = run(b"fine\nalso fine\nbad \xff byte\nnever read\n")
    assert result.exit_code == 2
    expected = "error: <stdin>:line 3: invalid UTF-8 at byte offset 19 (byte 0xff)\n"
    assert result.stderr == expected


@pytest.mark.parametrize("stdin, expected", [
    (b"a dog\n\0\0\0\0", "error: <stdin>: not UTF-8 text: a NUL byte at byte offset 6 "
                           "(binary data, or UTF-16/32 text)\n"),
    (b"a dog\n" + b"x" * MAX_LINE_BYTES, "error: <stdin>:line 2: longer than "
                                         f"{MAX_LINE_BYTES:,} bytes: not a caption file\n"),
])
def test_binary_data_and_endless_lines_are_refused_as_by_every_reader(stdin, expected):
    result = run(stdin)
    assert result.exit_code == 2
    assert result.stderr == expected


def test_whitespace_tokenizer():
    result = run(b"A  dog,\tRUNS .\n", "--tokenizer", "none")
    assert result.exit_code == 0
    assert result.stdout_bytes == b"A dog, RUNS .\n"


def test_empty_input():
    result = run(b"")
    assert result.exit_code == 0
    assert result.stdout_bytes == b""


def test_large_input_is_processed_in_batches():
    count = 2 * BATCH_LINES + 7
    lines = [f"Dog number {i} runs." for i in range(count)]
    result = run("\n".join(lines).encode("utf-8"))
    assert result.exit_code == 0
    output = result.stdout_bytes.decode("utf-8").split("\n")
    assert len(output) == count + 1 and output[-1] == ""
    assert output[count - 1] == f"dog number {count - 1} runs"


def test_unknown_tokenizer_is_a_usage_error():
    result = run(b"x\n", "--tokenizer", "moses")
    assert result.exit_code == 2
    assert "moses" in result.stderr


def test_a_pipe_is_answered_line_by_line():
    """Without stream context, a line's tokens arrive while stdin is still open (no batching
    on a pipe)."""
    import subprocess
    import sys
    import threading

    def answers(method, captions, lag):  # lag: lines written before the first answer
        process = subprocess.Popen([sys.executable, "-m", "capeval", "tokenize", "--tokenizer",
                                    method], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        timer = threading.Timer(120, process.kill)  # a batching tokenizer would wait forever
        timer.start()
        try:
            received = []
            for number, caption in enumerate(captions):
                process.stdin.write(caption.encode() + b"\n")
                process.stdin.flush()
                if number >= lag:
                    received.append(process.stdout.readline())
            process.stdin.close()
            received += process.stdout.readlines()
            assert process.wait() == 0
        finally:
            timer.cancel()
            process.kill()
        return received

    captions = ("A man's riding.", "Don't stop!", "The end")
    assert answers("ptb-caption", captions, 0) == [b"a man 's riding\n", b"do n't stop\n",
                                                   b"the end\n"]
    assert answers("none", captions, 0) == [b"A man's riding.\n", b"Don't stop!\n",
                                            b"The end\n"]


def test_the_input_is_one_stream_across_batches(monkeypatch):
    stdin = b"Grade A.\n\nThe dog\nyou're\n"
    expected = b"grade a\n\nthe dog\nyou re\n"  # the next captions, then the end of input
    assert run(stdin).stdout_bytes == expected
    monkeypatch.setattr("capeval.cli.tokenize.BATCH_LINES", 1)
    assert run(stdin).stdout_bytes == expected
    assert run(stdin, "--tokenizer", "ptb-caption").stdout_bytes == (
        b"grade a.\n\nthe dog\nyou 're\n")
