"""Every caption file format reads to the same references and hypotheses.

The fixtures in ``tests/fixtures/io/`` describe the same three COCO images in each format
(the Karpathy file adds a fourth image in the ``train`` split); plain-text files number the
same images 1, 2, 3 by line.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from capeval.io import read_hypotheses, read_references

FIXTURES = Path(__file__).parents[1] / "fixtures" / "io"

REFERENCES = {
    391895: [
        "A man rides a small motorbike along a dirt road.",
        "A person on a moped in the countryside.",
    ],
    522418: [
        'A woman cuts a large, white "sheet" cake.',
        "Someone slicing a cake with a knife.",
        "A cook cutting cake in a kitchen.",
    ],
    184613: [
        "A child with an umbrella pets a yak.",
        "Un enfant caresse un yak sous la pluie — très calme.",
    ],
}
HYPOTHESES = {
    391895: "a man riding a motorcycle on a dirt road",
    522418: "a woman cutting a cake",
    184613: "a child petting an animal",
}
BY_LINE = {number: image for number, image in enumerate(REFERENCES, start=1)}
"""Plain-text image id (line number) -> the COCO id of the same image."""

TEXT_REFERENCES = {number: REFERENCES[image] for number, image in BY_LINE.items()}
TEXT_HYPOTHESES = {number: HYPOTHESES[image] for number, image in BY_LINE.items()}
KARPATHY_TRAIN_IMAGE = 57870


def fixture(*names: str) -> list[Path]:
    return [FIXTURES / name for name in names]


@pytest.mark.parametrize(
    ("files", "options"),
    [
        (["coco_annotations.json"], {}),
        (["karpathy.json"], {"split": "test"}),
        (["refs_long.csv"], {}),
        (["refs_wide.csv"], {}),
        (["refs_long.tsv"], {}),
        (["refs.jsonl"], {}),
    ],
)
def test_references_of_every_format(files, options):
    references = read_references(fixture(*files), **options)
    assert references == REFERENCES
    assert list(references) == list(REFERENCES), "images must keep file order"


@pytest.mark.parametrize(
    "name", ["coco_results.json", "hyps.csv", "hyps.tsv", "hyps.jsonl"]
)
def test_hypotheses_of_every_format(name):
    hypotheses = read_hypotheses(FIXTURES / name)
    assert hypotheses == HYPOTHESES
    assert list(hypotheses) == list(HYPOTHESES)


def test_line_aligned_text_references_with_a_missing_third_reference():
    references = read_references(fixture("refs_1.txt", "refs_2.txt", "refs_3.txt"))
    assert references == TEXT_REFERENCES


def test_one_text_reference_file():
    assert read_references(FIXTURES / "refs_1.txt") == {
        number: captions[:1] for number, captions in TEXT_REFERENCES.items()
    }


def test_text_hypotheses_are_numbered_by_line():
    assert read_hypotheses(FIXTURES / "hyps.txt") == TEXT_HYPOTHESES


def test_single_path_and_path_string_are_accepted():
    path = FIXTURES / "coco_annotations.json"
    assert read_references(str(path)) == read_references(path) == REFERENCES


# -- Karpathy options ------------------------------------------------------------------------
def test_karpathy_without_split_reads_every_image_in_file_order():
    references = read_references(FIXTURES / "karpathy.json")
    assert list(references) == [391895, 522418, KARPATHY_TRAIN_IMAGE, 184613]


def test_karpathy_split_accepts_several_splits():
    references = read_references(FIXTURES / "karpathy.json", split=["train", "test"])
    assert len(references) == 4


@pytest.mark.parametrize(
    ("id_field", "ids"),
    [
        ("imgid", [0, 1, 3]),
        (
            "filename",
            [
                "COCO_val2014_000000391895.jpg",
                "COCO_val2014_000000522418.jpg",
                "COCO_val2014_000000184613.jpg",
            ],
        ),
    ],
)
def test_karpathy_id_field(id_field, ids):
    references = read_references(FIXTURES / "karpathy.json", id_field=id_field, split="test")
    assert list(references) == ids
    assert list(references.values()) == list(REFERENCES.values())


def test_karpathy_default_id_falls_back_to_imgid_without_cocoid(tmp_path):
    path = tmp_path / "dataset_flickr8k.json"
    path.write_text(
        '{"images": [{"imgid": 7, "filename": "a.jpg", "sentences": [{"raw": "A dog."}]}]}'
    )
    assert read_references(path) == {7: ["A dog."]}


# -- detection and overrides -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "renamed", "role", "format"),
    [
        ("coco_annotations.json", "refs.data", "references", None),  # sniffed as JSON
        ("refs.jsonl", "refs.data", "references", None),  # sniffed as JSON Lines
        ("refs_long.csv", "refs.CSV", "references", None),  # extensions ignore case
        ("refs_long.tsv", "refs.txt", "references", "tsv"),  # override beats extension
        ("refs.jsonl", "refs.json", "references", "jsonl"),
        ("karpathy.json", "refs.dat", "references", "karpathy"),
        ("coco_results.json", "hyps.dat", "hypotheses", "json"),  # json: layout decides
        ("hyps.csv", "hyps.tsv", "hypotheses", "csv"),
        ("hyps.txt", "hyps.out", "hypotheses", "text"),
    ],
)
def test_detection_and_override(tmp_path, source, renamed, role, format):
    path = tmp_path / renamed
    shutil.copy(FIXTURES / source, path)
    options = {"split": "test"} if source == "karpathy.json" else {}
    if role == "references":
        assert read_references(path, format, **options) == REFERENCES
    else:
        expected = TEXT_HYPOTHESES if source == "hyps.txt" else HYPOTHESES
        assert read_hypotheses(path, format) == expected


# -- tables: field detection and overrides ---------------------------------------------------
@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("img_id,sentence\n1,x\n", {1: ["x"]}),
        ("ID,Caption\n1,x\n", {1: ["x"]}),  # names match ignoring case
        ("filename,text\na.jpg,x\n", {"a.jpg": ["x"]}),
        ("id,image_id,caption\n99,1,x\n", {1: ["x"]}),  # image_id outranks an annotation id
        ("image_id,reference,caption\n1,x,no\n", {1: ["x"]}),  # the role's name comes first
        ("image_id,ref1,ref10,ref2\n1,x,z,y\n", {1: ["x", "y", "z"]}),  # ordered by number
        ("image_id,sentence 1,sentence-2\n1,x,y\n", {1: ["x", "y"]}),
    ],
)
def test_table_fields_are_detected(tmp_path, table, expected):
    path = tmp_path / "refs.csv"
    path.write_text(table)
    assert read_references(path) == expected


def test_table_hypotheses_prefer_the_hypothesis_column(tmp_path):
    path = tmp_path / "both.tsv"
    path.write_text("image_id\treference\thypothesis\n5\ta ref\ta hyp\n")
    assert read_hypotheses(path) == {5: "a hyp"}
    assert read_references(path) == {5: ["a ref"]}


def test_table_fields_can_be_chosen(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("key,k,first,second\na.jpg,0,one,two\nb.jpg,1,three,\n")
    assert read_references(path, id_field="key", caption_fields=["second", "first"]) == {
        "a.jpg": ["two", "one"],
        "b.jpg": ["three"],
    }
    assert read_hypotheses(path, id_field="key", caption_field="first") == {
        "a.jpg": "one",
        "b.jpg": "three",
    }


def test_long_form_keeps_an_empty_reference_and_warns(tmp_path, caplog):
    path = tmp_path / "refs.csv"
    path.write_text('image_id,caption\n1,a dog\n1,""\n')
    assert read_references(path) == {1: ["a dog", ""]}
    assert "refs.csv: 1 reference caption(s) are empty" in caplog.text


def test_wide_form_skips_empty_and_null_cells(tmp_path):
    path = tmp_path / "refs.jsonl"
    path.write_text(
        '{"image_id": 1, "caption_1": "a", "caption_2": null, "caption_3": "c"}\n'
        "\n"  # blank lines between records are allowed
        '{"image_id": 2, "caption_1": "d", "caption_2": " "}\n'
    )
    assert read_references(path) == {1: ["a", "c"], 2: ["d"]}


def test_long_form_rows_with_the_same_id_merge_in_order(tmp_path):
    path = tmp_path / "refs.jsonl"
    path.write_text(
        '{"image_id": 1, "caption": "a"}\n{"image_id": 2, "caption": "b"}\n'
        '{"image_id": "1", "caption": "c"}\n'
    )
    assert read_references(path) == {1: ["a", "c"], 2: ["b"]}


def test_csv_quoting_and_multiline_records(tmp_path):
    path = tmp_path / "hyps.csv"
    path.write_text('image_id,caption\n1,"two\nlines"\n2,"a, ""b"""\n')
    assert read_hypotheses(path) == {1: "two\nlines", 2: 'a, "b"'}


def test_tsv_keeps_quotes_verbatim(tmp_path):
    path = tmp_path / "hyps.tsv"
    path.write_text('image_id\tcaption\n1\t"quoted" start\n2\tsay "hi\n')
    assert read_hypotheses(path) == {1: '"quoted" start', 2: 'say "hi'}


# -- text details ----------------------------------------------------------------------------
def test_text_lines_split_on_newline_only(tmp_path):
    path = tmp_path / "hyps.txt"
    path.write_bytes("a\u2028b\r\n\nc\x0cd\n".encode())
    assert read_hypotheses(path) == {1: "a\u2028b", 2: "", 3: "c\x0cd"}


def test_text_without_final_newline(tmp_path):
    path = tmp_path / "hyps.txt"
    path.write_text("a\nb")
    assert read_hypotheses(path) == {1: "a", 2: "b"}


def test_utf8_bom_is_accepted_everywhere(tmp_path):
    for name in ["coco_results.json", "hyps.csv", "hyps.jsonl", "hyps.tsv"]:
        path = tmp_path / name
        path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / name).read_bytes())
        assert read_hypotheses(path) == HYPOTHESES, name
    path = tmp_path / "hyps.txt"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "hyps.txt").read_bytes())
    assert read_hypotheses(path) == TEXT_HYPOTHESES


# -- the user documentation's examples read as documented ------------------------------------
DOCS = Path(__file__).parents[2] / "docs" / "formats.md"


def _code_blocks(language: str) -> list[str]:
    parts = DOCS.read_text(encoding="utf-8").split("```")
    return [part[len(language) + 1:] for part in parts[1::2] if part.startswith(language + "\n")]


def test_documented_json_examples(tmp_path):
    coco_refs, results, karpathy, jsonl = _code_blocks("json")
    for name, text in [("coco.json", coco_refs), ("karpathy.json", karpathy)]:
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "results.json").write_text(results, encoding="utf-8")
    (tmp_path / "refs.jsonl").write_text(jsonl, encoding="utf-8")
    assert list(read_references(tmp_path / "coco.json")) == [391895, 522418]
    assert list(read_hypotheses(tmp_path / "results.json")) == [391895, 522418]
    assert read_references(tmp_path / "karpathy.json", split="test") == {
        391895: [
            "A man rides a motorbike on a dirt road.",
            "A person on a moped in the countryside.",
        ]
    }
    assert list(read_references(tmp_path / "refs.jsonl")) == [391895, 522418]


def test_documented_table_examples(tmp_path):
    long_form = next(b for b in _code_blocks("text") if b.startswith("image_id,caption\n"))
    wide_form = next(b for b in _code_blocks("text") if b.startswith("image_id,caption_1"))
    (tmp_path / "long.csv").write_text(long_form, encoding="utf-8")
    (tmp_path / "wide.csv").write_text(wide_form, encoding="utf-8")
    assert read_references(tmp_path / "long.csv") == {
        391895: [
            "A man rides a motorbike on a dirt road.",
            "A person on a moped in the countryside.",
        ],
        522418: ["A woman cuts a large, white cake."],
    }
    assert read_references(tmp_path / "wide.csv") == {
        391895: [
            "A man rides a motorbike on a dirt road.",
            "A person on a moped in the countryside.",
        ],
        522418: ["A woman cuts a large white cake."],
    }


@pytest.mark.parametrize("name", ["hyps.csv", "hyps.tsv", "hyps.jsonl", "coco_results.json"])
def test_windows_line_endings(tmp_path, name):
    path = tmp_path / name
    path.write_bytes((FIXTURES / name).read_bytes().replace(b"\n", b"\r\n"))
    assert read_hypotheses(path) == HYPOTHESES


def test_windows_line_endings_in_text_references(tmp_path):
    paths = []
    for name in ["refs_1.txt", "refs_2.txt", "refs_3.txt"]:
        paths.append(tmp_path / name)
        paths[-1].write_bytes((FIXTURES / name).read_bytes().replace(b"\n", b"\r\n"))
    assert read_references(paths) == TEXT_REFERENCES


def test_reference_paths_may_be_any_iterable():
    paths = (FIXTURES / name for name in ["refs_1.txt", "refs_2.txt", "refs_3.txt"])
    assert read_references(paths) == TEXT_REFERENCES
    with pytest.raises(ValueError, match="no reference file given"):
        read_references([])


@pytest.mark.parametrize("name, content, message", [
    ("refs.json", '{"images": [{"cocoid": 5, "sentences": [{"raw": "a"}]}, '
                  '{"cocoid": 5, "sentences": [{"raw": "b"}]}]}',
     "refs.json:image entry 2: image 5 appears again (first at image entry 1)"),
    ("refs.json", '{"annotations": [{"image_id": 1, "caption": "a dog", "caption": "a cat"}]}',
     "refs.json: the key 'caption' appears twice in one object"),
    ("refs.jsonl", '{"image_id": 1, "caption": "a"}\n{"image_id": 2, "image_id": 3, '
                   '"caption": "b"}\n',
     "refs.jsonl:line 2: the key 'image_id' appears twice in one object"),
])
def test_nothing_is_merged_or_overwritten_silently(tmp_path, name, content, message):
    from capeval import CapevalInputError

    (tmp_path / name).write_text(content)
    with pytest.raises(CapevalInputError) as raised:
        read_references(tmp_path / name)
    assert str(raised.value).startswith(f"{tmp_path / name}:") and message.split(":", 1)[1] in \
        str(raised.value)


def test_binary_and_oversized_inputs_are_refused_without_reading_them_whole(tmp_path,
                                                                            monkeypatch):
    from capeval import CapevalInputError
    from capeval.io import source

    (tmp_path / "hyps.txt").write_bytes(b"a dog\n\x00\x00")
    with pytest.raises(CapevalInputError, match="hyps.txt: not UTF-8 text: a NUL byte at byte "
                                                "offset 6"):
        read_hypotheses(tmp_path / "hyps.txt")
    # Whole-document formats (JSON) are read at most to the size limit; line-based files are
    # read line by line, so only a line is bounded (streaming has no size limit).
    monkeypatch.setattr(source, "MAX_INPUT_BYTES", 8)
    monkeypatch.setattr(source, "_CHUNK_BYTES", 4)
    (tmp_path / "big.json").write_text('[{"image_id": 1, "caption": "a dog"}]')
    with pytest.raises(CapevalInputError, match="big.json: larger than 0 MiB, the input size "
                                                "limit"):
        read_hypotheses(tmp_path / "big.json")
    monkeypatch.setattr(source, "MAX_LINE_BYTES", 4)
    (tmp_path / "long.txt").write_text("a dog\na cat\n")
    with pytest.raises(CapevalInputError, match="long.txt:line 1: longer than"):
        read_hypotheses(tmp_path / "long.txt")
