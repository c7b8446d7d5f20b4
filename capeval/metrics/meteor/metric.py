"""METEOR 1.5 exactly as the COCO caption evaluation runs it, without Java.

pycocoevalcap runs ``java -jar -Xmx2G meteor-1.5.jar - - -stdio -l en -norm``, sends one
``SCORE ||| ref_1 ||| ... ||| ref_n ||| hyp`` line per image and one ``EVAL`` line with all the
statistics lines; the corpus METEOR is ``EVAL``'s last line, the score of the summed statistics.
`Meteor` reproduces the per-image statistics and scores and that aggregate bit for bit.

A caption reaches METEOR as the string ``" ".join(tokens)``, just as pycocoevalcap sends its
tokenized captions. As in pycocoevalcap, ``|||`` is deleted from the hypothesis; in a reference
it splits the reference in two, as it does in the jar. Line breaks, which would desynchronise
the jar's line protocol, count as spaces.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import snowballstemmer

from capeval.metrics.base import Metric, Tokens, check_segments
from capeval.metrics.meteor import resources
from capeval.metrics.meteor.aligner import BEAM_SIZE, align, alignment_stats
from capeval.metrics.meteor.matchers import MODULES, HypothesisIndex, Lexicon, candidates
from capeval.metrics.meteor.resources import ParaphraseTable, WordNetSynonyms
from capeval.metrics.meteor.scoring import (
    CHUNKS, N_SLOTS, STAT_NAMES, Parameters, is_perfect, meteor_scores,
)
from capeval.metrics.meteor.text import parse_nonbreaking_prefixes, tokenize_field

DEFAULT_WEIGHTS = (1.0, 0.6, 0.8, 0.6)
"""Scoring weight of each module slot for English (task "rank")."""


class Meteor(Metric):
    """METEOR 1.5 (``-l en -norm``), identical to ``meteor-1.5.jar`` as pycocoevalcap runs it.

    Statistics are the jar's 23 numbers per segment (see `scoring` for the layout) for the
    best-scoring reference, except that ``chunks`` is 0 for a segment whose words are all
    matched in one chunk: the jar leaves those chunks out of its ``EVAL`` sum, and the segment's
    own score is unchanged (its fragmentation is 0 either way). `jar_stats` returns the
    unmodified statistics.

    Parameters
    ----------
    modules : sequence of {"exact", "stem", "synonym", "paraphrase"}, default=all four
        Matching modules in slot order (the jar's ``-m``).
    weights : sequence of float, optional
        Scoring weight of each module slot (the jar's ``-w``); defaults to the first
        ``len(modules)`` of 1.0, 0.6, 0.8, 0.6, as the jar does.
    alpha, beta, gamma, delta : float
        METEOR's parameters (the jar's ``-p``); defaults are its English values.
    paraphrase_table : path, optional
        A paraphrase table: ``.npz`` as written by ``tools/build_meteor_data.py``, or a
        METEOR ``.gz`` table (probability, phrase, paraphrase lines), read anew on each call
        and filtered to the corpus vocabulary. Defaults to the jar's English table.
    beam_size : int, default=40
        The aligner's beam width (the jar's ``-x``).
    """

    name = "METEOR"
    score_names = ("METEOR",)
    stat_names = STAT_NAMES

    def __init__(self, modules: Sequence[str] = MODULES, weights: Sequence[float] | None = None,
                 alpha: float = 0.85, beta: float = 0.2, gamma: float = 0.6, delta: float = 0.75,
                 paraphrase_table: str | Path | None = None, beam_size: int = BEAM_SIZE) -> None:
        modules = tuple(modules)
        if not modules or len(modules) > N_SLOTS:
            raise ValueError(f"METEOR needs 1 to {N_SLOTS} modules, got {len(modules)}")
        unknown = [module for module in modules if module not in MODULES]
        if unknown:
            raise ValueError(f"unknown METEOR module {unknown[0]!r}; choose from "
                             f"{', '.join(MODULES)}")
        if len(set(modules)) != len(modules):
            raise ValueError(f"a METEOR module is listed twice: {', '.join(modules)}")
        weights = DEFAULT_WEIGHTS[: len(modules)] if weights is None else tuple(map(float, weights))
        if len(weights) != len(modules):
            raise ValueError(f"got {len(weights)} METEOR module weights for "
                             f"{len(modules)} modules")
        if not isinstance(beam_size, int) or beam_size < 1:
            raise ValueError(f"beam_size must be a positive integer, got {beam_size!r}")
        if paraphrase_table is not None:
            paraphrase_table = Path(paraphrase_table)
            if not paraphrase_table.is_file():
                raise ValueError(f"paraphrase table {str(paraphrase_table)!r} is not a file")
            if paraphrase_table.suffix not in (".npz", ".gz"):
                raise ValueError(f"paraphrase table {str(paraphrase_table)!r}: expected a .npz "
                                 f"or a METEOR .gz file")
        self.modules = modules
        self.weights = tuple(weights)
        self.parameters = Parameters(alpha, beta, gamma, delta)
        self.paraphrase_table = paraphrase_table
        self.beam_size = beam_size
        self._data: dict[str, object] = {}

    # -- data, loaded on first use and kept on the instance ------------------------------
    def _resource(self, key: str):
        if key not in self._data:
            loaders = {
                "prefixes": lambda: parse_nonbreaking_prefixes(
                    resources.read_text("nonbreaking_prefixes.txt")),
                "function_words": resources.load_function_words,
                "synonyms": WordNetSynonyms.load,
                "paraphrases": lambda: ParaphraseTable.load(self.paraphrase_table),
            }
            self._data[key] = loaders[key]()
        return self._data[key]

    def _paraphrase_table(self, captions: Sequence[tuple[str, ...]]) -> ParaphraseTable:
        if self.paraphrase_table is not None and self.paraphrase_table.suffix == ".gz":
            vocabulary = {token for caption in captions for token in caption}
            return ParaphraseTable.from_gz(self.paraphrase_table, vocabulary)
        return self._resource("paraphrases")

    def _lexicon(self, words: Sequence[str]) -> Lexicon:
        stem = snowballstemmer.stemmer("english").stemWords if "stem" in self.modules else None
        synsets = self._resource("synonyms").synsets if "synonym" in self.modules else None
        return Lexicon.build(words, self._resource("function_words"), stem, synsets)

    # -- statistics ------------------------------------------------------------------------
    def jar_stats(self, hypotheses: Sequence[Tokens],
                  references: Sequence[Sequence[Tokens]]) -> np.ndarray:
        """Return the jar's ``SCORE`` statistics of each segment, shape (S, 23), float64.

        Row s is the line the jar prints for hypothesis s against its references: the
        statistics of the best-scoring reference (the first one on ties).
        """
        check_segments(hypotheses, references)
        prefixes = self._resource("prefixes")
        token_cache: dict[str, tuple[str, ...]] = {}

        def tokens_of(field: str) -> tuple[str, ...]:
            if field not in token_cache:
                token_cache[field] = tokenize_field(field, prefixes)
            return token_cache[field]

        hyp_texts = [" ".join(tokens).replace("|||", "").replace("  ", " ")
                     for tokens in hypotheses]
        ref_texts = [" ||| ".join(" ".join(tokens) for tokens in refs).split("|||")
                     for refs in references]
        caption_id: dict[tuple[str, ...], int] = {}
        captions: list[tuple[str, ...]] = []

        def caption_of(field: str) -> int:
            tokens = tokens_of(field)
            if tokens not in caption_id:
                caption_id[tokens] = len(captions)
                captions.append(tokens)
            return caption_id[tokens]

        hyp_ids = [caption_of(text) for text in hyp_texts]
        ref_ids = [[caption_of(text) for text in texts] for texts in ref_texts]
        pair_id: dict[tuple[int, int], int] = {}
        for hyp_id, refs in zip(hyp_ids, ref_ids, strict=True):
            for ref_id in refs:
                pair_id.setdefault((hyp_id, ref_id), len(pair_id))
        pairs = list(pair_id)

        word_id: dict[str, int] = {}
        coded = [tuple(word_id.setdefault(word, len(word_id)) for word in caption)
                 for caption in captions]
        lexicon = self._lexicon(list(word_id))
        if "paraphrase" in self.modules:
            paraphrases = self._paraphrase_table(captions).pair_matches(captions, pairs)
        else:
            paraphrases = [()] * len(pairs)
        function = lexicon.function
        flags = [[function[word] for word in caption] for caption in coded]
        exact_slot = self.modules.index("exact") if "exact" in self.modules else None

        ref_words: dict[int, set[int]] = {}
        for hyp_id, ref_id in pairs:
            ref_words.setdefault(hyp_id, set()).update(coded[ref_id])
        indexes: dict[int, HypothesisIndex] = {}
        rows = []
        for (hyp_id, ref_id), pair_paraphrases in zip(pairs, paraphrases, strict=True):
            index = indexes.get(hyp_id)
            if index is None:
                index = indexes[hyp_id] = HypothesisIndex(coded[hyp_id], lexicon,
                                                          ref_words[hyp_id])
            by_ref = candidates(index, coded[ref_id], self.modules, lexicon, pair_paraphrases)
            chosen = align(by_ref, len(index.hyp), exact_slot, self.beam_size)
            rows.append(alignment_stats(chosen, flags[hyp_id], flags[ref_id]))
        pair_stats = np.array(rows, dtype=np.float64).reshape(-1, len(STAT_NAMES))
        all_stats = pair_stats[[pair_id[hyp_id, ref_id]
                                for hyp_id, refs in zip(hyp_ids, ref_ids, strict=True)
                                for ref_id in refs]]
        scores = meteor_scores(all_stats, self.weights, self.parameters)
        counts = [len(refs) for refs in ref_ids]
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        best = [start + int(np.argmax(scores[start:start + count]))
                for start, count in zip(starts.tolist(), counts, strict=True)]
        return all_stats[best]

    def _segment_stats(self, hypotheses: Sequence[Tokens],
                       references: Sequence[Sequence[Tokens]]) -> np.ndarray:
        stats = self.jar_stats(hypotheses, references)
        stats[is_perfect(stats), CHUNKS] = 0.0
        return stats

    def scores_from_stats(self, stats: np.ndarray) -> np.ndarray:
        return meteor_scores(stats, self.weights, self.parameters)[..., np.newaxis]

    def signature(self) -> dict[str, str]:
        parameters = self.parameters
        return {
            "modules": ",".join(self.modules),
            "weights": ",".join(f"{w:g}" for w in self.weights),
            "params": f"{parameters.alpha:g},{parameters.beta:g},{parameters.gamma:g},"
                      f"{parameters.delta:g}",
            "para": "en" if self.paraphrase_table is None else self.paraphrase_table.name,
            "beam": str(self.beam_size),
            "norm": "jar-1.5",
        }
