"""Per-group breakdowns against separate pycocoevalcap runs per nocaps domain.

Oracle: tests/fixtures/golden/groups_nocaps.json, written by tools/make_group_goldens.py
(pycocoevalcap 1.2 + Java: one COCOEvalCap-style run per domain file and one on the entire
file, all metrics but SPICE) from the synthetic nocaps-shaped inputs in tests/fixtures/groups/.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import capeval
from capeval import CapevalInputError
from capeval.breakdown import ENTIRE, evaluate_groups
from capeval.document_frequencies import DocumentFrequencies
from capeval.io import read_hypotheses, read_references
from capeval.io.groups import read_groups

FIXTURES = Path(__file__).parent / "fixtures"
CAPTIONS = FIXTURES / "groups" / "nocaps_synthetic_captions.json"
GOLDEN = json.loads((FIXTURES / "golden" / "groups_nocaps.json").read_text(encoding="utf-8"))
SYSTEMS = list(GOLDEN["systems"])
TOLERANCE = 1e-9


def system_file(system: str) -> Path:
    return FIXTURES / "groups" / f"nocaps_synthetic_{system}.json"


@pytest.fixture(scope="module")
def references():
    return read_references(CAPTIONS)


@pytest.fixture(scope="module", params=SYSTEMS)
def breakdown(request, references):
    hypotheses = read_hypotheses(system_file(request.param))
    return request.param, evaluate_groups(hypotheses, references, read_groups(CAPTIONS))


def test_every_group_and_the_entire_set_match_their_own_reference_run(breakdown):
    system, result = breakdown
    expected = GOLDEN["systems"][system]
    assert list(result.evaluations) == [ENTIRE, "in-domain", "near-domain", "out-domain"]
    assert set(result.evaluations) == set(expected)
    for group, run in expected.items():
        evaluation = result.evaluations[group]
        assert list(evaluation.ids) == [item["image_id"] for item in run["items"]]
        for name, value in run["corpus"].items():
            assert evaluation.corpus[name] == pytest.approx(value, abs=TOLERANCE), (group, name)
        for name in run["corpus"]:
            got = evaluation.per_item[name].to_numpy()
            want = np.array([item["scores"][name] for item in run["items"]])
            np.testing.assert_allclose(got, want, rtol=0, atol=TOLERANCE,
                                       err_msg=f"{system} {group} {name}")


def test_the_golden_tells_per_group_df_from_the_entire_set_df(breakdown):
    # Slicing the entire run's per-image CIDEr-D by group gives other numbers than each
    # group's own run (by far more than the tolerance), so the test above would catch a
    # breakdown that reused the entire df.
    system, result = breakdown
    entire = result.evaluations[ENTIRE].per_item["CIDEr-D"]
    for group, run in GOLDEN["systems"][system].items():
        if group == ENTIRE:
            continue
        ids = [item["image_id"] for item in run["items"]]
        assert abs(entire.loc[ids].mean() - run["corpus"]["CIDEr-D"]) > 1e3 * TOLERANCE


def test_corpus_is_keyed_by_entire_then_groups(breakdown):
    _, result = breakdown
    assert list(result.corpus) == [ENTIRE, "in-domain", "near-domain", "out-domain"]
    assert result.corpus[ENTIRE] == result.evaluations[ENTIRE].corpus


def test_per_item_has_the_group_and_its_groups_scores(breakdown, references):
    _, result = breakdown
    table = result.per_item
    groups = read_groups(CAPTIONS).group_of
    assert list(table.index) == list(references)
    assert list(table["group"]) == [groups[image_id] for image_id in table.index]
    for group, evaluation in result.evaluations.items():
        if group != ENTIRE:
            rows = table[table["group"] == group]
            assert rows["CIDEr-D"].mean() == pytest.approx(evaluation.corpus["CIDEr-D"])


def test_the_signature_says_the_df_policy(breakdown):
    _, result = breakdown
    assert result.signature["CIDEr-D.df"] == "per-group"
    assert result.signature["groups"] == "3"
    assert list(result.signature)[-1] == "version"


def test_a_fixed_df_table_is_used_by_every_group(references):
    hypotheses = read_hypotheses(system_file(SYSTEMS[0]))
    groups = read_groups(CAPTIONS)
    table = DocumentFrequencies.from_references(
        [[caption.lower().split() for caption in refs] for refs in references.values()][:10])
    result = evaluate_groups(hypotheses, references, groups, ["cider-d"],
                             document_frequencies=table)
    for group, evaluation in result.evaluations.items():
        ids = evaluation.ids
        alone = capeval.evaluate({i: hypotheses[i] for i in ids}, {i: references[i] for i in ids},
                                 ["cider-d"], document_frequencies=table)
        assert evaluation.corpus == alone.corpus, group
    assert result.signature["CIDEr-D.df"] == table.description()


REFS = {1: ["a dog runs"], 2: ["a cat sleeps"], 3: ["a bird flies"]}
HYPS = {1: "a dog", 2: "a cat", 3: "a bird"}


def test_a_scored_image_without_a_group_is_an_error():
    with pytest.raises(CapevalInputError) as raised:
        evaluate_groups(HYPS, REFS, {1: "a", 2: "b"}, ["bleu"], tokenizer="none")
    assert str(raised.value) == "groups: no group for 1 of the 3 scored images: 3"


def test_a_group_file_naming_unknown_images_is_an_error(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text("image_id,group\n1,a\n2,b\n3,b\n9,b\n")
    with pytest.raises(CapevalInputError) as raised:
        evaluate_groups(HYPS, REFS, read_groups(path), ["bleu"], tokenizer="none",
                        sources=("hyps.json", "refs.json"))
    assert str(raised.value) == (f"{path}:line 5: image 9 has no references in refs.json "
                                 "(1 such image(s): 9)")


def test_a_group_left_without_scored_images_is_an_error():
    with pytest.raises(CapevalInputError) as raised:
        evaluate_groups({1: "a dog", 2: "a cat"}, REFS, {1: "a", 2: "a", 3: "b"}, ["bleu"],
                        tokenizer="none", allow_partial=True)
    assert str(raised.value) == (
        "groups: group 'b' has none of the 2 scored images (none of its images has a "
        "hypothesis); score it, or leave it out of the group file")


def test_partial_evaluation_leaves_unscored_images_out_of_their_group():
    result = evaluate_groups({1: "a dog", 2: "a cat"}, REFS, {1: "a", 2: "b", 3: "b"},
                             ["bleu"], tokenizer="none", allow_partial=True)
    assert result.evaluations["b"].ids == [2]
    assert result.evaluations[ENTIRE].ids == [1, 2]
