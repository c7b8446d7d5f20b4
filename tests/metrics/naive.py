"""Slow, obviously-correct implementations of the metric definitions, used as a second oracle.

Written from the formulas in the metric module docstrings (one dictionary per caption, plain
loops), to check the vectorized implementations on random corpora with many edge cases.
"""
from __future__ import annotations

import math
from collections import Counter


def ngram_counts(words, n):
    return Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def words_of(tokens):
    return " ".join(tokens).split()


def bleu_stats(hyp, refs, max_order=4):
    hyp = words_of(hyp)
    refs = [words_of(r) for r in refs]
    ref_len = min((abs(len(r) - len(hyp)), len(r)) for r in refs)[1]
    matches, totals = [], []
    for n in range(1, max_order + 1):
        counts = ngram_counts(hyp, n)
        best = Counter()
        for ref in refs:
            for gram, count in ngram_counts(ref, n).items():
                best[gram] = max(best[gram], count)
        matches.append(sum(min(c, best[g]) for g, c in counts.items()))
        totals.append(max(len(hyp) - n + 1, 0))
    return [len(hyp), ref_len, *matches, *totals]


def lcs(a, b):
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            table[i + 1][j + 1] = table[i][j] + 1 if x == y else max(table[i][j + 1], table[i + 1][j])
    return table[-1][-1]


def rouge_l(hyp, refs, beta=1.2):
    hyp = list(hyp) or [""]
    precision = max(lcs(hyp, list(r) or [""]) / len(hyp) for r in refs)
    recall = max(lcs(hyp, list(r) or [""]) / len(list(r) or [""]) for r in refs)
    if precision == 0 or recall == 0:
        return 0.0
    return (1 + beta**2) * precision * recall / (recall + beta**2 * precision)


def cider(hyps, refs, clip=True, sigma=6.0, df=None, n_images=None, max_order=4):
    hyps = [words_of(h) for h in hyps]
    refs = [[words_of(r) for r in rs] for rs in refs]
    if df is None:
        df = Counter()
        for rs in refs:
            df.update({g for r in rs for n in range(1, max_order + 1) for g in ngram_counts(r, n)})
        n_images = len(refs)
    log_n = math.log(n_images)

    def vector(words):
        vec = [{} for _ in range(max_order)]
        for n in range(1, max_order + 1):
            for gram, tf in ngram_counts(words, n).items():
                vec[n - 1][gram] = tf * (log_n - math.log(max(1.0, df.get(gram, 0))))
        norms = [math.sqrt(sum(w * w for w in v.values())) for v in vec]
        return vec, norms, max(len(words) - 1, 0)

    scores = []
    for hyp, rs in zip(hyps, refs):
        h, h_norm, h_len = vector(hyp)
        total = 0.0
        for ref in rs:
            r, r_norm, r_len = vector(ref)
            for n in range(max_order):
                dot = sum((min(w, r[n].get(g, 0.0)) if clip else w) * r[n].get(g, 0.0)
                          for g, w in h[n].items())
                if h_norm[n] and r_norm[n]:
                    dot /= h_norm[n] * r_norm[n]
                if clip:
                    dot *= math.exp(-((h_len - r_len) ** 2) / (2 * sigma**2))
                total += dot
        scores.append(total / max_order / len(rs) * 10)
    return scores
