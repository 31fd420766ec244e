"""Hyperlinks read from the sheet XML: Excel's usual layout, and every other way a writer may lay them out."""

from __future__ import annotations

import io
import zipfile

import pytest

from flows import xlsx

SHEET = "xl/worksheets/sheet1.xml"
RELS = "xl/worksheets/_rels/sheet1.xml.rels"


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


def _with_cover_sheet(body: bytes) -> bytes:
    """A real workbook with a notes sheet inserted before its list (as a future edition might have)."""
    src = zipfile.ZipFile(io.BytesIO(body))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b'<sheets><sheet name="Read me" sheetId="99" r:id="rIdCover"/>', 1)
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdCover" Type="http://schemas.'
                                    b'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                                    b'Target="worksheets/cover.xml"/></Relationships>')
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/worksheets/cover.xml" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                                    b"</Types>")
            out.writestr(info, data)
        out.writestr("xl/worksheets/cover.xml", '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                     '2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>287(g) agreements: see the '
                     'next sheet</t></is></c></row></sheetData></worksheet>')
    return buf.getvalue()


def test_a_list_after_a_cover_sheet_is_read_with_its_own_hyperlinks():
    from flows.ice_lists import parse_workbook
    from tests.conftest import SAMPLE

    real = (SAMPLE / "ice_287g" / "participating" / "participatingAgencies05292025am.xlsx").read_bytes()
    covered = _with_cover_sheet(real)
    assert [s.name for s in xlsx.read_sheets(covered, hyperlinks=False)][0] == "Read me"
    plain, other = parse_workbook(real), parse_workbook(covered)
    assert other.row_count == plain.row_count == 635
    assert other.columns == plain.columns
    assert other.links == plain.links and any(other.links["moa"])
