"""The fast path gives exactly what the general lexer gives, on the captions it accepts."""
from __future__ import annotations

import numpy as np
import pytest

from capeval.tokenizers.ptb import PTBTokenizer
from capeval.tokenizers.ptb.fastpath import CAPTION_FOLLOWER, FastPath

# Chunks made of fast-path characters, chosen to provoke the rules that look around them:
# abbreviations, acronyms, split words, clitics, quotes, numbers, hyphens, smileys.
WORDS = [
    "a", "A", "I", "dog", "Dog", "DOGS", "the", "The", "It", "You", "An", "runs", "snow", "tv",
    "Mr", "Dr", "St", "Mt", "No", "no", "Co", "co", "Inc", "etc", "Mass", "mass", "vs", "fig",
    "Jan", "Sept", "U", "cannot", "Cannot", "gonna", "WANNA", "gimme", "cannotx", "don't",
    "can't", "won't", "it's", "It's", "you're", "they'll", "I'm", "he'd", "dogs'", "'s", "'90",
    "'90s", "'em", "o'clock", "O'Neil", "y'all", "rock'n'roll", "ma'am", "cont'd", "'twas",
    "'tis", "t-shirt", "10-year-old", "pro-", "anti-war", "-", "--", "---", "-----", "10",
    "1,000", "3:30", "10:30pm", "-5", "+5", "2x4", "1st", "555-1234", "12-31-99", "12", "555",
    "1234", "1000", ",", ";", ":", "?", "!", "?!", '"', "'", "''", '"hi"', "dog,", "dog;",
    "what?no", "a:b", ":D", ":-", ";-", "=", "RIF=ding", "'hello'", "I'", "y'", "O'o", "D'",
    "n't", "'n'", "Cap'n",
    # Only allowed as the last chunk:
    "A.", "etc.", "St.", "No.", "U.S.",
]
ENDINGS = ["", ".", " .", "  ", ". ", " . ", "?", "!"]


def random_caption(rng: np.random.Generator) -> str:
    size = int(rng.integers(1, 9))
    words = [WORDS[i] for i in rng.integers(len(WORDS), size=size)]
    gaps = [" " * int(n) for n in rng.integers(1, 3, size=size)]
    body = "".join(gap + word for gap, word in zip(gaps, words, strict=True))
    return body[int(rng.integers(0, 2)) :] + ENDINGS[int(rng.integers(len(ENDINGS)))]


@pytest.mark.parametrize("at_end", [False, True])
def test_fast_path_matches_general_lexer_on_generated_captions(at_end):
    """Same tokens, and the same answer to "could the next caption change them?"."""
    rng = np.random.default_rng(20240611)
    tokenizer = PTBTokenizer()
    fast = FastPath(tokenizer.lex)
    following = "" if at_end else CAPTION_FOLLOWER
    taken = 0
    for _ in range(6000):
        caption = random_caption(rng)
        lexed = fast.tokenize(caption, at_end=at_end)
        if lexed is not None:
            taken += 1
            assert lexed == tokenizer.lex(caption, following), repr(caption)
    assert taken > 4000  # periods inside and digits around spaces leave the fast path


def test_tokens_said_not_to_depend_on_the_next_caption_do_not():
    rng = np.random.default_rng(7)
    tokenizer = PTBTokenizer()
    fast = FastPath(tokenizer.lex)
    depending = 0
    for _ in range(3000):
        caption = random_caption(rng)
        lexed = fast.tokenize(caption)
        if lexed is None:
            continue
        tokens, depends = lexed
        depending += depends
        if not depends:
            for following in ("\nThe dog", "\n", "\n\nIt", "\n<b> x", "\n5"):
                assert tokenizer.lex(caption, following)[0] == tokens, (caption, following)
    assert depending > 10  # "A." and "etc." endings


@pytest.mark.parametrize(
    "caption",
    [
        "A. The dog",  # period inside: acronym before a sentence starter
        "etc. The end",
        "numbers 10 100 1000",  # phone-number-like digit groups across spaces
        "3 1/2 inch",
        "a (555) 555-1234",
        "wait . . . now",
        "a <b> tag",
        "caf\u00e9",
        "tab\there",
    ],
)
def test_fast_path_declines_context_dependent_captions(caption):
    tokenizer = PTBTokenizer()
    assert FastPath(tokenizer.lex).tokenize(caption) is None
    assert tokenizer.tokenize_each([caption]) == [tokenizer.lex(caption, CAPTION_FOLLOWER)[0]]


@pytest.mark.parametrize(
    "caption, expected",
    [
        ("A dog runs.", ["a", "dog", "runs"]),
        ("A dog runs .  ", ["a", "dog", "runs"]),
        ("We cannot see", ["we", "can", "not", "see"]),
        ("Main St.", ["main", "st."]),
        ("Main St. ", ["main", "st."]),
        ("you're", ["you", "'re"]),
        ("a 10-year-old's t-shirt, 3:30", ["a", "10-year-old", "'s", "t-shirt", "3:30"]),
        ("", []),
        ("   ", []),
    ],
)
def test_fast_path_examples(caption, expected):
    tokenizer = PTBTokenizer()
    assert FastPath(tokenizer.lex).tokenize(caption) == (expected, False)


def test_memo_is_bounded():
    tokenizer = PTBTokenizer()
    fast = FastPath(tokenizer.lex, max_entries=3)
    for word in ["dog's", "cat's", "cow's", "pig's", "hen's"]:
        assert fast.tokenize(f"{word} x") == ([word[:-2], "'s", "x"], False)
    assert len(fast._inner) <= 3
