"""Document frequencies of n-grams over a reference corpus, for CIDEr-D's TF-IDF weights.

The document frequency of an n-gram is the number of images whose reference set contains it.
pycocoevalcap computes it from the references being evaluated; a saved table lets a single
image, a batch or a test split be scored with the statistics of a larger corpus (e.g. the
training references, as self-critical training does).

A table is stored as a trie: the n-grams of order n are rows (prefix, word, df), where
``prefix`` indexes the rows of order n-1 and ``word`` the vocabulary. Files are JSON (readable,
for small corpora) or ``.npz`` (compact); never pickle.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TypeVar

import numpy as np

from capeval import __version__
from capeval.data_files import check_header, read_data_file
from capeval.errors import CapevalInputError
from capeval.ngrams.occurrences import Occurrences, iter_occurrences
from capeval.ngrams.words import factorize
from capeval.ngrams.vocabulary import caption_words

_Built = TypeVar("_Built")

FILE_FORMAT = "capeval-document-frequencies"
FILE_VERSION = 1


FREQUENT = "df>=2"
"""``metadata["kept"]`` of a table reduced to the n-grams found in at least two images."""


@dataclass(frozen=True, eq=False)
class DocumentFrequencies:
    """Image-level document frequencies of the n-grams of orders 1..max_order.

    Attributes
    ----------
    n_images : int
        N, the number of images of the reference corpus (CIDEr-D uses log N).
    vocabulary : tuple of str
        Words by word id.
    prefix, word, df : tuple of ndarray, one per order, each of shape (M_n,), dtype int64
        Row m of order n is the n-gram made of n-gram ``prefix[n-1][m]`` of order n-1 (-1 for
        unigrams) followed by word ``word[n-1][m]``, found in ``df[n-1][m]`` images.
    metadata : dict
        Provenance (source file, tokenizer, capeval version); written to and read from files.
    """

    n_images: int
    vocabulary: tuple[str, ...]
    prefix: tuple[np.ndarray, ...]
    word: tuple[np.ndarray, ...]
    df: tuple[np.ndarray, ...]
    metadata: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, init=False, repr=False)

    @property
    def max_order(self) -> int:
        return len(self.df)

    def cached(self, key: Hashable, build: Callable[[], _Built]) -> _Built:
        """Return ``build()``, computed once per `key` for this table (e.g. its idf trie)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @classmethod
    def from_references(
        cls, references: Sequence[Sequence[Sequence[str]]], max_order: int = 4, **metadata: str
    ) -> DocumentFrequencies:
        """Count, for every n-gram of the references, the images whose references contain it.

        Parameters
        ----------
        references : sequence of N non-empty sequences of token sequences
            A caption's words are ``" ".join(tokens).split()``.
        max_order : int, default=4
        **metadata
            Stored with the table, e.g. ``tokenizer="ptb-corenlp-3.4.1"``.
        """
        captions = [caption_words(r) for refs in references for r in refs]
        vocabulary = tuple(dict.fromkeys(chain(*captions)))
        ids = {word: index for index, word in enumerate(vocabulary)}
        lengths = np.fromiter(map(len, captions), dtype=np.int64, count=len(captions))
        word_ids = np.fromiter(map(ids.__getitem__, chain.from_iterable(captions)),
                               dtype=np.int64, count=int(lengths.sum()))
        refs_per_image = np.fromiter(map(len, references), np.int64, len(references))
        image = np.repeat(np.arange(len(references), dtype=np.int64), refs_per_image)
        return cls.from_image_occurrences(
            len(references), vocabulary, word_ids,
            iter_occurrences(word_ids, lengths, image, max_order), max_order, **metadata)

    @classmethod
    def from_image_occurrences(
        cls, n_images: int, vocabulary: Sequence[str], word_ids: np.ndarray,
        occurrences: Iterable[Occurrences], max_order: int, **metadata: str,
    ) -> DocumentFrequencies:
        """Count the images of every n-gram from its occurrences grouped by image.

        Parameters
        ----------
        n_images : int
        vocabulary : sequence of str
            Word id i is ``vocabulary[i]``; every word of the references, in order of first
            appearance.
        word_ids : ndarray of shape (W,), dtype int64
            The references' words, concatenated image by image.
        occurrences : iterable of Occurrences
            Of `word_ids`, orders 1, 2, ..., with the captions of each image one group
            (`iter_occurrences`), so each code of an order is one (image, n-gram) pair.
        max_order : int
        **metadata
            As for `from_references`.
        """
        prefix, word, df = [], [], []
        corpus_code = np.zeros(0, dtype=np.int64)  # of the previous order's (image, n-gram)s
        for occ in occurrences:
            # The (image, n-gram) pairs are numbered in order of first appearance, so numbering
            # their n-grams in that order numbers them in order of first appearance in the
            # corpus: unigram codes are word ids, as in every table.
            last_word = word_ids[occ.start[occ.first] + occ.order - 1]
            prefix_code = (np.full(last_word.size, -1, dtype=np.int64) if occ.order == 1
                           else corpus_code[occ.prefix_code[occ.first]])
            corpus_code, first_pair = factorize((prefix_code + 1) * len(vocabulary) + last_word)
            prefix.append(prefix_code[first_pair])
            word.append(last_word[first_pair])
            df.append(np.bincount(corpus_code, minlength=first_pair.size))
        empty = np.zeros(0, dtype=np.int64)
        missing = max_order - len(df)  # orders longer than every reference
        return cls(
            n_images, tuple(vocabulary),
            tuple(prefix) + (empty,) * missing, tuple(word) + (empty,) * missing,
            tuple(df) + (empty,) * missing,
            {"capeval_version": __version__, **metadata},
        )

    @classmethod
    def merge(cls, tables: Sequence[DocumentFrequencies], *, frequent: bool = False,
              **metadata: str) -> DocumentFrequencies:
        """Combine the tables of disjoint sets of images into the table of their union.

        The union's df of an n-gram is the sum of its df in the tables (an image belongs to
        one table only), and N is the sum of the N's. Words and n-grams keep their order of
        first appearance, so merging the tables of consecutive chunks, in order, gives the
        table `from_references` builds from all of them at once.

        Parameters
        ----------
        tables : sequence of DocumentFrequencies
            At least one, all of the same `max_order`, in corpus order.
        frequent : bool, default=False
            Keep only the n-grams found in two or more images of the union (see `frequent`),
            order by order: an n-gram whose first n-1 words are dropped is dropped unread,
            which keeps the merge of a large corpus small.
        **metadata
            Provenance of the result, updating that of the first table.
        """
        if not tables:
            raise ValueError("no table to merge")
        if any(table.metadata.get("kept") == FREQUENT for table in tables):
            raise ValueError("a table without its single-image n-grams cannot be merged")
        max_order = tables[0].max_order
        if any(table.max_order != max_order for table in tables):
            raise ValueError("tables of different max_order cannot be merged")
        index: dict[str, int] = {}
        for table in tables:
            for word in table.vocabulary:
                index.setdefault(word, len(index))
        words = [np.fromiter((index[w] for w in table.vocabulary), np.int64,
                             len(table.vocabulary)) for table in tables]
        rows: list[np.ndarray] = [np.zeros(0, np.int64)] * len(tables)  # union row, -1: none
        prefixes, last_words, dfs = [], [], []
        for order in range(max_order):
            # Each table's rows whose prefix is in the union table so far (all without pruning).
            present = [np.arange(len(table.df[order])) if order == 0
                       else np.flatnonzero(row[table.prefix[order]] >= 0)
                       for table, row in zip(tables, rows, strict=True)]
            keys = np.concatenate([
                word[table.word[order][here]] if order == 0
                else row[table.prefix[order][here]] * len(index) + word[table.word[order][here]]
                for table, word, row, here in zip(tables, words, rows, present, strict=True)
            ])
            inverse, representative = factorize(keys)  # codes in order of first appearance
            unique = keys[representative]
            counts = np.concatenate([table.df[order][here]
                                     for table, here in zip(tables, present, strict=True)])
            df = np.bincount(inverse, weights=counts, minlength=unique.size).astype(np.int64)
            if frequent:  # exact float sums: counts stay far below 2**53
                kept = df >= 2
                renumber = np.where(kept, np.cumsum(kept) - 1, -1)
                inverse, unique, df = renumber[inverse], unique[kept], df[kept]
            dfs.append(df)
            prefixes.append(unique // len(index) if order else np.full(unique.size, -1))
            last_words.append(unique % len(index) if order else unique)
            ends = np.cumsum([len(here) for here in present])
            rows = []
            for table, here, part in zip(tables, present, np.split(inverse, ends[:-1]),
                                         strict=True):
                row = np.full(len(table.df[order]), -1, dtype=np.int64)
                row[here] = part
                rows.append(row)
        kept_metadata = {"kept": FREQUENT} if frequent else {}
        return cls(
            sum(table.n_images for table in tables),
            tuple(index),
            tuple(prefixes),
            tuple(last_words),
            tuple(dfs),
            {**tables[0].metadata, **kept_metadata, **metadata},
        )

    def frequent(self) -> DocumentFrequencies:
        """Return the table of the n-grams found in at least two images, for scoring.

        An n-gram found in one image has CIDEr-D's idf ``log N``, like one found in none (the
        reference scorers use ``max(1, df)``), and so does every extension of it, so scores
        with the smaller table are the same. Single-image n-grams are most of a large corpus's
        (four in five of a million synthetic Flickr8k-like images), so the table held while
        scoring, and sent to every worker, shrinks several-fold. It cannot be merged.
        """
        return self.merge([self], frequent=True)

    def description(self) -> str:
        """Return a short provenance string for signatures, e.g. ``train.json(N=6000)``.

        The tokenizer and Karpathy split the table was built with (``capeval df build``) follow
        N: ``coco-df.npz(N=113287,tok=ptb-corenlp-3.4.1,split=train+restval)``.
        """
        details = [f"N={self.n_images}"]
        details += [f"{key}={self.metadata[name]}" for key, name in
                    (("tok", "tokenizer"), ("split", "split")) if self.metadata.get(name)]
        return f"{self._name}({','.join(details)})"

    @property
    def _name(self) -> str:
        """The file the table was loaded from, else the corpus it was built from."""
        return self.metadata.get("file") or self.metadata.get("source", "table")

    def check_usable(self, max_order: int, tokenizer: str | None = None) -> None:
        """Check that this table can weight a run's n-grams.

        Parameters
        ----------
        max_order : int
            The longest n-gram the metric needs.
        tokenizer : str, optional
            The run's tokenizer signature (``capeval.tokenizers.tokenizer_signature``); a
            table that records another one is refused (its n-grams would be spelled otherwise).

        Raises
        ------
        CapevalInputError
            Naming the table's source and the mismatch.
        """
        source = self._name
        if self.max_order < max_order:
            raise CapevalInputError(source, None, f"covers n-grams up to order {self.max_order} "
                                    f"but CIDEr-D needs orders 1..{max_order}; rebuild it with "
                                    f"`capeval df build --max-order {max_order}`")
        built_with = self.metadata.get("tokenizer")
        if tokenizer is not None and built_with is not None and built_with != tokenizer:
            raise CapevalInputError(source, None, f"built with tokenizer {built_with} but this run "
                                    f"tokenizes with {tokenizer}; use the same tokenizer for both")

    # -- files -----------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the table to ``.json`` (readable) or ``.npz`` (compact), by suffix."""
        path = Path(path)
        if path.suffix == ".npz":
            np.savez_compressed(path, allow_pickle=False, **self.to_arrays())
        elif path.suffix == ".json":
            path.write_text(json.dumps(self.to_json_dict(), ensure_ascii=False), encoding="utf-8")
        else:
            raise ValueError(f"{path}: document frequency files end in .json or .npz")

    def _header(self) -> dict:
        metadata = {key: value for key, value in self.metadata.items() if key != "file"}
        return {"format": FILE_FORMAT, "version": FILE_VERSION, "n_images": self.n_images,
                "max_order": self.max_order, "metadata": metadata}

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Return the members of the ``.npz`` file (for embedding the table in another file)."""
        arrays = {"header": np.array(json.dumps(self._header())),
                  "vocabulary": np.array(self.vocabulary, dtype=str)}
        for order in range(1, self.max_order + 1):
            arrays[f"prefix_{order}"] = self.prefix[order - 1]
            arrays[f"word_{order}"] = self.word[order - 1]
            arrays[f"df_{order}"] = self.df[order - 1]
        return arrays

    def to_json_dict(self) -> dict:
        """Return the content of the ``.json`` file (for embedding the table in another file)."""
        data = self._header()
        data["document_frequencies"] = {
            str(order): dict(zip(self._ngram_strings(order), self.df[order - 1].tolist()))
            for order in range(1, self.max_order + 1)
        }
        return data

    def _ngram_strings(self, order: int) -> list[str]:
        strings = [self.vocabulary[w] for w in self.word[0].tolist()]
        for n in range(2, order + 1):
            previous = strings
            strings = [
                f"{previous[p]} {self.vocabulary[w]}"
                for p, w in zip(self.prefix[n - 1].tolist(), self.word[n - 1].tolist())
            ]
        return strings

    @classmethod
    def load(cls, path: str | Path) -> DocumentFrequencies:
        """Read a table written by `save` (or by ``capeval df build``).

        Raises
        ------
        CapevalInputError
            If the file is missing, unreadable or not a valid table.
        """
        table = read_data_file(path, "document frequency", cls.from_arrays, cls.from_json_dict)
        table.metadata["file"] = Path(path).name  # not saved: names the file in messages
        table.metadata.setdefault("source", Path(path).name)
        return table

    @classmethod
    def from_arrays(cls, arrays, source: str) -> DocumentFrequencies:
        """Build a table from the members of a ``.npz`` file (a mapping of name -> array).

        Raises
        ------
        CapevalInputError
            Naming `source`, if members are missing or invalid.
        """
        try:
            header = _check_header(source, json.loads(str(arrays["header"])))
            orders = range(1, header["max_order"] + 1)
            prefix = tuple(np.asarray(arrays[f"prefix_{n}"]).astype(np.int64) for n in orders)
            word = tuple(np.asarray(arrays[f"word_{n}"]).astype(np.int64) for n in orders)
            df = tuple(np.asarray(arrays[f"df_{n}"]).astype(np.int64) for n in orders)
            vocabulary = tuple(np.asarray(arrays["vocabulary"]).tolist())
        except (KeyError, ValueError, json.JSONDecodeError) as error:
            raise CapevalInputError(source, None, f"invalid document frequency file ({error})"
                                    ) from None
        _check_counts(source, header["n_images"], df)
        return cls(header["n_images"], vocabulary, prefix, word, df,
                   dict(header.get("metadata", {})))

    @classmethod
    def from_json_dict(cls, data: object, source: str) -> DocumentFrequencies:
        """Build a table from the parsed content of a ``.json`` file.

        Raises
        ------
        CapevalInputError
            Naming `source` and the bad n-gram, if the content is not a valid table.
        """
        header = _check_header(source, data)
        tables = header.get("document_frequencies")
        if not isinstance(tables, dict):
            raise CapevalInputError(source, None, "missing 'document_frequencies'")
        vocabulary: dict[str, int] = {}
        prefixes, words, dfs = [], [], []
        previous: dict[str, int] = {}
        for order in range(1, header["max_order"] + 1):
            rows: dict[str, int] = {}
            prefix, word, df = [], [], []
            for ngram, count in tables.get(str(order), {}).items():
                parts = ngram.split(" ")
                if len(parts) != order or not isinstance(count, int) or count < 1:
                    raise CapevalInputError(source, f"order {order} n-gram {ngram!r}",
                                            "expected an n-gram of that order with a positive "
                                            "count")
                head = " ".join(parts[:-1])
                if order > 1 and head not in previous:
                    raise CapevalInputError(source, f"order {order} n-gram {ngram!r}",
                                            f"its prefix {head!r} is missing from order "
                                            f"{order - 1}")
                rows[ngram] = len(rows)
                prefix.append(previous[head] if order > 1 else -1)
                word.append(vocabulary.setdefault(parts[-1], len(vocabulary)))
                df.append(count)
            prefixes.append(np.array(prefix, dtype=np.int64))
            words.append(np.array(word, dtype=np.int64))
            dfs.append(np.array(df, dtype=np.int64))
            previous = rows
        _check_counts(source, header["n_images"], dfs)
        return cls(header["n_images"], tuple(vocabulary), tuple(prefixes), tuple(words),
                   tuple(dfs), dict(header.get("metadata", {})))


def _check_counts(source: str, n_images: int, dfs: Sequence[np.ndarray]) -> None:
    """An n-gram occurs in 1..N images: anything else is a corrupt or edited table."""
    for order, df in enumerate(dfs, start=1):
        if df.size and (df.min() < 1 or df.max() > n_images):
            bad = df.max() if df.max() > n_images else df.min()
            raise CapevalInputError(source, f"order {order}", f"a document frequency of {bad} "
                                    f"is outside 1..{n_images} (n_images)")


def _check_header(source: str, header: object) -> dict:
    header = check_header(source, header, FILE_FORMAT, FILE_VERSION)
    n_images = header.get("n_images")
    if not isinstance(n_images, int) or n_images < 1:
        raise CapevalInputError(source, None, f"n_images must be a positive integer, got "
                                f"{n_images!r}")
    max_order = header.get("max_order")
    if not isinstance(max_order, int) or max_order < 1:
        raise CapevalInputError(source, None, f"max_order must be a positive integer, got "
                                f"{max_order!r}")
    return header
