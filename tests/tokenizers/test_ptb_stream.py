"""The ``ptb`` stream context against the jar, and tokenizing a stream block by block."""
from __future__ import annotations

import re

import numpy as np
import pytest

from capeval.tokenizers import stream_lookahead, tokenize
from tests.tokenizers.ptb_data import jar_stream_cases, read_context_cases

CASES = jar_stream_cases()
LOSSLESS = [case for case in CASES if case["lossless"]]
LINE_BREAKS = re.compile("[\r\v\f\u2028\u2029]")
CHUNK = 50


def joined(captions: list[str], method: str = "ptb", **kwargs) -> list[str]:
    return [" ".join(tokens) for tokens in tokenize(captions, method, **kwargs)]


def test_fixture_covers_the_context_effects():
    assert len(LOSSLESS) >= 400
    differing = [case for case in LOSSLESS if joined(case["captions"], "ptb-caption")
                 != case["expected"]]
    assert len(differing) >= 40  # streams where the per-caption context is not the jar's


@pytest.mark.parametrize("start", range(0, len(LOSSLESS), CHUNK))
def test_streams_equal_the_jar(start):
    wrong = [(case["captions"], case["expected"], joined(case["captions"]))
             for case in LOSSLESS[start:start + CHUNK]
             if joined(case["captions"]) != case["expected"]]
    assert wrong == []


def test_streams_where_the_jar_loses_data_keep_captions_apart():
    lossy = [case for case in CASES if not case["lossless"]]
    assert lossy
    for case in lossy:  # one result per caption, each caption's tokens from its own text
        got = tokenize(case["captions"])
        assert len(got) == len(case["captions"])
        assert got[-1] == tokenize(case["captions"][-1:])[0]


def test_specification_context_cases():
    for case in read_context_cases():
        if not any(LINE_BREAKS.search(caption) for caption in case["captions"]):
            assert joined(case["captions"]) == case["expected"], case["description"]


def random_streams(count: int, seed: int) -> list[list[str]]:
    """Random orders and concatenations of the fixture's captions."""
    pool = [caption for case in CASES for caption in case["captions"]]
    rng = np.random.default_rng(seed)
    return [[pool[i] for i in rng.integers(len(pool), size=int(rng.integers(1, 12)))]
            for _ in range(count)]


def test_any_block_with_its_following_captions_gives_the_whole_stream_tokens():
    for captions in random_streams(300, seed=3):
        whole = tokenize(captions)
        for start in range(len(captions)):
            for end in range(start + 1, len(captions) + 1):
                block, rest = captions[start:end], captions[end:]
                assert tokenize(block, following=rest) == whole[start:end], (captions, start)
                assert tokenize(block, following=iter(rest)) == whole[start:end]
                assert tokenize(block, following=stream_lookahead(rest)) == whole[start:end]


def test_blocks_with_too_little_lookahead_can_differ():
    """Why a block carries `stream_lookahead`, not just the next caption."""
    stream = ["Grade A.", "", "The dog"]
    assert tokenize(stream)[0] == ["grade", "a"]
    assert tokenize(stream[:1], following=stream[1:2]) == [["grade", "a."]]
    assert tokenize(stream[:1], following=stream_lookahead(stream[1:])) == [["grade", "a"]]
    assert tokenize(["Grade A.", "The", "x"])[0] == ["grade", "a"]
    assert tokenize(["Grade A.", "The"])[0] == ["grade", "a."]  # "The" ends the input


@pytest.mark.parametrize(
    "rest, expected",
    [
        ([], ()),
        (["a dog", "b", "c"], ("a dog", "b")),
        (["a dog"], ("a dog",)),
        (["", " ", "\u3000", "The", "x", "y"], ("", " ", "\u3000", "The", "x")),
        (["", ""], ("", "")),
        (["\u0085", "x", "y"], ("\u0085", "x")),  # NEL is an ellipsis to the lexer
    ],
)
def test_stream_lookahead(rest, expected):
    assert stream_lookahead(rest) == expected
    assert stream_lookahead(iter(rest)) == expected


def test_stream_lookahead_reads_lazily():
    def endless():
        yield from ["x", "y"]
        raise AssertionError("read too far")

    assert stream_lookahead(endless()) == ("x", "y")


def test_context_free_tokenizers_ignore_following():
    assert tokenize(["you're"], "ptb-caption", following=[]) == [["you", "'re"]]
    assert tokenize(["a  b"], "none", following=["c"]) == [["a", "b"]]
