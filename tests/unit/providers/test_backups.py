"""Snapshots: names that sort and say what they hold, private files, atomic writes."""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from providers import backups
from providers.backups import SnapshotFormatError, read_snapshot, write_snapshot


def test_write_snapshot__name_body_and_permissions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "backups" / "dev"
    with caplog.at_level(logging.WARNING):
        path = write_snapshot(
            folder,
            kind="tenant",
            resource_id="acme",
            reason="delete",
            content={"tenant": {"id": "acme"}, "settings": {}},
            project_id="P123",
        )
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-tenant-acme-delete\.json", path.name)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    body = json.loads(path.read_text())
    assert body["format"] == "descope-config-snapshot/1"
    assert (body["kind"], body["id"], body["reason"], body["projectId"]) == (
        "tenant",
        "acme",
        "delete",
        "P123",
    )
    assert body["content"] == {"tenant": {"id": "acme"}, "settings": {}}
    assert body["takenAt"].endswith("Z")
    assert str(path) in caplog.text
    assert os.listdir(folder) == [path.name]  # no temporary file left


def test_write_snapshot__unsafe_ids_and_same_instant(tmp_path: Path) -> None:
    paths = [
        write_snapshot(
            tmp_path, kind="flow", resource_id="../a b/c", reason="overwrite", content={}
        )
        for _ in range(3)
    ]
    assert all(p.parent == tmp_path for p in paths)  # never outside its folder
    assert all("-flow-%2E.%2Fa%20b%2Fc-overwrite" in p.name for p in paths)  # reversibly encoded
    assert unquote(paths[0].name.split("-flow-")[1].removesuffix("-overwrite.json")) == "../a b/c"
    assert len(set(paths)) == 3
    assert paths == sorted(paths) or len({p.name[:22] for p in paths}) == 1


def test_write_snapshot__sorts_by_time(tmp_path: Path) -> None:
    first = write_snapshot(tmp_path, kind="theme", resource_id="theme", reason="backup", content={})
    second = write_snapshot(tmp_path, kind="tenant", resource_id="a", reason="adopt", content={})
    assert sorted([second.name, first.name]) == [first.name, second.name]


def test_write_snapshot__concurrent_writers(tmp_path: Path) -> None:
    results: list[Path] = []

    def write() -> None:
        results.append(
            write_snapshot(tmp_path, kind="tenant", resource_id="x", reason="delete", content={})
        )

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 8
    assert len(list(tmp_path.glob("*.json"))) == 8


def test_write_snapshot__failure_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("providers.backups.os.replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_snapshot(tmp_path, kind="tenant", resource_id="x", reason="delete", content={})
    assert list(tmp_path.iterdir()) == []


def test_write_snapshot__rejects_unknown_kind_and_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="kind"):
        write_snapshot(tmp_path, kind="user", resource_id="x", reason="delete", content={})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reason"):
        write_snapshot(tmp_path, kind="tenant", resource_id="x", reason="whim", content={})  # type: ignore[arg-type]


def test_read_snapshot__round_trip(tmp_path: Path) -> None:
    path = write_snapshot(
        tmp_path, kind="tenant", resource_id="acme", reason="adopt", content={"tenant": {"n": 1}}
    )
    snapshot = read_snapshot(path)
    assert (snapshot.kind, snapshot.id, snapshot.reason) == ("tenant", "acme", "adopt")
    assert snapshot.content == {"tenant": {"n": 1}}
    assert snapshot.project_id is None
    assert snapshot.taken_at.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        json.dumps({"format": "other"}),
        json.dumps({"format": backups.FORMAT, "kind": "tenant", "reason": "delete", "content": []}),
        json.dumps(
            {
                "format": backups.FORMAT,
                "kind": "tenant",
                "reason": "delete",
                "content": {},
                "takenAt": "x",
            }
        ),
    ],
)
def test_read_snapshot__rejects_other_files(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(SnapshotFormatError, match=str(path)):
        read_snapshot(path)
