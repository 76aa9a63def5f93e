"""A small, fast XLSX writer for exports: sheets of rows, a bold header, plain values.

An export is rows of plain values: text, numbers, dates, empty cells. A general spreadsheet
library spends most of a large export's time in a call per cell; here each row becomes one
piece of sheet XML built in a single pass, and sheets are streamed into the zip as they are
made, so memory stays flat however many rows there are. Text is written inline (no shared
string table to hold in memory), and never read as a formula: cells carry their type.

The file is the smallest package Excel, LibreOffice and openpyxl open: content types, the
workbook and its relationships, one stylesheet (normal and bold) and the sheets.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice
from typing import IO, Any

from django.utils import timezone

# First characters that make a spreadsheet read text as a formula (the CSV exports use it too).
FORMULA_FIRST = frozenset(("=", "+", "-", "@", "\t", "\r"))
ROWS_PER_WRITE = 2000
# Fast to write and still several times smaller than the sheet's XML.
COMPRESS_LEVEL = 1
# Characters XML 1.0 cannot hold, and text that looks like Excel's own escape for them.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
# Not allowed in a sheet's name.
_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_HEAD = f'{_XML_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'
_SHEET_TAIL = "</sheetData></worksheet>"
_STYLES = (
    f'{_XML_HEAD}<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _unwritable(match: re.Match[str]) -> str:
    found = match.group()
    if found.startswith("_x"):
        return "_x005F" + found  # the text itself, not an escape
    return f"_x{ord(found):04X}_"


def _text(value: str) -> str:
    """A text cell's XML, inert: a formula's first character gets an apostrophe before it."""
    if value[:1] in FORMULA_FIRST:
        value = "'" + value
    if not value.isprintable() or "_x" in value:
        value = _UNWRITABLE.sub(_unwritable, value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    if "<" in value:
        value = value.replace("<", "&lt;")
    if ">" in value:
        value = value.replace(">", "&gt;")
    return f'<c t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def _cell(value: Any) -> str:
    """One cell's XML. Called for every cell of a large export: the common cases first."""
    kind = value.__class__
    if kind is str:
        return _text(value) if value else "<c/>"
    if value is None:
        return "<c/>"
    if kind is int or kind is float:
        return f"<c><v>{value!r}</v></c>"
    if kind is bool:
        return f'<c t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        local = value.astimezone(timezone.get_current_timezone()) if value.tzinfo else value
        return _text(local.strftime("%Y-%m-%d %H:%M"))
    if isinstance(value, date):
        return _text(value.isoformat())
    if isinstance(value, int | float | Decimal):
        return f"<c><v>{float(value)!r}</v></c>"
    return _text(str(value))


def _escape_attribute(value: str) -> str:
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def sheet_names(names: Iterable[str]) -> list[str]:
    """Names a spreadsheet accepts: at most 31 characters, none of []:*?/\\, each different."""
    chosen: list[str] = []
    for number, name in enumerate(names, start=1):
        name = _NAME_UNSAFE.sub(" ", name).strip()[:31] or f"Sheet {number}"
        while name.lower() in (c.lower() for c in chosen):
            name = f"{name[:27]} {number}"
        chosen.append(name)
    return chosen


def write_xlsx(
    target: str | IO[bytes], sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> None:
    """Write sheets (name, headers, rows) as an XLSX file, streaming each sheet's rows.

    Text is written as text (never as a formula or a number) and made inert as in the CSV
    exports, so that it stays so if the file is saved as CSV later; times are local.
    """
    sheets = list(sheets)
    names = sheet_names(name for name, _headers, _rows in sheets)
    with zipfile.ZipFile(
        target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    ) as package:
        sheet_list = "".join(
            f'<sheet name="{_escape_attribute(name)}" sheetId="{number}" r:id="rId{number}"/>'
            for number, name in enumerate(names, start=1)
        )
        package.writestr(
            "xl/workbook.xml",
            f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f"<sheets>{sheet_list}</sheets></workbook>",
        )
        relations = "".join(
            f'<Relationship Id="rId{number}" Type="{_REL}/worksheet" '
            f'Target="worksheets/sheet{number}.xml"/>'
            for number in range(1, len(names) + 1)
        )
        styles_id = len(names) + 1
        package.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">{relations}'
            f'<Relationship Id="rId{styles_id}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>",
        )
        package.writestr("xl/styles.xml", _STYLES)
        package.writestr(
            "_rels/.rels",
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for number in range(1, len(names) + 1)
        )
        package.writestr(
            "[Content_Types].xml",
            f"{_XML_HEAD}<Types "
            'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        for number, (_name, headers, rows) in enumerate(sheets, start=1):
            with package.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as out:
                header = "".join(_text(str(h)).replace("<c ", '<c s="1" ', 1) for h in headers)
                out.write(f'{_SHEET_HEAD}<row r="1">{header}</row>'.encode())
                cells = iter(rows)
                while chunk := list(islice(cells, ROWS_PER_WRITE)):
                    xml = "".join(
                        ["<row>" + "".join([_cell(v) for v in row]) + "</row>" for row in chunk]
                    )
                    out.write(xml.encode())
                out.write(_SHEET_TAIL.encode())
