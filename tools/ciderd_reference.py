"""The CIDEr-D scorer self-critical training uses (vrama91/cider lineage), set up from a path.

Nothing of that code is in this repository: `reference_ciderd` imports it from a checkout
(``--cider PATH``, the directory holding ``pyciderevalcap/ciderD/ciderD_scorer.py``) and
gives it document frequencies counted from the given references, which is what
``CiderD(df=<a prepro_ngrams.py pickle>)`` sets up, without a pickle file.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np


def reference_ciderd(cider_path: Path, reference_strings: list[list[str]], label: str):
    """Return a ``CiderD`` whose df comes from `reference_strings` (one list per image)."""
    sys.path.insert(0, str(cider_path))
    from pyciderevalcap.ciderD.ciderD import CiderD
    from pyciderevalcap.ciderD.ciderD_scorer import CiderScorer

    counter = CiderScorer(df_mode="corpus")
    counter.document_frequency = defaultdict(float)
    for strings in reference_strings:
        counter.cook_append(None, strings)
    counter.compute_doc_freq()
    scorer = CiderD(df="corpus")
    scorer.cider_scorer.df_mode = label
    scorer.cider_scorer.ref_len = np.log(float(len(reference_strings)))
    scorer.cider_scorer.document_frequency = counter.document_frequency
    return scorer
