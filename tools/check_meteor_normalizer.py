"""Compare capeval's METEOR text processing with the jar's own normalizer on fuzz strings.

Runs ``edu.cmu.meteor.util.Normalizer.normalizeLine(line, LANG_EN, true).toLowerCase()``
from pycocoevalcap's ``meteor-1.5.jar`` (through a small Java harness compiled on the fly;
needs a JDK) and capeval's `tokenize_field` on the same strings, then compares the token
sequences. Strings are random mixes of words, punctuation, quotes, dots, dashes, apostrophes,
digits, non-ASCII letters, emoji and exotic spaces (no line breaks: the jar reads lines).

With ``--cases-out FILE`` it also writes the jar's output for the hand-written `CASES` as a
TSV fixture (input and expected tokens, both JSON-quoted) for the test suite.

Usage::

    python tools/check_meteor_normalizer.py [--count 20000] [--seed 0]
    python tools/check_meteor_normalizer.py --cases-out tests/fixtures/meteor/normalizer_cases.tsv
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from capeval.metrics.meteor import resources
from capeval.metrics.meteor.text import parse_nonbreaking_prefixes, tokenize_field

HARNESS = """
import java.io.*;
import edu.cmu.meteor.util.Constants;
import edu.cmu.meteor.util.Normalizer;
public class NormalizeLines {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
    String line;
    while ((line = in.readLine()) != null) {
      String text = Normalizer.normalizeLine(line.trim(), Constants.LANG_EN, true).toLowerCase();
      StringBuilder tokens = new StringBuilder();
      for (String token : text.split("[ \\\\t\\\\n\\\\r\\\\f]+")) {
        if (token.isEmpty()) continue;
        if (tokens.length() > 0) tokens.append(' ');
        tokens.append(token);
      }
      out.println(tokens);
    }
  }
}
"""

CASES = [
    "A man, riding a horse.",
    'He said, "Don\'t go!" -- U.S.-based co. Inc. 3,000.5 dogs...',
    "a dog sat. a cat",
    "a dog sat. The cat",
    "Mr. Smith and Dr. Who",
    "A man in a No. 5 shirt",
    "a man in a No. shirt",
    "see pp. 12 and pp. ten",
    "the boy's ball and the boys' ball",
    '"hello" said `he\'',
    "what?!",
    "x...y",
    "dog.cat",
    "it's 90's o'clock",
    "a,b,c",
    "a,,b",
    "3,000 and 3, 000 and a, 3",
    "tri-colored",
    "a-b-c",
    "rock--n--roll",
    "a---b",
    "dog 's",
    "U.S.A. and e.g. and i.e. the end.",
    "the end. The next",
    "a dog.",
    "..",
    ". . .",
    "wait.... what",
    "DOTMULTI and DOTDOTMULTI.",
    "‘quoted’ and “double” and ''two''",
    "em—dash and en–dash",
    "l'homme d'affaires",
    "'tis 'twas rock'n'roll",
    "Über café naïve Ёлка",
    "東京タワー and 😀😀",
    "tab\there",
    "nbsp\u00a0here and\u3000ideographic",
    "UPPER CASE WORDS",
    "a & b @ c # d $ e % f",
    "(parens) [brackets] {braces} <angles>",
    "path/to/file and back\\slash",
    "",
    "   ",
]

PIECES = (
    ["a", "dog", "The", "U.S.", "Mr.", "No.", "e.g.", "it's", "don't", "90's", "o'clock",
     "boys'", "3,000.5", "tri-colored", "rock--n--roll", "DOTMULTI", "Inc.", "pp.", "x.y",
     "Über", "naïve", "Ёлка", "東京", "😀", "ǅ", "Σίσυφος"]
    + list(".,;:!?'\"`‘’“”-–—()[]{}<>/\\|@#$%^&*_+=~0123456789")
    + [" ", " ", " ", "\t", "\u00a0", "\u2009", "\u3000", "\x0b", "\x0c", "...", "..", "''"]
)


def fuzz_lines(count: int, rng: np.random.Generator) -> list[str]:
    """Return `count` random strings of 1-30 pieces, without line breaks."""
    lines = []
    for _ in range(count):
        picks = rng.integers(0, len(PIECES), size=int(rng.integers(1, 31)))
        glue = rng.random(len(picks)) < 0.5
        spaced = zip(picks, glue, strict=True)
        lines.append("".join(PIECES[p] + (" " if g else "") for p, g in spaced))
    return lines


def jar_tokens(lines: list[str], jar: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "NormalizeLines.java"
        source.write_text(HARNESS, encoding="utf-8")
        subprocess.run(["javac", "-cp", str(jar), "-d", folder, str(source)], check=True)
        result = subprocess.run(
            ["java", "-cp", f"{jar}:{folder}", "NormalizeLines"],
            input="\n".join(lines) + "\n", capture_output=True, text=True, encoding="utf-8",
            check=True,
        )
    return result.stdout.split("\n")[: len(lines)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jar", type=Path, help="meteor-1.5.jar (default: pycocoevalcap's)")
    parser.add_argument("--cases-out", type=Path,
                        help="also write the jar's tokens for CASES to this TSV file")
    args = parser.parse_args(argv)
    if args.jar is None:
        import pycocoevalcap.meteor as meteor_package

        args.jar = Path(list(meteor_package.__path__)[0]) / "meteor-1.5.jar"
    prefixes = parse_nonbreaking_prefixes(resources.read_text("nonbreaking_prefixes.txt"))
    cases = list(CASES)
    lines = cases + fuzz_lines(args.count, np.random.default_rng(args.seed))
    expected = jar_tokens(lines, args.jar)
    if args.cases_out:
        rows = [f"{json.dumps(case, ensure_ascii=False)}\t{json.dumps(want, ensure_ascii=False)}"
                for case, want in zip(cases, expected[:len(cases)], strict=True)]
        header = "# input\tjar tokens (space-joined); written by tools/check_meteor_normalizer.py"
        args.cases_out.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    differing = [(line, want, " ".join(tokenize_field(line, prefixes)))
                 for line, want in zip(lines, expected, strict=True)
                 if " ".join(tokenize_field(line, prefixes)) != want]
    print(f"strings: {len(lines)}, identical: {len(lines) - len(differing)}")
    for line, want, got in differing[:10]:
        print(f"  {line!r}\n    jar:     {want!r}\n    capeval: {got!r}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
