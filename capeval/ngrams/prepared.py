"""`NgramReferences`: the reference side of BLEU, CIDEr-D and the reward scorer, prepared once.

It holds the vocabulary (the df table's words first, then the references' other words), the
idf trie of the df table and every image's reference n-gram rows, norms and lengths; `match`
turns encoded candidates into their matched n-gram entries, from which `scoring.cider` and
`scoring.bleu_stats` compute per-candidate results. `RewardScorer` and the metrics
`capeval.metrics.bleu.Bleu` and `capeval.metrics.cider.CiderD` all build one of these.

Letters used in shapes: N images, C candidates.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from capeval.document_frequencies import DocumentFrequencies
from capeval.ngrams.occurrences import Occurrences
from capeval.ngrams.references import IdfTrie, ReferenceVectors, reference_occurrences
from capeval.ngrams.scoring import CandidateNgrams, match_candidates
from capeval.ngrams.vocabulary import EncodedCaptions, WordIndex


def check_max_order(max_order: object) -> None:
    """Raise ValueError unless `max_order` (the longest n-gram counted) is a positive integer."""
    if not isinstance(max_order, int) or max_order < 1:
        raise ValueError(f"max_order must be a positive integer, got {max_order!r}")


@dataclass(frozen=True, eq=False)
class NgramReferences:
    """N images' reference n-grams prepared against a document-frequency table.

    Attributes
    ----------
    words : WordIndex
        The vocabulary: the table's words, then the other words of the references.
    document_frequencies : DocumentFrequencies
    trie : IdfTrie
    references : EncodedCaptions
        All references, image by image.
    vectors : ReferenceVectors
    """

    words: WordIndex
    document_frequencies: DocumentFrequencies
    trie: IdfTrie
    references: EncodedCaptions
    vectors: ReferenceVectors

    @classmethod
    def build(cls, reference_words: Sequence[Sequence[Sequence[str]]],
              table: DocumentFrequencies | None, max_order: int) -> NgramReferences:
        """Prepare the references of N images.

        Parameters
        ----------
        reference_words : sequence of N non-empty sequences of word lists
        table : DocumentFrequencies or None
            Covering orders 1..max_order at least. None: the references' own table, as
            pycocoevalcap computes it (equal to ``DocumentFrequencies.from_references(
            reference_words, max_order, source="corpus")``), counted from the same n-gram
            pass as the reference rows.
        max_order : int
        """
        if table is not None and table.max_order < max_order:
            raise ValueError(f"the document frequencies cover orders up to {table.max_order}, "
                             f"max_order is {max_order}")
        flat = [caption for captions in reference_words for caption in captions]
        own_words = list(dict.fromkeys(chain.from_iterable(flat)))
        if table is None:
            words = WordIndex(own_words)
        else:
            known = set(table.vocabulary)
            words = WordIndex([*table.vocabulary, *(w for w in own_words if w not in known)])
        refs_per_image = np.fromiter(map(len, reference_words), dtype=np.int64,
                                     count=len(reference_words))
        references = words.encode_words(flat)
        occurrences: Iterable[Occurrences] = reference_occurrences(references, refs_per_image,
                                                                   max_order)
        if table is None:
            occurrences = list(occurrences)  # read twice: the table, then the rows
            table = DocumentFrequencies.from_image_occurrences(
                len(reference_words), words.vocabulary, references.words, occurrences,
                max_order, source="corpus")
        trie = IdfTrie.for_table(table, max_order)
        vectors = ReferenceVectors.build(references, refs_per_image, trie, len(words),
                                         occurrences)
        return cls(words, table, trie, references, vectors)

    @property
    def max_order(self) -> int:
        return self.vectors.max_order

    @property
    def n_images(self) -> int:
        return self.vectors.refs_per_image.size

    def match(self, candidates: EncodedCaptions, images: np.ndarray) -> CandidateNgrams:
        """Return the n-gram entries of C encoded candidates; `images` (C,) are positions."""
        return match_candidates(candidates, images, self.vectors, self.trie)
