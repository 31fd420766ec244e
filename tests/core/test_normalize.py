"""Cleaning of single cells: every quirk listed for the real files."""

from datetime import date

import pytest

from flows import normalize


@pytest.mark.parametrize(
    "raw, code",
    [
        ("FLORIDA", "FL"), ("TEXAS ", "TX"), ("Georgia", "GA"), ("PENNSLYVANIA", "PA"), ("WEST VIRIGINIA", "WV"),
        ("WEST VIRIGINA", "WV"), ("MCHIGAN", "MI"), ("UTAHJ", "UT"), ("UTAh", "UT"), ("AlABAMA", "AL"),
        ("GUAM", "GU"), ("NORTHERN MARIANA ISLANDS", "MP"), ("PUERTO RICO", "PR"), ("DELAWARE**", "DE"),
        ("NEW\u00a0YORK", "NY"), ("TX", "TX"), ("District of Columbia", "DC"),
        # AP abbreviations and compass initials, as hand-made lists write them
        ("Mass.", "MA"), ("Tex.", "TX"), ("N.C.", "NC"), ("W.Va.", "WV"), ("W. Va.", "WV"), ("S. Dakota", "SD"),
        ("N Dakota", "ND"), ("Miss.", "MS"),
    ],
)
def test_state_codes(raw, code):
    assert normalize.state_code(raw) == code


def test_unknown_state_is_none():
    assert normalize.state_code("ATLANTIS") is None
    assert normalize.state_code("") is None


@pytest.mark.parametrize(
    "raw, models",
    [
        ("Jail Enforcement Model", ["JEM"]), ("Jail Enforcment Model", ["JEM"]), ("Jail Enforcement", ["JEM"]),
        ("Task Force Model ", ["TFM"]), ("Task Force Officer", ["TFM"]), ("Task Force", ["TFM"]),
        ("Warrant Service Officer", ["WSO"]), ("Warrant Services Officer", ["WSO"]),
        ("Warrant Service Office", ["WSO"]), ("Jail & Task Force", ["JEM", "TFM"]), ("", []), ("Other", []),
        ("JEM", ["JEM"]), ("TFM/WSO", ["TFM", "WSO"]), ("Warrant Service Officer (WSO)", ["WSO"]),
        ("Stemware", []),
    ],
)
def test_models_by_keyword(raw, models):
    assert list(normalize.models(raw)) == models


@pytest.mark.parametrize(
    "raw, kind",
    [
        ("County", "County"), ("County ", "County"), ("Municipality", "Municipality"), ("Municipal", "Municipality"),
        ("Muncipality", "Municipality"), ("State Agency", "State Agency"), ("State", "State Agency"),
        ("#NA", None), ("", None), (None, None),
    ],
)
def test_agency_types(raw, kind):
    assert normalize.agency_type(raw) == kind


def test_text_cleaning():
    assert normalize.clean_text("  Lake\u00a0County  Sheriff\u2019s Office ") == "Lake County Sheriff's Office"
    assert normalize.clean_text("#N/A") is None
    assert normalize.clean_text("N/A") is None


def test_county_fixes_and_junk():
    assert normalize.county("Lake Conty", "FL") == ("Lake County", "county 'Lake Conty' corrected to 'Lake County' (ICE verified fix)")
    assert normalize.county("#N/A", "TX") == (None, None)
    assert normalize.county("Saint Landry County", "LA")[0] == "St. Landry Parish"
    assert normalize.county("Harris County ", "TX") == ("Harris County", None)


def test_agency_name_footnotes_and_addendum():
    assert normalize.agency_name("Mesa Police Department*") == "Mesa Police Department"
    assert normalize.agency_name("Collier County Sheriff's Office (Addendum)") == "Collier County Sheriff's Office"
    # the 2014-04-14 roster: "San Bernardino County Sheriff's Office Addendum"
    assert normalize.agency_name("San Bernardino County Sheriff's Office Addendum") == (
        "San Bernardino County Sheriff's Office")


@pytest.mark.parametrize(
    "raw, expected",
    [
        (date(2025, 5, 8), date(2025, 5, 8)), ("2016-06-08", date(2016, 6, 8)), (45785.0, date(2025, 5, 8)),
        ("5/8/2025", date(2025, 5, 8)), ("5/8/25", date(2025, 5, 8)), ("link", None), (None, None),
        # text as people type or export it
        ("2025/05/08", date(2025, 5, 8)), ("5-8-2025", date(2025, 5, 8)), ("5.8.25", date(2025, 5, 8)),
        ("May 8, 2025", date(2025, 5, 8)), ("Sept. 8 2025", date(2025, 9, 8)), ("08-May-2025", date(2025, 5, 8)),
        ("45785", date(2025, 5, 8)), ("12345", None), ("5-8/2025", None), ("2/30/2025", None), ("Smay 8, 2025", None),
    ],
)
def test_parse_date(raw, expected):
    assert normalize.parse_date(raw) == expected


def test_impossible_signed_year_is_repaired_with_a_note():
    fixed, note = normalize.signed_date("5025-07-07", date(2025, 7, 11))
    assert fixed == date(2025, 7, 7)
    assert "5025" in note
    assert normalize.signed_date("2019-04-24", date(2025, 7, 11)) == (date(2019, 4, 24), None)


def test_moa_url_from_hyperlink_or_text():
    assert normalize.moa_url("https://www.ice.gov/doclib/287gMOA/x.pdf", "link") == "https://www.ice.gov/doclib/287gMOA/x.pdf"
    archived = "https://web.archive.org/web/20210131051047/https://www.ice.gov/doclib/287gMOA/y.pdf"
    assert normalize.moa_url(None, archived) == "https://www.ice.gov/doclib/287gMOA/y.pdf"
    assert normalize.moa_url(None, "link pending") is None
    # ICE pasted some links from Outlook: the Safe Links wrapper hides the same PDF
    wrapped = ("https://gcc02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fwww.ice.gov%2Fdoclib%2F287gMOA%2F"
               "ColbertCoSheriffsOfficeAL_WSO_MOA_05.08.25.pdf&data=05%7C02%7CERO287g%40ice.dhs.gov&reserved=0")
    assert normalize.moa_url(wrapped, "MOA") == "https://www.ice.gov/doclib/287gMOA/ColbertCoSheriffsOfficeAL_WSO_MOA_05.08.25.pdf"
    assert normalize.moa_url("https://gcc02.safelinks.protection.outlook.com/?data=x", None) == (
        "https://gcc02.safelinks.protection.outlook.com/?data=x")  # nothing wrapped: kept as it is
    # real targets of 2025-2026: a PDF's address copied from Chrome's viewer, and a scheme missing a slash
    viewer = "chrome-extension://efaidnbmnnnibpcajpcglclefindmkaj/https:/www.ice.gov/doclib/287gMOA/UnivFLPDFL_TFM_MOA_041525.pdf"
    assert normalize.moa_url(viewer, "link") == "https://www.ice.gov/doclib/287gMOA/UnivFLPDFL_TFM_MOA_041525.pdf"
    assert normalize.moa_url("https:/www.ice.gov/doclib/287gMOA/a.pdf", "link") == "https://www.ice.gov/doclib/287gMOA/a.pdf"


def test_state_fix_moves_an_agreement_listed_under_the_wrong_state():
    assert normalize.fixed_state("FL", "Burnet County Sheriff's Office", "WSO", date(2019, 11, 5)) == "TX"
    assert normalize.fixed_state("TX", "Burnet County Sheriff's Office", "WSO", date(2019, 11, 5)) is None
