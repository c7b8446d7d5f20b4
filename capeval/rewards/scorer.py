"""`RewardScorer`: CIDEr-D and BLEU rewards for training loops, against fixed references.

Build it once from the training references (token ids or pre-tokenized strings); it computes
the document frequencies (or takes a saved table) and prepares every image's reference n-grams
(`capeval.ngrams.prepared.NgramReferences`, the same prepared data and the same CIDEr-D and
BLEU code as the metrics `CiderD` and `Bleu`).
Then each call scores a batch of candidates, given as a matrix of token ids (one row per
candidate, end token and padding as in `TokenConvention`) or as strings, for the image ids
they belong to, and returns one float per candidate.

With the defaults (end token 0 included, df from the scorer's own references, n = 4,
sigma = 6) the CIDEr-D rewards are those of self-critical.pytorch's ``get_self_critical_reward``
with a document-frequency file built from the same references.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalError, CapevalInputError, CapevalTypeError, CapevalUsageError
from capeval.io.ids import canonical_id
from capeval.metrics.bleu import Bleu
from capeval.ngrams.prepared import NgramReferences, check_max_order
from capeval.ngrams.scoring import CandidateNgrams, LengthPenalty, bleu_stats, cider
from capeval.ngrams.vocabulary import EncodedCaptions
from capeval.rewards import files
from capeval.rewards.captions import TokenConvention, as_token_rows


class RewardScorer:
    """Per-candidate CIDEr-D and BLEU rewards against a fixed reference set.

    Parameters
    ----------
    references : mapping image id -> captions, or sequence of captions per image, or ndarray
        Captions of an image are pre-tokenized strings (words are ``str.split()``), sequences
        of token ids, or a 2-D integer array (references x positions). A 3-D integer array of
        shape (N, K, T) gives K references to each of N images. A sequence or array gives the
        images ids 0..N-1. Token ids follow `TokenConvention`.
    document_frequencies : DocumentFrequencies or path, optional
        df and N for the idf weights. Default: computed from `references` (SCST practice: the
        training references). A table from other captions works too; its words must be
        spelled as the references' (token id 17 is the word ``"17"``).
    end_token : int or None, default=0
    include_end_token : bool, default=True
    pad_token : int or None, default=None
        See `TokenConvention`.
    max_order : int, default=4
        Longest n-gram; BLEU rewards are BLEU-`max_order`.
    sigma : float, default=6.0
        Width of CIDEr-D's length penalty (lengths count bigrams, as in the reference).

    Raises
    ------
    ValueError
        For an image without references, a malformed caption, duplicate image ids or a bad
        option, naming the image and caption.
    """

    def __init__(
        self,
        references,
        *,
        document_frequencies: DocumentFrequencies | str | Path | None = None,
        end_token: int | None = 0,
        include_end_token: bool = True,
        pad_token: int | None = None,
        max_order: int = 4,
        sigma: float = 6.0,
    ) -> None:
        _check_settings(max_order, sigma)
        convention = TokenConvention(end_token, include_end_token, pad_token)
        image_ids, reference_words = _reference_words(references, convention)
        if document_frequencies is None:
            document_frequencies = DocumentFrequencies.from_references(
                reference_words, max_order, source="references")
        elif not isinstance(document_frequencies, DocumentFrequencies):
            document_frequencies = DocumentFrequencies.load(document_frequencies)
        self._initialize(image_ids, reference_words, document_frequencies, convention,
                         max_order, sigma)

    def _initialize(self, image_ids: list, reference_words: list[list[list[str]]],
                    table: DocumentFrequencies, convention: TokenConvention, max_order: int,
                    sigma: float) -> None:
        _check_settings(max_order, sigma)
        self.convention = convention
        self.max_order = max_order
        self.sigma = float(sigma)
        self.document_frequencies = table
        # Ids 0..N-1 (references given as a sequence) become a RangeIndex: lookups are arithmetic.
        self._ids = (pd.RangeIndex(len(image_ids)) if image_ids == list(range(len(image_ids)))
                     else pd.Index(image_ids))
        if not self._ids.is_unique:
            duplicated = self._ids[self._ids.duplicated()][0]
            raise ValueError(f"image id {duplicated!r} appears twice in the references")
        self._ids.get_indexer(self._ids[:1])  # build the hash table before any thread uses it

        self._ngrams = NgramReferences.build(reference_words, table, max_order)
        self._ngrams.trie.hash_keys()  # batches of a few thousand n-grams: hashing is faster
        self._bleu = Bleu(max_order)
        self._penalty = LengthPenalty(self.sigma)

    # -- properties ------------------------------------------------------------------------
    @property
    def image_ids(self) -> list:
        """The image ids, in reference order."""
        return self._ids.tolist()

    @property
    def n_images(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return (f"RewardScorer(n_images={self.n_images}, "
                f"df={self.document_frequencies.description()}, max_order={self.max_order}, "
                f"sigma={self.sigma:g}, {self.convention})")

    # -- scoring ---------------------------------------------------------------------------
    def cider_d(self, candidates, image_ids) -> np.ndarray:
        """Return the CIDEr-D score (0..10 scale, as the COCO code) of each candidate.

        Parameters
        ----------
        candidates : array_like of shape (C, T), integer dtype, or sequence of C strings
            Token-id rows (see `TokenConvention`) or pre-tokenized strings.
        image_ids : array_like of shape (C,)
            Image id of each candidate, as in the references.

        Returns
        -------
        ndarray of shape (C,), dtype float64
        """
        return self._cider_d(self._match(candidates, image_ids))

    def bleu(self, candidates, image_ids) -> np.ndarray:
        """Return the BLEU-`max_order` score (0..1) of each candidate, as pycocoevalcap's
        per-image BLEU (its smoothing, closest reference length). Same arguments as `cider_d`.
        """
        return self._bleu_n(self._match(candidates, image_ids))

    def scores(self, candidates, image_ids) -> dict[str, np.ndarray]:
        """Return both rewards from one n-gram pass: ``{"CIDEr-D": ..., "BLEU-4": ...}``."""
        ngrams = self._match(candidates, image_ids)
        return {"CIDEr-D": self._cider_d(ngrams), f"BLEU-{self.max_order}": self._bleu_n(ngrams)}

    def _cider_d(self, ngrams: CandidateNgrams) -> np.ndarray:
        return cider(ngrams, self._ngrams.vectors, penalty=self._penalty)

    def _bleu_n(self, ngrams: CandidateNgrams) -> np.ndarray:
        return self._bleu.scores_from_stats(bleu_stats(ngrams, self._ngrams.vectors))[:, -1]

    def _match(self, candidates, image_ids) -> CandidateNgrams:
        encoded = self._encode(candidates)
        return self._ngrams.match(encoded, self._positions(image_ids, len(encoded)))

    def _encode(self, candidates) -> EncodedCaptions:
        if isinstance(candidates, str):
            raise CapevalTypeError("candidates must be a sequence of captions or a 2-D array of "
                                   "token ids, not one string")
        if isinstance(candidates, (list, tuple)) and candidates and isinstance(candidates[0], str):
            for index, caption in enumerate(candidates):
                if not isinstance(caption, str):
                    raise TypeError(f"candidate {index} is {type(caption).__name__}, expected "
                                    f"str like the other candidates")
            return self._ngrams.words.encode_strings(candidates)
        rows = as_token_rows(candidates)
        return self._ngrams.words.encode_rows(rows, self.convention.row_lengths(rows))

    def _positions(self, image_ids, n_candidates: int) -> np.ndarray:
        ids = np.asarray(image_ids)
        if ids.ndim != 1 or ids.size != n_candidates:
            raise ValueError(f"got {n_candidates} candidates but image_ids of shape {ids.shape}")
        positions = self._ids.get_indexer(ids)
        missing = np.flatnonzero(positions < 0)
        if missing.size:
            unknown = ids[missing[0]]
            unknown = unknown.item() if isinstance(unknown, np.generic) else unknown
            raise ValueError(f"candidate {missing[0]}: image id {unknown!r} is not in the "
                             f"references")
        return positions.astype(np.int64, copy=False)

    # -- files -----------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write references, document frequencies and settings to ``.npz`` or ``.json``.

        The file is version-stamped and never pickled; `load` rebuilds the scorer from it
        without recounting document frequencies.
        """
        ngrams = self._ngrams
        files.save(path, files.RewardFile(
            self.image_ids, ngrams.words.vocabulary, ngrams.references,
            ngrams.vectors.refs_per_image, self.document_frequencies,
            {"max_order": self.max_order, "sigma": self.sigma, **self.convention.as_dict()}))

    @classmethod
    def load(cls, path: str | Path) -> RewardScorer:
        """Read a scorer written by `save`.

        Raises
        ------
        CapevalInputError
            If the file is missing, unreadable or not a valid reward reference file.
        """
        content = files.load(path)
        settings = content.settings
        scorer = cls.__new__(cls)
        try:
            convention = TokenConvention(settings["end_token"], settings["include_end_token"],
                                         settings["pad_token"])
            scorer._initialize(content.image_ids, content.reference_words(),
                               content.document_frequencies, convention, settings["max_order"],
                               settings["sigma"])
        except (TypeError, ValueError) as error:
            raise CapevalInputError(str(path), None, str(error)) from None
        return scorer


def _check_settings(max_order: int, sigma: float) -> None:
    check_max_order(max_order)
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma!r}")


def _reference_words(references, convention: TokenConvention) -> tuple[list, list]:
    """Return (image ids, per image the word lists of its references)."""
    if isinstance(references, Mapping):
        image_ids, groups = list(references), list(references.values())
    else:
        if not isinstance(references, Sequence) or isinstance(references, str):
            references = np.asarray(references)
            if references.ndim != 3:
                raise ValueError(f"reference token ids must be a 3-D array (images x "
                                 f"references x positions), got shape {references.shape}")
        image_ids, groups = list(range(len(references))), list(references)
    if not image_ids:
        raise CapevalUsageError("references hold no image: a reward scorer needs at least one")
    _check_distinct_ids(image_ids)
    kinds: set[str] = set()
    words = []
    for image_id, group in zip(image_ids, groups, strict=True):
        captions = _image_captions(image_id, group, convention, kinds)
        if len(kinds) > 1:
            raise ValueError(f"image {image_id!r}: references mix strings and token ids")
        words.append(captions)
    return image_ids, words


def _check_distinct_ids(image_ids: list) -> None:
    """Reject two ids naming one image (``1`` and ``"1"``), by `canonical_id`."""
    seen: dict = {}
    for image_id in image_ids:
        try:
            key = canonical_id(image_id)
        except ValueError:  # another hashable id: compared as it is (by the index)
            continue
        if key in seen and seen[key] == image_id:
            raise CapevalUsageError(f"image id {image_id!r} appears twice in the references")
        if key in seen:
            raise CapevalUsageError(f"image ids {seen[key]!r} and {image_id!r} name the same "
                                    "image (ids are compared as canonical ids)")
        seen[key] = image_id


def _image_captions(image_id, group, convention: TokenConvention, kinds: set) -> list[list[str]]:
    if isinstance(group, str):
        raise TypeError(f"image {image_id!r}: references must be a list of captions, not one "
                        f"string")
    if isinstance(group, np.ndarray) and group.ndim == 2:
        rows = as_token_rows(group)
        lengths = convention.row_lengths(rows)
        kinds.add("tokens")
        captions = [list(map(str, row[:length].tolist())) for row, length in zip(rows, lengths)]
    else:
        captions = []
        for index, caption in enumerate(group):
            if isinstance(caption, str):
                kinds.add("strings")
                captions.append(caption.split())
                continue
            if not isinstance(caption, (Sequence, np.ndarray)):
                raise CapevalTypeError(f"image {image_id!r}, reference {index}: expected a string "
                                       f"or a sequence of token ids, got {type(caption).__name__}")
            try:
                (tokens,) = as_token_rows([caption])
            except CapevalError as error:
                raise type(error)(f"image {image_id!r}, reference {index}: {error}") from None
            kinds.add("tokens")
            captions.append(list(map(str, convention.caption_tokens(tokens).tolist())))
    if not captions:
        raise ValueError(f"image {image_id!r} has no reference caption")
    return captions
