"""The cell's list as a spreadsheet (openpyxl), in the columns a cell files with the committee:
number, name, code, official or probationary, the suggested score and the points added or
removed, the total, the suggested band, the band the cell decided, the vote, the note; members
in the roster's order (by given name), then the count per band and the signature block."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, tzinfo

from services.assessment import texts as assessment_texts
from services.assessment.decisions import CellAssessment, period_label
from services.assessment.views import counts_text
from services.vndate import format_vn_datetime

SIGNATURE = ("T/M CHI BỘ", "BÍ THƯ")


def _text(value: str) -> str:
    """A cell's text as text: a leading = + - @ would make the spreadsheet run it."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def file_name(view: CellAssessment) -> str:
    return f"xep_loai_dang_vien_{view.period.key}.xlsx"


def render_xlsx(view: CellAssessment, made_at: datetime, tz: tzinfo) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    label = period_label(view.period)
    workbook = Workbook()
    workbook.properties.created = made_at.astimezone(tz).replace(tzinfo=None)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = assessment_texts.SHEET_TITLE.format(period=label)[:31]
    sheet.append([_text(view.cell.name)])
    sheet.append([assessment_texts.SHEET_HEADING.format(period=label.upper())])
    sheet["A2"].font = Font(bold=True)
    sheet.append([])
    sheet.append(list(assessment_texts.SHEET_COLUMNS))
    header = sheet.max_row
    for item in sheet[header]:
        item.font = Font(bold=True)
        item.alignment = Alignment(wrap_text=True, vertical="center")
    decided: Counter[str] = Counter()
    for n, member in enumerate(view.members, start=1):
        assert member.id is not None
        suggestion = view.suggestions[member.id]
        decision = view.decisions.get(member.id)
        if decision is not None:
            decided[decision.band] += 1
        vote = ""
        if decision is not None and decision.votes_for is not None:
            vote = f"{decision.votes_for}/{decision.votes_cast}"
        sheet.append(
            [
                n,
                _text(member.full_name),
                _text(member.code),
                assessment_texts.SHEET_STATUS.get(member.status, member.status),
                suggestion.base,
                suggestion.adjustment or None,
                suggestion.score,
                assessment_texts.BAND_NAMES.get(str(suggestion.band), ""),
                assessment_texts.BAND_NAMES.get(decision.band, "") if decision else "",
                vote,
                _text(decision.note or "") if decision else "",
            ]
        )
    sheet.append([])
    sheet.append(
        [assessment_texts.SHEET_SUMMARY.format(counts=counts_text(decided, len(view.members)))]
    )
    sheet.append([format_vn_datetime(made_at, tz)])
    sheet.append([])
    for line in SIGNATURE:
        sheet.append([None] * 8 + [line])
        sheet.cell(row=sheet.max_row, column=9).font = Font(bold=True)
    widths = (6, 28, 14, 14, 10, 10, 10, 26, 26, 14, 40)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
