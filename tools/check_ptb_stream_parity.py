"""Compare capeval's PTB stream context with pycocoevalcap's real PTBTokenizer (needs Java).

Usage (run with the reference's Python, which has pycocoevalcap 1.2 and capeval's source)::

    python tools/check_ptb_stream_parity.py --streams 400 --seed 1
    python tools/check_ptb_stream_parity.py --streams 400 --seed 1 \\
        --write-fixture tests/fixtures/ptb/jar_stream_cases.jsonl

Each stream is a crafted one (``CRAFTED``) or a random sequence of 1-6 captions built to
provoke the lexer's context
rules: captions ending in one-letter acronyms (``U.``, ``Grade A.``), abbreviations
(``etc.``, ``Mass.``), clitics and other endings that differ at end of input (``you're``,
``'90``, ``:)``, ``5'10``, ``1.jpg``), captions starting with sentence starters (``The``,
``It``, ``<b>``), blank captions and tricky fragments. The reference tokenizes each stream
in one call, as it tokenizes the references (or the hypotheses) of an evaluation, and
capeval tokenizes it with ``ptb`` (stream context) and ``ptb-caption`` (each caption on
its own). The reference *loses* a stream when its output has another number of lines than
the stream has captions (the wrapper then pairs later lines with the wrong images or drops
captions), or when one of its tokens runs across a line break (an SGML-like tag whose quoted
attribute value spans captions, ``RUN_ON``): the next caption's line then starts inside
that token.
Captions here hold no line-break characters (capeval's other deliberate difference).

``--write-fixture`` stores the streams and the reference's tokens (one string per caption)
as a golden JSONL file for ``tests/tokenizers/test_ptb_stream.py``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_ptb_parity import FRAGMENTS, LINE_BREAKS  # noqa: E402

from capeval.tokenizers import tokenize  # noqa: E402

BODIES = ("a dog runs", "Two men play", "the score is", "Grade", "vitamin", "made in the",
          "a sign for", "I love it", "photo", "a tall man", "He is", "class of", "happy")
ENDINGS = (" U.", " A.", " I.", " C.", " K.", " U.S.", " etc.", " Mass.", " Co.", " No.",
           " St.", " Jr.", " Inc.", " you're", " they'll", " we've", " 'em", " '90", " :)",
           " :-(", " 5'10", " 1.jpg", " x.html", " don't", " it's", ".", "", " ", "  ", " A",
           " Calif.", " a.k.a.", " Ph.D.", " Sept.", " no.", " 10 100", " 3 1/2", " <b", " <a b='x")
STARTERS = ("The dog runs.", "It is red.", "A man.", "An apple", "He runs", "They sit",
            "However it rains", "Mr. Smith", "<b> bold", "<p class='x'>", "the dog",
            "5 dogs", "(555) 123-4567", "The", "It", "A", "U.S.", "\u201cThe quote\u201d",
            "\"The dog\"", "'The dog'", "THE DOG", "y'> z")
# A tag whose quoted attribute value is open at a line break and closed after it: the jar's
# SGML token can then run into the next caption, so the reference loses data.
RUN_ON = re.compile("<[A-Za-z][^>\n]*=[ ]*('[^'>]*\n[^']*'|\"[^\">]*\n[^\"]*\")[^<>\n]*>")
# Streams written to show each context effect (the expected tokens still come from the jar).
CRAFTED = (
    ["Grade A.", "The dog runs."], ["Grade A.", "the dog runs."], ["Grade A.", "", "The dog"],
    ["Grade A.", " ", "", "It is"], ["Grade A.", "The"], ["Grade A.", "The", "x"],
    ["Grade A.", "The "], ["made in the U.", "The flag"], ["I.", "<b> bold"],
    ["etc.", ""], ["etc.", "", ""], ["etc.", "", "x"], ["etc.", "X"], ["no.", "5 dogs"],
    ["you're"], ["a dog", "you're"], ["you're", ""], ["you're", "a dog"], ["you're "],
    ["class of '90"], ["happy :)"], ["he is 5'10"], ["1.jpg"], ["a dog", ""], ["", "a dog"],
    ["", ""], [""], ["a <a b='x", "y'> z", "c"], ["Grade A.", "<a b='x", "y'> z"],
)

BLANKS = ("", " ", "  ", "\t", "\u3000", "\u00a0")
TRICKY = tuple(fragment for fragment in FRAGMENTS if not LINE_BREAKS.search(fragment)
               and "\n" not in fragment)


def random_caption(rng: np.random.Generator) -> str:
    """One caption: an ending-sensitive one, a sentence start, a blank or tricky fragments."""
    kind = rng.random()
    if kind < 0.4:
        return str(rng.choice(BODIES)) + str(rng.choice(ENDINGS))
    if kind < 0.7:
        return str(rng.choice(STARTERS))
    if kind < 0.8:
        return str(rng.choice(BLANKS))
    parts = rng.choice(TRICKY, size=int(rng.integers(1, 5)))
    return " ".join(str(part) for part in parts)


def random_streams(count: int, rng: np.random.Generator) -> list[list[str]]:
    return [[random_caption(rng) for _ in range(int(rng.integers(1, 7)))] for _ in range(count)]


def reference_lines(captions: list[str]) -> tuple[list[str], int]:
    """The reference's tokenization of one stream, and the number of lines its jar wrote.

    Runs what pycocoevalcap's ``PTBTokenizer.tokenize`` runs (the same temporary file, jar
    and options; its punctuation filter) so that the raw line count can be seen too.
    """
    from pycocoevalcap.tokenizer import ptbtokenizer as wrapper

    folder = os.path.dirname(os.path.abspath(wrapper.__file__))
    with tempfile.NamedTemporaryFile(delete=False, dir=folder) as handle:
        handle.write("\n".join(c.replace("\n", " ") for c in captions).encode())
    try:
        out = subprocess.run(
            ["java", "-cp", wrapper.STANFORD_CORENLP_3_4_1_JAR,
             "edu.stanford.nlp.process.PTBTokenizer", "-preserveLines", "-lowerCase",
             os.path.basename(handle.name)],
            cwd=folder, capture_output=True, check=True).stdout.decode()
    finally:
        os.remove(handle.name)
    lines = out.split("\n")
    tokens = [" ".join(w for w in line.rstrip().split(" ") if w not in wrapper.PUNCTUATIONS)
              for line in lines]
    return tokens[:len(captions)], len(lines)  # the jar ends the last line without "\n"


def check_against_wrapper(streams: list[list[str]]) -> None:
    """``reference_lines`` must give what the wrapper itself returns."""
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    for captions in streams:
        result = PTBTokenizer().tokenize({0: [{"caption": c} for c in captions]})
        if result[0] != reference_lines(captions)[0][:len(result[0])]:
            raise AssertionError(f"reference_lines differs from the wrapper on {captions!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--include", type=Path, action="append", default=[], metavar="JSONL",
                        help="also the streams ('captions') of this context-cases file")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--show", type=int, default=20)
    parser.add_argument("--write-fixture", type=Path, metavar="JSONL")
    args = parser.parse_args()
    streams = [json.loads(line)["captions"] for path in args.include
               for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    streams = [s for s in streams if not any(LINE_BREAKS.search(c) for c in s)]
    streams += [list(stream) for stream in CRAFTED]
    streams += random_streams(args.streams, np.random.default_rng(args.seed))
    check_against_wrapper(streams[:5])
    with ThreadPoolExecutor(args.jobs) as pool:
        reference = list(pool.map(reference_lines, streams))
    lossless = [written == len(captions) and not RUN_ON.search("\n".join(captions))
                for captions, (_, written) in zip(streams, reference)]
    total = sum(len(s) for s in streams)
    print(f"{len(streams)} streams, {total} captions; the reference loses data in "
          f"{lossless.count(False)} stream(s): a token runs across a line break, or its "
          "output has another number of lines")
    for method in ("ptb", "ptb-caption"):
        wrong_streams, wrong_captions, shown = 0, 0, 0
        for captions, (expected, _), kept in zip(streams, reference, lossless):
            got = [" ".join(tokens) for tokens in tokenize(captions, method)]
            if got == expected:
                continue
            if not kept:
                if method == "ptb":
                    print(f"  (reference loses) {captions!r}\n    reference {expected!r}\n"
                          f"    capeval   {got!r}")
                continue
            wrong_streams += 1
            wrong_captions += sum(a != b for a, b in zip(got, expected))
            if method == "ptb" and shown < args.show:
                shown += 1
                print(f"  {captions!r}\n    reference {expected!r}\n    capeval   {got!r}")
        print(f"{method}: {wrong_streams} of {lossless.count(True)} lossless streams differ "
              f"from the reference ({wrong_captions} captions)")
    if args.write_fixture:
        with args.write_fixture.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps({"generated_by": "python tools/check_ptb_stream_parity.py "
                                     + " ".join(sys.argv[1:])}) + "\n")
            for captions, (expected, _), kept in zip(streams, reference, lossless):
                handle.write(json.dumps({"captions": captions, "expected": expected,
                                         "lossless": kept}, ensure_ascii=False) + "\n")
        print(f"wrote {args.write_fixture}: {len(streams)} streams")
    return 0


if __name__ == "__main__":
    sys.exit(main())
