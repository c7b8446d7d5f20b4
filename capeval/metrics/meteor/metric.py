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

from capeval.metrics.base import Metric, Segments, Tokens, as_segments
from capeval.metrics.meteor import resources
from capeval.metrics.meteor.aligner import BEAM_SIZE, align, alignment_stats
from capeval.metrics.meteor.corpus import Corpus, hypothesis_field, reference_fields
from capeval.metrics.meteor.matchers import MODULES, HypothesisIndex, Lexicon, candidates
from capeval.metrics.meteor.paraphrase import (
    ParaphraseMatch,
    ParaphraseTable,
    check_table_file,
)
from capeval.metrics.meteor.resources import WordNetSynonyms
from capeval.metrics.meteor.scoring import (
    CHUNKS,
    N_SLOTS,
    N_STATS,
    STAT_NAMES,
    Parameters,
    is_perfect,
    meteor_scores,
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
        if weights is None:
            weights = DEFAULT_WEIGHTS[: len(modules)]
        weights = tuple(map(float, weights))
        if len(weights) != len(modules):
            raise ValueError(f"got {len(weights)} METEOR module weights for "
                             f"{len(modules)} modules")
        if not isinstance(beam_size, int) or beam_size < 1:
            raise ValueError(f"beam_size must be a positive integer, got {beam_size!r}")
        if paraphrase_table is not None:
            paraphrase_table = Path(paraphrase_table)
            check_table_file(paraphrase_table)
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

    def _paraphrase_table(self, segments: Segments) -> ParaphraseTable | None:
        """Return the paraphrase table to use (None without the paraphrase module).

        A METEOR ``.gz`` table is read for each corpus, keeping only entries whose words all
        occur in its normalized captions.
        """
        if "paraphrase" not in self.modules:
            return None
        if self.paraphrase_table is None or self.paraphrase_table.suffix != ".gz":
            return self._resource("paraphrases")
        prefixes = self._resource("prefixes")
        fields = {hypothesis_field(hyp) for hyp in segments.hypotheses}
        fields.update(field for refs in segments.references for field in reference_fields(refs))
        vocabulary = {token for field in fields for token in tokenize_field(field, prefixes)}
        return ParaphraseTable.from_gz(self.paraphrase_table, vocabulary)

    # -- statistics ------------------------------------------------------------------------
    def jar_stats(self, hypotheses: Sequence[Tokens] | Segments,
                  references: Sequence[Sequence[Tokens]] | None = None) -> np.ndarray:
        """Return the jar's ``SCORE`` statistics of each segment, shape (S, 23), float64.

        Row s is the line the jar prints for hypothesis s against its references: the
        statistics of the best-scoring reference (the first one on ties). Arguments as for
        `segment_stats`.
        """
        segments = as_segments(hypotheses, references)
        table = self._paraphrase_table(segments)
        corpus = Corpus.build(segments.hypotheses, segments.references,
                              self._resource("prefixes"))
        stem = snowballstemmer.stemmer("english").stemWords if "stem" in self.modules else None
        synsets = self._resource("synonyms").synsets if "synonym" in self.modules else None
        lexicon = Lexicon.build(corpus.words, self._resource("function_words"), stem, synsets)
        if table is None:
            paraphrases: list = [()] * len(corpus.pairs)
        else:
            paraphrases = table.pair_matches(corpus.captions, corpus.pairs)
        rows = _align_pairs(corpus, lexicon, paraphrases, self.modules, self.beam_size)
        pair_stats = np.array(rows, dtype=np.int64).reshape(len(corpus.pairs), N_STATS)

        # The best reference of each segment: strictly highest score, the first on ties.
        flat = [pair for pairs in corpus.segment_pairs for pair in pairs]
        stats = pair_stats[flat]
        scores = meteor_scores(stats, self.weights, self.parameters).tolist()
        best, start = [], 0
        for pairs in corpus.segment_pairs:
            segment = scores[start:start + len(pairs)]
            best.append(start + segment.index(max(segment)))
            start += len(pairs)
        return stats[best].astype(np.float64)

    def _segment_stats(self, segments: Segments) -> np.ndarray:
        stats = self.jar_stats(segments)
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


def _align_pairs(corpus: Corpus, lexicon: Lexicon,
                 paraphrases: Sequence[Sequence[ParaphraseMatch]], modules: tuple[str, ...],
                 beam_size: int) -> list[list[int]]:
    """Return the 23 jar statistics of every (hypothesis, reference) pair of `corpus`."""
    exact_slot = modules.index("exact") if "exact" in modules else None
    ref_words: dict[int, set[int]] = {}
    for hyp, ref in corpus.pairs:
        ref_words.setdefault(hyp, set()).update(corpus.coded[ref])
    function = lexicon.function
    indexes: dict[int, HypothesisIndex] = {}
    rows = []
    for (hyp, ref), pair_paraphrases in zip(corpus.pairs, paraphrases, strict=True):
        index = indexes.get(hyp)
        if index is None:
            index = indexes[hyp] = HypothesisIndex(corpus.coded[hyp], lexicon, ref_words[hyp])
        ref_ids = corpus.coded[ref]
        by_ref = candidates(index, ref_ids, modules, lexicon, pair_paraphrases)
        chosen = align(by_ref, len(index.hyp), exact_slot, beam_size)
        rows.append(alignment_stats(chosen, [function[w] for w in index.hyp],
                                    [function[w] for w in ref_ids]))
    return rows
