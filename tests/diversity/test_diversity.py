"""Diversity metrics: worked examples computed by hand, and checks against the definitions of
the scripts they follow (captionGAN's ``compute_div_n``/``computeDivStats.py`` for Div-n and
mBLEU-4, ImageCaptioning.pytorch's ``eval_self_cider`` for Self-CIDEr)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from capeval import CapevalInputError, CapevalUsageError
from capeval.diversity import DIVERSITY_METRICS, evaluate_diversity
from capeval.diversity.pairwise import SelfCider, self_cider
from capeval.document_frequencies import DocumentFrequencies
from capeval.metrics.bleu import Bleu
from capeval.metrics.cider import Cider

CAPTIONS = {"A": ["a dog runs", "a dog sits"], "B": ["a cat", "a cat"]}
REFERENCES = {"A": ["a dog runs on the grass"], "B": ["a cat on a sofa"]}


def diversity(metrics, captions=CAPTIONS, **options):
    return evaluate_diversity(captions, metrics, tokenizer="none", **options)


# -- worked examples, by hand --------------------------------------------------------------------
def test_div_n_by_hand():
    result = diversity(["div-1", "div-2"])
    # A: unigrams {a, dog, runs, sits} = 4, bigrams {a dog, dog runs, dog sits} = 3, 6 words.
    # B: unigrams {a, cat} = 2, bigrams {a cat} = 1, 4 words. Denominators are words + 1e-6.
    assert result.per_item.loc["A", "Div-1"] == 4 / (6 + 1e-6)
    assert result.per_item.loc["A", "Div-2"] == 3 / (6 + 1e-6)
    assert result.per_item.loc["B", "Div-1"] == 2 / (4 + 1e-6)
    assert result.per_item.loc["B", "Div-2"] == 1 / (4 + 1e-6)
    assert result.corpus["Div-1"] == pytest.approx((4 / 6 + 2 / 4) / 2, abs=1e-6)
    assert result.corpus["Div-2"] == pytest.approx((3 / 6 + 1 / 4) / 2, abs=1e-6)


def test_vocab_by_hand():
    result = diversity(["vocab"])
    assert result.corpus["Vocab"] == 5                       # a, dog, runs, sits, cat
    assert result.per_item["Vocab"].tolist() == [4, 2]


def test_novel_by_hand():
    # "a dog runs" is a training caption (after tokenization: case and "." do not matter);
    # the three other captions are not: 3 of 4 are novel.
    result = evaluate_diversity(CAPTIONS, ["novel"], train_captions=["A dog runs."])
    assert result.corpus["%Novel"] == 75.0
    assert result.per_item["%Novel"].tolist() == [50.0, 100.0]
    assert result.signature["%Novel.train"] == "train(N=1)"


def test_mbleu_of_identical_and_disjoint_captions():
    same = {1: ["a man rides a horse"] * 3}
    disjoint = {1: ["a man rides a horse", "two dogs play in snow", "the cat sleeps on sofa"]}
    assert diversity(["mbleu-4"], same).corpus["mBLEU-4"] == pytest.approx(1.0, abs=1e-6)
    assert diversity(["mbleu-4"], disjoint).corpus["mBLEU-4"] < 1e-6


def test_self_cider_of_a_kernel_by_hand():
    # K / 10 = [[1, .5], [.5, 1]] has eigenvalues 1.5 and 0.5:
    # -log(sqrt(1.5) / (sqrt(1.5) + sqrt(0.5))) / log(2) = -ln(0.633975) / ln(2) = 0.657503
    assert self_cider(np.array([[10.0, 5.0], [5.0, 10.0]])) == pytest.approx(0.657503, abs=1e-6)
    assert self_cider(np.full((3, 3), 7.0)) == pytest.approx(0.0, abs=1e-7)  # all alike (round-off)
    assert self_cider(10.0 * np.eye(4)) == pytest.approx(1.0)                 # all different
    assert self_cider(np.zeros((2, 2))) == 0.0                                 # no words at all


def test_self_cider_of_identical_and_disjoint_captions():
    same = {1: ["a man rides a horse"] * 3}
    disjoint = {1: ["a man rides a horse", "two dogs play in snow", "the cat sleeps on sofa"]}
    refs = {1: ["a boat"], 2: ["a tree"]}   # df 0 for every caption word: all idf = log 2
    assert diversity(["self-cider"], same, references=refs).corpus["Self-CIDEr"] == \
        pytest.approx(0.0, abs=1e-7)
    assert diversity(["self-cider"], disjoint, references=refs).corpus["Self-CIDEr"] == \
        pytest.approx(1.0)


# -- against the cited definitions ---------------------------------------------------------------
def div_n_as_captiongan(caption_sets, n):
    """captionGAN ``compute_div_n``: per image distinct n-grams / (1e-6 + words), mean."""
    values = []
    for captions in caption_sets:
        grams, words = set(), 0
        for caption in captions:
            tokens = caption.split()
            words += len(tokens)
            grams.update(zip(*[tokens[i:] for i in range(n)]))
        values.append(len(grams) / (1e-6 + words))
    return np.mean(values), values


SAMPLES = {
    1: ["a man riding a horse on a beach", "a person rides a brown horse",
        "a man on a horse near the sea", "a horse and its rider on the sand"],
    2: ["two dogs playing in the snow", "two dogs play in snow", "a dog runs in the snow",
        "dogs in a snowy field"],
    3: ["a plate of food on a table", "a table with a plate of food", "food on a white plate",
        "a sandwich and fries on a plate"],
}


@pytest.mark.parametrize("n", [1, 2])
def test_div_n_equals_captiongan(n):
    expected, per_image = div_n_as_captiongan(SAMPLES.values(), n)
    result = diversity([f"div-{n}"], SAMPLES)
    assert result.corpus[f"Div-{n}"] == pytest.approx(expected, rel=1e-12)
    assert result.per_item[f"Div-{n}"].tolist() == pytest.approx(per_image, rel=1e-12)


def test_mbleu_equals_computedivstats():
    # computeDivStats.py: for each caption index i, corpus Bleu(4) of every image's caption i
    # against its other captions; mBLEU-4 = mean over i of those corpus BLEU-4 scores.
    bleu = Bleu(4)
    sets = [[caption.split() for caption in captions] for captions in SAMPLES.values()]
    per_index = [bleu.corpus_score([caps[i] for caps in sets],
                                   [caps[:i] + caps[i + 1:] for caps in sets])["BLEU-4"]
                 for i in range(4)]
    result = diversity(["mbleu-4"], SAMPLES)
    assert result.corpus["mBLEU-4"] == pytest.approx(np.mean(per_index), rel=1e-12)
    image_1 = [bleu.corpus_score([sets[0][i]], [sets[0][:i] + sets[0][i + 1:]])["BLEU-4"]
               for i in range(4)]
    assert result.per_item.loc[1, "mBLEU-4"] == pytest.approx(np.mean(image_1), rel=1e-12)


def test_self_cider_equals_eval_self_cider():
    # eval_self_cider: kernel of CIDEr (df from the references) between every two captions of
    # an image, eigenvalues of K / 10 clipped at 0, -log(sqrt(max) / sum sqrt) / log(M).
    references = {1: ["a man rides a horse", "a horse on a beach"],
                  2: ["two dogs in the snow"], 3: ["a plate of food"]}
    sets = [[caption.split() for caption in captions] for captions in SAMPLES.values()]
    df = DocumentFrequencies.from_references(
        [[ref.split() for ref in refs] for refs in references.values()])
    cider = Cider(df)
    expected = []
    for captions in sets:
        kernel = np.array([[cider.sentence_scores([a], [[b]])[0, 0] for b in captions]
                           for a in captions])
        roots = np.sqrt(np.clip(np.linalg.eigvalsh(kernel / 10), 0, None))
        expected.append(-math.log(roots[-1] / roots.sum()) / math.log(len(captions)))
    result = diversity(["self-cider"], SAMPLES, references=references)
    assert result.per_item["Self-CIDEr"].tolist() == pytest.approx(expected, rel=1e-12)
    assert result.corpus["Self-CIDEr"] == pytest.approx(np.mean(expected), rel=1e-12)


def test_self_cider_kernel_is_cider_of_caption_pairs():
    df = DocumentFrequencies.from_references([[["a", "dog"]], [["a", "cat"]]])
    kernel, = SelfCider(df).kernels([[["a", "dog", "runs"], ["a", "cat", "runs"]]])
    pair = Cider(df).sentence_scores([["a", "dog", "runs"]], [[["a", "cat", "runs"]]])[0, 0]
    assert kernel[0, 1] == kernel[1, 0] == pair and 0 < pair < kernel[0, 0]


# -- statistics ----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["novel", "div-1", "div-2", "mbleu-4", "self-cider"])
def test_corpus_score_is_the_score_of_summed_statistics(name):
    result = evaluate_diversity(SAMPLES, [name], tokenizer="none", train_captions=["x"],
                                references=REFERENCES | {1: ["a man"], 2: ["dogs"], 3: ["food"]})
    metric, = result.metrics.values()
    assert metric.summable
    totals = result.stats[metric.name].sum(axis=0)
    assert metric.scores_from_stats(totals).tolist() == list(result.corpus.values())


def test_statistics_of_an_image_do_not_depend_on_the_others():
    whole = diversity(["div-2", "mbleu-4"], SAMPLES)
    alone = diversity(["div-2", "mbleu-4"], {2: SAMPLES[2]})
    for name in ("Div-2", "mBLEU-4"):
        assert (whole.stats[name][1] == alone.stats[name][0]).all()


# -- errors --------------------------------------------------------------------------------------
def test_errors_name_what_is_missing():
    with pytest.raises(CapevalUsageError, match=r"novel needs the training captions"):
        diversity(["novel"])
    with pytest.raises(CapevalUsageError, match=r"self-cider needs references"):
        diversity(["self-cider"])
    with pytest.raises(CapevalUsageError, match=r"mBLEU-4 needs at least 2 captions per "
                                                r"image; image 0 has 1"):
        diversity(["mbleu-4"], {1: ["a dog"]})
    with pytest.raises(CapevalUsageError, match=r"same number of captions for every image; "
                                                r"image 0 has 2, image 1 has 3"):
        diversity(["mbleu-4"], {1: ["a", "b"], 2: ["a", "b", "c"]})
    with pytest.raises(CapevalUsageError, match=r"unknown diversity metric 'bleu'"):
        diversity(["bleu"])
    with pytest.raises(CapevalInputError, match=r"hypotheses:image 3: needs a non-empty list"):
        diversity(["vocab"], {3: []})
    with pytest.raises(CapevalInputError, match=r"hypotheses:image 'x': needs a non-empty"):
        diversity(["vocab"], {"x": "a dog"})


def test_registry_lists_every_metric():
    assert DIVERSITY_METRICS == ("vocab", "novel", "div-1", "div-2", "mbleu-4", "self-cider")
