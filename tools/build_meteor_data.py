"""Build capeval's METEOR data files from the reference distribution (pycocoevalcap 1.2).

Reads ``meteor-1.5.jar`` (a zip holding ``function/english.words``,
``nonbreaking/english.prefixes``, ``synonym/english.synsets``, ``synonym/english.exceptions``
and ``synonym/COPYING.WORDNET``) and ``data/paraphrase-en.gz``, and writes into
``capeval/data/meteor/``:

``function_words.txt``, ``nonbreaking_prefixes.txt``, ``COPYING.WORDNET``
    Copied byte for byte.
``wordnet_synonyms.npz``
    The synset file (words and their synset numbers) and the exceptions file (irregular form
    -> base form pairs, file order), as arrays.
``paraphrase_en.npz``
    The English paraphrase table without its probabilities (which METEOR's matcher ignores):
    a token vocabulary, a trie of all phrases stored level by level, and for every source
    phrase A (file order) its target phrases B as trie node numbers, in file order.
``stems_en.npz``
    For every word of the synonym files and the paraphrase table (up to 24 UTF-8 bytes), the
    Java hash of its Snowball stem, so that METEOR stems only the other words it meets.
    Needs ``snowballstemmer`` 2.2.0, the stemmer the jar's matches agree with.

All arrays are plain numeric NumPy arrays in zlib-compressed ``.npz`` files (no pickle);
strings are stored as UTF-8 bytes joined by newlines. The layout is documented in
``capeval/metrics/meteor/resources.py`` and ``paraphrase.py``, which read them.

Usage::

    python tools/build_meteor_data.py                      # finds the installed pycocoevalcap
    python tools/build_meteor_data.py --jar J --paraphrase P --out capeval/data/meteor
    python tools/build_meteor_data.py --stems-only          # only stems_en.npz
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


def build_synonyms(synsets_text: str, exceptions_text: str) -> dict[str, np.ndarray]:
    """Encode WordNet synsets (word -> synset numbers) and exceptions (form -> base)."""
    lines = synsets_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 2:
        raise ValueError("english.synsets: odd number of lines")
    words = lines[0::2]
    synset_lists = [[int(field) for field in line.split()] for line in lines[1::2]]
    if len(set(words)) != len(words):
        raise ValueError("english.synsets: a word occurs twice")
    counts = np.array([len(ids) for ids in synset_lists], dtype=np.int64)
    flat = np.array([i for ids in synset_lists for i in ids], dtype=np.int64)
    if flat.min() < 0 or flat.max() >= 2**32 or counts.max() >= 2**16:
        raise ValueError("english.synsets: synset numbers out of the stored range")

    lines = exceptions_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 2:
        raise ValueError("english.exceptions: odd number of lines")
    forms, bases = [], []
    for base, form_line in zip(lines[0::2], lines[1::2], strict=True):
        for form in form_line.split():
            forms.append(form)
            bases.append(base)
    return {
        "words": join_strings(words),
        "synset_counts": counts.astype(np.uint16),
        "synsets": flat.astype(np.uint32),
        "exception_forms": join_strings(forms),
        "exception_bases": join_strings(bases),
    }


def read_paraphrases(raw: bytes) -> tuple[list[str], list[str]]:
    """Return the A and B phrase columns of a paraphrase table (probability, A, B lines)."""
    lines = gzip.decompress(raw).decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) % 3:
        raise ValueError("paraphrase table: line count is not a multiple of 3")
    return lines[1::3], lines[2::3]


def build_paraphrases(sources: list[str], targets: list[str]) -> dict[str, np.ndarray]:
    """Encode a paraphrase table as a phrase trie plus (A node, [B nodes]) groups.

    Layout (D = MAX_PHRASE_LENGTH levels, node numbers global across levels, level 1 first):

    ``tokens``            vocabulary, sorted, UTF-8 joined by newlines; token id = rank
    ``level_tokens_d``    token id of each level-d node; level-d nodes are sorted by (parent,
                          token), so parents are implicit in
    ``level_fanout_d``    (d >= 2) number of children of each level-(d-1) node
    ``group_sources``     node of each distinct A, in file order (the file lists each A's
                          entries consecutively)
    ``group_sizes``       number of entries of each A
    ``targets``           node of each entry's B, in file order
    """
    phrases = sorted(set(sources) | set(targets))
    split = {phrase: phrase.split(" ") for phrase in phrases}
    if any(not 1 <= len(words) <= MAX_PHRASE_LENGTH or "" in words for words in split.values()):
        raise ValueError(f"paraphrase table: a phrase is empty or longer than "
                         f"{MAX_PHRASE_LENGTH} tokens, or has doubled spaces")
    vocabulary = sorted({word for words in split.values() for word in words})
    token_id = {word: index for index, word in enumerate(vocabulary)}
    coded = {phrase: tuple(token_id[w] for w in words) for phrase, words in split.items()}
    del split

    arrays: dict[str, np.ndarray] = {"tokens": join_strings(vocabulary)}
    phrase_codes = set(coded.values())
    node_of_prefix: dict[tuple[int, ...], int] = {}
    previous_local: dict[tuple[int, ...], int] = {}
    offset = 0
    for depth in range(1, MAX_PHRASE_LENGTH + 1):
        prefixes = {ids[:depth] for ids in coded.values() if len(ids) >= depth}
        order = sorted(prefixes, key=lambda p: (previous_local.get(p[:-1], 0), p[-1]))
        local = {prefix: index for index, prefix in enumerate(order)}
        arrays[f"level_tokens_{depth}"] = np.array([p[-1] for p in order], dtype=np.uint16)
        if depth > 1:
            fanout = np.zeros(len(previous_local), dtype=np.int64)
            np.add.at(fanout, [previous_local[p[:-1]] for p in order], 1)
            arrays[f"level_fanout_{depth}"] = fanout.astype(np.uint32)
        node_of_prefix.update(
            (prefix, offset + index) for prefix, index in local.items() if prefix in phrase_codes
        )
        offset += len(order)
        previous_local = local

    node_of_phrase = {phrase: node_of_prefix[ids] for phrase, ids in coded.items()}
    group_sources: list[int] = []
    group_sizes: list[int] = []
    previous = None
    seen = set()
    for source in sources:
        if source != previous:
            if source in seen:
                raise ValueError(f"paraphrase table: entries of {source!r} are not consecutive")
            seen.add(source)
            group_sources.append(node_of_phrase[source])
            group_sizes.append(0)
            previous = source
        group_sizes[-1] += 1
    arrays["group_sources"] = np.array(group_sources, dtype=np.uint32)
    arrays["group_sizes"] = np.array(group_sizes, dtype=np.uint32)
    arrays["targets"] = np.array([node_of_phrase[t] for t in targets], dtype=np.uint32)
    return arrays


def build_stems(words: Iterable[str]) -> dict[str, np.ndarray]:
    """Encode the Java hash of the Snowball stem of each word of up to STEM_WIDTH bytes."""
    import snowballstemmer

    sys.path.insert(0, str(REPO))
    from capeval.metrics.meteor.resources import STEM_WIDTH
    from capeval.metrics.meteor.text import java_hash

    version = package_metadata.version("snowballstemmer")
    if version != "2.2.0":
        raise RuntimeError(f"snowballstemmer {version} is installed; the jar agrees with 2.2.0")
    vocabulary = sorted({word for word in words if 0 < len(word.encode("utf-8")) <= STEM_WIDTH},
                        key=lambda word: word.encode("utf-8"))
    stems = snowballstemmer.stemmer("english").stemWords(vocabulary)
    return {"words": join_strings(vocabulary),
            "stem_hashes": np.array([java_hash(stem) for stem in stems], dtype=np.uint32),
            "meta": metadata(format=FORMAT_VERSION, stemmer=f"snowballstemmer {version}",
                             words=len(vocabulary))}


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
    parser.add_argument("--stems-only", action="store_true", help="write only stems_en.npz")
    args = parser.parse_args(argv)
    if args.jar is None or args.paraphrase is None:
        jar, paraphrase = locate_reference()
        args.jar = args.jar or jar
        args.paraphrase = args.paraphrase or paraphrase
    args.out.mkdir(parents=True, exist_ok=True)

    jar_bytes = args.jar.read_bytes()
    with zipfile.ZipFile(args.jar) as jar:
        if not args.stems_only:
            for member, name in COPIED.items():
                (args.out / name).write_bytes(jar.read(member))
                print(f"wrote {args.out / name}", file=sys.stderr)
        synsets = jar.read("synonym/english.synsets").decode("utf-8")
        exceptions = jar.read("synonym/english.exceptions").decode("utf-8")
    raw = args.paraphrase.read_bytes()
    sources, targets = read_paraphrases(raw)

    if not args.stems_only:
        synonyms = build_synonyms(synsets, exceptions)
        synonyms["meta"] = metadata(format=FORMAT_VERSION, source=args.jar.name,
                                    source_md5=md5(jar_bytes),
                                    members=["synonym/english.synsets",
                                             "synonym/english.exceptions"])
        np.savez_compressed(args.out / "wordnet_synonyms.npz", **synonyms)
        print(f"wrote {args.out / 'wordnet_synonyms.npz'}", file=sys.stderr)

        table = build_paraphrases(sources, targets)
        table["meta"] = metadata(format=FORMAT_VERSION, source=args.paraphrase.name,
                                 source_md5=md5(raw), entries=len(targets))
        np.savez_compressed(args.out / "paraphrase_en.npz", **table)
        print(f"wrote {args.out / 'paraphrase_en.npz'} ({len(targets)} entries)", file=sys.stderr)

    stems = build_stems(vocabulary_of(synsets, exceptions, sources, targets))
    np.savez_compressed(args.out / "stems_en.npz", **stems)
    print(f"wrote {args.out / 'stems_en.npz'} ({len(stems['stem_hashes'])} words)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
