"""Tokenizers for Chinese, Japanese and Korean, and the metrics on their tokens.

Oracle: ``tests/fixtures/golden/languages.json``, written by ``tools/make_language_goldens.py``:
pycocoevalcap 1.2's Bleu, Rouge, Cider and the METEOR jar (``-m exact``) fed the segmented
text, and for ``jieba`` the Java PTBTokenizer run on jieba's output. The rules of ``char`` and
the AIC-ICC steps of ``jieba`` are checked on worked examples.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import capeval
from capeval import CapevalUsageError
from capeval.evaluation import evaluate_tokenized
from capeval.metrics.meteor import Meteor
from capeval.tokenizers import meteor_modules, tokenize, tokenizer_signature
from capeval.tokenizers.punctuation import is_punctuation

GOLDEN = json.loads((Path(__file__).parents[1] / "fixtures" / "golden" / "languages.json")
                    .read_text(encoding="utf-8"))
LANGUAGE_TOKENIZERS = ("jieba", "char", "mecab", "kiwi")


@pytest.fixture(scope="module", params=LANGUAGE_TOKENIZERS)
def golden(request):
    return request.param, GOLDEN["corpora"][request.param]


def test_tokens_equal_the_golden_segmentation(golden):
    name, corpus = golden
    for item in corpus["items"]:
        assert tokenize([item["hypothesis"]], name) == [item["hypothesis_tokens"]]
        assert tokenize(item["references"], name) == item["reference_tokens"]


def test_scores_equal_pycocoevalcap_on_the_same_tokens(golden):
    name, corpus = golden
    items = corpus["items"]
    result = capeval.evaluate({item["image_id"]: item["hypothesis"] for item in items},
                              {item["image_id"]: item["references"] for item in items},
                              tokenizer=name)
    for score, expected in corpus["corpus"].items():
        assert result.corpus[score] == pytest.approx(expected, abs=1e-9), score
    for item in items:
        row = result.per_item.loc[item["image_id"]]
        for score, expected in item["scores"].items():
            assert row[score] == pytest.approx(expected, abs=1e-9), (item["image_id"], score)


def test_signature_names_tokenizer_and_versions(golden):
    name, corpus = golden
    assert tokenizer_signature(name) == corpus["tokenizer"]


def test_meteor_by_name_matches_exactly_only():
    for name in LANGUAGE_TOKENIZERS:
        assert meteor_modules(name) == ("exact",)
    assert meteor_modules("ptb") is None and meteor_modules("none") is None
    result = capeval.evaluate({1: "一只狗"}, {1: ["一只狗在跑"]}, ["meteor"], tokenizer="char")
    assert result.metrics["METEOR"].modules == ("exact",)
    assert result.signature["METEOR.modules"] == "exact"


def test_meteor_with_english_modules_is_refused():
    with pytest.raises(CapevalUsageError, match="stem, synonym, paraphrase matching is "
                                                "English-only; with the jieba tokenizer"):
        evaluate_tokenized([1], [["狗"]], [[["狗"]]], [Meteor()], tokenizer="jieba")


def test_meteor_exact_module_stays_allowed():
    result = evaluate_tokenized([1], [["狗"]], [[["狗"]]], [Meteor(modules=["exact"])],
                                tokenizer="mecab")
    assert result.corpus["METEOR"] > 0.5


# -- jieba: the AIC-ICC steps ------------------------------------------------------------------
def test_jieba_removes_ideographic_full_stops_and_keeps_fullwidth_commas():
    # AIC-ICC deletes every "。" before segmenting; PTB's filter removes ASCII punctuation only.
    assert tokenize(["两个人。在打篮球，NBA比赛！"], "jieba") == [
        ["两个", "人", "在", "打篮球", "，", "nba", "比赛", "！"]]


def test_jieba_runs_the_ptb_stage():
    # PTB lowercases, keeps "3.5", turns brackets into -lrb-/-rrb- and drops quotes.
    assert tokenize(['"一个" (女人) 3.5米'], "jieba") == [
        ["一个", "-lrb-", "女人", "-rrb-", "3.5", "米"]]


def test_jieba_writes_no_cache_file(tmp_path, monkeypatch):
    import tempfile

    from capeval.tokenizers import chinese

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    chinese.segmenter.cache_clear()
    assert chinese.segment("一只狗在草地上奔跑") == "一只 狗 在 草地 上 奔跑"
    assert list(tmp_path.iterdir()) == []


# -- char: the rules of capeval.tokenizers.characters -------------------------------------------
@pytest.mark.parametrize("caption, tokens", [
    ("一只狗", ["一", "只", "狗"]),
    ("一 只　狗", ["一", "只", "狗"]),                     # ASCII space, U+3000
    ("NBA比赛", ["nba", "比", "赛"]),                      # a Latin run is one lowercased token
    ("穿T恤的人", ["穿", "t", "恤", "的", "人"]),
    ("2019年3.5米", ["2019", "年", "3", "5", "米"]),       # "." is punctuation: dropped
    ("你好，世界！", ["你", "好", "世", "界"]),              # full-width punctuation dropped
    ("「猫」、犬。", ["猫", "犬"]),
    ("カタカナー", ["カ", "タ", "カ", "ナ", "ー"]),
    ("한국어", ["한", "국", "어"]),
    ("价格￥5+", ["价", "格", "￥", "5", "+"]),             # symbols stay, one per character
    ("café au lait", ["café", "au", "lait"]),
    ("𠀋字", ["𠀋", "字"]),                                # CJK Extension B
    ("", []),
    ("。！", []),
])
def test_char_rules(caption, tokens):
    assert tokenize([caption], "char") == [tokens]


@pytest.mark.parametrize("token, expected", [
    ("。", True), ("...", True), ("「", True), ("-", True), ("_", True),
    ("+", False), ("￥", False), ("a.", False), ("", False), ("3", False),
])
def test_punctuation_rule(token, expected):
    assert is_punctuation(token) is expected


def test_mecab_reads_every_space_as_a_boundary():
    assert tokenize(["猫が　ソファで\n寝ている。"], "mecab") == [
        ["猫", "が", "ソファ", "で", "寝", "て", "いる"]]


def test_kiwi_gives_morphemes_without_punctuation():
    assert tokenize(["개가 달리고 있다."], "kiwi") == [["개", "가", "달리", "고", "있", "다"]]


def test_repeated_captions_get_their_own_lists():
    first, second = tokenize(["一只狗", "一只狗"], "char")
    first.append("x")
    assert second == ["一", "只", "狗"]


# -- missing extras ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, module, library, extra", [
    ("jieba", "capeval.tokenizers.chinese", "jieba", "zh"),
    ("mecab", "capeval.tokenizers.japanese", "fugashi", "ja"),
    ("mecab", "capeval.tokenizers.japanese", "unidic_lite", "ja"),
    ("kiwi", "capeval.tokenizers.korean", "kiwipiepy", "ko"),
])
def test_missing_extra_names_it(monkeypatch, name, module, library, extra):
    monkeypatch.delitem(sys.modules, module, raising=False)
    monkeypatch.setitem(sys.modules, library, None)  # makes `import library` fail
    with pytest.raises(CapevalUsageError) as error:
        tokenize(["x"], name)
    assert str(error.value) == (f"the {name} tokenizer needs {library}, which is not "
                                f"installed: pip install 'capeval[{extra}]'")


# -- command line ------------------------------------------------------------------------------
def test_cli_tokenize_with_a_language_tokenizer():
    from tests.cli.helpers import run_cli

    result = run_cli("tokenize", "--tokenizer", "char", input="穿T恤的人。\n한국어\n")
    assert result.stdout == "穿 t 恤 的 人\n한 국 어\n"


def test_cli_refuses_english_meteor_modules_with_a_language_tokenizer(tmp_path):
    from tests.cli.helpers import run_cli

    refs, hyps = tmp_path / "refs.txt", tmp_path / "hyps.txt"
    refs.write_text("一只狗在跑\n", encoding="utf-8")
    hyps.write_text("一只狗\n", encoding="utf-8")
    result = run_cli("score", "--refs", refs, "--hyps", hyps, "--tokenizer", "jieba",
                     "--metrics", "meteor", "--meteor-modules", "exact,stem", expect=2)
    assert result.stderr == ("error: METEOR's stem matching is English-only; with the jieba "
                             "tokenizer use the modules exact (--meteor-modules exact)\n")
