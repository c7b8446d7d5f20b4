"""Caps on input sizes, chosen so that no real caption corpus reaches them.

A caption beyond these sizes is not a caption but a mistake (a whole document in one field, a
binary file read as text), and it would otherwise cost minutes and gigabytes: METEOR's aligner
and ROUGE-L's LCS grow with the product of the caption lengths. The figures behind the caps
are in the README ("Limits").
"""
from __future__ import annotations

MAX_INPUT_BYTES = 1 << 30
"""Largest caption file read (1 GiB; Karpathy's ``dataset_coco.json`` is about 150 MB)."""

MAX_CAPTION_CHARACTERS = 10_000
"""Longest caption accepted, in characters (before tokenization)."""

MAX_CAPTION_TOKENS = 1_000
"""Longest caption accepted, in tokens (after tokenization)."""


def caption_length_problem(caption: str) -> str | None:
    """Return why `caption` is too long to score (characters), or None if it is not."""
    if len(caption) > MAX_CAPTION_CHARACTERS:
        return (f"caption of {len(caption):,} characters; the limit is "
                f"{MAX_CAPTION_CHARACTERS:,} (capeval.limits.MAX_CAPTION_CHARACTERS)")
    return None


def token_length_problem(n_tokens: int) -> str | None:
    """Return why a caption of `n_tokens` tokens is too long to score, or None if it is not."""
    if n_tokens > MAX_CAPTION_TOKENS:
        return (f"caption of {n_tokens:,} tokens; the limit is {MAX_CAPTION_TOKENS:,} "
                "(capeval.limits.MAX_CAPTION_TOKENS)")
    return None
