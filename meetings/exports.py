"""Files the joint meeting hands out: the invitation (.ics) and the minutes (.docx) in the government layout."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .choices import AttendanceStatus, Outcome
from .models import Attendance, ItemSummary, Meeting, Minutes

CHINESE_NUMERALS = "一二三四五六七八九十"


def meeting_ics(meeting: Meeting, *, host: str = "portal.local") -> bytes:
    """An iCalendar invitation for the meeting, for any calendar program."""
    start = timezone.make_aware(datetime.datetime.combine(meeting.date, meeting.start_time))
    end_time = (
        meeting.end_time
        or (datetime.datetime.combine(meeting.date, meeting.start_time) + datetime.timedelta(hours=2)).time()
    )
    end = timezone.make_aware(datetime.datetime.combine(meeting.date, end_time))
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Network Economy Development Bureau//portal//ZH")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", str(meeting))
    event.add("location", meeting.place or meeting.online_url)
    description = _("Convened by %(convening)s; minutes recorded by %(recording)s.") % {
        "convening": meeting.convening_unit, "recording": meeting.recording_unit,
    }  # fmt: skip
    if meeting.online_url:
        description += f"\n{meeting.online_url}"
        event.add("url", meeting.online_url)
    event.add("description", description)
    event.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL}", parameters={"cn": str(meeting.convening_unit)})
    cal.add_component(event)
    return bytes(cal.to_ical())


def _numeral(n: int) -> str:
    return CHINESE_NUMERALS[n - 1] if 1 <= n <= len(CHINESE_NUMERALS) else str(n)


def _font(run: object, name: str, size: float, *, bold: bool = False, colour: RGBColor | None = None) -> None:
    run.font.size = Pt(size)  # type: ignore[attr-defined]
    run.font.bold = bold  # type: ignore[attr-defined]
    run.font.name = name  # type: ignore[attr-defined]
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)  # type: ignore[attr-defined]
    if colour is not None:
        run.font.color.rgb = colour  # type: ignore[attr-defined]


def minutes_docx(minutes: Minutes, items: Sequence[ItemSummary], attendance: Sequence[Attendance]) -> bytes:
    """The minutes as a Word document: red header, number, date, attendees, then the items and their outcomes."""
    meeting = minutes.meeting
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    def paragraph(text: str, *, font: str = "仿宋_GB2312", size: float = 16, bold: bool = False,
                  align: int | None = None, indent: bool = False, colour: RGBColor | None = None) -> None:  # fmt: skip
        para = doc.add_paragraph()
        if align is not None:
            para.alignment = align  # type: ignore[assignment]
        if indent:
            para.paragraph_format.first_line_indent = Pt(size * 2)
        para.paragraph_format.line_spacing = Pt(28)
        _font(para.add_run(text), font, size, bold=bold, colour=colour)

    red = RGBColor(0xC0, 0x00, 0x00)
    paragraph(
        _("Director-level joint meeting minutes"),
        font="方正小标宋简体",
        size=26,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        colour=red,
    )
    paragraph(_("No. %(number)s") % {"number": meeting.number}, size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    version = _("version %(version)s") % {"version": minutes.version} if minutes.version > 1 else ""
    paragraph(
        f"{meeting.convening_unit}　{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日　{version}".strip(),
        size=14, align=WD_ALIGN_PARAGRAPH.CENTER,
    )  # fmt: skip
    paragraph("━" * 24, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, colour=red)
    paragraph(str(meeting), font="方正小标宋简体", size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    when = f"{meeting.date.year}年{meeting.date.month}月{meeting.date.day}日"
    paragraph(
        _("On %(date)s the joint meeting was held at %(place)s, convened by %(convening)s.") % {
            "date": when, "place": meeting.place or meeting.online_url, "convening": meeting.convening_unit},
        indent=True,
    )  # fmt: skip
    if minutes.preamble:
        paragraph(minutes.preamble, indent=True)
    present = [a for a in attendance if a.status != AttendanceStatus.ABSENT]
    absent = [a for a in attendance if a.status == AttendanceStatus.ABSENT]
    names = "、".join(f"{a.unit}" + (f"（{a.attendee_name}）" if a.attendee_name else "") for a in present)
    paragraph(_("Attending units: %(names)s.") % {"names": names or "—"}, indent=True)
    if absent:
        paragraph(
            _("Absent: %(names)s.") % {"names": "、".join(f"{a.unit}（{a.absence_reason}）" for a in absent)},
            indent=True,
        )
    paragraph(_("The meeting discussed the following items:"), indent=True)
    for n, item in enumerate(items, start=1):
        paragraph(f"{_numeral(n)}、{item.agenda_item.title}", font="黑体", size=16)
        paragraph(item.summary, indent=True)
        if item.outcome == Outcome.DECISION:
            paragraph(_("Decision: the above was agreed by the meeting."), font="楷体_GB2312", indent=True)
        elif item.outcome == Outcome.ACTION and item.due_on is not None:
            paragraph(
                _("Action item: %(owner)s is responsible, due %(due)s; expected result: %(result)s.") % {
                    "owner": item.owner_unit, "due": item.due_on.isoformat(), "result": item.expected_result or "—"},
                font="楷体_GB2312", indent=True,
            )  # fmt: skip
    if minutes.reason:
        paragraph(_("Corrected: %(reason)s") % {"reason": minutes.reason}, size=14, indent=True)
    paragraph("━" * 24, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(
        _("Distribution: member units of the joint meeting. %(recording)s, issued %(date)s") % {
            "recording": meeting.recording_unit,
            "date": timezone.localdate(minutes.published_at).isoformat() if minutes.published_at else "—"},
        size=14,
    )  # fmt: skip
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
