"""Caption datasets in memory, and loading a user's features with Karpathy or COCO captions.

Features come as ``.npy`` (one row per image, in the order of the images in the caption file)
or ``.npz`` holding ``features`` (N, F), optionally ``regions`` (N, L, R) for attention and
``image_ids`` (N,) to match rows to images by id. Captions come as a Karpathy split JSON file
(``dataset_coco.json`` layout: images with ``split`` and ``sentences``) or a COCO annotations
file (``captions_train2014.json`` layout). Files are read without pickle; every problem is a
`capeval.CapevalInputError` naming the file, the record and what is wrong.

Letters used in shapes: N images, F global feature size, L regions, R region feature size.
"""
from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from pathlib import Path

import numpy as np

from capeval.data_files import NPY_MAGIC, NPZ_MAGICS
from capeval.errors import CapevalInputError
from capeval.io.coco import read_coco_references
from capeval.io.detect import json_layout
from capeval.io.ids import ImageId, canonical_id
from capeval.io.karpathy import read_karpathy_references
from capeval.io.source import Source
from capeval.tokenizers import tokenize


@dataclass(frozen=True)
class CaptionData:
    """Images as features with their tokenized reference captions.

    Attributes
    ----------
    image_ids : list of int or str, length N
    features : ndarray of shape (N, F)
    regions : ndarray of shape (N, L, R) or None
    captions : list of N lists of token lists
        References per image (may be empty for images that are only captioned).
    """

    image_ids: list[ImageId]
    features: np.ndarray
    regions: np.ndarray | None
    captions: list[list[list[str]]]

    def __post_init__(self) -> None:
        n = len(self.image_ids)
        if self.features.ndim != 2 or len(self.features) != n or len(self.captions) != n:
            raise ValueError(f"{n} image ids, features of shape {self.features.shape} and "
                             f"{len(self.captions)} caption lists do not match")
        if self.regions is not None and (self.regions.ndim != 3 or len(self.regions) != n):
            raise ValueError(f"regions of shape {self.regions.shape} do not match {n} images")

    def __len__(self) -> int:
        return len(self.image_ids)

    def model_inputs(
        self, rows: slice | np.ndarray, zero_features: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Return (features, regions) of the images `rows`; zeros for a blind model."""
        features = self.features[rows]
        regions = None if self.regions is None else self.regions[rows]
        if zero_features:
            features = np.zeros_like(features)
            regions = None if regions is None else np.zeros_like(regions)
        return features, regions

    def without_regions(self) -> CaptionData:
        """Return the same images without region features (models without attention)."""
        return replace(self, regions=None)

    def subset(self, rows: Sequence[int] | np.ndarray) -> CaptionData:
        """Return the images at positions `rows`, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        return CaptionData(
            [self.image_ids[i] for i in rows], self.features[rows],
            None if self.regions is None else self.regions[rows],
            [self.captions[i] for i in rows],
        )


@dataclass(frozen=True)
class Features:
    """Arrays read from a features file."""

    features: np.ndarray  # (N, F) float32
    regions: np.ndarray | None  # (N, L, R) float32
    image_ids: list[ImageId] | None  # row ids, when the file names them


def _load_arrays(path: Path) -> Any:
    """``np.load`` a .npy/.npz file without pickle; CapevalInputError for anything else."""
    try:
        with path.open("rb") as handle:  # the magic bytes only: never read a device to its end
            head = handle.read(len(NPY_MAGIC))
    except FileNotFoundError:
        raise CapevalInputError(path, None, "no such file") from None
    except OSError as error:
        raise CapevalInputError(path, None, f"cannot read: {error.strerror or error}") from None
    if not head.startswith((NPY_MAGIC, *NPZ_MAGICS)):  # np.load would suggest unpickling
        raise CapevalInputError(path, None, "not a .npy or .npz file (as numpy.save and "
                                "numpy.savez write them)")
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise CapevalInputError(path, None, "holds object arrays (pickled Python objects), "
                                    "which capeval never loads; save numeric arrays") from None
        raise CapevalInputError(path, None, f"not a readable .npy/.npz file ({error})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise CapevalInputError(path, None, f"not a readable .npy/.npz file ({error})") from None


def load_features(path: str | Path) -> Features:
    """Read image features from ``.npy`` or ``.npz`` (no pickle).

    Raises
    ------
    CapevalInputError
        If the file is missing, unreadable, holds object arrays, or has arrays of the wrong
        shape or type.
    """
    path = Path(path)
    loaded = _load_arrays(path)
    if isinstance(loaded, np.ndarray):
        arrays = {"features": loaded}
    else:
        with loaded:
            try:
                arrays = {name: loaded[name] for name in loaded.files}
            except (ValueError, OSError, zipfile.BadZipFile) as error:
                raise CapevalInputError(path, None, f"cannot read its arrays ({error})") from None
        if "features" not in arrays:
            raise CapevalInputError(path, None, f"has no array 'features' (found: "
                                    f"{', '.join(sorted(arrays)) or 'none'})")
    features = _float_array(path, "features", arrays["features"], 2)
    regions = None
    if "regions" in arrays:
        regions = _float_array(path, "regions", arrays["regions"], 3)
        if len(regions) != len(features):
            raise CapevalInputError(path, "regions", f"has {len(regions)} rows but features "
                                    f"has {len(features)}")
    image_ids = None
    if "image_ids" in arrays:
        raw = arrays["image_ids"]
        if raw.ndim != 1 or len(raw) != len(features):
            raise CapevalInputError(path, "image_ids", f"must have shape ({len(features)},), "
                                    f"got {raw.shape}")
        image_ids = []
        for row, value in enumerate(raw.tolist()):
            try:
                image_ids.append(canonical_id(value))
            except ValueError as error:
                raise CapevalInputError(path, f"image_ids[{row}]", str(error)) from None
        if len(set(image_ids)) != len(image_ids):
            raise CapevalInputError(path, "image_ids", "repeats an image id")
    return Features(features, regions, image_ids)


def _float_array(path: Path, name: str, array: np.ndarray, ndim: int) -> np.ndarray:
    if array.ndim != ndim:
        raise CapevalInputError(path, name, f"must have {ndim} dimensions, got shape {array.shape}")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise CapevalInputError(path, name, f"must hold real numbers, got dtype {array.dtype}")
    array = array.astype(np.float32)
    if not np.all(np.isfinite(array)):
        raise CapevalInputError(path, name, "holds NaN or infinite values")
    if array.shape[0] == 0 or array.shape[-1] == 0:
        raise CapevalInputError(path, name, f"is empty (shape {array.shape})")
    return array


@dataclass(frozen=True)
class CaptionFile:
    """Images of a caption file, in order of first appearance, with their references."""

    references: dict[ImageId, list[str]]  # image id -> raw reference strings
    splits: dict[ImageId, str]  # image id -> split ("train", "val", ...; "" when unknown)
    layout: str  # "karpathy" or "coco"


def read_caption_file(path: str | Path) -> CaptionFile:
    """Read a Karpathy split JSON or COCO annotations JSON file (told apart by its layout).

    Reading and validation are capeval's own (`capeval.io`); Karpathy images keep their
    ``split`` when every image has one.
    """
    source = Source(path)
    layout = json_layout(source)
    if layout == "coco":
        if isinstance(source.json, list):
            source.fail(None, "is COCO results (a JSON list), not annotations with references")
        references = read_coco_references(source)
        return CaptionFile(references, {image_id: "" for image_id in references}, layout)
    references = read_karpathy_references(source)
    images = source.json["images"]
    names = {image.get("split") for image in images}
    splits = {image_id: "" for image_id in references}
    if all(isinstance(name, str) for name in names):
        for name in sorted(names):
            for image_id in read_karpathy_references(source, split=name):
                splits[image_id] = name
    return CaptionFile(references, splits, layout)


def load_dataset(
    features_path: str | Path, captions_path: str | Path, tokenizer: str = "ptb"
) -> tuple[CaptionData, list[str]]:
    """Join a features file with a caption file; captions are tokenized with `tokenizer`.

    Rows are matched to images by ``image_ids`` when the features file has them, else by
    position (the caption file's image order).

    Returns
    -------
    data : CaptionData
        All images of the caption file, in its order.
    splits : list of str
        The split of each image ("" when the file does not say).
    """
    caption_file = read_caption_file(captions_path)
    features = load_features(features_path)
    image_ids = list(caption_file.references)
    if features.image_ids is None:
        if caption_file.layout == "coco":
            raise CapevalInputError(features_path, None, "rows cannot be matched to the images "
                                    "of COCO annotations by position; save an .npz with an "
                                    "array 'image_ids'")
        if len(features.features) != len(image_ids):
            raise CapevalInputError(features_path, None, f"has {len(features.features)} rows but "
                                    f"{captions_path} lists {len(image_ids)} images (or save an "
                                    f".npz with 'image_ids' to match rows by id)")
        rows = np.arange(len(image_ids))
    else:
        position = {image_id: row for row, image_id in enumerate(features.image_ids)}
        missing = [i for i in image_ids if i not in position]
        if missing:
            raise CapevalInputError(features_path, "image_ids", f"has no row for image "
                                    f"{missing[0]!r} of {captions_path} ({len(missing)} missing)")
        rows = np.array([position[i] for i in image_ids], dtype=np.int64)
    raw = [caption_file.references[i] for i in image_ids]
    flat = tokenize([c for caps in raw for c in caps], tokenizer)
    bounds = np.cumsum([0] + [len(caps) for caps in raw])
    captions = [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    data = CaptionData(
        image_ids, features.features[rows],
        None if features.regions is None else features.regions[rows], captions,
    )
    return data, [caption_file.splits[i] for i in image_ids]
