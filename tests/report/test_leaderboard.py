"""capeval.report.leaderboard: scores, intervals and p-values against slow text re-scoring."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import capeval
from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalInputError
from capeval.human import HUMAN, leave_one_out_folds
from capeval.metrics.bleu import Bleu
from capeval.metrics.cider import CiderD
from capeval.metrics.meteor import Meteor
from capeval.metrics.rouge import RougeL
from capeval.report.leaderboard import leaderboard
from capeval.stats import Bootstrap, Randomization
from tests.report.corpus import REFERENCES, SYSTEMS

N_SAMPLES = 30
ORDER = ["CIDEr-D", "METEOR", "ROUGE-L", "BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4"]
METEOR = Meteor()  # loads its data on first use, then keeps it


def board(**options):
    options = {"tokenizer": "none", "n_bootstrap": N_SAMPLES, "seed": 0, **options}
    return leaderboard(SYSTEMS, REFERENCES, **options)


def tokens(captions):
    return [caption.split() for caption in captions]


def slow_corpus_scores(hyps, refs, images):
    """Re-score the text of `images` (repeats allowed): CIDEr-D with the df of all of `refs`."""
    hyps, refs = tokens(hyps), [tokens(r) for r in refs]
    table = DocumentFrequencies.from_references(refs)
    sample_hyps, sample_refs = [hyps[i] for i in images], [refs[i] for i in images]
    scores = {}
    for metric in (Bleu(), METEOR, RougeL(), CiderD(table)):
        scores.update(metric.corpus_score(sample_hyps, sample_refs))
    return np.array([scores[name] for name in ORDER])


def slow_system_scores(name, images, human):
    """Scores of a system on `images`, averaged over leave-one-out folds when `human`."""
    ids = list(REFERENCES)
    refs = [REFERENCES[i] for i in ids]
    if not human:
        return slow_corpus_scores([SYSTEMS[name][i] for i in ids], refs, images)
    per_fold = []
    for fold in leave_one_out_folds(refs):
        hyps = fold.held_out if name == HUMAN else [SYSTEMS[name][i] for i in ids]
        per_fold.append(slow_corpus_scores(hyps, fold.references, images))
    return np.mean(per_fold, axis=0)


def test_scores_equal_evaluate_of_each_system():
    result = board(n_bootstrap=0)
    assert result.score_names == ORDER
    for name, hyps in SYSTEMS.items():
        expected = capeval.evaluate(hyps, REFERENCES, tokenizer="none").corpus
        np.testing.assert_allclose(result.scores.loc[name, ORDER],
                                   [expected[score] for score in ORDER], rtol=1e-12)


def test_systems_are_ranked_by_the_sort_score():
    result = board(n_bootstrap=0)
    assert result.systems == ["strong", "weak", "markup"]
    assert list(result.scores["CIDEr-D"]) == sorted(result.scores["CIDEr-D"], reverse=True)
    by_bleu1 = board(n_bootstrap=0, sort="BLEU-1")
    assert list(by_bleu1.scores["BLEU-1"]) == sorted(by_bleu1.scores["BLEU-1"], reverse=True)
    assert by_bleu1.settings.sort == "BLEU-1"


@pytest.mark.parametrize("human", [False, True], ids=["all-refs", "human"])
def test_intervals_and_paired_bootstrap_equal_slow_rescoring(human):
    result = board(test="bs", baseline="weak", human=human)
    names = [HUMAN, *SYSTEMS] if human else list(SYSTEMS)
    bootstrap = Bootstrap.draw(len(REFERENCES), N_SAMPLES, np.random.default_rng(0))
    everything = range(len(REFERENCES))
    slow = {name: np.array([slow_system_scores(name, row, human)
                            for row in bootstrap.indices]) for name in names}
    observed = {name: slow_system_scores(name, everything, human) for name in names}
    for name in names:
        np.testing.assert_allclose(result.scores.loc[name, ORDER], observed[name], rtol=1e-12)
        low, high = np.quantile(slow[name], [0.025, 0.975], axis=0)
        np.testing.assert_allclose(result.ci_low.loc[name, ORDER], low, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(result.ci_high.loc[name, ORDER], high, rtol=1e-9,
                                   atol=1e-15)
        delta = observed[name] - observed["weak"]
        extreme = np.abs(slow[name] - slow["weak"] - delta) >= np.abs(delta)
        expected_p = (extreme.sum(axis=0) + 1) / (N_SAMPLES + 1)
        if name == "weak":
            assert result.p_values.loc[name].isna().all()
        else:
            np.testing.assert_array_equal(result.p_values.loc[name, ORDER], expected_p)


def test_approximate_randomization_equals_slow_rescoring_with_human_folds():
    result = board(test="ar", baseline="strong", human=True)
    rng = np.random.default_rng(0)
    Bootstrap.draw(len(REFERENCES), N_SAMPLES, rng)  # the intervals draw first
    randomization = Randomization.draw(len(REFERENCES), N_SAMPLES, rng)
    ids = list(REFERENCES)
    refs = [REFERENCES[i] for i in ids]
    folds = leave_one_out_folds(refs)
    everything = range(len(ids))
    def hyps(who, fold):
        return fold.held_out if who == HUMAN else [SYSTEMS[who][i] for i in ids]

    def difference(name, swap):
        """Mean over folds of the score difference of `name` and strong after swapping."""
        per_fold = []
        for fold in folds:
            mine, theirs = hyps(name, fold), hyps("strong", fold)
            a = [t if s else m for m, t, s in zip(mine, theirs, swap, strict=True)]
            b = [m if s else t for m, t, s in zip(mine, theirs, swap, strict=True)]
            per_fold.append(slow_corpus_scores(a, fold.references, everything)
                            - slow_corpus_scores(b, fold.references, everything))
        return np.mean(per_fold, axis=0)

    for name in (HUMAN, "weak"):
        observed = difference(name, np.zeros(len(ids), bool))
        extreme = sum(np.abs(difference(name, swap)) >= np.abs(observed)
                      for swap in randomization.swaps)
        np.testing.assert_array_equal(result.p_values.loc[name, ORDER],
                                      (extreme + 1) / (N_SAMPLES + 1))


def test_same_seed_same_report_other_seed_other_intervals():
    first, again = board(test="bs"), board(test="bs")
    pd.testing.assert_frame_equal(first.ci_low, again.ci_low)
    pd.testing.assert_frame_equal(first.p_values, again.p_values)
    other = board(test="bs", seed=1)
    assert not first.ci_low.equals(other.ci_low)


def test_human_row_and_signature_say_which_references_were_used():
    result = board(human=True)
    assert HUMAN in result.systems
    assert result.signature["refs"] == "leave-one-out"
    assert result.signature["nrefs"] == "var"
    assert result.settings.n_folds == 3
    assert board().signature["refs"] == "all"


def test_signature_holds_settings_and_ends_with_version():
    signature = board(test="ar", baseline="weak").signature
    assert signature["bs"] == str(N_SAMPLES)
    assert signature["seed"] == "0"
    assert signature["test"] == "paired-ar"
    assert signature["baseline"] == "weak"
    assert signature["CIDEr-D.df"] == "corpus"
    assert signature["tok"] == "none"
    assert list(signature)[-1] == "version"


def test_per_item_has_every_system_and_image_in_reference_order():
    result = board(n_bootstrap=0)
    table = result.per_item
    assert list(table.columns[:3]) == ["system", "image_id", "caption"]
    assert len(table) == len(SYSTEMS) * len(REFERENCES)
    markup = table[table["system"] == "markup"].set_index("image_id")
    assert markup.loc[1, "caption"] == SYSTEMS["markup"][1]
    expected = capeval.evaluate(SYSTEMS["markup"], REFERENCES, tokenizer="none").per_item
    np.testing.assert_allclose(markup.loc[expected.index, ORDER], expected[ORDER], rtol=1e-12)


def test_to_dict_matches_the_json_contract():
    result = board(test="bs", baseline="weak").to_dict()
    assert set(result) == {"signature", "systems"}
    assert [system["name"] for system in result["systems"]] == ["strong", "weak", "markup"]
    strong = result["systems"][0]
    assert set(strong) == {"name", "scores", "ci", "p"}
    assert list(strong["scores"]) == ORDER
    assert all(low <= strong["scores"][k] <= high for k, (low, high) in strong["ci"].items())
    assert result["systems"][1]["p"] == {}


@pytest.mark.parametrize("options, message", [
    ({"baseline": "nobody"}, "baseline 'nobody' is not one of the systems"),
    ({"sort": "METEOR", "metrics": ["bleu"]}, "cannot sort by 'METEOR'"),
    ({"test": "t-test"}, "unknown test"),
    ({"test": "bs", "n_bootstrap": 0}, "a paired test needs samples"),
    ({"ci": 1.0}, "confidence level"),
])
def test_bad_settings_are_rejected(options, message):
    with pytest.raises(ValueError, match=message):
        board(**options)


def test_a_system_named_human_clashes_with_the_human_row():
    with pytest.raises(ValueError, match="named 'Human'"):
        leaderboard({HUMAN: SYSTEMS["weak"]}, REFERENCES, tokenizer="none", human=True)


def test_human_row_needs_two_references_per_image():
    refs = {**REFERENCES, 9: ["only one"]}
    systems = {name: {**hyps, 9: "x"} for name, hyps in SYSTEMS.items()}
    with pytest.raises(ValueError, match="image number 9 has 1"):
        leaderboard(systems, refs, tokenizer="none", human=True, n_bootstrap=0)


def test_systems_with_different_images_are_rejected_naming_the_file():
    systems = {"a": SYSTEMS["strong"], "b": {i: c for i, c in SYSTEMS["weak"].items() if i != 3}}
    with pytest.raises(CapevalInputError) as error:
        leaderboard(systems, REFERENCES, tokenizer="none", n_bootstrap=0,
                    sources={"a": "a.json", "b": "b.json"})
    assert str(error.value) == ("b.json: captions 7 images, a.json captions 8; every system "
                                "must caption the same images (0 only here, 1 only in a.json: 3)")


def test_ids_are_compared_canonically():
    as_strings = {str(i): c for i, c in SYSTEMS["weak"].items()}
    result = leaderboard({"a": SYSTEMS["strong"], "b": as_strings}, REFERENCES,
                         tokenizer="none", n_bootstrap=0)
    assert set(result.systems) == {"a", "b"}


def test_partial_references_need_allow_partial():
    refs = {**REFERENCES, 99: ["an image nobody captioned"]}
    with pytest.raises(CapevalInputError, match="no hypothesis for 1 of the 9 images"):
        leaderboard(SYSTEMS, refs, tokenizer="none", n_bootstrap=0)
    result = leaderboard(SYSTEMS, refs, tokenizer="none", n_bootstrap=0, allow_partial=True)
    assert result.settings.n_images == 8


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_per_item_export(tmp_path, suffix):
    result = board(n_bootstrap=0)
    path = tmp_path / f"items{suffix}"
    result.write_per_item(path)
    if suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        rows = pd.read_csv(path).to_dict(orient="records")
    assert len(rows) == len(result.per_item)
    assert list(rows[0])[:3] == ["image_id", "system", "caption"]
    markup_first = next(r for r in rows if r["system"] == "markup" and r["image_id"] == 1)
    assert markup_first["caption"] == SYSTEMS["markup"][1]
    expected = result.per_item.set_index(["system", "image_id"]).loc[("markup", 1), "CIDEr-D"]
    assert markup_first["CIDEr-D"] == pytest.approx(expected, rel=1e-15)
