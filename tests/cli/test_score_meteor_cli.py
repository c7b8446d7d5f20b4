"""capeval score: the METEOR options (--meteor-modules, --paraphrase-table)."""
from __future__ import annotations

import gzip
import json

import pytest

from capeval.metrics.meteor import Meteor
from tests.cli.helpers import run_cli


@pytest.fixture
def files(tmp_path):
    (tmp_path / "hyps.txt").write_text("a kid rides an equine\na man sits on a couch\n")
    (tmp_path / "refs.txt").write_text("a child rides a horse\na man sits on a sofa\n")
    with gzip.open(tmp_path / "mine.gz", "wt", encoding="utf-8") as handle:
        handle.write("0.5\nequine\nhorse\n")
    return tmp_path


def score(files, *options):
    result = run_cli("score", "--refs", files / "refs.txt", "--hyps", files / "hyps.txt",
                     "--tokenizer", "none", "--metrics", "meteor", "--json", *options)
    return json.loads(result.stdout)["METEOR"]


def expected(**options):
    hyps = [["a", "kid", "rides", "an", "equine"], ["a", "man", "sits", "on", "a", "couch"]]
    refs = [[["a", "child", "rides", "a", "horse"]], [["a", "man", "sits", "on", "a", "sofa"]]]
    return Meteor(**options).corpus_score(hyps, refs)["METEOR"]


def test_default_is_the_jar_configuration(files):
    assert score(files) == expected()


def test_modules_select_and_order_the_matchers(files):
    assert score(files, "--meteor-modules", "exact") == expected(modules=("exact",))
    assert score(files, "--meteor-modules", " Exact, synonym ") == expected(
        modules=("exact", "synonym"))
    assert score(files, "--meteor-modules", "exact") < score(files)


def test_paraphrase_table_option(files):
    table = files / "mine.gz"
    assert score(files, "--paraphrase-table", table) == expected(paraphrase_table=table)
    assert score(files, "--paraphrase-table", table) != score(files)


@pytest.mark.parametrize("options, message", [
    (["--meteor-modules", "exact,wordnet"], "unknown METEOR module 'wordnet'"),
    (["--meteor-modules", ","], "1 to 4 modules"),
    (["--meteor-modules", "exact", "--metrics", "bleu"], "need meteor in --metrics"),
    (["--paraphrase-table", "missing.gz"], "does not exist"),
])
def test_bad_options_exit_2_with_one_message(files, options, message):
    result = run_cli("score", "--refs", files / "refs.txt", "--hyps", files / "hyps.txt",
                     "--tokenizer", "none", *options, expect=2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
