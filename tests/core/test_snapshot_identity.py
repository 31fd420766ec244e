"""Which list a file is and which date it describes: the file-name family, checked by content."""

from datetime import date, datetime

import pytest

from flows.ice_lists import ParsedList, RawRow
from flows.snapshot_identity import decide, hints_from_name, read_manifest


@pytest.mark.parametrize(
    "name, kind, as_of, basis",
    [
        ("participatingAgencies05292025am.xlsx", "participating", date(2025, 5, 29), "file_name"),
        ("pendingAgencies05302025pm.xlsx", "pending", date(2025, 5, 30), "file_name"),
        ("ParticipatingAgencies07012025.xlsx", "participating", date(2025, 7, 1), "file_name"),
        ("participatingAgencies09102025mid.xlsx", "participating", date(2025, 9, 10), "file_name"),
        ("287gParticipatingAgencies091526pm.xlsx", "participating", date(2026, 9, 15), "file_name"),
        ("ParticipatingAgency091826am.xlsx", "participating", date(2026, 9, 18), "file_name"),
        ("participatingAgencies04212026am 12.15.07 AM.xlsx", "participating", date(2026, 4, 21), "file_name"),
        ("participatingAgencies05292025am copy.xlsx", "participating", date(2025, 5, 29), "file_name"),
        ("participatingAgencies05292025am_b.xlsx", "participating", date(2025, 5, 29), "file_name"),
        ("participatingAgencies05292025amB.xlsx", "participating", date(2025, 5, 29), "file_name"),
        ("participatingAgencies090022025am.xlsx", "participating", date(2025, 9, 2), "file_name"),
        ("ParticipatingEntities-20210131051047.xlsx", "participating", date(2021, 1, 31), "capture_time"),
        ("pendingAgencies-20250228192630.xlsx", "pending", date(2025, 2, 28), "capture_time"),
        # renamed copies: dates with separators, ISO or US order; a macOS clock time is not a date
        ("participatingAgencies 2025-05-29.xlsx", "participating", date(2025, 5, 29), "file_name"),
        ("participatingAgencies05-29-2025am.xlsx", "participating", date(2025, 5, 29), "file_name"),
        ("pendingAgencies_5_30_25.xlsx", "pending", date(2025, 5, 30), "file_name"),
        ("participatingAgencies 5.29.25.xlsx", "participating", date(2025, 5, 29), "file_name"),
        ("participatingAgencies 12.15.07 AM.xlsx", "participating", None, None),
        # year first, a date before the list word, the month's name
        ("participatingAgencies_20260601.xlsx", "participating", date(2026, 6, 1), "file_name"),
        ("287g_20260601_pendingAgencies.xlsx", "pending", date(2026, 6, 1), "file_name"),
        ("2026-06-01_participatingAgencies.xlsx", "participating", date(2026, 6, 1), "file_name"),
        ("06012026 participatingAgencies.xlsx", "participating", date(2026, 6, 1), "file_name"),
        ("participatingAgencies June 1 2026.xlsx", "participating", date(2026, 6, 1), "file_name"),
        ("pendingAgencies_Jun_1st_2026.xlsx", "pending", date(2026, 6, 1), "file_name"),
    ],
)
def test_name_family(name, kind, as_of, basis):
    hints = hints_from_name(name)
    assert (hints.list_kind, hints.as_of, hints.basis) == (kind, as_of, basis)


def _parsed(signed: list[object] | None) -> ParsedList:
    fields = ("state", "agency", "support_type") + (("signed",) if signed is not None else ())
    rows = [RawRow(i + 2, {"state": "TEXAS", "agency": f"A{i}", "support_type": "Task Force Model",
                           **({"signed": s} if signed is not None else {})}) for i, s in enumerate(signed or [None])]
    return ParsedList.from_rows("Sheet1", "|".join(fields), fields, [], rows)


def test_swapped_files_are_read_by_content():
    ident = decide(_parsed(None), "participatingAgencies09222025pm.xlsx")
    assert ident.list_kind == "pending"
    assert "swapped" in ident.notes[0] or "content is a pending list" in ident.notes[0]
    ident = decide(_parsed([date(2025, 9, 1)]), "pendingAgencies09222025pm.xlsx")
    assert ident.list_kind == "participating"


def test_year_typo_in_name_is_corrected_from_signed_dates():
    # participatingAgencies01052025pm.xlsx was published in January 2026: its SIGNED dates run past the name.
    ident = decide(_parsed([date(2025, 12, 30), date(2026, 1, 2)]), "participatingAgencies01052025pm.xlsx",
                   today=date(2026, 11, 27))
    assert ident.as_of == date(2026, 1, 5)
    assert ident.basis == "file_name_corrected"


def test_digits_that_read_two_ways_take_the_reading_the_content_agrees_with():
    # 1012026: 1/01/2026 or 10/1/2026; a list signed up to 2026-05-17 cannot be of January 1st
    assert hints_from_name("participatingAgencies1012026am.xlsx").other_dates == (date(2026, 10, 1),)
    ident = decide(_parsed([date(2026, 5, 17)]), "participatingAgencies1012026am.xlsx", today=date(2026, 11, 29))
    assert (ident.as_of, ident.basis) == (date(2026, 10, 1), "file_name")
    assert "reads as 2026-01-01 or 2026-10-01" in ident.notes[0]
    ident = decide(_parsed([date(2025, 12, 17)]), "participatingAgencies1012026am.xlsx", today=date(2026, 11, 29))
    assert ident.as_of == date(2026, 1, 1) and ident.notes == []


def test_one_or_two_signed_typos_do_not_move_the_lists_date():
    signed = [date(2026, 5, 1)] * 60 + [date(2026, 9, 15)]  # one row signed after the name's date
    ident = decide(_parsed(signed), "participatingAgencies06012026am.xlsx", today=date(2026, 11, 29))
    assert (ident.as_of, ident.basis) == (date(2026, 6, 1), "file_name")
    assert ident.notes == ["1 SIGNED date(s) after the list's date 2026-06-01 (latest 2026-09-15): SIGNED typos, "
                           "the file name date is kept"]
    many = [date(2026, 5, 1)] * 60 + [date(2026, 9, 15)] * 3  # three are no typos: the name is wrong
    assert decide(_parsed(many), "participatingAgencies06012026am.xlsx", today=date(2026, 11, 29)).as_of == date(2026, 9, 15)


def test_a_1980_mtime_is_not_a_fetch_time():
    # Zip tools stamp extracted files 1980-01-01: neither an as-of nor a bound on SIGNED dates.
    ident = decide(_parsed([date(2025, 3, 1)]), "participatingAgencies.xlsx", fetched_at=datetime(1980, 1, 1),
                   today=date(2026, 11, 29))
    assert (ident.as_of, ident.basis) == (date(2025, 3, 1), "newest_signed")


def test_impossible_signed_years_do_not_move_the_as_of():
    ident = decide(_parsed([date(2025, 7, 7), "5025-07-07"]), "participatingAgencies07112025am.xlsx")
    assert ident.as_of == date(2025, 7, 11)


def test_fetch_time_when_the_name_has_no_date():
    ident = decide(_parsed([date(2025, 1, 1)]), "participatingAgencies.xlsx",
                   fetched_at=datetime(2025, 3, 2, 12, 0))
    assert (ident.as_of, ident.basis) == (date(2025, 3, 2), "fetch_time")


def test_manifest_overrides(tmp_path):
    (tmp_path / "m.csv").write_text("path,list_kind,as_of\nsub/x.xlsx,pending,2025-02-21\n")
    entries = read_manifest(tmp_path / "m.csv")
    assert entries["x.xlsx"] == ("pending", date(2025, 2, 21))
    assert entries[str((tmp_path / "sub" / "x.xlsx").resolve())] == ("pending", date(2025, 2, 21))
    ident = decide(_parsed(None), "x.xlsx", manifest=entries["x.xlsx"])
    assert (ident.list_kind, ident.as_of, ident.basis) == ("pending", date(2025, 2, 21), "manifest")


def test_bad_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "m.csv").write_text("path,as_of\nx.xlsx,2025-02-21\n")
    with pytest.raises(ValueError, match="lacks column"):
        read_manifest(tmp_path / "m.csv")
    (tmp_path / "m.csv").write_text("path,list_kind,as_of\nx.xlsx,pending,21/02/2025\n")
    with pytest.raises(ValueError, match="not YYYY-MM-DD"):
        read_manifest(tmp_path / "m.csv")
