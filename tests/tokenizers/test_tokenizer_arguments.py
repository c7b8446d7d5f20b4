"""Every tokenizer refuses malformed arguments with `CapevalTypeError`, never reads a string as
its characters, and checks the look-ahead (`following`) as it checks the captions."""
from __future__ import annotations

import pytest

from capeval import CapevalTypeError
from capeval.tokenizers import TOKENIZERS, tokenize

BAD_CONTAINERS = [("a dog", "str"), (b"a dog", "bytes"), (None, "NoneType"), (5, "int")]
BAD_ITEMS = [(3, "int"), (None, "NoneType"), (b"a dog", "bytes"), (["a", "dog"], "list")]


@pytest.fixture(params=sorted(TOKENIZERS))
def method(request):
    return request.param


@pytest.mark.parametrize("captions, kind", BAD_CONTAINERS)
def test_captions_must_be_an_iterable_of_str(method, captions, kind):
    with pytest.raises(CapevalTypeError, match=f"^captions must be an iterable of str "
                                               f"captions, not {kind}$"):
        tokenize(captions, method)


@pytest.mark.parametrize("item, kind", BAD_ITEMS)
def test_every_caption_must_be_a_str(method, item, kind):
    with pytest.raises(CapevalTypeError, match=f"^captions: caption 2 must be a str, not "
                                               f"{kind}$"):
        tokenize(["a dog", item], method)


@pytest.mark.parametrize("following, kind", BAD_CONTAINERS)
def test_following_must_be_an_iterable_of_str(method, following, kind):
    with pytest.raises(CapevalTypeError, match=f"^following must be an iterable of str "
                                               f"captions, not {kind}$"):
        tokenize(["a dog"], method, following=following)


@pytest.mark.parametrize("item, kind", BAD_ITEMS)
def test_every_following_caption_read_must_be_a_str(method, item, kind):
    # the look-ahead reads the blank captions and the next two others: item 3 is read
    with pytest.raises(CapevalTypeError, match=f"^following: caption 3 must be a str, not "
                                               f"{kind}$"):
        tokenize(["a dog"], method, following=["", "a cat", item])


def test_checked_following_is_read_as_the_rest_of_the_stream(method):
    block, rest = ["It's a dog.", "a cat"], ["", "U.", "S. flag", "more"]
    assert tokenize(block, method, following=iter(rest)) == tokenize(block + rest, method)[:2]
