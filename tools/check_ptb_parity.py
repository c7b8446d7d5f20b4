"""Compare capeval's PTB tokenizer with pycocoevalcap's real PTBTokenizer (needs Java).

Usage::

    python tools/check_ptb_parity.py /work/shared/data/flickr8k_train.tsv
    python tools/check_ptb_parity.py --fuzz 20000 --seed 7 --rule-literals
    python tools/check_ptb_parity.py --write-fixture tests/fixtures/ptb/jar_cases.tsv

File mode tokenizes every caption of a TSV (column ``caption``) or text file (one caption
per line) with the reference in one call, exactly as an evaluation does, and with capeval's
``ptb`` (the same stream) and ``ptb-caption`` (each caption as if a caption followed it).
capeval treats line breaks inside a caption as spaces (docs/ptb.md), so each mismatch is
re-run through the reference alone, followed by another caption and with its line breaks
replaced by spaces; a mismatch of ``ptb-caption`` that then disappears is explained by the
per-caption context. Fuzz mode compares ``ptb-caption`` with the reference on seeded random
strings built from tricky fragments, each followed by another caption (stream effects are
checked by ``tools/check_ptb_stream_parity.py``). ``--write-fixture`` stores the
reference's tokenization (each input followed by another caption) of the fuzz strings and
of extra inputs as a TSV golden fixture.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

# Keep pycocoevalcap out of the module-level imports: the tests load this module for its
# fixture format (escape/unescape) without the reference installed.
from capeval.tokenizers.ptb import PTBTokenizer
from capeval.tokenizers.ptb.charclasses import load_alphabet
from capeval.tokenizers.ptb.fastpath import FastPath

SEPARATOR = "a dog"
LINE_BREAKS = re.compile("[\n\r\v\f\u2028\u2029]")


def reference_batch(captions: list[str]) -> list[str]:
    """pycocoevalcap's PTBTokenizer on ``captions`` in one call; one string per caption."""
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    result = PTBTokenizer().tokenize({i: [{"caption": c}] for i, c in enumerate(captions)})
    return [result[i][0] if i in result else "<missing>" for i in range(len(captions))]


def reference_followed(captions: list[str]) -> list[str]:
    """The reference's output for each caption alone, followed by another caption.

    Line breaks become spaces first (capeval's semantics). The captions go through one
    call, each followed by a separator caption. A separator that does not come back intact
    means that a token ran on into the next caption (an unclosed SGML attribute value
    does); the output is then trusted up to that caption, which is re-run on its own.
    """
    captions = [LINE_BREAKS.sub(" ", c) for c in captions]
    results: list[str] = []
    while len(results) < len(captions):
        rest = captions[len(results) :]
        out = reference_batch([item for c in rest for item in (c, SEPARATOR)])
        broken = next((k for k in range(len(rest)) if out[2 * k + 1] != SEPARATOR), None)
        if broken is None:
            results += out[0::2]
        else:
            results += out[0 : 2 * broken : 2]
            results.append(reference_batch([rest[broken], SEPARATOR])[0])
    return results


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[tnr\\])")


def unescape(text: str) -> str:
    """Inverse of ``escape``."""
    simple = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
    return _ESCAPE.sub(lambda m: simple.get(m.group(1)) or chr(int(m.group(1)[1:], 16)), text)


def escape(text: str) -> str:
    """Escape as the fixture TSVs do: ``\\t \\n \\r \\\\`` and ``\\uXXXX`` for non-printables."""
    out = []
    for char in text:
        if char in "\t\n\r\\":
            out.append({"\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\"}[char])
        elif not char.isprintable() or char == "\u00a0" or char.isspace() and char != " ":
            code = ord(char)
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


# --- fuzzing ------------------------------------------------------------------------------

FRAGMENTS = (
    "a", "A", "dog", "Dog", "DOGS", "the", "The", "I", "It", "You", "An", "U.S.", "U.S", "e.g.",
    "i.e.", "a.m.", "etc.", "Mr.", "Dr.", "St.", "Mt.", "No.", "no.", "Inc.", "Co.", "Mass.",
    "vs.", "fig.", "Jan.", "Sept.", "Ph.D.", "cont'd", "don't", "can't", "won't", "isn\u2018t",
    "it's", "It\u2019s", "you're", "they'll", "I'm", "he'd", "dogs'", "'s", "'90", "'90s", "'em",
    "o'clock", "O'Neil", "y'all", "rock'n'roll", "ma'am", "cannot", "gonna", "wanna", "'twas",
    "C++", "c#", "t-shirt", "10-year-old", "mother-in-law", "U.S.-made", "AT&T", "at&t",
    "B&W", "S&P-500", "-LRB-", "pro-", "anti-war", "and/or", "w/", "a/b/c/d", "3.5", ".5", "5.",
    "1,000", "-5", "+5", "3:30", "10:30pm", "1/2", "3 1/2", "1/2/2014", "12-31-99",
    "(555) 555-1234", "555-1234", "10 100 1000", "+1 555 555 1234", "192.168.0.1", "$5.99",
    "US$", "us$", "\u00a35", "\u20ac5", "5\u00a2", "\u00a5", "#1", "#tbt", "@user", "email@x.com",
    "http://example.com/a?b=1.", "www.example.com", "foo.net/bar", "my-site.com", "photo.jpg",
    "1.jpg", "IMG_1234.JPG", "<b>", "</b>", "<p class=\"x\">", "<!-- c -->", "<3", "&amp;",
    "&lt;", "&gt;", "&quot;", "&apos;", "&#39;", "&nbsp;", "&mdash;", "caf&eacute;", "&copy;",
    ":)", ":-(", ":D", ";)", "(^_^)", "^_^", "<<", ">>", "(", ")", "[", "]", "{", "}", "\"",
    "'", "`", "``", "''", "\u2018", "\u2019", "\u201c", "\u201d", "\u201e", "\u201a", "\u00ab",
    "\u00bb", "-", "--", "---", "-----", "\u2013", "\u2014", ".", "..", "...", "....", ". . .",
    "\u2026", "\u0085", "?", "!", "?!", "!!", ",", ";", ":", "=", "/", "*", "**", "\\*", "_",
    "__", "@", "#", "%", "&", "+", "~", "^", "|", "\\", "\u00bd", "1\u00bd", "\u215e",
    "1\u20442", "H\u2082O", "x\u00b2", "10\u207b\u00b3", "\u00b0", "5\u00b0C", "\u00d7",
    "\u2022", "\u2764\ufe0f", "\U0001f600", "\U0001f44d\U0001f3fd", "\u00ad", "co\u00adop",
    "caf\u00e9", "na\u00efve", "e\u0301", "\u5317\u4eac", "\ud55c\uad6d\uc5b4",
    "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u0661\u0662\u0663", "\u00b5m", "\u017f",
    "\u212a", "\u0131", "\u0130", "\u24b6", "\u2163", "\u3002", "\uff0c", "\u3001", "\u00a1",
    "\u00bf", "\u300c", "\u300d", "\u200b", "\u200d", "\ufeff", "\ufffd", "\x7f", "\x00",
    "\u00a0", "\u3000", "\u2002", "\t", "\r", "\n", "\r\n", "\u2028", "\v",
)
# Rare literals of the rule table (treebank specials, abbreviation lists, entities, tags,
# phone-number and smiley shapes).
FRAGMENTS += (
    "S&amp;P-500", "S&Ls", "C.D.s", "Canada-U.S", "U.S.-U.K", "non-U.S.", "a.k.a.", "Cap'n",
    "c'est", "nor'easter", "s'mores", "ev'ry", "li'l", "nat'l", "e'er", "Dunkin'", "somethin'",
    "ol'", "'n", "'Tis", "'TWAS", "&HT;", "&odq;", "&#8220;", "&MD;", "&NBSP;", "&AMP;",
    "&APOS;", "&QUOT;", "pty.", "Ltd", "lim", "Ph.D", "Ed.D.", "Calif.", "Wash.", "wash.",
    "Mfg.", "MTG.", "Pte.", "Ppty.", "figs.", "op.", "ca.", "sq.", "doc.docx", "a.b.c.jpg",
    "x.html", "@_x1", "#été", "caf&eacute;s", "&Uuml;ber", "ſs", "U.S.A.",
    "I.", "Ms.", "However", "According", "Such", "<p>", "<!DOCTYPE x>", "<?xml?>", "</x >",
    "<a href='x'>", "ftp://x", "https://x.org/a_(b)", "a@b.c.d", "&lt;a@b.com&gt;",
    "(12) 345 6789", "++12 345 6789", "12.345.6789", "1.234.567.890", "+-5", "1٫5",
    "1­000", "²³", "⁺²", "₁₂", "10-20-2020", "1/2/3",
    "12 3/4", "1-3/4", "1\\/2", "\\*\\*", "***", "____", "@@", "##", "<<>>", ">:(", "=)",
    ";-p", ":'(", "x_x", "(-_-)", "(^.^)", "^.[^x=~<>]", "don`t", "y’know", "O‘o",
)
SEPARATORS = ("", "", " ", " ", " ", "  ", ".", ",", "-", "'", "/", "\u00a0")


def fragment_string(rng: np.random.Generator) -> str:
    """1-8 ``FRAGMENTS`` joined by random ``SEPARATORS``."""
    size = int(rng.integers(1, 9))
    parts = [FRAGMENTS[i] for i in rng.integers(len(FRAGMENTS), size=size)]
    glue = [SEPARATORS[i] for i in rng.integers(len(SEPARATORS), size=size - 1)]
    return parts[0] + "".join(g + p for g, p in zip(glue, parts[1:], strict=True))


def class_members() -> list[list[int]]:
    """For each non-ASCII lexer class, its BMP code points (surrogates left out)."""
    alphabet = load_alphabet()
    members: list[list[int]] = [[] for _ in alphabet.class_names]
    for code in range(128, 0x10000):
        if not 0xD800 <= code < 0xE000:
            members[ord(alphabet.translation[code]) - 128].append(code)
    return [m for m in members if m]


def char_soup(rng: np.random.Generator, members: list[list[int]]) -> str:
    """1-20 random characters: printable ASCII, ASCII controls, any lexer class, emoji."""
    chars = []
    for _ in range(int(rng.integers(1, 21))):
        kind = rng.random()
        if kind < 0.6:
            chars.append(chr(int(rng.integers(32, 127))))
        elif kind < 0.7:
            chars.append("\t\n\r\v\f\x00\x7f\x1c"[int(rng.integers(8))])
        elif kind < 0.97:
            cls = members[int(rng.integers(len(members)))]
            chars.append(chr(cls[int(rng.integers(len(cls)))]))
        else:
            chars.append(chr(int(rng.integers(0x1F300, 0x1F700))))
    return "".join(chars)


def fuzz_strings(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` random captions: 70% fragment strings, 30% character soup."""
    members = class_members()
    return [fragment_string(rng) if rng.random() < 0.7 else char_soup(rng, members)
            for _ in range(count)]


def finite_strings(node) -> list[str]:
    """Every ASCII string of a finite pattern node, in lowercase where the case is free.

    Returns [] for a node with an unbounded repetition.
    """
    kind = node[0]
    if kind == "sym":
        chars = [chr(c) for c in range(128) if node[1] >> c & 1]
        if len(chars) == 2 and chars[0].lower() == chars[1].lower():  # a caseless letter
            return [chars[1]]
        return chars
    if kind == "alt":
        return [text for child in node[1] for text in finite_strings(child)]
    if kind == "cat":
        texts = [""]
        for child in node[1]:
            tails = finite_strings(child)
            texts = [head + tail for head in texts for tail in tails]
        return texts
    _, child, lo, hi = node
    if hi is None:
        return []
    parts = finite_strings(child)
    texts, level = ([""] if lo == 0 else []), [""]
    for count in range(1, hi + 1):
        level = [head + tail for head in level for tail in parts]
        if count >= lo:
            texts += level
    return texts


def rule_literal_inputs() -> list[str]:
    """Captions that put every word of the lexer's literal lists into its telling contexts.

    Abbreviations, titles, sentence starters, file extensions, treebank specials and
    apostrophe words, each in several spellings (as listed, lower, upper, capitalised).
    """
    from capeval.tokenizers.ptb.compile_rules import rule_grammar
    from capeval.tokenizers.ptb.rules import SPLIT_WORDS

    grammar = rule_grammar(load_alphabet())

    def words(pattern: str) -> list[str]:
        found = finite_strings(grammar.parse(pattern))
        variants = {v for w in found for v in (w, w.lower(), w.upper(), w.capitalize())}
        return sorted(variants)

    contexts = {
        "{SentenceStarter}": ["vitamin C. {} x", "the U.S. {} x", "I. {} x", "a {}"],
        "{Abbrev1}": ["{}", "{} x", "{} X", "{}  x", "{}, x", "{} 5", "{}x"],
        "({Abbrev4})\\.": ["{} Smith", "{}", "{} x"],
        "{Abbrev4}": ["{} Smith", "{}"],
        "{Abbrev3}": ["{} 5", "{}5", "{}", "{} x"],
        "(bat|bmp|c|class|cgi|cpp|dll|doc|docx|exe|gif|gz|h|htm|html|jar|java|jpeg|jpg|mov|mp3"
        "|pdf|php|pl|png|ppt|ps|py|sql|tar|txt|wav|x|xml|zip)": ["photo.{}", "photo.{}. x",
                                                                  "1.{} x", "a.b.{},"],
        "{TreebankSpecial}|{AposWord}|{Acro}|(pt[eyEY]|co)\\.": ["{}", "{} x", "x {}."],
        "{Clitic}|{Nt}": ["it{}", "it{} x", "it{}x", "{}"],
    }
    inputs = [template.format(w) for w in SPLIT_WORDS for template in ("{}", "{}'s x", "x{}")]
    # Shapes of rules that no literal list covers: a period kept before , ; : after things,
    # hyphenated words and capitals joined by &; company suffixes.
    inputs += ["3pm., x", "3pm.; x", "a_b.: x", "l'a-b., x", "AT&T., x", "AT&amp;T.; x",
               "B&W.:", "x-1.,", "U.S.-made., x", "co\u00adop., x", "snow-covered.\u3001x",
               "Co. Ltd", "Pty. Limited", "PTE. LTD.", "co.  ltd", "co.\u00a0ltd"]
    for pattern, templates in contexts.items():
        inputs += [template.format(w) for w in words(pattern) for template in templates]
    return list(dict.fromkeys(inputs))


# --- reporting ----------------------------------------------------------------------------

def read_captions(path: Path, column: str) -> list[str]:
    if path.suffix == ".tsv":
        with path.open(encoding="utf-8", newline="") as handle:
            return [row[column] for row in csv.DictReader(handle, delimiter="\t",
                                                          quoting=csv.QUOTE_NONE)]
    return path.read_text(encoding="utf-8").split("\n")


def compare(captions: list[str], reference: list[str], label: str, show: int,
            stream: bool) -> int:
    """Print the comparison of ``ptb`` (``stream``) or ``ptb-caption`` with the reference;
    return the number of unexplained mismatches."""
    tokenizer = PTBTokenizer()
    start = time.perf_counter()
    tokenized = (tokenizer.tokenize_stream if stream else tokenizer.tokenize_each)(captions)
    ours = [" ".join(tokens) for tokens in tokenized]
    elapsed = time.perf_counter() - start
    fast = FastPath(tokenizer.lex)
    share = sum(fast.tokenize(c) is not None for c in captions) / max(len(captions), 1)
    mismatches = [i for i, (a, b) in enumerate(zip(ours, reference, strict=True)) if a != b]
    label = f"{label} ({'ptb' if stream else 'ptb-caption'})"
    print(f"{label}: {len(captions) - len(mismatches):,} of {len(captions):,} identical; "
          f"capeval took {elapsed:.3f} s with a fresh tokenizer, {share:.2%} on the fast path")
    if not mismatches:
        return 0
    rerun = reference_followed([captions[i] for i in mismatches])
    breaks = [i for i, c in enumerate(captions) if LINE_BREAKS.search(c.replace("\n", " "))]
    unexplained = []
    for i, followed in zip(mismatches, rerun, strict=True):
        if stream:  # the reference pairs the lines after a line break with later captions
            why = "line break in this or an earlier caption" if breaks and breaks[0] <= i else None
        else:
            why = "context (caption followed by another)" if followed == ours[i] else None
            if why and LINE_BREAKS.search(captions[i].replace("\n", " ")):
                why = "line break inside the caption"
        print(f"  [{i}] {escape(captions[i])!r}\n      reference {reference[i]!r}\n"
              f"      capeval   {ours[i]!r}\n      -> {why or 'UNEXPLAINED MISMATCH'}")
        if why is None:
            unexplained.append(i)
        if len(unexplained) >= show:
            print("  (stopping: too many unexplained mismatches)")
            break
    print(f"{label}: {len(mismatches) - len(unexplained)} mismatch(es) explained by the "
          f"deliberate differences, {len(unexplained)} unexplained")
    return len(unexplained)


def read_inputs(path: Path) -> list[str]:
    """Captions of a conformance file: ``input`` column of a TSV, or ``captions`` of JSONL."""
    if path.suffix == ".jsonl":
        lines = path.read_text(encoding="utf-8").split("\n")
        return [c for line in lines if line.strip() for c in json.loads(line)["captions"]]
    lines = path.read_text(encoding="utf-8").split("\n")
    while lines[0].startswith("#"):  # comments precede the header row
        del lines[0]
    rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [unescape(row["input"]) for row in rows]


def write_fixture(path: Path, inputs: list[str]) -> None:
    expected = reference_followed(inputs)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            f"# Generated by: python tools/check_ptb_parity.py {' '.join(sys.argv[1:])}\n"
            "# expected: pycocoevalcap 1.2's PTBTokenizer on the input followed by another\n"
            "# caption, with line breaks in the input replaced by spaces.\n"
            "# Escapes: \\t \\n \\r \\\\ \\uXXXX \\UXXXXXXXX.\n"
            "input\texpected\n"
        )
        for text, tokens in zip(inputs, expected, strict=True):
            handle.write(f"{escape(text)}\t{escape(tokens)}\n")
    print(f"wrote {path}: {len(inputs)} cases")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("captions", nargs="?", type=Path,
                        help="TSV with a caption column, or a text file with one caption a line")
    parser.add_argument("--column", default="caption")
    parser.add_argument("--fuzz", type=int, default=0, metavar="N", help="also run N fuzz strings")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=50, help="stop after this many unexplained")
    parser.add_argument("--write-fixture", type=Path, metavar="TSV",
                        help="write the reference output of the fuzz strings as a golden TSV")
    parser.add_argument("--include", type=Path, action="append", default=[], metavar="FILE",
                        help="with --write-fixture: also the inputs of this cases TSV or JSONL")
    parser.add_argument("--rule-literals", action="store_true",
                        help="also every word of the rules' literal lists, in telling contexts")
    args = parser.parse_args()
    fuzz = fuzz_strings(args.fuzz, np.random.default_rng(args.seed))
    literals = rule_literal_inputs() if args.rule_literals else []
    if args.write_fixture:
        inputs = [text for path in args.include for text in read_inputs(path)]
        write_fixture(args.write_fixture, list(dict.fromkeys(inputs + literals + fuzz)))
        return 0
    failures = 0
    if literals:
        failures += compare(literals, reference_followed(literals), "rule literals", args.show,
                            stream=False)
    if args.captions:
        captions = read_captions(args.captions, args.column)
        reference = reference_batch(captions)
        for stream in (True, False):
            failures += compare(captions, reference, str(args.captions), args.show, stream)
    if fuzz:
        failures += compare(fuzz, reference_followed(fuzz), f"fuzz(seed={args.seed})",
                            args.show, stream=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
