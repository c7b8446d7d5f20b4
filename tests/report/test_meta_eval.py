"""capeval.meta_eval and ``capeval meta-eval``: scores per row, protocols, correlations, input."""
from __future__ import annotations

import io
import itertools
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

import capeval
import capeval.report
from capeval.document_frequencies import DocumentFrequencies
from capeval.errors import CapevalInputError, CapevalUsageError
from capeval.io import Judgement, read_judgements
from capeval.meta_eval import PROTOCOLS, correlate, meta_evaluate
from capeval.report import format_meta_evaluation
from capeval.cli.main import capeval as capeval_command
from tests.report.corpus import REFERENCES, SYSTEMS

# Every system's caption of every image, judged by a made-up rater who likes "strong" best,
# plus each image's first reference judged as a candidate (what Flickr8K-Expert contains),
# spaced differently: the same caption once tokenized.
RATING = {"strong": [4, 3.5], "weak": 2, "markup": [1, 2, 1]}
JUDGEMENTS = [
    {"image_id": image, "candidate": hyps[image], "references": REFERENCES[image],
     "human": RATING[name] if image % 3 else 3}
    for name, hyps in SYSTEMS.items() for image in REFERENCES
] + [{"image_id": image, "candidate": f" {refs[0]} ".replace(" ", "  "), "references": refs,
      "human": 4} for image, refs in REFERENCES.items()]


def judgements():
    return [Judgement(j["candidate"], j["references"], float(np.mean(j["human"])),
                      j["image_id"]) for j in JUDGEMENTS]


def naive_kendall(x, y, variant):
    """Kendall's tau from pair counts (Kendall 1945 for b, Stuart 1953 for c)."""
    concordant = discordant = ties_x = ties_y = 0
    for (a, b), (c, d) in itertools.combinations(zip(x, y, strict=True), 2):
        sign = np.sign(a - c) * np.sign(b - d)
        concordant += sign > 0
        discordant += sign < 0
        ties_x += a == c
        ties_y += b == d
    n = len(x)
    pairs = n * (n - 1) / 2
    if variant == "b":
        return (concordant - discordant) / math.sqrt((pairs - ties_x) * (pairs - ties_y))
    m = min(len(set(x)), len(set(y)))
    return 2 * (concordant - discordant) / (n * n * (m - 1) / m)


def test_per_row_scores_are_per_image_scores_with_distinct_image_df():
    rows = judgements()
    result = meta_evaluate(rows, tokenizer="none")
    assert result.n_skipped == 0 and len(result.per_item) == len(rows)
    table = DocumentFrequencies.from_references(
        [[r.split() for r in refs] for refs in REFERENCES.values()])
    expected = capeval.evaluate([r.candidate for r in rows], [r.references for r in rows],
                                tokenizer="none", document_frequencies=table).per_item
    scores = result.per_item.drop(columns="human")
    np.testing.assert_allclose(scores.to_numpy(), expected[scores.columns].to_numpy(),
                               rtol=1e-12)
    assert result.signature["CIDEr-D.df"] == f"judged-images(N={len(REFERENCES)})"


def test_correlations_equal_pair_counting_and_definitions():
    result = meta_evaluate(judgements(), tokenizer="none")
    human = result.per_item["human"].to_numpy()
    for score, row in result.correlations.iterrows():
        metric = result.per_item[score].to_numpy()
        assert row["kendall_tau_b"] == pytest.approx(naive_kendall(metric, human, "b"))
        assert row["kendall_tau_c"] == pytest.approx(naive_kendall(metric, human, "c"))
        assert row["pearson"] == pytest.approx(np.corrcoef(metric, human)[0, 1])
        ranks = [np.argsort(np.argsort(v, kind="stable")) for v in (metric, human)]
        if len(set(metric)) == len(metric) and len(set(human)) == len(human):
            assert row["spearman"] == pytest.approx(np.corrcoef(*ranks)[0, 1])
    # the made-up rater agrees with CIDEr-D here
    assert result.correlations.loc["CIDEr-D", "kendall_tau_b"] > 0.3


def test_constant_scores_give_nan():
    values = correlate(np.ones(4), np.arange(4.0))
    assert all(math.isnan(v) for v in values.values())


@pytest.mark.parametrize("protocol, skipped", [("keep", 0), ("skip", 8), ("flickr8k-expert", 8),
                                               ("remove", 0), ("crowdflower", 0)])
def test_protocols_for_candidates_among_their_references(protocol, skipped):
    rows = judgements()
    result = meta_evaluate(rows, tokenizer="none", protocol=protocol)
    assert result.n_skipped == skipped
    assert len(result.per_item) == len(rows) - skipped
    own = result.per_item.index[result.per_item.index >= 24]
    if protocol == "keep":
        np.testing.assert_allclose(result.per_item.loc[own, "BLEU-4"], 1.0, rtol=1e-6)
    elif protocol in ("remove", "crowdflower"):
        assert (result.per_item.loc[own, "BLEU-4"] < 0.99).all()


def test_removing_the_only_reference_is_an_error():
    rows = [Judgement("a dog", ["a dog"], 1.0), Judgement("a cat", ["a cat", "x"], 2.0)]
    with pytest.raises(ValueError, match="judgement 1: no reference is left"):
        meta_evaluate(rows, tokenizer="none", protocol="remove")


def test_unknown_protocol():
    with pytest.raises(CapevalUsageError, match="unknown protocol 'coco'"):
        meta_evaluate(judgements(), protocol="coco")


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_read_json_and_json_lines(tmp_path, suffix):
    path = tmp_path / f"judged{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(JUDGEMENTS))
    else:
        path.write_text("".join(json.dumps(j) + "\n\n" for j in JUDGEMENTS))
    rows = read_judgements(path)
    assert rows == judgements()
    assert rows[0].human == 3.75 and rows[2].human == 3


@pytest.mark.parametrize("text, where, reason", [
    ('{"candidate": "a", "references": ["b"]}\n', "line 1", "no human field"),
    ('{"candidate": 3, "references": ["b"], "human": 1}\n', "line 1", "not a string"),
    ('{"candidate": "a", "references": "b", "human": 1}\n', "line 1", "non-empty list"),
    ('{"candidate": "a", "references": ["b"], "human": "good"}\n', "line 1", "a number"),
    ('\n{"candidate": "a", "references": ["b"], "human": [1, null]}\n', "line 2", "a number"),
    ('[{"candidate": "a", "references": ["b"], "human": 1}, 5]', "record 2", "JSON object"),
    ('{"candidate": "a", oops}\n', "line 1, column 20", "malformed JSON"),
    ('[{"candidate": "a",\n oops}]', "line 2, column 2", "malformed JSON"),
    ('{"candidate": "a", "references": ["b"], "human": 1, "image_id": null}\n', "line 1",
     "the image id is null"),
    ('{"candidate": "a", "references": ["b"], "human": 1, "id": 1.5}\n', "line 1",
     "the image id is not an integer or a string"),
    ('\n \n', None, "no judgements"),
    ('{"candidate": "a",\n "references": ["b"], "human": 1}\n', None,
     "holds one JSON object over several lines; judgements are a JSON list"),
])
def test_bad_records_name_file_and_record(tmp_path, text, where, reason):
    path = tmp_path / "judged.jsonl"
    path.write_text(text)
    with pytest.raises(CapevalInputError, match=reason) as error:
        read_judgements(path)
    assert str(error.value).startswith(f"{path}:{where}: " if where else f"{path}: ")


def test_read_as_score_reads_byte_order_mark_and_stdin(tmp_path, monkeypatch):
    text = "".join(json.dumps(j) + "\n" for j in JUDGEMENTS)
    path = tmp_path / "judged.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_judgements(path) == judgements()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    assert read_judgements("-") == judgements()
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    with pytest.raises(CapevalInputError, match="judged.jsonl: not UTF-8 text: a NUL byte .*UTF-16"):
        read_judgements(path)


def test_field_names_can_be_chosen(tmp_path):
    path = tmp_path / "judged.jsonl"
    path.write_text(json.dumps({"c": "a dog", "r": ["a dog", "a cat"], "h": 2}) + "\n")
    rows = read_judgements(path, candidate_field="c", references_field="r", human_field="h")
    assert rows == [Judgement("a dog", ["a dog", "a cat"], 2.0)]


def test_formats():
    result = meta_evaluate(judgements(), tokenizer="none", protocol="skip")
    table = format_meta_evaluation(result)
    assert table.splitlines()[0].split() == ["score", "kendall_tau_b", "kendall_tau_c",
                                             "pearson", "spearman"]
    assert "24 judgements scored, 8 skipped (protocol skip). Signature: protocol:skip|" in table
    data = json.loads(format_meta_evaluation(result, "json"))
    assert data["skipped"] == 8
    assert data["correlations"]["CIDEr-D"]["pearson"] == pytest.approx(
        result.correlations.loc["CIDEr-D", "pearson"])
    csv_text = format_meta_evaluation(result, "csv")
    assert csv_text.startswith("score,kendall_tau_b,kendall_tau_c,pearson,spearman,signature")


def test_cli(tmp_path):
    path = tmp_path / "judged.jsonl"
    path.write_text("".join(json.dumps(j) + "\n" for j in JUDGEMENTS))
    per_item = tmp_path / "rows.csv"
    result = CliRunner().invoke(capeval_command, [
        "meta-eval", str(path), "--tokenizer", "none", "--protocol", "flickr8k-expert",
        "--format", "json", "--per-item", str(per_item)], obj={})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["skipped"] == 8
    assert per_item.read_text().splitlines()[0].startswith("image_id,human,")


def test_cli_protocol_and_format_choices_are_the_registries():
    choices = {param.name: param.type.choices for param in
               capeval_command.commands["meta-eval"].params if hasattr(param.type, "choices")}
    assert tuple(choices["protocol"]) == tuple(PROTOCOLS)
    assert tuple(choices["fmt"]) == capeval.report.META_EVAL_FORMATS


def test_cli_bad_input_is_one_line_exit_2(tmp_path):
    path = tmp_path / "judged.jsonl"
    path.write_text(json.dumps({"candidate": "a", "references": ["a"], "human": 1}) + "\n")
    result = CliRunner().invoke(capeval_command, ["meta-eval", str(path), "--tokenizer",
                                                  "none"], obj={})
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}: 1 judgement(s) left to correlate; need at least two\n"


def test_rows_of_one_image_must_give_the_same_references(tmp_path):
    path = tmp_path / "judged.jsonl"
    path.write_text('{"candidate": "a", "references": ["a dog"], "human": 1, "image_id": 7}\n'
                    '{"candidate": "b", "references": ["a cat"], "human": 2, "image_id": 7}\n')
    with pytest.raises(CapevalInputError, match="judged.jsonl:line 2: image 7 has other "
                                                "references than at line 1"):
        read_judgements(path)
    path.write_text('{"candidate": "a", "candidate": "b", "references": ["x"], "human": 1}\n')
    with pytest.raises(CapevalInputError, match="judged.jsonl:line 1: the key 'candidate' "
                                                "appears twice"):
        read_judgements(path)


@pytest.mark.parametrize("rows", ["a dog", ["a dog", "a cat"], [{"candidate": "a"}]])
def test_judgements_must_be_judgement_objects(rows):
    with pytest.raises(capeval.CapevalTypeError, match="judgements must be a sequence of "
                                                       "capeval.io.Judgement"):
        meta_evaluate(rows, tokenizer="none")
