"""Prepared n-gram data of a reference set and of candidates, shared by BLEU and CIDEr-D.

Both metrics prepare the same `NgramReferences` for a `ReferenceSet` (cached on the set, so
an evaluation with both builds it once) and match each batch of `Candidates` once.
"""
from __future__ import annotations

from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics.base import Candidates, ReferenceSet
from capeval.ngrams.prepared import NgramReferences
from capeval.ngrams.scoring import CandidateNgrams
from capeval.ngrams.vocabulary import caption_words


def reference_words(references: ReferenceSet) -> list[list[list[str]]]:
    """Return the words of every reference, image by image (cached)."""
    return references.cached("words", lambda: [[caption_words(r) for r in refs]
                                               for refs in references.references])


def reference_ngrams(references: ReferenceSet, max_order: int,
                     table: DocumentFrequencies | None) -> NgramReferences:
    """Return the references prepared against `table` (None: their own df), cached."""
    key = ("ngrams", max_order, "own table" if table is None else id(table))
    return references.cached(key, lambda: (
        NgramReferences.build(reference_words(references), table, max_order)))


def candidate_ngrams(candidates: Candidates, prepared: NgramReferences) -> CandidateNgrams:
    """Return the candidates' n-gram entries matched against `prepared` (cached)."""
    def match() -> CandidateNgrams:
        words = [caption_words(hypothesis) for hypothesis in candidates.hypotheses]
        return prepared.match(prepared.words.encode_words(words), candidates.images)

    return candidates.cached(("ngrams", id(prepared)), match)
