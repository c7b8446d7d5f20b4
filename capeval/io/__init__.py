"""Caption files in and out: format detection, readers, validation and alignment, writers.

Formats (see ``docs/formats.md``): COCO annotations and results JSON, Karpathy split JSON,
plain text (line-aligned), CSV/TSV/JSON Lines tables in long or wide form. Every problem
with the input raises `capeval.CapevalInputError` naming the file, the record and what is
wrong. Image ids are canonicalised (`canonical_id`) so the same image matches across formats.

Typical use::

    references = read_references(["refs1.txt", "refs2.txt"])
    hypotheses = read_hypotheses("results.json")
    ids, hyps, refs = align(hypotheses, references, hyp_source="results.json",
                            ref_source="refs1.txt")
"""
from __future__ import annotations

from capeval.io.align import Aligned, align, check_references
from capeval.io.detect import FORMATS
from capeval.io.ids import ImageId, canonical_id
from capeval.io.judgements import Judgement, read_judgements
from capeval.io.readers import (
    hypothesis_entries,
    read_caption_sets,
    read_hypotheses,
    read_references,
    reference_entries,
)
from capeval.io.writers import PerItemWriter, write_per_item, write_results

__all__ = [
    "FORMATS",
    "Aligned",
    "ImageId",
    "Judgement",
    "PerItemWriter",
    "align",
    "canonical_id",
    "check_references",
    "hypothesis_entries",
    "read_caption_sets",
    "read_hypotheses",
    "read_judgements",
    "read_references",
    "reference_entries",
    "write_per_item",
    "write_results",
]
