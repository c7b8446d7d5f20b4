"""`paused_collector` pauses the cyclic garbage collector and restores the caller's setting."""
from __future__ import annotations

import gc

import pytest

from capeval.collector import paused_collector


@pytest.fixture
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_and_enabled_after(collector_enabled):
    with paused_collector():
        assert not gc.isenabled()
        with paused_collector():  # nested: the inner block leaves it paused
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_enabled_again_after_an_exception(collector_enabled):
    with pytest.raises(RuntimeError), paused_collector():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_callers_disabled_collector_stays_disabled(collector_enabled):
    gc.disable()
    with paused_collector():
        pass
    assert not gc.isenabled()


def test_scoring_leaves_the_collector_as_it_was(collector_enabled):
    import capeval

    seen = []
    capeval.evaluate({1: "a dog runs"}, {1: ["a dog is running"]}, ["bleu", "rouge-l"],
                     progress=lambda step: seen.append(gc.isenabled()))
    assert seen == [False, False, False]  # tokenize, BLEU, ROUGE-L ran with it paused
    assert gc.isenabled()
