"""The raw archive itself: local files stored concurrently, once per content, logged in order, never rewritten."""

from __future__ import annotations

import hashlib

from spiders.archive import RawArchive


def test_put_files_stores_each_content_once_and_logs_in_order(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    bodies = {f"f{i:02d}.xlsx": b"PK\x03\x04" + bytes([i % 7]) * 5000 for i in range(20)}  # 7 distinct contents
    for name, body in bodies.items():
        (folder / name).write_bytes(body)
    archive = RawArchive(tmp_path / "raw")
    results = archive.put_files(sorted(folder.iterdir()))
    assert [s.file_name for s, _ in results] == sorted(bodies)
    assert [s.sha256 for s, _ in results] == [hashlib.sha256(bodies[n]).hexdigest() for n in sorted(bodies)]
    assert sum(new for _, new in results) == 7  # identical bytes under several names: stored by one thread only
    objects = [p for p in (tmp_path / "raw" / "objects").rglob("*") if p.is_file()]
    assert len(objects) == 7 and not any(p.name.startswith(".incoming") for p in objects)
    assert [s.file_name for s in archive.sightings()] == sorted(bodies)


def test_an_existing_object_is_never_rewritten(tmp_path):
    src = tmp_path / "a.xlsx"
    src.write_bytes(b"PK\x03\x04same")
    archive = RawArchive(tmp_path / "raw")
    (first, new), = archive.put_files([src])
    stored = archive.object_path(first.sha256)
    inode = stored.stat().st_ino
    (again, new_again), = RawArchive(tmp_path / "raw").put_files([src, src])[:1]
    assert new and not new_again and stored.stat().st_ino == inode and stored.read_bytes() == b"PK\x03\x04same"
