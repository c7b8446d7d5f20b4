"""Every kind of bad input gives a `CapevalInputError` with one exact, locating message.

Each case writes one file (named as a user would) in a temporary working directory, reads
it as references or hypotheses, and compares the whole message ``file:record: reason``.
"""
from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from capeval import CapevalInputError, CapevalTypeError
from capeval.io import read_hypotheses, read_references

REFS, HYPS = "references", "hypotheses"
SWAP = "were references and hypotheses swapped?"
KARPATHY_IMAGE = {"cocoid": 1, "split": "test", "sentences": [{"raw": "a"}]}

CASES = [
    # (case id, file name, content, role, options, expected message)
    # -- the file as a whole
    ("empty", "hyps.txt", b"", HYPS, {}, "hyps.txt: file is empty"),
    ("bom only", "hyps.json", b"\xef\xbb\xbf", HYPS, {}, "hyps.json: file is empty"),
    ("blank json", "refs.json", "  \n", REFS, {}, "refs.json: file holds only whitespace, no JSON"),
    ("bad utf-8", "hyps.txt", b"ok\nbad \xff here\n", HYPS, {},
     "hyps.txt:line 2: invalid UTF-8 at byte offset 7 (byte 0xff)"),
    ("bad utf-8 after bom", "hyps.txt", b"\xef\xbb\xbfa\xc3", HYPS, {},
     "hyps.txt:line 1: invalid UTF-8 at byte offset 4 (byte 0xc3)"),
    ("utf-16", "hyps.txt", "a dog\n".encode("utf-16"), HYPS, {},
     "hyps.txt: file is UTF-16 encoded; save it as UTF-8"),
    # -- formats and options
    ("unknown format", "hyps.txt", "a\n", HYPS, {"format": "xml"},
     "hyps.txt: unknown format 'xml'; accepted formats: coco, karpathy, flickr, json, jsonl, "
     "csv, tsv, text"),
    ("undetectable", "hyps.dat", "a dog\n", HYPS, {},
     "hyps.dat: cannot tell the format from the file name or content; use an extension "
     "(.json, .jsonl, .ndjson, .csv, .tsv, .txt, .token) or choose the format: coco, karpathy, "
     "flickr, json, jsonl, csv, tsv, text"),
    ("option for another format", "refs.csv", "image_id,caption\n1,a\n", REFS,
     {"split": "test"}, "refs.csv: option split does not apply to csv files (only to karpathy)"),
    ("id field for text", "hyps.txt", "a\n", HYPS, {"id_field": "image_id"},
     "hyps.txt: option id_field does not apply to text files (only to karpathy, csv, tsv, jsonl)"),
    # -- JSON syntax and layout
    ("malformed json", "refs.json", '{"annotations": [\n  {"image_id": 1 "caption": "a"}\n]}',
     REFS, {}, "refs.json:line 2, column 18: malformed JSON: Expecting ',' delimiter"),
    ("json lines named .json", "hyps.json",
     '{"image_id": 1, "caption": "a"}\n{"image_id": 2, "caption": "b"}\n', HYPS, {},
     "hyps.json:line 2, column 1: malformed JSON: Extra data (one JSON value per line is JSON "
     "Lines: name the file .jsonl)"),
    ("malformed json, unknown extension", "refs.dat", '{"annotations": [\n', REFS, {},
     "refs.dat:line 2, column 1: malformed JSON: Expecting value"),
    ("unknown json layout", "refs.json", '{"captions": {}}', REFS, {},
     'refs.json: JSON layout not recognised: expected COCO annotations ({"images": [...], '
     '"annotations": [...]}), COCO results ([{"image_id": .., "caption": ..}, ...]) or '
     'Karpathy ({"images": [{"sentences": [...]}, ...]})'),
    # -- COCO results (hypotheses)
    ("caption not a string", "results.json",
     '[{"image_id": 1, "caption": "a"}, {"image_id": 2, "caption": 5}]', HYPS, {},
     "results.json:record 2: caption is not a string (got int)"),
    ("missing caption", "results.json", '[{"image_id": 1}]', HYPS, {},
     "results.json:record 1: missing 'caption'"),
    ("missing image_id", "results.json", '[{"caption": "a"}]', HYPS, {},
     "results.json:record 1: missing 'image_id'"),
    ("null id", "results.json", '[{"image_id": null, "caption": "a"}]', HYPS, {},
     "results.json:record 1: image_id is null"),
    ("float id", "results.json", '[{"image_id": 1.5, "caption": "a"}]', HYPS, {},
     "results.json:record 1: image_id is not an integer or a string (got float)"),
    ("boolean id", "results.json", '[{"image_id": true, "caption": "a"}]', HYPS, {},
     "results.json:record 1: image_id is not an integer or a string (got bool)"),
    ("empty id", "results.json", '[{"image_id": " ", "caption": "a"}]', HYPS, {},
     "results.json:record 1: image_id is empty"),
    ("record not an object", "results.json", '["a dog"]', HYPS, {},
     "results.json:record 1: expected a JSON object (got str)"),
    ("two hypotheses for one image", "results.json",
     '[{"image_id": 7, "caption": "a"}, {"image_id": 8, "caption": "b"}, '
     '{"image_id": "7", "caption": "c"}]', HYPS, {},
     "results.json:record 3: second hypothesis for image 7 (the first is at record 1)"),
    ("no results", "results.json", "[]", HYPS, {}, "results.json: holds no hypotheses"),
    ("results object", "results.json", '{"results": []}', HYPS, {"format": "coco"},
     "results.json: COCO results must be a JSON list of {image_id, caption} records (got dict)"),
    ("annotations as hypotheses", "captions.json",
     '{"annotations": [{"image_id": 1, "caption": "a"}]}', HYPS, {},
     'captions.json: holds references (a JSON object with "images"/"annotations"), not '
     f"hypotheses; COCO results are a JSON list of {{image_id, caption}}; {SWAP}"),
    ("karpathy as hypotheses", "dataset.json", json.dumps({"images": [KARPATHY_IMAGE]}), HYPS,
     {}, f"dataset.json: holds references (Karpathy JSON), not hypotheses; {SWAP}"),
    # -- COCO annotations (references)
    ("results as references", "results.json", '[{"image_id": 1, "caption": "a"}]', REFS, {},
     "results.json: is a JSON list, the layout of COCO results (hypotheses); references in "
     'JSON need COCO annotations ({"annotations": [...]}) or Karpathy ({"images": '
     f'[{{"sentences": [...]}}]}}); {SWAP}'),
    ("annotations not a list", "captions.json", '{"annotations": {}}', REFS, {},
     "captions.json: 'annotations' must be a list (got dict)"),
    ("no annotations", "captions.json", '{"images": [], "annotations": []}', REFS, {},
     "captions.json: holds no references"),
    ("null reference", "captions.json",
     '{"annotations": [{"image_id": 1, "caption": "a"}, {"image_id": 1, "caption": null}]}',
     REFS, {}, "captions.json:annotation 2: caption is not a string (got null)"),
    ("image without annotations", "captions.json",
     '{"images": [{"id": 1}, {"id": 2}], "annotations": [{"image_id": 1, "caption": "a"}]}',
     REFS, {}, "captions.json:images entry 2: image 2 has no captions in 'annotations'"),
    ("annotation of an unlisted image", "captions.json",
     '{"images": [{"id": 1}], "annotations": [{"image_id": 1, "caption": "a"}, '
     '{"image_id": 2, "caption": "b"}]}', REFS, {},
     "captions.json: 1 annotated image(s) are missing from 'images', e.g. 2"),
    ("images not a list", "captions.json",
     '{"images": {}, "annotations": [{"image_id": 1, "caption": "a"}]}', REFS, {},
     "captions.json: 'images' must be a list (got dict)"),
    ("images entry not an object", "captions.json",
     '{"images": [1], "annotations": [{"image_id": 1, "caption": "a"}]}', REFS, {},
     "captions.json:images entry 1: expected a JSON object (got int)"),
    ("images entry without id", "captions.json",
     '{"images": [{"file_name": "a.jpg"}], "annotations": [{"image_id": 1, "caption": "a"}]}',
     REFS, {}, "captions.json:images entry 1: missing 'id'"),
    ("images entry with a null id", "captions.json",
     '{"images": [{"id": null}], "annotations": [{"image_id": 1, "caption": "a"}]}', REFS, {},
     "captions.json:images entry 1: id is null"),
    ("karpathy read as coco", "dataset.json", json.dumps({"images": [KARPATHY_IMAGE]}), REFS,
     {"format": "coco"},
     "dataset.json: not COCO annotations: no 'annotations' list at the top level"),
    # -- Karpathy
    ("coco read as karpathy", "captions.json", '{"annotations": []}', REFS,
     {"format": "karpathy"},
     'captions.json: not Karpathy JSON: expected {"images": [{"sentences": [...], ...}, ...]}'),
    ("image without sentences", "dataset.json",
     json.dumps({"images": [{"cocoid": 1, "sentences": []}]}), REFS, {},
     "dataset.json:image entry 1: image 1 has no reference captions"),
    ("raw not a string", "dataset.json",
     json.dumps({"images": [{"cocoid": 1, "sentences": [{"raw": "a"}, {"raw": ["a"]}]}]}),
     REFS, {}, "dataset.json:image entry 1, sentence 2: 'raw' is not a string (got list)"),
    ("missing raw", "dataset.json",
     json.dumps({"images": [{"cocoid": 1, "sentences": [{"tokens": ["a"]}]}]}), REFS, {},
     "dataset.json:image entry 1, sentence 1: missing 'raw'"),
    ("missing id field", "dataset.json",
     json.dumps({"images": [KARPATHY_IMAGE, {"imgid": 2, "sentences": [{"raw": "b"}]}]}),
     REFS, {}, "dataset.json:image entry 2: missing 'cocoid'"),
    ("no id field", "dataset.json", json.dumps({"images": [{"sentences": [{"raw": "a"}]}]}),
     REFS, {},
     "dataset.json:image entry 1: no id field: none of cocoid, imgid, filename; choose one "
     "with id_field"),
    ("karpathy image not an object", "dataset.json",
     json.dumps({"images": [KARPATHY_IMAGE, "b.jpg"]}), REFS, {},
     "dataset.json:image entry 2: expected a JSON object (got str)"),
    ("karpathy null id", "dataset.json",
     json.dumps({"images": [dict(KARPATHY_IMAGE, cocoid=None)]}), REFS, {},
     "dataset.json:image entry 1: cocoid is null"),
    ("karpathy sentences missing", "dataset.json",
     json.dumps({"images": [KARPATHY_IMAGE, {"cocoid": 2}]}), REFS, {},
     "dataset.json:image entry 2: missing 'sentences'"),
    ("karpathy sentences not a list", "dataset.json",
     json.dumps({"images": [KARPATHY_IMAGE, {"cocoid": 2, "sentences": "b"}]}), REFS, {},
     "dataset.json:image entry 2: 'sentences' must be a list (got str)"),
    ("karpathy sentence not an object", "dataset.json",
     json.dumps({"images": [{"cocoid": 1, "sentences": ["a"]}]}), REFS, {},
     "dataset.json:image entry 1, sentence 1: expected a JSON object (got str)"),
    ("unknown split", "dataset.json",
     json.dumps({"images": [KARPATHY_IMAGE, dict(KARPATHY_IMAGE, cocoid=2, split="train")]}),
     REFS, {"split": "tst"}, "dataset.json: no image in split tst (splits present: test, train)"),
    ("split filter without split", "dataset.json",
     json.dumps({"images": [{"cocoid": 1, "sentences": [{"raw": "a"}]}]}), REFS,
     {"split": "test"}, "dataset.json:image entry 1: missing 'split' (needed to select a split)"),
    # -- CSV, TSV, JSON Lines
    ("short row", "refs.csv", "image_id,caption\n1,a\n2\n", REFS, {},
     "refs.csv:line 3: expected 2 cells as in the header, found 1"),
    ("long row", "hyps.tsv", "image_id\tcaption\n1\ta\tb\n", HYPS, {},
     "hyps.tsv:line 2: expected 2 cells as in the header, found 3"),
    ("no caption column", "refs.csv", "image_id,foo\n1,a\n", REFS, {},
     "refs.csv: no caption field among (image_id, foo); expected one of reference, references, "
     "ref, refs, caption, captions, sentence, sentences, text, raw (or numbered: caption_1, "
     "caption_2, ...), or choose with caption_fields"),
    ("no id column", "hyps.csv", "name,caption\n1,a\n", HYPS, {},
     "hyps.csv: no id field among (name, caption); expected one of image_id, id, image, img_id, "
     "imgid, cocoid, image_name, filename, file_name, img, or choose one with id_field"),
    ("ambiguous caption columns", "refs.csv", "image_id,caption,text\n1,a,b\n", REFS, {},
     "refs.csv: several fields could hold the captions (caption, text); choose with "
     "caption_fields"),
    ("wide hypotheses", "hyps.csv", "image_id,caption_1,caption_2\n1,a,b\n", HYPS, {},
     "hyps.csv: several caption fields (caption_1, caption_2) but hypotheses need one; choose "
     "it with caption_field"),
    ("chosen field absent", "hyps.csv", "image_id,caption\n1,a\n", HYPS,
     {"caption_field": "cap"}, "hyps.csv: no field 'cap' (fields: image_id, caption)"),
    ("empty id cell", "refs.csv", "image_id,caption\n,a\n", REFS, {},
     "refs.csv:line 2: image_id is empty"),
    ("blank csv", "refs.csv", "\n\n", REFS, {}, "refs.csv: holds no rows (only blank lines)"),
    ("no caption field chosen", "refs.csv", "image_id,caption\n1,a\n", REFS,
     {"caption_fields": []}, "refs.csv: no caption field chosen"),
    ("two numbered groups", "refs.csv", "image_id,caption_1,caption_2,text_1\n1,a,b,c\n", REFS,
     {}, "refs.csv: several groups of numbered caption fields (caption_1, caption_2; text_1); "
     "choose with caption_fields"),
    ("header only", "refs.csv", "image_id,caption\n", REFS, {},
     "refs.csv: has a header but no rows"),
    ("duplicate header", "refs.csv", "image_id,caption,caption\n1,a,b\n", REFS, {},
     "refs.csv:line 1: column 'caption' appears twice in the header"),
    ("bad csv quoting", "refs.csv", 'image_id,caption\n1,"a"b\n', REFS, {},
     "refs.csv:line 2: malformed CSV: ',' expected after '\"'"),
    ("wide row without captions", "refs.csv", "image_id,caption_1,caption_2\n1,,\n", REFS, {},
     "refs.csv:line 2: image 1 has no reference captions"),
    ("jsonl syntax", "refs.jsonl", '{"image_id": 1, "caption": "a"}\n{"image_id": 2,}\n', REFS,
     {}, "refs.jsonl:line 2, column 16: malformed JSON: Expecting property name enclosed in "
     "double quotes"),
    ("jsonl not an object", "refs.jsonl", '["a"]\n', REFS, {},
     "refs.jsonl:line 1: expected a JSON object (got list)"),
    ("jsonl missing caption", "refs.jsonl",
     '{"image_id": 1, "caption": "a"}\n{"image_id": 2}\n', REFS, {},
     "refs.jsonl:line 2: missing 'caption'"),
    ("jsonl missing id", "hyps.jsonl", '{"image_id": 1, "caption": "a"}\n{"caption": "b"}\n',
     HYPS, {}, "hyps.jsonl:line 2: missing 'image_id'"),
    ("jsonl caption item", "refs.jsonl", '{"image_id": 1, "captions": ["a", 2]}\n', REFS, {},
     "refs.jsonl:line 1: captions item 2 is not a string (got int)"),
    ("jsonl hypothesis list", "hyps.jsonl", '{"image_id": 1, "caption": ["a"]}\n', HYPS, {},
     "hyps.jsonl:line 1: caption is not a string (got list)"),
    ("jsonl empty caption list", "refs.jsonl", '{"image_id": 1, "captions": []}\n', REFS, {},
     "refs.jsonl:line 1: image 1 has no reference captions"),
    ("jsonl wide non-string", "refs.jsonl",
     '{"image_id": 1, "caption_1": "a", "caption_2": 3}\n', REFS, {},
     "refs.jsonl:line 1: caption_2 is not a string (got int)"),
    ("jsonl blank", "refs.jsonl", "\n\n", REFS, {},
     "refs.jsonl: holds no records (only blank lines)"),
    ("jsonl duplicate hypothesis", "hyps.jsonl",
     '{"image_id": "0042", "caption": "a"}\n{"image_id": "0042", "caption": "b"}\n', HYPS, {},
     "hyps.jsonl:line 2: second hypothesis for image '0042' (the first is at line 1)"),
]


@pytest.mark.parametrize(
    ("name", "content", "role", "options", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_message(tmp_path, monkeypatch, name, content, role, options, expected):
    monkeypatch.chdir(tmp_path)
    if isinstance(content, str):
        content = content.encode("utf-8")
    (tmp_path / name).write_bytes(content)
    read = read_references if role == REFS else read_hypotheses
    with pytest.raises(CapevalInputError) as raised:
        read(name, **options)
    assert str(raised.value) == expected


# -- errors that need more than one file -----------------------------------------------------
def test_reference_files_with_different_line_counts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r1.txt").write_text("a\nb\nc\n")
    (tmp_path / "r2.txt").write_text("d\ne\n")
    with pytest.raises(CapevalInputError) as raised:
        read_references(["r1.txt", "r2.txt"])
    assert str(raised.value) == (
        "r2.txt: has 2 lines but r1.txt has 3; line-aligned reference files must have the "
        "same number of lines"
    )


def test_image_with_an_empty_line_in_every_reference_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r1.txt").write_text("a\n\nc\n")
    (tmp_path / "r2.txt").write_text("d\n  \nf\n")
    with pytest.raises(CapevalInputError) as raised:
        read_references(["r1.txt", "r2.txt"])
    assert str(raised.value) == (
        "r1.txt:line 2: image 2 has no reference: the line is empty in r1.txt, r2.txt"
    )


def test_several_reference_files_must_be_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r1.txt").write_text("a\n")
    (tmp_path / "refs.csv").write_text("image_id,caption\n1,a\n")
    with pytest.raises(CapevalInputError) as raised:
        read_references(["r1.txt", "refs.csv"])
    assert str(raised.value) == (
        "refs.csv: several reference files must all be line-aligned plain text (this one is csv)"
    )


def test_missing_file_and_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "adir.json").mkdir()
    with pytest.raises(CapevalInputError) as raised:
        read_hypotheses("nope.json")
    assert str(raised.value) == "nope.json: no such file"
    with pytest.raises(CapevalInputError) as raised:
        read_references("adir.json")
    assert str(raised.value) == "adir.json: is a directory, not a file"


def test_unreadable_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "hyps.txt").write_text("a\n")

    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)  # whole-file readers
    monkeypatch.setattr(Path, "open", refuse)  # line-by-line readers
    with pytest.raises(CapevalInputError) as raised:
        read_hypotheses("hyps.txt")
    assert str(raised.value) == "hyps.txt: cannot read: Permission denied"


@pytest.mark.parametrize("read, argument, kind", [
    ("read_references", None, "NoneType"),
    ("read_references", [3], "int"),
    ("read_hypotheses", 3.5, "float"),
    ("read_judgements", b"judged.jsonl", "bytes"),
    ("read_caption_sets", None, "NoneType"),
])
def test_a_path_that_is_not_a_path_is_a_type_error(read, argument, kind):
    import capeval.io

    with pytest.raises(CapevalTypeError, match=f"^a file is a path \\(str or os.PathLike\\), "
                                               f"not {kind}$"):
        getattr(capeval.io, read)(argument)
