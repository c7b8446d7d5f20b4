"""read_groups(): nocaps images[].domain and group tables, every problem named by record."""
from __future__ import annotations

import json

import pytest

from capeval import CapevalInputError
from capeval.io.groups import ImageGroups, read_groups


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def nocaps(tmp_path, images, name="nocaps.json"):
    return write(tmp_path, name, json.dumps({"images": images, "annotations": []}))


def test_reads_the_nocaps_domain_of_every_image(tmp_path):
    path = nocaps(tmp_path, [{"id": 0, "open_images_id": "0013ea2087020901",
                              "domain": "in-domain"},
                             {"id": 1, "domain": "out-domain"},
                             {"id": 2, "domain": "near-domain"}])
    groups = read_groups(path)
    assert groups.group_of == {0: "in-domain", 1: "out-domain", 2: "near-domain"}
    assert groups.records[2] == "images entry 3"
    assert groups.source == str(path)


def test_a_test_image_info_file_without_annotations_is_read(tmp_path):
    path = write(tmp_path, "image_info.json",
                 json.dumps({"images": [{"id": 7, "domain": "out-domain"}]}))
    assert read_groups(path).group_of == {7: "out-domain"}


@pytest.mark.parametrize("name, text", [
    ("groups.csv", "image_id,group\n1,a\n0042,b\n"),
    ("groups.tsv", "id\tdomain\n1\ta\n0042\tb\n"),
    ("groups.jsonl", '{"image_id": 1, "group": "a"}\n\n{"image_id": "0042", "group": "b"}\n'),
])
def test_tables_give_canonical_ids_and_groups(tmp_path, name, text):
    assert read_groups(write(tmp_path, name, text)).group_of == {1: "a", "0042": "b"}


def test_the_group_field_can_be_chosen(tmp_path):
    path = write(tmp_path, "g.csv", "image_id,group,split\n1,a,x\n2,b,y\n")
    assert read_groups(path, group_field="split").group_of == {1: "x", 2: "y"}
    path = nocaps(tmp_path, [{"id": 1, "domain": "in-domain", "source": "flickr"}])
    assert read_groups(path, group_field="source").group_of == {1: "flickr"}


@pytest.mark.parametrize("name, text, message", [
    ("g.csv", "image_id,group\n1,a\n2,b\n1,a\n",
     "g.csv:line 4: image 1 is listed again (first at line 2, group 'a'); every image "
     "belongs to exactly one group"),
    ("g.csv", "image_id,group\n1,a\n2,\n", "g.csv:line 3: image 2 has an empty group name"),
    ("g.csv", "image_id,group\n1,entire\n",
     "g.csv:line 2: 'entire' names the whole set, not a group; rename it"),
    ("g.csv", "image_id,name\n1,a\n",
     "g.csv: no group field among (image_id, name); expected one of group, domain, or "
     "choose one with group_field"),
    ("g.jsonl", '{"image_id": 1, "group": 3}\n', "g.jsonl:line 1: group is not a string (got int)"),
    ("g.jsonl", '{"image_id": 1}\n{"image_id": 2, "group": "a"}\n',
     "g.jsonl:line 1: missing 'group'"),
    ("g.jsonl", '{"image_id": null, "group": "a"}\n', "g.jsonl:line 1: image_id is null"),
    ("g.json", '{"images": [{"id": 1, "domain": "a"}, {"id": 2}]}',
     "g.json:images entry 2: missing 'group' or 'domain'"),
    ("g.json", '{"images": [{"domain": "a"}]}', "g.json:images entry 1: missing 'id'"),
    ("g.json", '{"images": [{"id": 1, "domain": "a"}, {"id": "1", "domain": "b"}]}',
     "g.json:images entry 2: image 1 is listed again (first at images entry 1, group 'a'); "
     "every image belongs to exactly one group"),
    ("g.json", '{"images": []}', "g.json: holds no images"),
    ("g.json", '[{"image_id": 1, "caption": "x"}]',
     "g.json: a JSON group file needs an 'images' list of {\"id\", \"domain\"} objects "
     "(the nocaps layout)"),
    ("g.txt", "1 a\n",
     "g.txt: a group file is JSON (nocaps images[].domain), CSV, TSV or JSON Lines: name it "
     ".json, .jsonl, .ndjson, .csv, .tsv or choose the format"),
])
def test_bad_group_files_name_the_file_and_the_record(tmp_path, monkeypatch, name, text,
                                                      message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, name, text)
    with pytest.raises(CapevalInputError) as raised:
        read_groups(name)
    assert str(raised.value) == message


def test_a_mapping_is_checked_like_a_file():
    assert ImageGroups.from_mapping({"7": "a", 8: "b"}).group_of == {7: "a", 8: "b"}
    with pytest.raises(CapevalInputError) as raised:
        ImageGroups.from_mapping({7: "a", "7": "b"})
    assert str(raised.value) == ("groups:image '7': image 7 is listed again (first at image 7, "
                                 "group 'a'); every image belongs to exactly one group")
