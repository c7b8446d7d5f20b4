"""The n-gram engine shared by BLEU, CIDEr-D, the reward scorer and document frequencies.

* `words`: interning of captions' words (also used by ROUGE-L).
* `occurrences`: distinct n-grams of many captions, order by order, in one hash pass per order.
* `vocabulary`: captions as flat word ids against a fixed vocabulary.
* `references`: the prepared reference side (idf trie, per-image reference n-gram rows).
* `scoring`: candidates matched against prepared references, CIDEr-D and BLEU statistics.
* `prepared`: `NgramReferences`, the object metrics and `RewardScorer` prepare once.

Words are what pycocoevalcap's n-gram metrics see: ``" ".join(tokens).split()``.
"""
from __future__ import annotations

from capeval.ngrams.words import CorpusWords, factorize, intern_words, lookup

__all__ = ["CorpusWords", "factorize", "intern_words", "lookup"]
