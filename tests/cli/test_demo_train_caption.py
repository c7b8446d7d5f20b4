"""capeval train and capeval caption on user files: a small .npz + Karpathy JSON written here."""
from __future__ import annotations

import json

import numpy as np
import pytest

import capeval
from capeval.io import read_references
from capeval.reference_models import shapes
from tests.cli.helpers import run_cli

SPLITS = ["train"] * 24 + ["val"] * 4 + ["test"] * 4
SMALL = ("--hidden", "16", "--word-dim", "8", "--epochs", "2", "--tokenizer", "none")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """32 shape images: features.npz (image_ids 100..), features.npy, Karpathy and COCO JSON."""
    root = tmp_path_factory.mktemp("user_data")
    data = shapes.generate(len(SPLITS), np.random.default_rng(0))
    ids = np.arange(100, 100 + len(SPLITS))
    order = np.arange(len(SPLITS))[::-1]  # the .npz lists rows in reverse: matched by id
    with open(root / "features.npz", "wb") as handle:
        np.savez(handle, features=data.features[order], regions=data.regions[order],
                 image_ids=ids[order])
    np.save(root / "features.npy", data.features)
    images = [{"imgid": int(i), "split": s, "filename": f"{i}.png",
               "sentences": [{"raw": " ".join(c), "tokens": c} for c in caps]}
              for i, s, caps in zip(ids, SPLITS, data.captions, strict=True)]
    (root / "karpathy.json").write_text(json.dumps({"images": images}))
    coco = {"images": [{"id": int(i)} for i in ids],
            "annotations": [{"image_id": int(i), "id": k, "caption": " ".join(c)}
                            for i, caps in zip(ids, data.captions, strict=True)
                            for k, c in enumerate(caps)]}
    (root / "coco.json").write_text(json.dumps(coco))
    return root


@pytest.fixture(scope="module")
def model(files):
    path = files / "model.npz"
    run_cli("train", "--features", files / "features.npz", "--captions", files / "karpathy.json",
            "--out", path, *SMALL, "--attention")
    return path


def test_train_writes_a_checkpoint_that_captions_the_test_split(files, model):
    out = files / "results.json"
    result = run_cli("caption", "--model", model, "--features", files / "features.npz",
                     "--captions", files / "karpathy.json", "--split", "test", "--beam", "2",
                     "--out", out)
    assert "wrote 4 captions" in result.stderr
    records = json.loads(out.read_text())
    assert [r["image_id"] for r in records] == list(range(128, 132))
    scored = run_cli("score", "--refs", files / "karpathy.json", "--split", "test",
                     "--hyps", out, "--tokenizer", "none", "--json")
    expected = capeval.evaluate({r["image_id"]: r["caption"] for r in records},
                                read_references([files / "karpathy.json"], split="test"),
                                tokenizer="none").corpus
    assert json.loads(scored.stdout) == pytest.approx(expected, rel=1e-12)


def test_caption_without_a_caption_file_uses_the_npz_ids(files, model):
    result = run_cli("caption", "--model", model, "--features", files / "features.npz",
                     "--temperature", "0.7", "--seed", "3")
    records = json.loads(result.stdout)
    assert [r["image_id"] for r in records] == list(range(131, 99, -1))
    again = run_cli("caption", "--model", model, "--features", files / "features.npz",
                    "--temperature", "0.7", "--seed", "3")
    assert again.stdout == result.stdout


def test_npy_rows_follow_the_karpathy_image_order(files):
    """Also trains with the default tokenizer (PTB, as the evaluation tokenizes)."""
    path = files / "npy_model.npz"
    default_tokenizer = SMALL[: SMALL.index("--tokenizer")]
    result = run_cli("train", "--features", files / "features.npy", "--captions",
                     files / "karpathy.json", "--out", path, *default_tokenizer, "--cell", "gru")
    assert "on 24 images, validating on 4" in result.stderr
    assert path.exists()


def test_an_image_vector_from_the_regions_needs_them_to_caption(files):
    """Show, Attend and Tell's initial state: the mean region; without regulariser here."""
    path = files / "regions_model.npz"
    run_cli("train", "--features", files / "features.npz", "--captions", files / "karpathy.json",
            "--out", path, *SMALL, "--attention", "--state-from", "regions",
            "--attention-penalty", "0")
    config = json.loads(str(np.load(path)["config"]))
    assert config["state_from"] == "regions" and config["attention_penalty"] == 0
    result = run_cli("caption", "--model", path, "--features", files / "features.npz",
                     "--captions", files / "karpathy.json", "--split", "test")
    assert len(json.loads(result.stdout)) == 4
    result = run_cli("caption", "--model", path, "--features", files / "features.npy", expect=2)
    assert "features.npy:regions: an attention model needs regions" in result.stderr


def test_coco_annotations_hold_out_a_validation_fraction(files):
    result = run_cli("train", "--features", files / "features.npz", "--captions",
                     files / "coco.json", "--out", files / "coco_model.npz", *SMALL,
                     "--cell", "rnn", "--val-fraction", "0.25")
    assert "on 24 images, validating on 8" in result.stderr


@pytest.mark.parametrize("make, message", [
    (lambda f: ("--features", f / "features.npy", "--captions", f / "coco.json"),
     "cannot be matched to the images of COCO annotations by position"),
    (lambda f: ("--features", f / "missing.npz", "--captions", f / "karpathy.json"),
     "missing.npz: no such file"),
    (lambda f: ("--features", f / "karpathy.json", "--captions", f / "karpathy.json"),
     "karpathy.json: not a .npy or .npz file (as numpy.save and numpy.savez write them)\n"),
    (lambda f: ("--features", "/dev/zero", "--captions", f / "karpathy.json"),
     "/dev/zero: not a .npy or .npz file"),  # only its magic bytes are read
    (lambda f: ("--features", f / "objects.npy", "--captions", f / "karpathy.json"),
     "objects.npy: holds object arrays (pickled Python objects), which capeval never loads"),
    (lambda f: ("--features", f / "short.npy", "--captions", f / "karpathy.json"),
     "short.npy: has 3 rows but"),
    (lambda f: ("--features", f / "features.npy", "--captions", f / "karpathy.json",
                "--attention"), "--attention needs an .npz with an array 'regions'"),
    (lambda f: ("--features", f / "features.npy", "--captions", f / "karpathy.json",
                "--state-from", "regions"), "--state-from regions needs an .npz with an array"),
    (lambda f: ("--features", f / "features.npz", "--captions", f / "bad.json"),
     "bad.json:image entry 2"),
])
def test_bad_training_inputs_exit_2_with_the_file_named(files, make, message):
    np.save(files / "short.npy", np.zeros((3, 4)))
    np.save(files / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    good = json.loads((files / "karpathy.json").read_text())
    del good["images"][1]["sentences"]
    (files / "bad.json").write_text(json.dumps(good))
    result = run_cli("train", *make(files), "--out", files / "never.npz", *SMALL, expect=2)
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (files / "never.npz").exists()


def test_bad_model_files_exit_2(files, model):
    (files / "garbage.npz").write_bytes(b"PK\x03\x04 not really a zip")
    result = run_cli("caption", "--model", files / "garbage.npz", "--features",
                     files / "features.npz", expect=2)
    assert "garbage.npz: not a readable .npz checkpoint" in result.stderr
    np.save(files / "narrow.npy", np.zeros((2, 5), np.float32))
    result = run_cli("caption", "--model", model, "--features", files / "narrow.npy", expect=2)
    assert "narrow.npy:features: have 5 columns but the model expects" in result.stderr
    result = run_cli("caption", "--model", model, "--features", files / "features.npy", expect=2)
    assert "an attention model needs regions" in result.stderr


def test_a_checkpoint_write_that_fails_after_training_is_one_error_line(files, monkeypatch):
    def disk_full(path, *args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("capeval.reference_models.checkpoint.save_checkpoint", disk_full)
    out = files / "full.npz"
    result = run_cli("train", "--features", files / "features.npz", "--captions",
                     files / "karpathy.json", "--out", out, *SMALL, expect=2)
    assert result.stderr.splitlines()[-1] == f"error: {out}: cannot write: No space left on device"
    assert not any(line.startswith(("error", "internal")) for line in
                   result.stderr.splitlines()[:-1])
