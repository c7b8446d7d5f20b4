"""METEOR text handling: the jar's ``-norm`` normalizer, Java hashing, lowercasing and trimming.

Oracle: tests/fixtures/meteor/normalizer_cases.tsv holds the output of the jar's own
``Normalizer.normalizeLine(..., LANG_EN, true).toLowerCase()`` for hand-written inputs
(written by tools/check_meteor_normalizer.py, which also fuzzes 20,000+ strings against it).
Hash values are Java's ``String.hashCode`` as printed by OpenJDK 17.
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from capeval.metrics.meteor import resources
from capeval.metrics.meteor.corpus import hypothesis_field, reference_fields
from capeval.metrics.meteor.text import (
    ANY,
    NUMERIC_ONLY,
    java_hash,
    java_hashes,
    java_lower,
    java_trim,
    parse_nonbreaking_prefixes,
    tokenize_field,
)
from tests.conftest import FIXTURES

PREFIXES = parse_nonbreaking_prefixes(resources.read_text("nonbreaking_prefixes.txt"))


def jar_cases():
    rows = (FIXTURES / "meteor" / "normalizer_cases.tsv").read_text(encoding="utf-8")
    return [tuple(json.loads(field) for field in line.split("\t"))
            for line in rows.splitlines() if not line.startswith("#")]


@pytest.mark.parametrize("text, expected", jar_cases())
def test_tokens_equal_the_jar_normalizer(text, expected):
    assert " ".join(tokenize_field(text, PREFIXES)) == expected


@pytest.mark.parametrize("text, expected", [
    ("A man, riding a horse.", ("a", "man", ",", "riding", "a", "horse", ".")),
    ("a dog sat. a cat", ("a", "dog", "sat.", "a", "cat")),  # lowercase next word: kept
    ("a dog sat. The cat", ("a", "dog", "sat", ".", "the", "cat")),
    ("a b  c\td", ("a", "b", "c", "d")),  # plain text skips the normalizer
    ("DOTMULTI", (".",)),  # the jar's placeholder word, even in plain text
    ("", ()),
])
def test_tokenize_field_examples(text, expected):
    assert tokenize_field(text, PREFIXES) == expected


def test_nonbreaking_prefix_file_parses_into_types():
    assert len(PREFIXES) == 93
    assert PREFIXES["Mr"] == ANY and PREFIXES["e.g"] == ANY and PREFIXES["A"] == ANY
    assert {p for p, kind in PREFIXES.items() if kind == NUMERIC_ONLY} == {"No", "Art", "pp"}


@pytest.mark.parametrize("word, value", [
    ("hello", 99162322), ("", 0), ("or", 3555), ("q4", 3555), ("\U0001f600", 1772899),
    ("über", 7604755), ("ёлка", 33994432), ("polygenelubricants", 2**31),
])
def test_java_hash(word, value):
    assert java_hash(word) == value


def test_java_hashes_of_many_words_equal_the_recurrence():
    # h = 31 * h + unit over UTF-16 code units, word by word: empty words, words beyond the
    # BMP (two units a character) and long words (powers of 31 wrap modulo 2**64) included.
    def recurrence(word):
        value = 0
        for unit in memoryview(word.encode("utf-16-le")).cast("H"):
            value = (31 * value + unit) % 2**32
        return value

    rng = np.random.default_rng(7)
    alphabet = list("abzAZ09 .é\u00ff\u4e2d\uffff\x00") + ["\U0001f600"]
    words = ["", "a", "", "x" * 3000] + [
        "".join(rng.choice(alphabet, size=int(rng.integers(0, 40)))) for _ in range(2000)] + [""]
    assert java_hashes(words).tolist() == [recurrence(word) for word in words]
    assert java_hashes([]).tolist() == []


def test_java_lower_keeps_the_code_points_java_17_does_not_lowercase():
    assert java_lower("ÉCOLE Ёлка") == "école ёлка"
    assert java_lower("\u2c2f\U00010570A") == "\u2c2f\U00010570a"  # Unicode 14 additions
    assert "\u2c2f".lower() != "\u2c2f"  # ... which Python does lowercase


def test_java_trim_strips_control_characters_but_not_other_spaces():
    assert java_trim("\x00\x1f a b \t\n") == "a b"
    assert java_trim("\u00a0a\u3000") == "\u00a0a\u3000"


def test_hypothesis_field_deletes_separators_as_pycocoevalcap_does():
    assert hypothesis_field(["a", "dog", "|||", "runs"]) == "a dog runs"
    assert hypothesis_field(["a|||b"]) == "ab"
    assert hypothesis_field([]) == ""


def test_a_separator_inside_a_reference_splits_it_as_in_the_jar():
    assert reference_fields([["a", "dog"], ["a", "|||", "cat"]]) == [
        "a dog ", " a ", " cat"]
    assert reference_fields([["|||"]]) == ["", ""]  # two empty references
    assert reference_fields([[]]) == [""]
