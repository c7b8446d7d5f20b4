"""Rewards for training loops: fast per-candidate CIDEr-D and BLEU against fixed references.

`RewardScorer` precomputes document frequencies and every image's reference n-gram vectors
once, then scores batches of candidates (token-id matrices or strings) in about a millisecond
per batch of 300 captions; see docs/training.md for the self-critical training (SCST) loop.
"""
from __future__ import annotations

from capeval.rewards.captions import TokenConvention
from capeval.rewards.scorer import RewardScorer

__all__ = ["RewardScorer", "TokenConvention"]
