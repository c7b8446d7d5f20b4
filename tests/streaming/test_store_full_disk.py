"""A full disk under a streamed run's temporary files is a usage error naming the folder."""
from __future__ import annotations

import sqlite3

import pytest

from capeval import CapevalUsageError
from capeval.streaming import evaluate_files, store
from capeval.streaming.store import PairingStore


@pytest.fixture
def files(tmp_path, monkeypatch):
    for variable in ("TMPDIR", "SQLITE_TMPDIR"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "hyps.txt").write_text("a dog runs\na cat sleeps\n" * 1000)
    (tmp_path / "refs.txt").write_text("a dog running on grass\na cat is sleeping\n" * 1000)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return tmp_path


def no_space(scratch) -> str:
    return (f"{scratch}: no space left for the run's temporary files (database or disk is "
            f"full); free some space there, or put them on a larger disk (the TMPDIR "
            f"environment variable; temporary_directory in the library)")


def test_a_full_database_names_the_temporary_folder(files, monkeypatch):
    connect = sqlite3.connect

    def small_database(*args, **kwargs):  # a disk with room for a few pages only
        database = connect(*args, **kwargs)
        database.execute("PRAGMA max_page_count = 16")
        return database

    monkeypatch.setattr(store.sqlite3, "connect", small_database)
    with pytest.raises(CapevalUsageError) as raised:
        evaluate_files(files / "hyps.txt", files / "refs.txt", ["bleu"],
                       temporary_directory=files / "scratch")
    assert str(raised.value) == no_space(files / "scratch")
    assert list((files / "scratch").iterdir()) == []  # the database is deleted all the same


def test_sqlites_own_scratch_folder_is_named_when_it_differs(files, monkeypatch):
    monkeypatch.setenv("TMPDIR", "/elsewhere")
    with pytest.raises(CapevalUsageError) as raised:
        with PairingStore(files / "scratch"):
            raise sqlite3.OperationalError("database or disk is full")
    assert str(raised.value).startswith(
        f"{files / 'scratch'} or /elsewhere (SQLite's sort files): no space left")


def test_a_full_disk_under_a_scratch_file_names_the_temporary_folder(files):
    with pytest.raises(CapevalUsageError) as raised:
        with PairingStore(files / "scratch") as pairs, pairs.scratch_directory("df") as df:
            (df / "bucket").write_text("")
            raise OSError(28, "No space left on device")
    assert str(raised.value).startswith(
        f"{files / 'scratch'}: no space left for the run's temporary files ([Errno 28] No "
        f"space left on device)")
    assert list((files / "scratch").iterdir()) == []


@pytest.mark.parametrize("error", [OSError(13, "Permission denied"), ValueError("other"),
                                   sqlite3.OperationalError("no such table: x")])
def test_other_errors_pass_unchanged(files, error):
    with pytest.raises(type(error)) as raised:
        with PairingStore(files / "scratch"):
            raise error
    assert raised.value is error


def test_no_room_for_the_database_itself(files, monkeypatch):
    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store.sqlite3, "connect", full)
    with pytest.raises(CapevalUsageError) as raised:
        PairingStore(files / "scratch")
    assert str(raised.value) == no_space(files / "scratch")
    assert list((files / "scratch").iterdir()) == []


def test_no_room_for_the_temporary_folder(files, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.tempfile, "TemporaryDirectory", full)
    with pytest.raises(CapevalUsageError) as raised:
        PairingStore(files / "scratch")
    assert str(raised.value).startswith(f"{files / 'scratch'}: no space left")
