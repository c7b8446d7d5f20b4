"""Accumulators: one pass equals the metric, merged shards equal one pass, state round trips.

Oracles: the metrics' own corpus scores (themselves tested against pycocoevalcap goldens) and
the golden fixtures' corpus scores.
"""
from __future__ import annotations

import json
import multiprocessing
import threading

import numpy as np
import pytest

from capeval.accumulate import Accumulator
from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics import METRICS, get_metric
from capeval.metrics.cider import CiderD
from tests.golden import GOLDEN_FILES, load_golden
from tests.metrics.corpora import random_corpus

ALL_METRICS = sorted(METRICS)


def batches(n_items, sizes=(3, 7, 1, 11)):
    """Split range(n_items) into consecutive batches of cycling sizes."""
    start, index = 0, 0
    while start < n_items:
        stop = min(start + sizes[index % len(sizes)], n_items)
        yield slice(start, stop)
        start, index = stop, index + 1


def accumulate(metric, hyps, refs, parts, ids=None, **options):
    accumulator = Accumulator(metric, **options)
    for part in parts:
        accumulator.update(hyps[part], refs[part], None if ids is None else ids[part])
    return accumulator


@pytest.mark.parametrize("metric_name", ALL_METRICS)
def test_one_pass_equals_the_metric(metric_name):
    hyps, refs = random_corpus(11)
    accumulator = accumulate(metric_name, hyps, refs, batches(len(hyps)))
    assert len(accumulator) == len(hyps)
    assert accumulator.compute() == get_metric(metric_name).corpus_score(hyps, refs)
    np.testing.assert_array_equal(accumulator.segment_scores(),
                                  get_metric(metric_name).sentence_scores(hyps, refs))


@pytest.mark.parametrize("metric_name", ALL_METRICS)
def test_shards_merged_in_order_equal_one_pass(metric_name):
    hyps, refs = random_corpus(12)
    one_pass = accumulate(metric_name, hyps, refs, [slice(None)]).compute()
    bounds = [0, 9, 10, 25, len(hyps)]
    shards = [accumulate(metric_name, hyps, refs,
                         [slice(a + part.start, a + part.stop) for part in batches(b - a)])
              for a, b in zip(bounds, bounds[1:])]
    merged = shards[0]
    for shard in shards[1:]:
        merged.merge(shard)
    assert merged.compute() == one_pass


@pytest.mark.parametrize("metric_name", ALL_METRICS)
def test_interleaved_shards_with_ids_merge_in_any_order(metric_name):
    # As a distributed sampler deals items: worker w gets items w, w + 3, w + 6, ...
    hyps, refs = random_corpus(13)
    ids = [f"img{i:03d}" for i in range(len(hyps))]
    one_pass = accumulate(metric_name, hyps, refs, batches(len(hyps)), ids).compute()
    assert one_pass == get_metric(metric_name).corpus_score(hyps, refs)  # ids sort as given
    shards = []
    for worker in range(3):
        picked = list(range(worker, len(hyps), 3))
        shard = Accumulator(metric_name)
        for part in batches(len(picked), sizes=(2, 5)):
            chosen = picked[part]
            shard.update([hyps[i] for i in chosen], [refs[i] for i in chosen],
                         [ids[i] for i in chosen])
        shards.append(shard)
    merged = shards[2].merge(shards[0]).merge(shards[1])
    assert merged.compute() == one_pass
    assert merged.segment_ids() == ids


def test_cider_d_keeps_tokens_and_computes_df_from_all_updates():
    hyps, refs = random_corpus(14)
    corpus = Accumulator("cider-d")
    assert corpus.keeps_tokens
    table = DocumentFrequencies.from_references(refs)
    fixed = Accumulator(CiderD(table))
    assert not fixed.keeps_tokens
    for part in batches(len(hyps)):
        corpus.update(hyps[part], refs[part])
        fixed.update(hyps[part], refs[part])
    # df from all references, as if scored at once: equal to a table built from them.
    assert corpus.compute()["CIDEr-D"] == pytest.approx(fixed.compute()["CIDEr-D"], abs=1e-12)
    single = Accumulator("cider-d")
    single.update(hyps[:1], refs[:1])
    assert single.compute()["CIDEr-D"] == 0.0  # N = 1, as pycocoevalcap


@pytest.mark.parametrize("golden_path", GOLDEN_FILES, ids=lambda path: path.stem)
def test_batches_reproduce_the_golden_corpus_scores(golden_path):
    golden = load_golden(golden_path)
    for metric_name in ("bleu", "rouge-l", "cider-d"):
        accumulator = accumulate(metric_name, golden.hypothesis_tokens, golden.reference_tokens,
                                 batches(len(golden.ids)))
        for name, value in accumulator.compute().items():
            assert value == pytest.approx(golden.corpus_scores[name], abs=1e-9), name


def test_tokenizer_option_takes_strings():
    hyps, refs = random_corpus(15)
    strings = accumulate("bleu", [" ".join(h) for h in hyps],
                         [[" ".join(r) for r in rs] for rs in refs], batches(len(hyps)),
                         tokenizer="none")
    tokens = accumulate("bleu", [" ".join(h).split() for h in hyps],
                        [[" ".join(r).split() for r in rs] for rs in refs], batches(len(hyps)))
    assert strings.compute() == tokens.compute()


# -- state -----------------------------------------------------------------------------
def through_files(state, tmp_path):
    """Send a state through JSON + .npz, as a worker would write it."""
    arrays = {key: value for key, value in state.items() if isinstance(value, np.ndarray)}
    plain = {key: value for key, value in state.items() if key not in arrays}
    (tmp_path / "state.json").write_text(json.dumps(plain))
    np.savez(tmp_path / "state.npz", **arrays)
    with np.load(tmp_path / "state.npz", allow_pickle=False) as archive:
        loaded = dict(archive)
    return {**json.loads((tmp_path / "state.json").read_text()), **loaded}


@pytest.mark.parametrize("metric_name", ALL_METRICS)
def test_state_round_trip(tmp_path, metric_name):
    hyps, refs = random_corpus(16)
    ids = list(range(len(hyps)))
    first = accumulate(metric_name, hyps, refs, [slice(0, 20)], ids)
    second = accumulate(metric_name, hyps, refs, [slice(20, None)], ids)
    restored = Accumulator.from_state_dict(through_files(first.state_dict(), tmp_path))
    assert restored.compute() == first.compute()
    restored.merge(Accumulator.from_state_dict(through_files(second.state_dict(), tmp_path)))
    assert restored.compute() == accumulate(metric_name, hyps, refs, [slice(None)],
                                            ids).compute()


def test_state_of_a_metric_object_needs_the_metric():
    table = DocumentFrequencies.from_references([[["a", "b"]], [["b", "c"]]])
    accumulator = Accumulator(CiderD(table, sigma=5.0))
    accumulator.update([["a", "b"]], [[["a", "b"]]])
    state = accumulator.state_dict()
    with pytest.raises(ValueError, match="pass the metric"):
        Accumulator.from_state_dict(state)
    with pytest.raises(ValueError, match="differ from the state's"):
        Accumulator.from_state_dict(state, CiderD(table))
    restored = Accumulator.from_state_dict(state, CiderD(table, sigma=5.0))
    assert restored.compute() == accumulator.compute()


def test_reset_and_empty():
    accumulator = Accumulator("rouge-l")
    with pytest.raises(ValueError, match="no segment to score"):
        accumulator.compute()
    accumulator.update([["a"]], [[["a"]]])
    accumulator.reset()
    assert len(accumulator) == 0 and accumulator.segment_stats().shape == (0, 2)
    accumulator.update([["b"]], [[["b"]]])
    assert accumulator.compute() == {"ROUGE-L": 1.0}


# -- errors ----------------------------------------------------------------------------
def test_inconsistent_ids():
    accumulator = Accumulator("bleu")
    accumulator.update([["a"]], [[["a"]]], ids=[1])
    with pytest.raises(ValueError, match="give ids in every update"):
        accumulator.update([["b"]], [[["b"]]])
    with pytest.raises(ValueError, match="got 1 segments but 2 ids"):
        accumulator.update([["b"]], [[["b"]]], ids=[2, 3])
    accumulator.update([["b"]], [[["b"]]], ids=[1])
    with pytest.raises(ValueError, match="segment id 1 was added twice"):
        accumulator.compute()
    mixed = Accumulator("bleu")
    mixed.update([["a"], ["b"]], [[["a"]], [["b"]]], ids=[1, "x"])
    with pytest.raises(ValueError, match="mutually comparable"):
        mixed.compute()


def test_bad_updates_merges_and_states():
    with pytest.raises(ValueError, match="got 1 hypotheses but 2 reference lists"):
        Accumulator("bleu").update([["a"]], [[["a"]], [["b"]]])
    with pytest.raises(ValueError, match="segment 0 has no reference caption"):
        Accumulator("bleu").update([["a"]], [[]])
    with pytest.raises(ValueError, match="cannot merge accumulators of BLEU"):
        Accumulator("bleu").merge(Accumulator("bleu", max_order=2))
    with pytest.raises(ValueError, match="unknown tokenizer"):
        Accumulator("bleu", tokenizer="nltk")
    with pytest.raises(TypeError, match="must be a sequence, not one string"):
        Accumulator("bleu", tokenizer="none").update("a dog", [["a dog"]])
    with pytest.raises(ValueError, match="not a capeval-accumulator state"):
        Accumulator.from_state_dict({"format": "other"})
    state = accumulate("bleu", [["a"]], [[["a"]]], [slice(None)]).state_dict()
    state["stats"] = np.zeros((1, 3))
    with pytest.raises(ValueError, match=r"stats of shape \(1, 3\) do not fit 10 statistics"):
        Accumulator.from_state_dict(state)


# -- concurrency -----------------------------------------------------------------------
def _accumulate_shard(job):
    metric_name, hyps, refs, ids = job
    accumulator = Accumulator(metric_name)
    accumulator.update(hyps, refs, ids)
    return accumulator.state_dict()


def test_spawned_workers_merge_to_one_pass():
    hyps, refs = random_corpus(17)
    ids = list(range(len(hyps)))
    jobs = [("cider-d", hyps[w::2], refs[w::2], ids[w::2]) for w in range(2)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        states = pool.map(_accumulate_shard, jobs)
    merged = Accumulator.from_state_dict(states[0]).merge(Accumulator.from_state_dict(states[1]))
    assert merged.compute() == get_metric("cider-d").corpus_score(hyps, refs)


def test_threads_accumulate_their_own_shards():
    hyps, refs = random_corpus(18)
    ids = list(range(len(hyps)))
    shards = [Accumulator("bleu") for _ in range(4)]

    def work(worker):
        for i in range(worker, len(hyps), 4):
            shards[worker].update([hyps[i]], [refs[i]], [ids[i]])

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = shards[0]
    for shard in shards[1:]:
        merged.merge(shard)
    assert merged.compute() == get_metric("bleu").corpus_score(hyps, refs)


def test_malformed_calls_raise_capeval_errors():
    from capeval import CapevalTypeError

    for state in (None, "state", [1, 2]):
        with pytest.raises(CapevalTypeError, match="state must be the mapping state_dict returned"):
            Accumulator.from_state_dict(state)
    with pytest.raises(CapevalTypeError, match="hypothesis 0 is a string"):
        Accumulator("bleu").update(["a man riding"], [[["a", "woman"]]])
    with pytest.raises(CapevalTypeError, match="references of segment 0 are one string"):
        Accumulator("bleu", tokenizer="ptb").update(["a man riding"], ["a woman sitting"])
