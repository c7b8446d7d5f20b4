"""The CLI's error contract (issue 11): every bad command is exit 2 and one line ``error: ...``.

Each case names what must appear in that line (the file or the flag, and the problem). Outputs
are checked before any work: the cases with a bad output also give a hypothesis file that
would fail, and the output's error must be the one reported.
"""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.cli.helpers import run_cli


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hyps.txt").write_text("a dog runs\na cat sleeps\n")
    (tmp_path / "refs.txt").write_text("a dog running\na cat is sleeping\n")
    (tmp_path / "bad.json").write_text('[{"image_id": 1, "caption": 5}]')
    (tmp_path / "results.json").write_text(json.dumps(
        [{"image_id": 1, "caption": "a dog runs"}, {"image_id": 2, "caption": "a cat sleeps"}]))
    (tmp_path / "judgements.jsonl").write_text(
        '{"candidate": "a dog", "references": ["a dog runs"], "human": 3, "image_id": 1}\n'
        '{"candidate": "a cat", "references": ["a cat sleeps"], "human": 1, "image_id": 2}\n')
    (tmp_path / "afile").write_text("x")
    with gzip.open(tmp_path / "broken.gz", "wb") as handle:
        handle.write(b"0.5\nequine\nhorse\n")
    (tmp_path / "truncated.gz").write_bytes((tmp_path / "broken.gz").read_bytes()[:12])
    (tmp_path / "garbage.npz").write_bytes(b"\x93NUMPY not an archive")
    (tmp_path / "zero.npz").symlink_to("/dev/zero")  # endless: only its first bytes are read
    with gzip.open(tmp_path / "empty.gz", "wb") as handle:
        handle.write(b"")
    with gzip.open(tmp_path / "words.gz", "wb") as handle:
        handle.write(b"high\nequine\nhorse\n")
    return tmp_path


SCORE = ("score", "--refs", "refs.txt", "--hyps", "hyps.txt")
BAD_SCORE = ("score", "--refs", "refs.txt", "--hyps", "bad.json")


@pytest.mark.parametrize("args, message", [
    # outputs, checked before the (bad) input is read
    ((*BAD_SCORE, "--per-item", "missing/items.csv"),
     "error: --per-item missing/items.csv: the folder missing does not exist"),
    ((*BAD_SCORE, "--per-item", "afile/items.csv"), "the folder afile is not a folder"),
    ((*BAD_SCORE, "--per-item", "items.txt"), "the file name must end in .jsonl or .csv"),
    (("leaderboard", "--refs", "refs.txt", "bad.json", "--per-item", "missing/x.jsonl"),
     "error: --per-item missing/x.jsonl: the folder missing does not exist"),
    (("meta-eval", "nosuch.jsonl", "--per-item", "missing/x.csv"),
     "error: --per-item missing/x.csv: the folder missing does not exist"),
    (("df", "build", "--refs", "bad.json", "-o", "missing/df.npz"),
     "error: --output missing/df.npz: the folder missing does not exist"),
    (("df", "build", "--refs", "refs.txt", "-o", "df.txt"),
     "error: --output df.txt: the file name must end in .json or .npz"),
    (("train", "--features", "f.npy", "--captions", "c.json", "--out", "m.txt"),
     "error: --out m.txt: the file name must end in .npz"),
    (("train", "--features", "f.npy", "--captions", "c.json", "--out", "missing/m.npz"),
     "error: --out missing/m.npz: the folder missing does not exist"),
    (("caption", "--model", "m.npz", "--features", "f.npy", "--out", "missing/r.json"),
     "error: --out missing/r.json: the folder missing does not exist"),
    (("caption", "--model", "m.npz", "--features", "f.npy", "--out", "r.txt"),
     "error: --out r.txt: the file name must end in .json"),
    (("demo", "--out", "afile/demo"), "error: --out afile/demo: cannot create the folder"),
    # --metrics a,a is refused the same way everywhere
    ((*SCORE, "--metrics", "bleu,bleu"), "error: Invalid value for '--metrics': metric listed "
                                         "twice: bleu (see 'capeval score --help')"),
    (("leaderboard", "--refs", "refs.txt", "hyps.txt", "--metrics", "bleu,BLEU"),
     "metric listed twice: bleu (see 'capeval leaderboard --help')"),
    (("meta-eval", "judgements.jsonl", "--metrics", "rouge-l,rouge-l"),
     "metric listed twice: rouge-l (see 'capeval meta-eval --help')"),
    # paraphrase tables
    ((*SCORE, "--paraphrase-table", "truncated.gz"), "truncated.gz: broken or truncated gzip"),
    ((*SCORE, "--paraphrase-table", "garbage.npz"), "garbage.npz: not a paraphrase table: the "
                                                    "file is not a .npz archive"),
    ((*SCORE, "--paraphrase-table", "afile"), "a paraphrase table is a .npz"),
    ((*SCORE, "--paraphrase-table", "empty.gz"), "empty.gz: the paraphrase table has no entries"),
    ((*SCORE, "--paraphrase-table", "words.gz"), "words.gz:line 1: probability 'high' is not a "
                                                 "number"),
    # options and friction
    (("caption", "--model", "m.npz", "--features", "f.npy", "--temperature", "1", "--beam", "3"),
     "error: --temperature samples words, --beam searches"),
    (("score", "--refs", "-", "--hyps", "-"), "only one input file can be '-'"),
    (("score", "--refs", "refs.txt", "--hyps", "/dev/zero"),
     "error: /dev/zero: not UTF-8 text: a NUL byte at byte offset 0"),
    ((*SCORE, "--id-field", "x"), "option --id-field does not apply to text files"),
    ((*SCORE, "--df", "zero.npz"), "error: zero.npz: invalid document frequency file (not a "
                                   ".npz archive)"),
    (("caption", "--model", "zero.npz", "--features", "f.npy"),
     "error: zero.npz: not a readable .npz checkpoint (not a .npz archive)"),
    (("leaderboard", "--refs", "refs.txt", "hyps.txt", "--name", " "),
     "error: Invalid value for --name: a system name cannot be empty"),
    (("scor",), "error: No such command 'scor'. Did you mean 'score'? (see 'capeval --help')"),
    (("caption", "--model", "refs.txt", "--features", "f.npy"),
     "error: refs.txt: not a readable .npz checkpoint (not a .npz archive)"),
])
def test_bad_commands_exit_2_with_one_line(files, args, message):
    result = run_cli(*args, expect=2)
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")
    assert result.stdout == ""


def test_captions_over_the_length_caps_name_the_file_and_image(files):
    from capeval.limits import MAX_CAPTION_CHARACTERS, MAX_CAPTION_TOKENS

    (files / "long.txt").write_text("a dog runs\n" + "x" * (MAX_CAPTION_CHARACTERS + 1) + "\n")
    result = run_cli("score", "--refs", "refs.txt", "--hyps", "long.txt", expect=2)
    assert result.stderr == (f"error: long.txt:line 2: caption of "
                             f"{MAX_CAPTION_CHARACTERS + 1:,} characters; the limit is "
                             f"{MAX_CAPTION_CHARACTERS:,} (capeval.limits.MAX_CAPTION_CHARACTERS)\n")
    (files / "many.txt").write_text("a dog runs\n" + "x " * (MAX_CAPTION_TOKENS + 1) + "\n")
    result = run_cli("score", "--refs", "many.txt", "--hyps", "hyps.txt", expect=2)
    assert result.stderr.startswith(f"error: many.txt:image 2: caption of "
                                    f"{MAX_CAPTION_TOKENS + 1:,} tokens; the limit is")


def test_a_trailing_blank_line_in_a_text_file_is_explained(files):
    (files / "hyps.txt").write_text("a dog runs\na cat sleeps\n\n")
    result = run_cli(*SCORE, expect=2)
    assert result.stderr == ("error: hyps.txt: hypotheses for 1 image(s) that have no references "
                             "in refs.txt: 3; these hypotheses are empty: blank lines at the end "
                             "of a text file?\n")


def test_library_options_are_named_as_flags(files):
    (files / "refs.csv").write_text("name,caption\n1,a dog\n")
    result = run_cli("score", "--refs", "refs.csv", "--hyps", "hyps.txt", expect=2)
    assert "or choose one with --id-field" in result.stderr
    (files / "groups.csv").write_text("image_id,kind\n1,a\n2,b\n")
    result = run_cli(*SCORE, "--groups", "groups.csv", expect=2)
    assert result.stderr == ("error: groups.csv: no group field among (image_id, kind); expected "
                             "one of group, domain, or choose one with --group-field\n")


def test_stdin_is_dash(files):
    expected = run_cli(*SCORE, "--metrics", "bleu", "--json").stdout
    piped = run_cli("score", "--refs", "refs.txt", "--hyps", "-", "--hyps-format", "text",
                    "--metrics", "bleu", "--json", input=(files / "hyps.txt").read_text())
    assert piped.stdout == expected
    coco = run_cli("score", "--refs", "refs.txt", "--hyps", "-", "--metrics", "bleu", "--json",
                   input=(files / "results.json").read_text())
    assert coco.stdout == expected
    refs = run_cli("score", "--refs", "-", "--refs-format", "text", "--hyps", "hyps.txt",
                   "--metrics", "bleu", "--json", input=(files / "refs.txt").read_text())
    assert refs.stdout == expected


def test_verbose_after_the_subcommand(files):
    quiet = run_cli(*SCORE, "--metrics", "bleu")
    assert "info:" not in quiet.stderr
    for args in (("--verbose", *SCORE, "--metrics", "bleu"), (*SCORE, "--metrics", "bleu",
                                                                 "--verbose")):
        result = run_cli(*args)
        assert "info: refs.txt: reading references as text" in result.stderr
        assert result.stdout == quiet.stdout


def test_separate_id_fields_pair_karpathy_file_names_with_coco_results(files):
    karpathy = {"images": [
        {"filename": "a.jpg", "imgid": 0, "split": "test",
         "sentences": [{"raw": "a dog runs"}]},
        {"filename": "b.jpg", "imgid": 1, "split": "test",
         "sentences": [{"raw": "a cat sleeps"}]}]}
    (files / "dataset.json").write_text(json.dumps(karpathy))
    (files / "hyps.jsonl").write_text('{"file": "b.jpg", "caption": "a cat sleeps"}\n'
                                      '{"file": "a.jpg", "caption": "a dog runs"}\n')
    result = run_cli("score", "--refs", "dataset.json", "--refs-id-field", "filename",
                     "--hyps", "hyps.jsonl", "--hyps-id-field", "file", "--metrics", "bleu",
                     "--tokenizer", "none", "--json")
    assert json.loads(result.stdout)["BLEU-1"] == pytest.approx(1.0)
    both = run_cli("score", "--refs", "dataset.json", "--id-field", "filename", "--hyps",
                   "hyps.jsonl", "--metrics", "bleu", expect=2)
    assert "hyps.jsonl: no field 'filename' (fields: file, caption)" in both.stderr


def test_split_repeats_for_train_plus_restval(files):
    images = [{"cocoid": i, "split": split, "sentences": [{"raw": f"caption {i}"}]}
              for i, split in enumerate(["train", "restval", "test", "val"])]
    (files / "dataset.json").write_text(json.dumps({"images": images}))
    built = run_cli("df", "build", "--refs", "dataset.json", "--split", "train", "--split",
                    "restval", "-o", "df.json")
    assert "2 images" in built.stderr
    info = run_cli("df", "info", "df.json")
    assert "images: 2" in info.stdout and "split: train+restval" in info.stdout
    (files / "two.json").write_text(json.dumps([{"image_id": 0, "caption": "caption 0"},
                                                {"image_id": 1, "caption": "caption 1"}]))
    scored = run_cli("score", "--refs", "dataset.json", "--split", "train", "--split",
                     "restval", "--hyps", "two.json", "--metrics", "cider-d", "--df", "df.json")
    assert "CIDEr-D.df:df.json(N=2,tok=ptb-corenlp-3.4.1,split=train+restval)" in scored.stdout


def test_a_df_table_of_too_low_an_order_or_another_tokenizer_is_refused(files):
    run_cli("df", "build", "--refs", "refs.txt", "--max-order", "2", "-o", "df2.npz")
    low = run_cli(*SCORE, "--df", "df2.npz", expect=2)
    assert low.stderr.startswith("error: df2.npz: covers n-grams up to order 2 but CIDEr-D "
                                 "needs orders 1..4")
    run_cli("df", "build", "--refs", "refs.txt", "--tokenizer", "none", "-o", "none.json")
    other = run_cli(*SCORE, "--df", "none.json", expect=2)
    assert other.stderr.startswith("error: none.json: built with tokenizer none but this run "
                                   "tokenizes with ptb-corenlp-3.4.1")


def test_a_df_table_shows_where_it_comes_from_but_its_split_is_not_checked(files):
    images = [{"cocoid": i, "split": split, "sentences": [{"raw": f"caption {i}"}]}
              for i, split in enumerate(["train", "restval", "test"])]
    (files / "dataset.json").write_text(json.dumps({"images": images}))
    run_cli("df", "build", "--refs", "dataset.json", "--split", "train", "-o", "train.npz")
    (files / "one.json").write_text(json.dumps([{"image_id": 2, "caption": "caption 2"}]))
    scored = run_cli("score", "--refs", "dataset.json", "--split", "test", "--hyps", "one.json",
                     "--metrics", "cider-d", "--df", "train.npz", "--verbose")
    assert "CIDEr-D.df:train.npz(N=1,tok=ptb-corenlp-3.4.1,split=train)" in scored.stdout
    assert ("info: CIDEr-D document frequencies: train.npz: 1 images of dataset.json (split "
            "train), tokenizer ptb-corenlp-3.4.1, capeval ") in scored.stderr


def test_groups_check_the_df_and_meteor_against_the_runs_tokenizer(files):
    (files / "groups.csv").write_text("image_id,group\n1,in\n2,out\n")
    run_cli("df", "build", "--refs", "refs.txt", "--tokenizer", "none", "-o", "none.json")
    grouped = ("score", "--refs", "refs.txt", "--hyps", "hyps.txt", "--groups", "groups.csv")
    same = run_cli(*grouped, "--df", "none.json", "--tokenizer", "none", "--metrics", "cider-d")
    assert "CIDEr-D.df:none.json(N=2,tok=none)" in same.stdout
    other = run_cli(*grouped, "--df", "none.json", "--metrics", "cider-d", expect=2)
    assert other.stderr.startswith("error: none.json: built with tokenizer none but this run "
                                   "tokenizes with ptb-corenlp-3.4.1")
    chinese = run_cli(*grouped, "--tokenizer", "jieba", "--metrics", "meteor")
    assert "METEOR.modules:exact" in chinese.stdout


def test_flickr8k_token_files_are_read_as_references(files):
    (files / "Flickr8k.token.txt").write_text(
        "1000268201_693b08cb0e.jpg#0\tA child in a pink dress .\n"
        "1000268201_693b08cb0e.jpg#1\tA girl going into a building .\n"
        "1001773457_577c3a7d70.jpg#0\tA black dog and a spotted dog are fighting\n")
    (files / "flickr.json").write_text(json.dumps([
        {"image_id": "1001773457_577c3a7d70.jpg", "caption": "two dogs are fighting"},
        {"image_id": "1000268201_693b08cb0e.jpg", "caption": "a girl in a pink dress"}]))
    result = run_cli("score", "--refs", "Flickr8k.token.txt", "--hyps", "flickr.json",
                     "--metrics", "bleu", "--json")
    import capeval

    expected = capeval.evaluate(
        {"1001773457_577c3a7d70.jpg": "two dogs are fighting",
         "1000268201_693b08cb0e.jpg": "a girl in a pink dress"},
        {"1000268201_693b08cb0e.jpg": ["A child in a pink dress .",
                                       "A girl going into a building ."],
         "1001773457_577c3a7d70.jpg": ["A black dog and a spotted dog are fighting"]},
        metrics="bleu")
    assert json.loads(result.stdout) == expected.corpus
    (files / "Flickr8k.token.txt").write_text("a.jpg#0\tA dog\na.jpg#0\tA cat\n")
    again = run_cli("score", "--refs", "Flickr8k.token.txt", "--hyps", "flickr.json", expect=2)
    assert again.stderr == ("error: Flickr8k.token.txt:line 2: caption a.jpg#0 appears again "
                            "(first at line 1)\n")


def test_train_output_suffix_is_checked_before_training(files):
    np.save(files / "f.npy", np.zeros((2, 3)))
    result = run_cli("train", "--features", "f.npy", "--captions", "bad.json", "--out",
                     "model.txt", expect=2)
    assert result.stderr.startswith("error: --out model.txt: the file name must end in .npz")


@pytest.mark.parametrize("address, reason", [
    ("nosuch", "missing port number in address 'nosuch'"),
    ("foo://x:1", "unknown address scheme 'foo'"),
    ("tcp://127.0.0.1:9", "Timed out trying to connect to tcp://127.0.0.1:9 after 1 s"),
])
def test_an_unreachable_dask_scheduler_is_one_line(files, address, reason):
    pytest.importorskip("distributed")
    # a process of its own, as on the command line: a failed Client leaves state behind
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"}
    result = subprocess.run([sys.executable, "-m", "capeval", *SCORE, "--dask", address],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"error: --dask {address}: cannot connect to the Dask "
                                    f"scheduler ({reason}")
    assert len(result.stderr.splitlines()) == 1


def test_a_write_that_fails_after_the_work_is_one_line(files, monkeypatch):
    from capeval.document_frequencies import DocumentFrequencies

    def disk_full(self, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(DocumentFrequencies, "save", disk_full)
    result = run_cli("df", "build", "--refs", "refs.txt", "-o", "df.npz", expect=2)
    assert result.stderr == "error: df.npz: cannot write: No space left on device\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
@pytest.mark.parametrize("buffered", [True, False])
@pytest.mark.parametrize("command", [SCORE, (*SCORE, "--json"), ("score", "--help")])
def test_a_full_standard_output_is_one_line(files, command, buffered):
    # a process of its own: the standard output must be a real file that cannot take writes
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "capeval", *command], stdout=full,
                                stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "error: cannot write the standard output: No space left on device\n"


def test_other_os_errors_stay_internal_errors(files, monkeypatch):
    from capeval.document_frequencies import DocumentFrequencies

    def denied(self, path):
        raise OSError(13, "Permission denied")  # not a full disk: not the standard output's

    monkeypatch.setattr(DocumentFrequencies, "save", denied)
    result = run_cli("df", "build", "--refs", "refs.txt", "-o", "df.npz", expect=2)
    assert result.stderr == "error: df.npz: cannot write: Permission denied\n"
    monkeypatch.setattr("capeval.cli.score._print_corpus", lambda *args: denied(None, None))
    result = run_cli(*SCORE, expect=123)
    assert result.stderr == ("internal error: PermissionError: [Errno 13] Permission denied "
                             "(use --verbose for a traceback)\n")


def test_a_full_disk_while_printing_is_the_standard_outputs(files, monkeypatch):
    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("capeval.cli.score._print_corpus", disk_full)
    result = run_cli(*SCORE, expect=2)
    assert result.stderr == "error: cannot write the standard output: No space left on device\n"
