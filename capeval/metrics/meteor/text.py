"""Text handling of METEOR 1.5 under ``-l en -norm``: normalizer, lowercasing, tokenizing, hashing.

Reproduces what ``meteor-1.5.jar`` does to one field of a ``SCORE`` line before matching: Java
``trim``, the English normalizer (a Moses-tokenizer variant, "keep punctuation" mode), Java
``String.toLowerCase`` and ``StringTokenizer`` splitting. `java_hash` is Java's
``String.hashCode``, which the jar uses to test words for equality.

The rules follow the capeval METEOR specification (its section 2); every regex substitution is a
single left-to-right, non-overlapping pass, exactly as ``java.util.regex`` ``replaceAll``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

_LETTER = (
    "A-Za-z\u0160\u017d\u0161\u017e\u0178\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u017e"
    "\u0400-\u04ff\u0500-\u0527\ua640-\ua66e\ua67e-\ua697\u1d00-\u1d7f"
)
_ALNUM = "0-9" + _LETTER
_JAVA_SPACE = " \t\n\x0b\x0c\r"  # java.util.regex \s

_ISOLATE = re.compile(f"([^{_ALNUM}{_JAVA_SPACE}.'`,\\-\u2018\u2019])")
_MULTI_DOT = re.compile(r"\.(\.+)")
_MULTI_DOT_STEP = re.compile(r"DOTMULTI\.([^.])")
_COMMAS = tuple(
    re.compile(pattern)
    for pattern in (r"([^0-9]),([^0-9])", r"([0-9]),([^0-9])", r"([^0-9]),([0-9])")
)
_SINGLE_QUOTE = re.compile("[`\u2018\u2019]")
_DOUBLE_QUOTE = re.compile("[\u201c\u201d]|''")
_INTRA_WORD_DASH = re.compile(f"([{_ALNUM}.])-([{_ALNUM}])")
_APOSTROPHES = (
    (re.compile(f"([^{_LETTER}])'([^{_LETTER}])"), r"\1 ' \2"),
    (re.compile(f"([^{_LETTER}0-9])'([{_LETTER}])"), r"\1 ' \2"),
    (re.compile(f"([{_LETTER}])'([^{_LETTER}])"), r"\1 ' \2"),
    (re.compile(f"([{_LETTER}])'([{_LETTER}])"), r"\1 '\2"),
    (re.compile(r"([0-9])'(s)"), r"\1 '\2"),
)
_HAS_LETTER = re.compile(f"[{_LETTER}]")
_WORD_SPLIT = re.compile("[ \t\n\r\x0c]+")  # java.util.StringTokenizer's default delimiters
_WHITESPACE_RUN = re.compile("[ \u2000-\u200a\u202f\u205f\u3000\u00a0]+")
_PLAIN = re.compile("[A-Za-z0-9 ]*")

# Code points that Python 3.11 (Unicode 14) lowercases but Java 17 (Unicode 13) does not.
_NOT_LOWERED_BY_JAVA = "\u2c2f\ua7c0\ua7d0\ua7d6\ua7d8" + "".join(
    chr(cp) for cp in range(0x10570, 0x10596) if cp not in (0x1057B, 0x1058B)
)
_JAVA_LOWER_GAPS = re.compile(f"([{_NOT_LOWERED_BY_JAVA}])")

NUMERIC_ONLY = "numeric"
"""Type of a nonbreaking prefix that only binds to a following number (``No. 5``)."""
ANY = "any"
"""Type of a nonbreaking prefix whose period never ends a sentence (``Mr.``)."""


def parse_nonbreaking_prefixes(text: str) -> dict[str, str]:
    """Parse a Moses-style nonbreaking-prefix file into ``{prefix: ANY | NUMERIC_ONLY}``.

    Each non-comment line holds a prefix, optionally followed by ``#NUMERIC_ONLY#``.
    """
    prefixes: dict[str, str] = {}
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        numeric = len(fields) > 1 and fields[1] == "#NUMERIC_ONLY#"
        prefixes[fields[0]] = NUMERIC_ONLY if numeric else ANY
    return prefixes


_TRIM_CHARACTERS = "".join(map(chr, range(0x21)))


def java_trim(text: str) -> str:
    """Strip every character up to U+0020 from both ends, as Java ``String.trim``."""
    return text.strip(_TRIM_CHARACTERS)


def java_lower(text: str) -> str:
    """Lowercase as Java 17 ``String.toLowerCase`` (English locale)."""
    if not _JAVA_LOWER_GAPS.search(text):
        return text.lower()
    pieces = _JAVA_LOWER_GAPS.split(text)
    # split() with one group alternates: text, kept character, text, ...
    return "".join(piece if index % 2 else piece.lower() for index, piece in enumerate(pieces))


def java_hash(word: str) -> int:
    """Return Java's ``String.hashCode`` of `word` as an unsigned 32-bit integer (`java_hashes`)."""
    return int(java_hashes([word])[0])


def java_hashes(words: Sequence[str]) -> np.ndarray:
    """Return Java's ``String.hashCode`` of each word, unsigned, shape (len(words),), int64.

    The hash runs over UTF-16 code units u_0..u_{n-1}: the sum of u_i * 31**(n-1-i),
    modulo 2**32, here for all words at once. uint64 arithmetic wraps modulo 2**64, a
    multiple of 2**32, so the low 32 bits come out exact.
    """
    units = np.frombuffer("".join(words).encode("utf-16-le"), dtype="<u2").astype(np.uint64)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    if len(units) != lengths.sum():  # characters beyond the BMP take two code units
        lengths = np.fromiter((len(word.encode("utf-16-le")) // 2 for word in words),
                              dtype=np.int64, count=len(words))
    ends = np.cumsum(lengths)
    longest = int(lengths.max(initial=0))
    powers = np.cumprod(np.concatenate([[1], np.full(max(longest - 1, 0), 31)]),
                        dtype=np.uint64)  # 31**k for k < longest
    exponent = np.repeat(ends, lengths) - 1 - np.arange(len(units))
    terms = np.append(units * powers[exponent], np.uint64(0))  # a 0 term ends the last word
    sums = np.add.reduceat(terms, ends - lengths)
    return np.where(lengths > 0, sums & 0xFFFFFFFF, 0).astype(np.int64)


def _split_sentence_periods(line: str, prefixes: Mapping[str, str]) -> str:
    """Split the final period off words, unless the word is an abbreviation (step 9)."""
    words = _WORD_SPLIT.split(line.strip(" \t\n\r\x0c"))
    if words == [""]:
        return ""
    out = []
    last = len(words) - 1
    for index, word in enumerate(words):
        if len(word) > 1 and word.endswith("."):
            stem = word[:-1]
            kind = prefixes.get(stem)
            following = words[index + 1] if index < last else ""
            if "." in stem and _HAS_LETTER.search(stem):
                word = word.replace(".", "")
            elif kind == ANY or following[:1] in _ASCII_LOWER:
                pass
            elif kind == NUMERIC_ONLY and following[:1] in _ASCII_DIGITS:
                pass
            else:
                word = stem + " ."
        out.append(word)
    return " ".join(out) + " "


_ASCII_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_ASCII_DIGITS = frozenset("0123456789")


def normalize(text: str, prefixes: Mapping[str, str]) -> str:
    """Apply the jar's English normalizer (``-norm``, punctuation kept) to one trimmed field.

    Parameters
    ----------
    text : str
        The field, original case.
    prefixes : mapping of str to {ANY, NUMERIC_ONLY}
        Nonbreaking prefixes (`parse_nonbreaking_prefixes` of ``english.prefixes``).

    Returns
    -------
    str
        Space-separated tokens, original case (lowercasing comes after normalizing).
    """
    # Each substitution whose pattern needs a character the line lacks is skipped (a no-op).
    line = _ISOLATE.sub(r" \1 ", f" {text} ")
    if "." in line:
        line = _MULTI_DOT.sub(r" DOTMULTI\1", line)
    while "DOTMULTI." in line:
        line = _MULTI_DOT_STEP.sub(r"DOTDOTMULTI \1", line)
        line = line.replace("DOTMULTI.", "DOTDOTMULTI")
    if "," in line:
        for pattern in _COMMAS:
            line = pattern.sub(r"\1 , \2", line)
    line = _SINGLE_QUOTE.sub("'", line)
    line = _DOUBLE_QUOTE.sub(' " ', line)
    line = line.replace("\u2013", "-").replace("--", "-")
    if "-" in line:
        line = _INTRA_WORD_DASH.sub(r"\1 \2", line)
    if "'" in line:
        for pattern, replacement in _APOSTROPHES:
            line = pattern.sub(replacement, line)
    line = _split_sentence_periods(line, prefixes)
    while "DOTDOTMULTI" in line:
        line = line.replace("DOTDOTMULTI", "DOTMULTI.")
    line = line.replace("DOTMULTI", ".")
    return java_trim(_WHITESPACE_RUN.sub(" ", line))


def tokenize_field(text: str, prefixes: Mapping[str, str]) -> tuple[str, ...]:
    """Return the tokens METEOR scores for one ``|||`` field: trim, normalize, lowercase, split."""
    return tokenize_fields([text], prefixes)[0]


def tokenize_fields(texts: Sequence[str], prefixes: Mapping[str, str]) -> list[tuple[str, ...]]:
    """Return `tokenize_field` of each text.

    Fields made only of ASCII letters, digits and spaces skip the normalizer, which leaves
    them unchanged (unless they contain its placeholder word ``DOTMULTI``, which it turns
    into a period). Equal tokens are one string object (a corpus holds each word once).
    """
    plain = _PLAIN.fullmatch
    same: dict[str, str] = {}
    return [tuple(map(same.setdefault, tokens, tokens))
            for tokens in (text.lower().split() if plain(text) and "DOTMULTI" not in text
                           else _normalized_tokens(text, prefixes)
                           for text in (text.strip(_TRIM_CHARACTERS) for text in texts))]


def _normalized_tokens(text: str, prefixes: Mapping[str, str]) -> list[str]:
    normalized = java_lower(normalize(text, prefixes))
    return [token for token in _WORD_SPLIT.split(normalized) if token]
