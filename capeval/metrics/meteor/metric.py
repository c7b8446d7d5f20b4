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

import copy
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from capeval.collector import paused_collector
from capeval.metrics.base import (
    Candidates,
    Metric,
    ReferenceSet,
    Segments,
    Tokens,
    as_segments,
)
from capeval.metrics.meteor import resources
from capeval.metrics.meteor.aligner import BEAM_SIZE, align, alignment_stats
from capeval.metrics.meteor.corpus import Corpus, ReferenceCaptions
from capeval.metrics.meteor.matchers import (MODULES, Lexicon, MatchableWords, WordFacts,
                                              find_candidates)
from capeval.metrics.meteor.paraphrase import (
    ParaphraseTable,
    PhraseOccurrences,
    PhrasesByCaption,
    check_table_file,
)
from capeval.metrics.meteor.resources import WordData
from capeval.metrics.meteor.scoring import (
    CHUNKS,
    N_SLOTS,
    N_STATS,
    STAT_NAMES,
    Parameters,
    is_perfect,
    meteor_scores,
)
from capeval.metrics.meteor.text import parse_nonbreaking_prefixes

DEFAULT_WEIGHTS = (1.0, 0.6, 0.8, 0.6)
"""Scoring weight of each module slot for English (task "rank")."""

_MIN_BLOCK = 500
"""Fewest hypotheses a thread scores (smaller calls run in the calling thread)."""
_MAX_BLOCK = 800
"""Most hypotheses a thread scores at once (bounds the working memory of a call; on the 6,000
Flickr8k images with two threads, `benchmarks/bench_meteor_parts.py` measured 215, 223 and
232 MB peak and 0.277, 0.263 and 0.259 s per repeated call for 600, 800 and 1,000)."""


def _available_cores() -> int:
    """Return how many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


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
    threads : int, optional
        Threads scoring blocks of hypotheses side by side; scores are the same for every
        value. Default: one per core this process may use, and 1 in a streamed run
        (`single_threaded`), where ``jobs`` sets how many cores are used.
    """

    name = "METEOR"
    score_names = ("METEOR",)
    stat_names = STAT_NAMES
    _stage_lock = threading.Lock()  # of the class, so that a Meteor pickles for a worker

    def __init__(self, modules: Sequence[str] = MODULES, weights: Sequence[float] | None = None,
                 alpha: float = 0.85, beta: float = 0.2, gamma: float = 0.6, delta: float = 0.75,
                 paraphrase_table: str | Path | None = None, beam_size: int = BEAM_SIZE,
                 threads: int | None = None) -> None:
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
        if threads is not None and (not isinstance(threads, int) or threads < 1):
            raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
        if paraphrase_table is not None:
            paraphrase_table = Path(paraphrase_table)
            check_table_file(paraphrase_table)
        self.modules = modules
        self.weights = tuple(weights)
        self.parameters = Parameters(alpha, beta, gamma, delta)
        self.paraphrase_table = paraphrase_table
        self.beam_size = beam_size
        self.threads = threads
        self._data: dict[str, object] = {}
        self.stage_seconds: dict[str, float] = {}
        """Wall-clock seconds spent in each stage since construction, summed over threads
        (for profiling)."""

    # -- data, loaded on first use and kept on the instance ------------------------------
    def _resource(self, key: str):
        if key not in self._data:
            loaders: dict[str, Callable[[], object]] = {
                "prefixes": lambda: parse_nonbreaking_prefixes(
                    resources.read_text("nonbreaking_prefixes.txt")),
                "function_words": resources.load_function_words,
                "words": WordData.load,
                "paraphrases": lambda: ParaphraseTable.load(self.paraphrase_table),
            }
            self._data[key] = loaders[key]()
        return self._data[key]

    def _paraphrase_table(self, words: list[str]) -> ParaphraseTable | None:
        """Return the paraphrase table to use (None without the paraphrase module).

        A METEOR ``.gz`` table is read for each corpus, keeping only entries whose words all
        occur in its normalized captions (`words`).
        """
        if "paraphrase" not in self.modules:
            return None
        gz_table = self._gz_table()
        if gz_table is None:
            return self._resource("paraphrases")
        return ParaphraseTable.from_gz(gz_table, set(words))

    def _gz_table(self) -> Path | None:
        """The user's paraphrase table if it is a ``.gz`` one (read for each corpus)."""
        if self.paraphrase_table is not None and self.paraphrase_table.suffix == ".gz":
            return self.paraphrase_table
        return None

    # -- statistics ------------------------------------------------------------------------
    @paused_collector()
    def prepare_references(self, references: ReferenceSet) -> ReferenceCaptions:
        """Normalize the references once: the reference side of every later call."""
        prefixes = self._resource("prefixes")
        with self._stage("corpus preparation"):
            return ReferenceCaptions.build(references.references, prefixes)

    def _candidate_stats(self, candidates: Candidates, prepared: ReferenceCaptions) -> np.ndarray:
        stats = self._jar_stats(candidates.hypotheses, candidates.images, prepared)
        stats[is_perfect(stats), CHUNKS] = 0.0
        return stats

    def _segment_stats(self, segments: Segments) -> np.ndarray:
        candidates = segments.candidates()
        return self._candidate_stats(candidates, self.prepare_references(candidates.references))

    def jar_stats(self, hypotheses: Sequence[Tokens] | Segments,
                  references: Sequence[Sequence[Tokens]] | None = None) -> np.ndarray:
        """Return the jar's ``SCORE`` statistics of each segment, shape (S, 23), float64.

        Row s is the line the jar prints for hypothesis s against its references: the
        statistics of the best-scoring reference (the first one on ties). Arguments as for
        `segment_stats`.
        """
        candidates = as_segments(hypotheses, references).candidates()
        return self._jar_stats(candidates.hypotheses, candidates.images,
                               self.prepare_references(candidates.references))

    def _jar_stats(self, hypotheses: Sequence[Tokens], images: np.ndarray,
                   references: ReferenceCaptions) -> np.ndarray:
        """Score blocks of hypotheses side by side in threads (NumPy releases the GIL in its
        array operations); a segment's statistics do not depend on the other segments, so
        they are the same for any number of threads."""
        blocks = self._blocks(len(hypotheses))
        workers = min(len(blocks), self._threads())

        def block_stats(block: slice) -> np.ndarray:
            return self._block_stats(hypotheses[block], images[block], references)

        if workers == 1:  # in the calling thread
            return np.concatenate([block_stats(block) for block in blocks])
        self._reference_side(references)  # loaded and cached once, before the threads start
        with ThreadPoolExecutor(workers) as pool:
            return np.concatenate(list(pool.map(block_stats, blocks)))

    def _blocks(self, n_segments: int) -> list[slice]:
        """Split the segments into equal blocks of at most `_MAX_BLOCK`, as many for each
        thread, using the threads that get `_MIN_BLOCK` segments each; a ``.gz`` paraphrase
        table, read for each block's words, keeps them in one."""
        if "paraphrase" in self.modules and self._gz_table() is not None:
            return [slice(0, n_segments)]
        threads = max(1, min(self._threads(), n_segments // _MIN_BLOCK))
        n_blocks = threads * max(1, -(-n_segments // (_MAX_BLOCK * threads)))
        bounds = np.linspace(0, n_segments, n_blocks + 1).astype(int).tolist()
        return [slice(start, stop) for start, stop in zip(bounds[:-1], bounds[1:])]

    def _threads(self) -> int:
        return self.threads or _available_cores()

    def _reference_side(self, references: ReferenceCaptions) -> None:
        """Load the data and build the references' lexicon and phrases every block uses."""
        self._matchable_words(references)
        if "paraphrase" in self.modules:
            self._reference_phrases(self._resource("paraphrases"), references)

    def _block_stats(self, hypotheses: Sequence[Tokens], images: np.ndarray,
                     references: ReferenceCaptions) -> np.ndarray:
        prefixes = self._resource("prefixes")
        with self._stage("corpus preparation"):
            corpus = Corpus.build(hypotheses, images, references, prefixes)
        with self._stage("paraphrase table"):
            table = self._paraphrase_table(corpus.words)
        with self._stage("lexicon"):
            lexicon = self._lexicon(corpus, references)
        with self._stage("paraphrase matching"):
            paraphrases = (None if table is None
                           else table.pair_matches(corpus.captions, corpus.pairs,
                                                   self._phrases(table, corpus, references)))
        with self._stage("alignment"):
            candidates = find_candidates(corpus, lexicon, self.modules, paraphrases)
            n_hyp, n_ref = (corpus.lengths[corpus.pairs[:, side]] for side in (0, 1))
            exact_slot = self.modules.index("exact") if "exact" in self.modules else None
            chosen = align(candidates, n_hyp, n_ref, exact_slot, self.beam_size)
            pair_stats = alignment_stats(candidates, chosen, n_hyp, n_ref,
                                         *(lexicon.function[corpus.pair_words(side)[2]]
                                           for side in (0, 1)))

        # The best reference of each segment: strictly highest score, the first on ties.
        stats = pair_stats[corpus.segment_pairs]
        if not len(stats):
            return np.zeros((0, N_STATS))
        scores = meteor_scores(stats, self.weights, self.parameters)
        starts = corpus.segment_starts[:-1]
        segment = np.repeat(np.arange(len(starts)), np.diff(corpus.segment_starts))
        best_score = np.maximum.reduceat(scores, starts)[segment]
        rows = np.arange(len(scores))
        best = np.minimum.reduceat(np.where(scores == best_score, rows, len(rows)), starts)
        return stats[best].astype(np.float64)

    def _phrases(self, table: ParaphraseTable, corpus: Corpus,
                 references: ReferenceCaptions) -> PhraseOccurrences:
        """The table's phrases in the corpus captions; those in the references are found once
        per reference set (unless the table is a ``.gz`` one, read for each corpus)."""
        if table is not self._data.get("paraphrases"):
            return table.occurrences(corpus.captions)
        in_references, known_ids = self._reference_phrases(table, references)
        word_ids = np.concatenate([known_ids,
                                   table.token_ids(corpus.words[corpus.reference_words:])])
        used = len(corpus.reference_captions)
        in_hypotheses = table.occurrences_of_ids(word_ids[corpus.tokens[corpus.offsets[used]:]],
                                                 corpus.lengths[used:])
        return PhraseOccurrences.concatenate([
            in_references.of_captions(corpus.reference_captions), in_hypotheses.shifted(used)])

    @staticmethod
    def _reference_phrases(table: ParaphraseTable, references: ReferenceCaptions
                           ) -> tuple[PhrasesByCaption, np.ndarray]:
        """The table's phrases in the references, and the table's token id of each word of
        their vocabulary (a corpus's first words): found once per reference set and table."""
        def find() -> tuple[PhrasesByCaption, np.ndarray]:
            return (PhrasesByCaption.of(table.occurrences(references.captions),
                                        len(references.captions)),
                    table.token_ids(references.vocabulary.vocabulary))

        cached_table, found = references.cached("phrases", lambda: (table, find()))
        if cached_table is not table:  # prepared by another Meteor object
            return find()
        return found

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            with self._stage_lock:
                self.stage_seconds[name] = (self.stage_seconds.get(name, 0.0)
                                            + time.perf_counter() - start)

    def _lexicon(self, corpus: Corpus, references: ReferenceCaptions) -> Lexicon:
        """Return the lexicon of the corpus words: the references' words' lexicon, built once
        per reference set, takes the hypotheses' other words (`WordData` caches their facts)."""
        added = corpus.words[corpus.reference_words:]
        return self._matchable_words(references).with_words(added, self._word_facts(added))

    def _matchable_words(self, references: ReferenceCaptions) -> MatchableWords:
        """The lexicon of the references' words (a corpus's first words), built once per
        reference set."""
        known = references.vocabulary.vocabulary
        word_data = self._resource("words") if {"stem", "synonym"} & set(self.modules) else None

        def build() -> MatchableWords:
            return MatchableWords.of(known, self._word_facts(known))

        cached_data, matchable = references.cached(("matchable words", self.modules),
                                                   lambda: (word_data, build()))
        if cached_data is not word_data:  # prepared by another Meteor object
            return build()
        return matchable

    def _word_facts(self, words: Sequence[str]) -> WordFacts:
        stem = synsets = None
        if "stem" in self.modules:
            stem = self._resource("words").stem_hashes
        if "synonym" in self.modules:
            synsets = self._resource("words").synsets
        return WordFacts.of(words, self._resource("function_words"), stem, synsets)

    def single_threaded(self) -> Meteor:
        """Return this metric with one thread, unless its threads were chosen: a shallow
        copy, sharing the loaded data and `stage_seconds`."""
        if self.threads is not None:
            return self
        single = copy.copy(self)
        single.threads = 1
        return single

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
