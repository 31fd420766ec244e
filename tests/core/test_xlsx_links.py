"""Hyperlinks read from the sheet XML: Excel's usual layout, and every other way a writer may lay them out."""

from __future__ import annotations

import io
import re
import zipfile

import duckdb
import pytest

from bench.synth import sheet_xml
from flows import xlsx
from flows.ice_lists import parse_workbook
from tests.conftest import SAMPLE
from warehouse.load import load_paths

SHEET = "xl/worksheets/sheet1.xml"
RELS = "xl/worksheets/_rels/sheet1.xml.rels"
REAL = SAMPLE / "ice_287g" / "participating" / "participatingAgencies05292025am.xlsx"  # 635 rows, 425 MOA links


def _zip(hyperlinks: str, relationships: str) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(SHEET, f'<worksheet xmlns:r="r"><sheetData/><hyperlinks>{hyperlinks}</hyperlinks></worksheet>')
        zf.writestr(RELS, f'<?xml version="1.0"?><Relationships xmlns="x">{relationships}</Relationships>')
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


USUAL_RELS = ('<Relationship Id="rId1" Type="t/hyperlink" Target="https://a/1.pdf" TargetMode="External"/>'
              '<Relationship Id="rId2" Type="t/hyperlink" Target="https://a/2.pdf?x=1&amp;y=2" TargetMode="External"/>')


def test_usual_layout():
    zf = _zip('<hyperlink ref="F2" r:id="rId1" display="x"/><hyperlink ref="G3" r:id="rId2"/>', USUAL_RELS)
    assert xlsx.read_hyperlinks(zf, SHEET) == {5: {1: "https://a/1.pdf"}, 6: {2: "https://a/2.pdf?x=1&y=2"}}
    assert xlsx.read_hyperlinks(zf, SHEET, [5]) == {5: {1: "https://a/1.pdf"}}
    assert xlsx.read_hyperlinks(zf, SHEET, []) == {}


@pytest.mark.parametrize("hyperlinks", [
    '<hyperlink r:id="rId1" ref="F2"/><hyperlink ref="G3" r:id="rId2"/>',  # attribute order differs for one
    '<x:hyperlink ref="F2" r:id="rId1"/><x:hyperlink ref="G3" r:id="rId2"/>',  # namespace prefix
    '<hyperlink\n ref="F2" r:id="rId1"/><hyperlink ref="G3"   r:id="rId2"/>',  # other spacing
])
def test_any_other_layout_is_read_the_same(hyperlinks):
    zf = _zip(hyperlinks, USUAL_RELS)
    assert xlsx.read_hyperlinks(zf, SHEET) == {5: {1: "https://a/1.pdf"}, 6: {2: "https://a/2.pdf?x=1&y=2"}}


def test_relationships_in_another_layout():
    rels = ('<Relationship Target="https://a/1.pdf" Id="rId1" Type="t/hyperlink"/>'
            '<Relationship Id="rId2" Type="t/hyperlink" Target="https://a/2.pdf"/>')
    zf = _zip('<hyperlink ref="F2" r:id="rId1"/><hyperlink ref="F3" r:id="rId2"/>', rels)
    assert xlsx.read_hyperlinks(zf, SHEET) == {5: {1: "https://a/1.pdf", 2: "https://a/2.pdf"}}


def test_ranges_absolute_refs_and_unknown_ids():
    zf = _zip('<hyperlink ref="F2:G3" r:id="rId1"/><hyperlink ref="$H$9" r:id="rId2"/>'
              '<hyperlink ref="F9" r:id="rId7"/><hyperlink ref="f10" r:id="rId1"/>', USUAL_RELS)
    assert xlsx.read_hyperlinks(zf, SHEET) == {
        5: {1: "https://a/1.pdf", 2: "https://a/1.pdf"}, 6: {1: "https://a/1.pdf", 2: "https://a/1.pdf"},
        7: {8: "https://a/2.pdf?x=1&y=2"}}
    assert xlsx.read_hyperlinks(zf, SHEET, [6]) == {6: {1: "https://a/1.pdf", 2: "https://a/1.pdf"}}


COVER = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
         '<c r="A1" t="inlineStr"><is><t>287(g) agreements: see the next sheet</t></is></c></row></sheetData></worksheet>')


def _with_cover_sheet(body: bytes, name: str = "Read me", sheet: str = COVER, *, hidden: bool = False,
                      hide_the_list: bool = False) -> bytes:
    """A real workbook with another sheet inserted before its list (as a future edition might have): a
    notes sheet, or a hidden one; or with its own list sheet hidden."""
    src = zipfile.ZipFile(io.BytesIO(body))
    buf = io.BytesIO()
    state = b' state="hidden"' if hidden else b""
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                if hide_the_list:
                    data = data.replace(b"<sheet ", b'<sheet state="hidden" ', 1)
                data = data.replace(b"<sheets>", b'<sheets><sheet name="' + name.encode() + b'" sheetId="99"' + state
                                    + b' r:id="rIdCover"/>', 1)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdCover" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                    b'Target="worksheets/cover.xml"/></Relationships>')
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/cover.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                                    b"</Types>")
            out.writestr(info, data)
        out.writestr("xl/worksheets/cover.xml", sheet)
    return buf.getvalue()


def test_a_list_after_a_cover_sheet_is_read_with_its_own_hyperlinks():
    real = REAL.read_bytes()
    covered = _with_cover_sheet(real)
    assert [s.name for s in xlsx.read_sheets(covered, hyperlinks=False)][0] == "Read me"
    plain, other = parse_workbook(real), parse_workbook(covered)
    assert other.row_count == plain.row_count == 635
    assert other.columns == plain.columns
    assert other.links == plain.links and any(other.links["moa"])


def test_a_hidden_older_list_before_the_visible_one_is_not_read():
    real = REAL.read_bytes()
    older = sheet_xml([("STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE", "SIGNED"),
                       ("TEXAS", "Old County Sheriff's Office", "Task Force Model", 45000)]).decode()
    hidden_first = parse_workbook(_with_cover_sheet(real, "Old list", older, hidden=True))
    assert hidden_first.row_count == 635 and hidden_first.columns["agency"][0] != "Old County Sheriff's Office"
    assert hidden_first.notes == [f"only sheet {hidden_first.sheet_name!r} was read; 'Old list' hold(s) a list too "
                                  "(save each list as its own file to load it)"]
    # a list that only a hidden sheet holds is still read, and the snapshot says where it came from
    only_hidden = parse_workbook(_with_cover_sheet(real, hide_the_list=True))
    assert only_hidden.row_count == 635
    assert only_hidden.notes == [f"list read from the hidden sheet {only_hidden.sheet_name!r} (no visible sheet holds one)"]


def _real_with(sheet_xml_edit, rels: bytes | None = None) -> bytes:
    """The real 2025-05-29 list with its sheet XML edited (and its sheet relationships replaced)."""
    src = zipfile.ZipFile(io.BytesIO(REAL.read_bytes()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == SHEET:
                data = sheet_xml_edit(data)
            elif info.filename == RELS and rels is not None:
                data = rels
            out.writestr(info, data)
    return buf.getvalue()


def test_hyperlink_formulas_give_the_urls_when_the_cells_have_no_hyperlinks():
    """A copy re-made elsewhere may link with =HYPERLINK("url","link") instead of cell hyperlinks."""
    plain = parse_workbook(_real_with(lambda x: x))
    urls = {row: url for row, url in zip(plain.row_numbers, plain.links["moa"], strict=True) if url}
    moa_col = "ABCDEFGHIJ"[plain.fields.index("moa")]  # no blank columns before MOA in this layout

    def as_formulas(xml: bytes) -> bytes:
        xml = re.sub(rb"<hyperlinks>.*</hyperlinks>", b"", xml, flags=re.S)

        def cell(m):
            url = urls.get(int(m.group(2)))
            if not url:
                return m.group(0)
            return (b'<c r="%s%s" t="str"><f>HYPERLINK("%s","link")</f><v>link</v></c>'
                    % (m.group(1), m.group(2), url.replace("&", "&amp;").encode()))
        return re.sub(rb'<c r="(' + moa_col.encode() + rb')(\d+)"[^>]*?(?:/>|>.*?</c>)', cell, xml, flags=re.S)

    linked = parse_workbook(_real_with(as_formulas, rels=b'<?xml version="1.0"?><Relationships xmlns="x"/>'))
    assert linked.row_count == plain.row_count == 635
    assert linked.links["moa"] == plain.links["moa"] and sum(map(bool, linked.links["moa"])) == len(urls) > 400


def test_cells_merged_down_a_column_are_read_on_every_row():
    plain = parse_workbook(_real_with(lambda x: x))
    states = plain.columns["state"]
    runs, start = [], 0  # every run of one state printed once, in a cell merged over its rows
    for i in range(1, len(states) + 1):
        if i == len(states) or states[i] != states[start]:
            if i - start > 1:
                runs.append((plain.row_numbers[start], plain.row_numbers[i - 1]))
            start = i
    merges = "".join(f'<mergeCell ref="A{a}:A{b}"/>' for a, b in runs).encode()

    def merged(xml: bytes) -> bytes:
        for a, b in runs:  # the cells under the first of each run are empty
            xml = re.sub(rb'<c r="A(%s)"[^>]*?(?:/>|>.*?</c>)' % b"|".join(str(r).encode() for r in range(a + 1, b + 1)),
                         b"", xml, flags=re.S)
        return xml.replace(b"</sheetData>", b'</sheetData><mergeCells count="%d">%s</mergeCells>' % (len(runs), merges), 1)

    filled = parse_workbook(_real_with(merged))
    assert len(runs) > 10
    assert filled.columns == plain.columns and filled.links == plain.links


def test_a_workbook_holding_two_lists_is_held_for_review(tmp_path):
    real = REAL.read_bytes()
    pending = sheet_xml([("STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE"),
                         ("TEXAS", "Some County Sheriff's Office", "Task Force Model")]).decode()
    path = tmp_path / "participatingAgencies05292025am.xlsx"
    path.write_bytes(_with_cover_sheet(real, "Pending", pending))
    report = load_paths(tmp_path / "w.duckdb", [path], raw_root=tmp_path / "raw")
    assert [r.rows for r in report.loaded] == [635]
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    status, notes = con.execute("SELECT status, quality_notes FROM snapshots").fetchone()
    con.close()
    assert status == "quarantined"
    assert "QUARANTINED: more than one list in the workbook: only sheet 'Sheet1' was read; 'Pending' hold(s) one too" in notes
