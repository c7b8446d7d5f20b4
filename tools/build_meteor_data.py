"""Build capeval's METEOR data files from the reference distribution (pycocoevalcap 1.2).

Reads ``meteor-1.5.jar`` (a zip holding ``function/english.words``,
``nonbreaking/english.prefixes``, ``synonym/english.synsets``, ``synonym/english.exceptions``
and ``synonym/COPYING.WORDNET``) and ``data/paraphrase-en.gz``, and writes into
``capeval/data/meteor/``:

``function_words.txt``, ``nonbreaking_prefixes.txt``, ``COPYING.WORDNET``
    Copied byte for byte.
``lexicon_en/``
    Every word of the synonym files (``english.synsets``: words and their synset numbers;
    ``english.exceptions``: irregular form -> base form) and of the paraphrase table, with the
    Java hash of its Snowball stem and its synsets as the jar's synonym module gathers them
    (its own plus its base forms'), so that METEOR computes these only for the other words it
    meets. Needs ``snowballstemmer`` 2.2.0, the stemmer the jar's matches agree with. One
    uncompressed ``.npy`` per array, memory-mapped at run time like the paraphrase table.
``paraphrase_en/``
    The English paraphrase table without its probabilities (which METEOR's matcher ignores):
    a token vocabulary, a trie of all phrases stored level by level (with its search keys),
    and for every source phrase A (file order) its target phrases B as trie node numbers, in
    file order; one uncompressed ``.npy`` per array, so that METEOR memory-maps them.

All arrays are plain NumPy arrays (no pickle); strings are UTF-8 bytes joined by newlines
(or fixed-width byte strings where they are searched). The layout is documented in
``capeval/metrics/meteor/resources.py`` and ``paraphrase.py``, which read them.

Usage::

    python tools/build_meteor_data.py                      # finds the installed pycocoevalcap
    python tools/build_meteor_data.py --jar J --paraphrase P --out capeval/data/meteor
    python tools/build_meteor_data.py --lexicon-only        # only lexicon_en/
    python tools/build_meteor_data.py --paraphrase my.gz --table-npz my.npz  # a user table
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import zipfile
from collections.abc import Iterable
from importlib import metadata as package_metadata
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
FORMAT_VERSION = 1
MAX_PHRASE_LENGTH = 7
COPIED = {
    "function/english.words": "function_words.txt",
    "nonbreaking/english.prefixes": "nonbreaking_prefixes.txt",
    "synonym/COPYING.WORDNET": "COPYING.WORDNET",
}


def locate_reference() -> tuple[Path, Path]:
    """Return the paths of meteor-1.5.jar and paraphrase-en.gz of the installed pycocoevalcap."""
    try:
        import pycocoevalcap.meteor as meteor_package
    except ImportError:
        sys.exit("error: pycocoevalcap is not installed; pass --jar and --paraphrase")
    folder = Path(list(meteor_package.__path__)[0])  # a namespace package: no __file__
    return folder / "meteor-1.5.jar", folder / "data" / "paraphrase-en.gz"


def join_strings(strings: list[str]) -> np.ndarray:
    """Encode strings (none containing a newline) as UTF-8 bytes joined by newlines."""
    if any("\n" in s for s in strings):
        raise ValueError("a string contains a newline")
    return np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8)


def metadata(**entries: object) -> np.ndarray:
    """Encode provenance as a UTF-8 JSON byte array."""
    return np.frombuffer(json.dumps(entries, sort_keys=True).encode("utf-8"), dtype=np.uint8)


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def parse_wordnet(synsets_text: str, exceptions_text: str
                  ) -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[str, ...]]]:
    """Return WordNet's synsets of each word and the base forms of each irregular form."""
    lines = synsets_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 2:
        raise ValueError("english.synsets: odd number of lines")
    own = {word: tuple(int(field) for field in line.split())
           for word, line in zip(lines[0::2], lines[1::2], strict=True)}
    if len(own) != len(lines) // 2:
        raise ValueError("english.synsets: a word occurs twice")
    if not all(own.values()):
        raise ValueError("english.synsets: a word without synsets")  # in_wordnet = has synsets

    lines = exceptions_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 2:
        raise ValueError("english.exceptions: odd number of lines")
    bases: dict[str, list[str]] = {}
    for base, form_line in zip(lines[0::2], lines[1::2], strict=True):
        for form in form_line.split():
            bases.setdefault(form, []).append(base)
    return own, {form: tuple(forms) for form, forms in bases.items()}


def build_lexicon(words: Iterable[str], own: dict[str, tuple[int, ...]],
                  bases: dict[str, tuple[str, ...]]) -> dict[str, np.ndarray]:
    """Encode each word's Snowball stem hash and synsets as ``resources.WordData`` reads them."""
    from snowballstemmer import EnglishStemmer

    sys.path.insert(0, str(REPO))
    from capeval.metrics.meteor.resources import KEY_WIDTH, jar_synsets
    from capeval.metrics.meteor.text import java_hash

    version = package_metadata.version("snowballstemmer")
    if version != "2.2.0":
        raise RuntimeError(f"snowballstemmer {version} is installed; the jar agrees with 2.2.0")
    by_bytes = sorted((word for word in words if word), key=lambda word: word.encode("utf-8"))
    short = [w for w in by_bytes if len(w.encode("utf-8")) <= KEY_WIDTH and "\0" not in w]
    long = [w for w in by_bytes if len(w.encode("utf-8")) > KEY_WIDTH or "\0" in w]
    vocabulary = short + long
    if set(bases) - set(vocabulary):
        raise ValueError("an irregular form is missing from the vocabulary")

    def own_of(word: str) -> frozenset[int]:
        return frozenset(own.get(word, ()))

    jar = [sorted(jar_synsets(word, own_of, bases, own.__contains__)) for word in vocabulary]
    mine = [sorted(own_of(word)) for word in vocabulary]
    stems = EnglishStemmer().stemWords(vocabulary)
    flat = [synset for sets in jar + mine for synset in sets]
    if flat and (min(flat) < 0 or max(flat) >= 2**32):
        raise ValueError("english.synsets: synset numbers out of the stored range")
    return {
        "short_words": np.array([w.encode("utf-8") for w in short], dtype=f"S{KEY_WIDTH}"),
        "long_words": join_strings(long),
        "stem_hashes": np.array([java_hash(stem) for stem in stems], dtype=np.uint32),
        "synset_counts": np.array([len(sets) for sets in jar], dtype=np.uint16),
        "synsets": np.array([x for sets in jar for x in sets], dtype=np.uint32),
        "own_counts": np.array([len(sets) for sets in mine], dtype=np.uint16),
        "own_synsets": np.array([x for sets in mine for x in sets], dtype=np.uint32),
        "meta": metadata(format=FORMAT_VERSION, stemmer=f"snowballstemmer {version}",
                         words=len(vocabulary), wordnet_words=len(own)),
    }


def read_paraphrases(raw: bytes) -> tuple[list[str], list[str]]:
    """Return the A and B phrase columns of a paraphrase table (probability, A, B lines)."""
    lines = gzip.decompress(raw).decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 3:
        raise ValueError("paraphrase table: line count is not a multiple of 3")
    return lines[1::3], lines[2::3]


def write_paraphrases(sources: list[str], targets: list[str], destination: Path,
                      **provenance: object) -> None:
    """Write the table of (A, B) entries (`ParaphraseTable.arrays`): as one ``.npz`` if
    `destination` ends in ``.npz`` (for ``--paraphrase-table``), else as a folder of ``.npy``
    files (the packaged table)."""
    sys.path.insert(0, str(REPO))
    from capeval.metrics.meteor.paraphrase import ParaphraseTable

    table = ParaphraseTable.from_entries(list(zip(sources, targets, strict=True)))
    arrays = table.arrays(**provenance)
    if destination.suffix == ".npz":
        np.savez_compressed(destination, **arrays)
    else:
        write_array_folder(arrays, destination)


def write_array_folder(arrays: dict[str, np.ndarray], destination: Path) -> None:
    """Write each array as ``destination/NAME.npy`` (uncompressed, so it can be memory-mapped),
    replacing the folder's old arrays."""
    destination.mkdir(parents=True, exist_ok=True)
    for old in destination.glob("*.npy"):
        old.unlink()
    for name, array in arrays.items():
        np.save(destination / f"{name}.npy", array, allow_pickle=False)


def vocabulary_of(synsets_text: str, exceptions_text: str, sources: list[str],
                  targets: list[str]) -> set[str]:
    """Return the words of the synonym files and of the paraphrase phrases."""
    words = {word for line in synsets_text.split("\n")[0::2] for word in line.split()}
    words.update(exceptions_text.split())
    words.update(word for phrase in (*sources, *targets) for word in phrase.split(" "))
    return words


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jar", type=Path, help="meteor-1.5.jar (default: pycocoevalcap's)")
    parser.add_argument("--paraphrase", type=Path,
                        help="paraphrase-en.gz (default: pycocoevalcap's data/paraphrase-en.gz)")
    parser.add_argument("--out", type=Path, default=REPO / "capeval" / "data" / "meteor")
    parser.add_argument("--lexicon-only", action="store_true", help="write only lexicon_en/")
    parser.add_argument("--table-npz", type=Path, metavar="FILE.npz",
                        help="only encode the --paraphrase table as one .npz, for "
                             "capeval's --paraphrase-table")
    args = parser.parse_args(argv)
    if args.table_npz:
        if args.paraphrase is None:
            parser.error("--table-npz needs --paraphrase")
        raw = args.paraphrase.read_bytes()
        sources, targets = read_paraphrases(raw)
        write_paraphrases(sources, targets, args.table_npz, source=args.paraphrase.name,
                          source_md5=md5(raw), entries=len(targets))
        print(f"wrote {args.table_npz} ({len(targets)} entries)", file=sys.stderr)
        return
    if args.jar is None or args.paraphrase is None:
        jar, paraphrase = locate_reference()
        args.jar = args.jar or jar
        args.paraphrase = args.paraphrase or paraphrase
    args.out.mkdir(parents=True, exist_ok=True)

    with zipfile.ZipFile(args.jar) as jar:
        if not args.lexicon_only:
            for member, name in COPIED.items():
                (args.out / name).write_bytes(jar.read(member))
                print(f"wrote {args.out / name}", file=sys.stderr)
        synsets = jar.read("synonym/english.synsets").decode("utf-8")
        exceptions = jar.read("synonym/english.exceptions").decode("utf-8")
    raw = args.paraphrase.read_bytes()
    sources, targets = read_paraphrases(raw)

    own, bases = parse_wordnet(synsets, exceptions)
    lexicon = build_lexicon(vocabulary_of(synsets, exceptions, sources, targets), own, bases)
    write_array_folder(lexicon, args.out / "lexicon_en")
    print(f"wrote {args.out / 'lexicon_en'}/ ({len(lexicon['stem_hashes'])} words)",
          file=sys.stderr)
    if not args.lexicon_only:
        folder = args.out / "paraphrase_en"
        write_paraphrases(sources, targets, folder, source=args.paraphrase.name,
                          source_md5=md5(raw), entries=len(targets))
        print(f"wrote {folder}/ ({len(targets)} entries)", file=sys.stderr)


if __name__ == "__main__":
    main()
