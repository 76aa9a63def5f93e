"""The XLSX writer behind every spreadsheet export: what a person sees when they open the file
is what was exported, text stays text, and nothing a candidate typed becomes a formula."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
from django.utils import timezone

from vbr.reports.spreadsheet import sheet_names, write_xlsx


def test_an_export_opens_with_its_headers_bold_and_every_value_as_written() -> None:
    handle = io.BytesIO()
    noon = timezone.make_aware(datetime(2026, 3, 4, 12, 5))
    rows = [
        (1, "Amelia", "Care & support <nights>", 3.5, None, True, date(2026, 1, 2)),
        (2, "", "  two spaces either side  ", 2, Decimal("1.25"), False, noon),
    ]
    write_xlsx(
        handle, [("Applications", ["Id", "Name", "Role", "Mean", "Empty", "Yes", "When"], rows)]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(handle.getvalue())).active
    assert sheet.title == "Applications"
    assert [c.value for c in sheet[1]] == ["Id", "Name", "Role", "Mean", "Empty", "Yes", "When"]
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert [c.value for c in sheet[2]] == [
        1, "Amelia", "Care & support <nights>", 3.5, None, True, "2026-01-02"
    ]  # fmt: skip
    assert [c.value for c in sheet[3]] == [
        2, None, "  two spaces either side  ", 2, 1.25, False, "2026-03-04 12:05"
    ]  # fmt: skip


def test_text_that_looks_like_a_formula_or_a_number_stays_text() -> None:
    handle = io.BytesIO()
    typed = ['=HYPERLINK("http://x")', "+44 7700 900123", "-1", "@sum", "007", "1e5"]
    write_xlsx(handle, [("Typed", ["Typed"], [[value] for value in typed])])
    sheet = openpyxl.load_workbook(io.BytesIO(handle.getvalue())).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == [
        "'=HYPERLINK(\"http://x\")", "'+44 7700 900123", "'-1", "'@sum", "007", "1e5"
    ]  # fmt: skip
    assert all(c.data_type == "s" for c in cells)
    sheet_xml = zipfile.ZipFile(handle).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_characters_a_spreadsheet_cannot_hold_are_written_in_its_own_escape() -> None:
    """XML cannot hold most control characters: Excel reads "_x0007_" as one, and reads a
    typed "_x0041_" back as typed only when its underscore is escaped too."""
    handle = io.BytesIO()
    typed = ["line one\nline two", "bell\x07here", "literal _x0041_ text"]
    write_xlsx(handle, [("Typed", ["Typed"], [[value] for value in typed])])
    sheet = openpyxl.load_workbook(io.BytesIO(handle.getvalue())).active  # well-formed
    assert sheet["A2"].value == "line one\nline two"
    sheet_xml = zipfile.ZipFile(handle).read("xl/worksheets/sheet1.xml").decode()
    assert ">bell_x0007_here<" in sheet_xml
    assert ">literal _x005F_x0041_ text<" in sheet_xml


def test_several_sheets_keep_their_order_and_get_names_a_spreadsheet_accepts() -> None:
    handle = io.BytesIO()
    write_xlsx(
        handle,
        [
            ("1 Funnel: by stage", ["Stage"], [["Interview"]]),
            ("2 Values", ["Value"], [["Dignity"]]),
        ],
    )
    workbook = openpyxl.load_workbook(io.BytesIO(handle.getvalue()))
    assert workbook.sheetnames == ["1 Funnel  by stage", "2 Values"]
    assert workbook["2 Values"]["A2"].value == "Dignity"
    assert sheet_names(["A" * 40, "a" * 40]) == ["A" * 31, "a" * 27 + " 2"]
