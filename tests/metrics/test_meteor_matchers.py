"""METEOR matchers and their data: exact, stem, synonym and paraphrase candidates, in jar order.

Oracles: the capeval METEOR specification (section 4, itself checked against meteor-1.5.jar)
for the rules and their order; WordNet facts quoted there (couch/sofa, mice/mouse via the
exceptions file, automobiles/car via the morph rules, dog/chases through the verb "dog");
Snowball English as bundled in the jar (``added`` -> ``ad``, which snowballstemmer 3.x changed).
The packaged data must hold what the jar ships (93 function words, 147,306 WordNet words,
5,274,084 paraphrase entries).
"""
from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import snowballstemmer

from capeval.metrics.meteor import resources
from capeval.metrics.meteor.corpus import Corpus, ReferenceCaptions
from capeval.metrics.meteor.matchers import Lexicon, MatchableWords, WordFacts, find_candidates
from capeval.metrics.meteor.paraphrase import ParaphraseTable
from capeval.metrics.meteor.resources import WordData
from capeval.metrics.meteor.text import java_hash

REPO = Path(__file__).resolve().parents[2]
TOY_ENTRIES = [  # (source, target), grouped by source as in METEOR's table files
    ("a man", "a guy"), ("a man", "someone"),
    ("is sitting", "sits"),
    ("man", "person"), ("man", "guy"),
    ("sits", "is sitting"),
    ("the dog", "a puppy"),
]


@pytest.fixture(scope="module")
def wordnet():
    return WordData.load()


@pytest.fixture(scope="module")
def toy_table():
    return ParaphraseTable.from_entries(TOY_ENTRIES)


def lexicon_for(words, wordnet=None):
    stem = snowballstemmer.EnglishStemmer().stemWords
    return Lexicon.from_facts(words, WordFacts.of(
        words, resources.load_function_words(), lambda ws: [java_hash(s) for s in stem(list(ws))],
        wordnet.synsets if wordnet else None))


def match_pair(hyp, ref, modules, wordnet=None, table=None):
    """Candidates of one (hyp, ref) pair of space-separated texts, per reference position."""
    hyp_words, ref_words = hyp.split(), ref.split()
    words = list(dict.fromkeys(hyp_words + ref_words))
    captions = [tuple(hyp_words), tuple(ref_words)]
    corpus = Corpus(captions, words, np.array([words.index(w) for w in hyp_words + ref_words]),
                    np.array([0, len(hyp_words), len(hyp_words) + len(ref_words)]),
                    np.array([[0, 1]]), reference_captions=np.zeros(0, dtype=np.int64),
                    segment_starts=np.array([0, 1]), segment_pairs=np.array([0]))
    paraphrases = None if table is None else table.pair_matches(captions, corpus.pairs)
    found = find_candidates(corpus, lexicon_for(words, wordnet), modules, paraphrases)
    by_ref = [[] for _ in ref_words]
    for match in zip(found.ref_start.tolist(), found.ref_len.tolist(), found.hyp_start.tolist(),
                     found.hyp_len.tolist(), found.slot.tolist(), strict=True):
        by_ref[match[0]].append(match)
    return by_ref


def test_packaged_data_is_the_jar_data(wordnet):
    words = resources.load_function_words()
    assert len(words) == 93 and {"the", ",", ".", "'s", "two", "people", "\u2014"} <= words
    assert wordnet.metadata["wordnet_words"] == 147306
    assert ParaphraseTable.load().n_entries == 5274084


@pytest.mark.parametrize("a, b", [("couch", "sofa"), ("kid", "child"), ("big", "large"),
                                  ("mice", "mouse"), ("ran", "run"), ("automobiles", "car"),
                                  ("women", "woman"), ("dog", "chases")])
def test_synonyms_share_a_synset(wordnet, a, b):
    first, second = synset_lists(wordnet, [a, b])
    assert set(first) & set(second)


def synset_lists(wordnet, words):
    """`WordData.synsets` of `words` as one list per word."""
    sizes, members = wordnet.synsets(words)
    assert len(sizes) == len(words) and sizes.sum() == len(members)
    return np.split(members, np.cumsum(sizes)[:-1]) if len(words) else []


def test_unknown_words_have_no_synsets(wordnet):
    assert [list(s) for s in synset_lists(wordnet, ["qwzx", ""])] == [[], []]


def test_synsets_of_words_in_and_outside_the_table_are_the_jars_in_any_order(wordnet):
    # "antlers", "balconies": outside the table, synsets by the morph rules; the others in it.
    words = ["antlers", "couch", "qwzx", "balconies", "mice", "antlers", "ran", "caf\u00e9s"]
    fresh = WordData.load()
    lists = synset_lists(fresh, words)
    one_by_one = [synset_lists(WordData.load(), [word])[0] for word in words]
    assert [sorted(s.tolist()) for s in lists] == [sorted(s.tolist()) for s in one_by_one]
    assert set(lists[0]) == set(synset_lists(fresh, ["antler"])[0]) != set()  # -> antler
    assert (wordnet.ids(["antlers", "balconies"]) < 0).all()
    assert [s.tolist() for s in synset_lists(fresh, words[::-1])] == [
        s.tolist() for s in lists[::-1]]


def test_words_outside_the_table_are_computed_once_and_the_cache_is_bounded(monkeypatch):
    words = WordData.load()
    stemmed = []
    stem = words._stem
    monkeypatch.setattr(words, "_stem", lambda new: stemmed.extend(new) or stem(new))
    first = words.stem_hashes(["qwzxing", "qwzxs", "dogs", "qwzxing"]).tolist()
    assert words.stem_hashes(["qwzxs", "qwzxing"]).tolist() == first[1::-1]
    assert stemmed == ["qwzxing", "qwzxs"]  # each computed once, then kept; "dogs" is packaged
    monkeypatch.setattr(resources, "WORD_CACHE_LIMIT", 3)
    assert words.stem_hashes(["qwzxabcing", "qwzxabcs"]).tolist() == [
        java_hash("qwzxabc")] * 2  # over the limit: the cache starts afresh
    assert stemmed[2:] == ["qwzxabcing", "qwzxabcs"] and len(words._computed_stems) == 2


def test_stemmer_is_snowball_as_in_the_jar():
    stem = snowballstemmer.EnglishStemmer().stemWord
    assert [stem(w) for w in ("added", "biologist", "realization", "running")] == [
        "ad", "biologist", "realiz", "run"]


def test_packaged_stem_table_is_snowball_and_stems_other_words_when_met(wordnet):
    stem = snowballstemmer.EnglishStemmer().stemWord
    words = ["added", "realization", "running", "dogs", "the", "couch", "a", "mice",
             "qwzxing", "unstemmablyveryverylongwordsing", "caf\u00e9s", "", "x\0"]
    assert wordnet.stem_hashes(words).tolist() == [java_hash(stem(word)) for word in words]
    known = ParaphraseTable.load().tokens[::97]
    assert (wordnet.ids(known) >= 0).all()
    assert wordnet.stem_hashes(known).tolist() == [java_hash(stem(word)) for word in known]


def test_exact_then_stem_then_synonym_each_by_hypothesis_position(wordnet):
    modules = ("exact", "stem", "synonym")
    by_ref = match_pair("the cats sit on the mats", "the cat sits on a mat", modules, wordnet)
    assert [m for m in by_ref[0]] == [(0, 1, 0, 1, 0), (0, 1, 4, 1, 0)]  # both "the"
    assert [m[4] for m in by_ref[1]] == [1, 2]  # cat~cats: stem, then synonym
    assert [(m[2], m[4]) for m in by_ref[5]] == [(5, 1), (5, 2)]  # mat~mats
    assert by_ref[4] == []  # "a": nothing


def test_stem_and_synonym_skip_pairs_that_are_exact(wordnet):
    by_ref = match_pair("dog", "dog x", ("exact", "stem", "synonym"), wordnet)
    assert by_ref[0] == [(0, 1, 0, 1, 0)]


def test_identical_sentences_use_the_first_module_only(wordnet):
    by_ref = match_pair("mats mat", "mats mat", ("exact", "stem", "synonym"), wordnet)
    assert by_ref == [[(0, 1, 0, 1, 0)], [(1, 1, 1, 1, 0)]]
    by_ref = match_pair("mats mat", "mat mats", ("exact", "stem", "synonym"), wordnet)
    assert [len(matches) for matches in by_ref] == [3, 3]


def test_java_hash_collisions_are_exact_matches():
    by_ref = match_pair("a dog or", "a dog q4", ("exact",))
    assert by_ref[2] == [(2, 1, 2, 1, 0)]


def test_module_slots_follow_the_configured_order(wordnet):
    by_ref = match_pair("cats", "cat", ("synonym", "stem"), wordnet)
    assert by_ref == [[(0, 1, 0, 1, 0), (0, 1, 0, 1, 1)]]


def test_paraphrases_from_the_reference_side_come_first(toy_table):
    # ref "a man sits": "a man"->"a guy" (pass 1); hyp "a guy is sitting": "is sitting"->"sits"
    by_ref = match_pair("a guy is sitting", "a man sits", ("paraphrase",), table=toy_table)
    assert by_ref[0] == [(0, 2, 0, 2, 0)]  # a man ~ a guy (2 words each)
    assert by_ref[1] == [(1, 1, 1, 1, 0)]  # man ~ guy
    assert by_ref[2] == [(2, 1, 2, 2, 0), (2, 1, 2, 2, 0)]  # both directions: a duplicate


def test_paraphrase_order_within_a_position(toy_table):
    # pass 1 for a reference position: by source length, then table order, then hyp position;
    # the table lists "a guy" before "someone" for "a man", so it comes first despite i = 2
    by_ref = match_pair("guy someone a guy", "a man", ("paraphrase",), table=toy_table)
    assert by_ref[0] == [(0, 2, 2, 2, 0), (0, 2, 1, 1, 0)]
    assert by_ref[1] == [(1, 1, 0, 1, 0), (1, 1, 3, 1, 0)]  # man ~ guy, by hyp position


def test_a_paraphrase_must_fit_inside_the_other_sentence(toy_table):
    by_ref = match_pair("is", "sits", ("paraphrase",), table=toy_table)
    assert by_ref == [[]]


def test_the_build_tool_encoding_reads_back_identically(tmp_path, toy_table):
    spec = importlib.util.spec_from_file_location("build_meteor_data",
                                                  REPO / "tools" / "build_meteor_data.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    table = tmp_path / "toy.gz"
    with gzip.open(table, "wt", encoding="utf-8") as handle:
        handle.writelines(f"0.5\n{source}\n{target}\n" for source, target in TOY_ENTRIES)
    tool.main(["--paraphrase", str(table), "--table-npz", str(tmp_path / "toy.npz")])
    loaded = ParaphraseTable.load(tmp_path / "toy.npz")
    captions = [tuple("a man is sitting".split()), tuple("a guy sits".split()),
                tuple("the dog".split()), tuple("a puppy".split())]
    pairs = [(0, 1), (1, 0), (2, 3), (3, 2), (0, 0)]
    assert (loaded.pair_matches(captions, pairs).tolist()
            == toy_table.pair_matches(captions, pairs).tolist())
    assert loaded.n_entries == len(TOY_ENTRIES)


def test_gz_tables_are_read_and_filtered_to_the_vocabulary(tmp_path, toy_table):
    path = tmp_path / "toy.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for number, (source, target) in enumerate(TOY_ENTRIES):
            handle.write(f"0.{number}\n{source}\n{target}\n")
    table = ParaphraseTable.from_gz(path, {"a", "man", "guy", "person", "sits", "is", "sitting"})
    assert table.n_entries == 5  # "someone", "the dog" and "a puppy" can never match
    captions = [tuple("a man sits".split()), tuple("a guy is sitting".split())]
    assert (table.pair_matches(captions, [(1, 0)]).tolist()
            == toy_table.pair_matches(captions, [(1, 0)]).tolist())


def test_gz_table_errors_name_the_file_and_line(tmp_path):
    path = tmp_path / "broken.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("0.5\na man\na guy\n0.1\nlonely\n")
    with pytest.raises(ValueError, match=r"broken\.gz:line 4: expected a probability line"):
        ParaphraseTable.from_gz(path, {"a"})


def test_stems_never_come_from_an_installed_pystemmer(monkeypatch):
    # snowballstemmer.stemmer() hands out PyStemmer's C Snowball when it is installed, whose
    # English stemmer is another Snowball version ("added" -> "add"); the jar agrees with 2.2.0.
    class OtherSnowball:
        def __init__(self, language):
            pass

        def stemWords(self, words):
            return ["add" for _ in words]

    monkeypatch.setattr(snowballstemmer, "cext_available", True, raising=False)
    monkeypatch.setattr(snowballstemmer, "Stemmer", type("Stemmer", (), {"Stemmer": OtherSnowball}),
                        raising=False)
    assert WordData.load().stem_hashes(["qwzxadded"]).tolist() == [java_hash("qwzxad")]


def test_matchable_words_with_more_words_give_the_lexicon_of_the_whole(wordnet):
    # The references' lexicon is built once and the hypotheses' new words added per call;
    # their synonym lists hold only the matchable (reference) words, the only ones matched.
    stem = snowballstemmer.EnglishStemmer().stemWords
    function_words = resources.load_function_words()
    stems = lambda ws: [java_hash(s) for s in stem(list(ws))]  # noqa: E731
    matchable = ["dogs", "a", "run", "couch", "Aa", "kid"]
    added = ["running", "qwzxab", "BB", "sofa", "the", "C#", "child"]  # "BB", "C#": hash of "Aa"
    words = matchable + added

    def facts(some):
        return WordFacts.of(some, function_words, stems, wordnet.synsets)

    whole = Lexicon.from_facts(words, facts(words))
    joined = MatchableWords.of(matchable, facts(matchable)).with_words(added, facts(added))
    assert joined.words == tuple(words)
    np.testing.assert_array_equal(joined.function, whole.function)
    for name in ("hash_class", "stem_class"):  # the same classes, perhaps numbered otherwise
        mine, theirs = getattr(joined, name), getattr(whole, name)
        np.testing.assert_array_equal(mine[:, None] == mine, theirs[:, None] == theirs)
    assert joined.hash_class[words.index("C#")] == joined.hash_class[words.index("Aa")]
    assert joined.stem_class[words.index("running")] == joined.stem_class[words.index("run")]

    def synonyms(lexicon, word):
        starts = lexicon.synonym_starts
        return lexicon.synonym_words[starts[word]:starts[word + 1]].tolist()

    for word in range(len(words)):
        assert synonyms(joined, word) == [w for w in synonyms(whole, word) if w < len(matchable)]
    assert synonyms(joined, words.index("sofa")) == [words.index("couch")]
    assert words.index("kid") in synonyms(joined, words.index("child"))


def test_a_corpus_numbers_the_references_vocabulary_first():
    references = ReferenceCaptions.build([[["a", "dog"], ["the", "Dog", "runs"]], [["a", "cat"]]],
                                         {})
    assert references.vocabulary.vocabulary == ("a", "dog", "the", "runs", "cat")
    corpus = Corpus.build([["a", "zebra"], ["cat", "runs", "purple"]], np.array([1, 0]),
                          references, {})
    assert corpus.reference_words == 5
    assert corpus.words == ["a", "dog", "the", "runs", "cat", "zebra", "purple"]
    # captions: the used reference captions (image 1's, then image 0's), then the hypotheses
    decoded = [[corpus.words[t] for t in corpus.tokens[start:end]]
               for start, end in zip(corpus.offsets[:-1], corpus.offsets[1:])]
    assert decoded == [list(caption) for caption in corpus.captions]
    assert corpus.captions[-2:] == [("a", "zebra"), ("cat", "runs", "purple")]


def test_occurrences_by_token_ids_and_by_caption_equal_the_plain_search(toy_table):
    from capeval.metrics.meteor.paraphrase import PhrasesByCaption

    rng = np.random.default_rng(3)
    vocabulary = ["a", "man", "is", "sitting", "sits", "the", "dog", "guy", "zebra"]
    captions = [tuple(rng.choice(vocabulary, size=rng.integers(0, 9))) for _ in range(40)]
    found = toy_table.occurrences(captions)
    lengths = np.array([len(caption) for caption in captions])
    ids = toy_table.token_ids([word for caption in captions for word in caption])
    by_ids = toy_table.occurrences_of_ids(ids, lengths)
    columns = ("owner", "position", "length", "node")
    assert all(np.array_equal(getattr(by_ids, name), getattr(found, name)) for name in columns)
    assert set(ids.tolist()) >= {-1}  # "zebra" is not in the table

    chosen = np.array([7, 0, 31, 12, 39, 5])
    taken = PhrasesByCaption.of(found, len(captions)).of_captions(chosen)
    # The occurrences of caption chosen[i] as caption i, in search order within a caption.
    expected = [(i, p, n, d) for i, c in enumerate(chosen.tolist())
                for o, p, n, d in zip(*(getattr(found, name).tolist() for name in columns))
                if o == c]
    assert sorted(zip(*(getattr(taken, name).tolist() for name in columns))) == sorted(expected)
    for i in range(len(chosen)):
        mine = [(p, n, d) for o, p, n, d in zip(*(getattr(taken, name).tolist()
                                                   for name in columns)) if o == i]
        assert mine == [(p, n, d) for o, p, n, d in expected if o == i]
    assert np.array_equal(found.shifted(5).owner, found.owner + 5)
