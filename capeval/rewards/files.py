"""Reward reference files: references, document frequencies and settings, in ``.npz`` or JSON.

A file holds what a `RewardScorer` is built from, never anything derived from it, so it stays
valid when the scorer's internals change: the image ids, every reference as words, the scorer
settings and the document-frequency table (embedded in the format of
`capeval.document_frequencies`). ``.npz`` is compact; ``.json`` is readable::

    {"format": "capeval-reward-references", "version": 1, "capeval_version": "...",
     "settings": {"max_order": 4, "sigma": 6.0, "end_token": 0, ...},
     "images": [{"image_id": 42, "references": ["12 7 0", ...]}, ...],
     "document_frequencies": {...}}

Files are never pickled; `load` checks format, version and consistency and names the file in
every error.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from capeval import __version__
from capeval.document_frequencies import DocumentFrequencies
from capeval.data_files import check_header, read_data_file
from capeval.errors import CapevalInputError
from capeval.ngrams.vocabulary import EncodedCaptions

FILE_FORMAT = "capeval-reward-references"
FILE_VERSION = 1
SETTINGS = ("max_order", "sigma", "end_token", "include_end_token", "pad_token")
DF_PREFIX = "df."
"""Prefix of the document-frequency members inside a ``.npz`` file."""


@dataclass(frozen=True)
class RewardFile:
    """The content of a reward reference file.

    Attributes
    ----------
    image_ids : list of int or str
    vocabulary : tuple of str
    references : EncodedCaptions
        All references, image by image; ``words`` index `vocabulary`.
    refs_per_image : ndarray of shape (N,), dtype int64
    document_frequencies : DocumentFrequencies
    settings : dict
        The keys of `SETTINGS`.
    """

    image_ids: list
    vocabulary: tuple[str, ...]
    references: EncodedCaptions
    refs_per_image: np.ndarray
    document_frequencies: DocumentFrequencies
    settings: dict

    def reference_words(self) -> list[list[list[str]]]:
        """Return, per image, its references as lists of words."""
        words = [self.vocabulary[w] for w in self.references.words.tolist()]
        ends = np.cumsum(self.references.lengths).tolist()
        captions = [words[end - length:end]
                    for end, length in zip(ends, self.references.lengths.tolist(), strict=True)]
        bounds = np.cumsum(self.refs_per_image).tolist()
        return [captions[end - count:end]
                for end, count in zip(bounds, self.refs_per_image.tolist(), strict=True)]


def save(path: str | Path, content: RewardFile) -> None:
    """Write `content` to ``.npz`` or ``.json`` (by suffix)."""
    path = Path(path)
    image_ids = [_json_id(image_id) for image_id in content.image_ids]
    header = {"format": FILE_FORMAT, "version": FILE_VERSION, "capeval_version": __version__,
              "settings": content.settings}
    if path.suffix == ".npz":
        header["image_ids"] = image_ids
        arrays = {
            "header": np.array(json.dumps(header)),
            "vocabulary": np.array(content.vocabulary, dtype=str),
            "words": content.references.words,
            "lengths": content.references.lengths,
            "refs_per_image": content.refs_per_image,
        }
        for name, array in content.document_frequencies.to_arrays().items():
            arrays[DF_PREFIX + name] = array
        np.savez_compressed(path, allow_pickle=False, **arrays)
    elif path.suffix == ".json":
        header["images"] = [
            {"image_id": image_id, "references": [" ".join(words) for words in captions]}
            for image_id, captions in zip(image_ids, content.reference_words(), strict=True)
        ]
        header["document_frequencies"] = content.document_frequencies.to_json_dict()
        path.write_text(json.dumps(header, ensure_ascii=False), encoding="utf-8")
    else:
        raise ValueError(f"{path}: reward reference files end in .json or .npz")


def load(path: str | Path) -> RewardFile:
    """Read and validate a file written by `save`.

    Raises
    ------
    CapevalInputError
        If the file is missing, unreadable, of another format or version, or inconsistent.
    """
    content = read_data_file(path, "reward reference", _from_arrays, _from_json)
    content.document_frequencies.metadata.setdefault("source", Path(path).name)
    return content


def _json_id(image_id):
    if isinstance(image_id, np.generic):
        image_id = image_id.item()
    if isinstance(image_id, bool) or not isinstance(image_id, (int, str)):
        raise TypeError(f"image ids must be int or str to be saved, got {image_id!r}")
    return image_id


def _check_header(source: str, header: object) -> dict:
    header = check_header(source, header, FILE_FORMAT, FILE_VERSION)
    settings = header.get("settings")
    if not isinstance(settings, dict) or set(settings) != set(SETTINGS):
        raise CapevalInputError(source, None, f"'settings' must have the keys "
                                f"{', '.join(SETTINGS)}")
    return header


def _from_arrays(archive, source: str) -> RewardFile:
    header = _check_header(source, json.loads(str(archive["header"])))
    vocabulary = tuple(archive["vocabulary"].tolist())
    words = archive["words"].astype(np.int64)
    references = EncodedCaptions(words, words, archive["lengths"].astype(np.int64))
    refs_per_image = archive["refs_per_image"].astype(np.int64)
    table = DocumentFrequencies.from_arrays(
        {name[len(DF_PREFIX):]: archive[name] for name in archive.files
         if name.startswith(DF_PREFIX)}, source)
    image_ids = header.get("image_ids")
    if not isinstance(image_ids, list):
        raise CapevalInputError(source, None, "missing 'image_ids'")
    return _checked(source, RewardFile(image_ids, vocabulary, references, refs_per_image, table,
                                       header["settings"]))


def _from_json(data: object, source: str) -> RewardFile:
    header = _check_header(source, data)
    images = header.get("images")
    if not isinstance(images, list):
        raise CapevalInputError(source, None, "missing 'images'")
    vocabulary: dict[str, int] = {}
    words: list[int] = []
    lengths: list[int] = []
    refs_per_image: list[int] = []
    image_ids: list = []
    for index, image in enumerate(images):
        captions = image.get("references") if isinstance(image, dict) else None
        if not isinstance(captions, list) or not all(isinstance(c, str) for c in captions):
            raise CapevalInputError(source, f"images[{index}]", "expected an object with "
                                    "'image_id' and a list of 'references' strings")
        image_ids.append(image.get("image_id"))
        refs_per_image.append(len(captions))
        for caption in captions:
            caption_words = caption.split()
            lengths.append(len(caption_words))
            words.extend(vocabulary.setdefault(word, len(vocabulary)) for word in caption_words)
    word_ids = np.array(words, dtype=np.int64)
    references = EncodedCaptions(word_ids, word_ids, np.array(lengths, dtype=np.int64))
    table = DocumentFrequencies.from_json_dict(header.get("document_frequencies"), source)
    return _checked(source, RewardFile(image_ids, tuple(vocabulary), references,
                                       np.array(refs_per_image, dtype=np.int64), table,
                                       header["settings"]))


def _checked(source: str, content: RewardFile) -> RewardFile:
    """Return `content` if its arrays are consistent, else raise CapevalInputError."""
    refs, counts = content.references, content.refs_per_image
    problems = []
    if len(content.image_ids) != counts.size:
        problems.append(f"{len(content.image_ids)} image ids but {counts.size} reference counts")
    if counts.size and counts.min() < 1:
        problems.append(f"image {content.image_ids[int(np.argmin(counts))]!r} has no reference")
    if counts.sum() != refs.lengths.size:
        problems.append(f"{counts.sum()} references announced, {refs.lengths.size} stored")
    if refs.lengths.sum() != refs.words.size or (refs.lengths.size and refs.lengths.min() < 0):
        problems.append("caption lengths do not match the stored words")
    if refs.words.size and not 0 <= refs.words.min() <= refs.words.max() < len(content.vocabulary):
        problems.append("word ids outside the vocabulary")
    if problems:
        raise CapevalInputError(source, None, "; ".join(problems))
    return content
