"""Hostile input is refused or neutralised: zip bombs, XML entity expansion, path tricks in file names.

Oversized HTTP responses are refused by the crawl (tests/spiders/test_crawl.py::
test_oversized_response_is_refused); script in text fields is escaped in the Atom feeds
(tests/ops/test_alerts.py) and in the site (the dashboards' tests).
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date

import pytest
from typer.testing import CliRunner

from bench import synth
from flows import ice_lists, xlsx
from flows.cli import app
from spiders.archive import RawArchive
from tests.ops.conftest import rows_for
from warehouse.db import reader
from warehouse.load import load_paths

GOOD_ROWS = rows_for(5)


def _with_member(name: str, body: bytes) -> bytes:
    """A valid small workbook plus one extra zip member."""
    buf = io.BytesIO(synth.workbook(GOOD_ROWS))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, body)
    return buf.getvalue()


def test_zip_bomb_by_ratio_is_refused_and_would_load_without_the_check(monkeypatch):
    bomb = _with_member("xl/media/image1.bin", b"\0" * (8 * 1024 * 1024))  # 8 MiB of zeros, ~8 KiB packed
    assert len(bomb) < 64 * 1024
    with pytest.raises(ice_lists.ListError, match="zip bomb"):
        ice_lists.parse_workbook(bomb)
    monkeypatch.setattr(xlsx, "MAX_RATIO", 10**9)  # protection off: the same file is read
    assert len(ice_lists.parse_workbook(bomb).rows) == 5


def test_zip_bomb_by_size_is_refused_before_anything_is_unpacked(monkeypatch):
    bomb = _with_member("xl/media/huge.bin", b"\0" * (256 * 1024 * 1024))  # 256 MiB once unpacked
    assert len(bomb) < 1024 * 1024
    monkeypatch.setattr(xlsx, "MAX_RATIO", 10**9)  # only the unpacked-size limit stands

    def inflate(*args, **kwargs):
        raise AssertionError("a member was unpacked before the size check refused the file")

    monkeypatch.setattr(zipfile.ZipFile, "open", inflate)  # refused from the directory, nothing inflated
    with pytest.raises(ice_lists.ListError, match=r"zip bomb: \d+ bytes once unpacked"):
        ice_lists.parse_workbook(bomb)


def test_zip_bomb_in_a_batch_is_one_line_the_rest_loads(data):
    inbox = data / "in"
    inbox.mkdir()
    (inbox / synth.file_name("participating", date(2025, 3, 3))).write_bytes(synth.workbook(GOOD_ROWS))
    bomb = inbox / synth.file_name("participating", date(2025, 3, 4))
    bomb.write_bytes(_with_member("xl/media/image1.bin", b"\0" * (8 * 1024 * 1024)))
    report = load_paths(data / "warehouse.duckdb", [inbox])
    assert [r.status for r in report.results] == ["loaded", "failed"]
    assert report.failed[0].error.startswith(str(bomb)) and "zip bomb" in report.failed[0].error
    assert "\n" not in report.failed[0].error
    with reader(data / "warehouse.duckdb") as con:
        assert con.execute("SELECT parse_status FROM raw_files WHERE file_name = ?", [bomb.name]).fetchone() == ("failed",)


LOL = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "' + "&lol;" * 10 + '">'
       + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(2, 10)) + "]>")


def _assert_not_expanded(body: bytes) -> None:
    started = time.monotonic()
    try:
        parsed = ice_lists.parse_workbook(body)
    except ice_lists.ListError as exc:
        assert "\n" not in str(exc)
    else:
        text = " ".join(str(v) for r in parsed.rows for v in r.cells.values())
        assert "lollollol" not in text and len(text) < 10_000
    assert time.monotonic() - started < 2.0


def test_billion_laughs_in_the_sheet_xml_is_not_expanded():
    sheet = synth.sheet_xml([synth.HEADER, ("FLORIDA", "AGENCY", "County", "X County", "Task Force Model",
                                            "2025-01-01", "link")], prolog=LOL).replace(b"AGENCY", b"&lol9;")
    _assert_not_expanded(synth.workbook([], sheet=sheet))


def test_billion_laughs_in_shared_strings_is_not_expanded():
    sst = ('<?xml version="1.0" encoding="UTF-8"?>' + LOL + '<sst xmlns="http://schemas.openxmlformats.org/'
           'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>').encode()
    sheet = synth.sheet_xml([synth.HEADER]).replace(
        b"</sheetData>",
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>FLORIDA</t></is></c><c r="B2" t="s"><v>0</v></c>'
        b'<c r="E2" t="inlineStr"><is><t>Task Force Model</t></is></c>'
        b'<c r="F2" t="inlineStr"><is><t>2025-01-01</t></is></c></row></sheetData>')
    _assert_not_expanded(synth.workbook([], sheet=sheet, extra_members={"xl/sharedStrings.xml": sst}))


def test_billion_laughs_in_the_hyperlink_parts_is_not_expanded():
    """Hyperlinks are read by regex over bytes: entity references stay text, never expand."""
    sheet = synth.sheet_xml([synth.HEADER, ("FLORIDA", "A", "County", "X County", "Task Force Model",
                                            "2025-01-01", "link")])
    sheet = sheet.replace(b"</sheetData>", b'</sheetData><hyperlinks><hyperlink ref="G2" r:id="rId9"/></hyperlinks>')
    sheet = sheet.replace(b"<worksheet ", b'<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ')
    rels = ('<?xml version="1.0"?>' + LOL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId9" Type="hyperlink" Target="https://x/&lol9;" TargetMode="External"/>'
            '</Relationships>').encode()
    body = synth.workbook([], sheet=sheet, extra_members={"xl/worksheets/_rels/sheet1.xml.rels": rels})
    links = xlsx.read_hyperlinks(xlsx.check_zip(body), "xl/worksheets/sheet1.xml")
    assert links == {6: {1: "https://x/&lol9;"}}


@pytest.mark.parametrize("name", ["../../../../tmp/evil.xlsx", "..\\..\\evil.xlsx", "/etc/passwd", "....//evil.xlsx",
                                  "evil\x00.xlsx", "C:\\Windows\\evil.xlsx"])
def test_archive_never_writes_outside_its_root(tmp_path, name):
    root = tmp_path / "raw"
    sighting, _ = RawArchive(root).put(b"bytes", source="test", url="https://example.org/x", file_name=name)
    assert "/" not in sighting.file_name and "\\" not in sighting.file_name and "\0" not in sighting.file_name
    assert not sighting.file_name.startswith(".")
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*")}
    assert written == {"raw"}


def test_backfill_of_files_named_with_dot_dot(data):
    inbox = data / "in" / "sub"
    inbox.mkdir(parents=True)
    tricky = inbox / ("..\\..\\" + synth.file_name("participating", date(2025, 3, 3)))
    tricky.write_bytes(synth.workbook(GOOD_ROWS))
    dotted = inbox / (".." + synth.file_name("participating", date(2025, 3, 4)))
    dotted.write_bytes(synth.workbook(rows_for(6)))
    db = data / "warehouse.duckdb"
    result = CliRunner().invoke(app, ["backfill", str(data / "in" / "sub" / ".." / "sub"), str(tricky), str(dotted),
                                      "--db", str(db)])
    assert result.exit_code == 0, result.output
    with reader(db) as con:
        names = [r[0] for r in con.execute("SELECT file_name FROM raw_files UNION SELECT file_name FROM snapshots").fetchall()]
    assert names and all("/" not in n and "\\" not in n and not n.startswith(".") for n in names)
    copies = [p for p in data.rglob("*participatingAgencies*") if not p.is_relative_to(data / "in")]
    assert copies == []  # no copy under its given name anywhere (the archive stores by sha256 only)
