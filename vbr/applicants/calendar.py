"""iCalendar (RFC 5545) files for bookings, so a booked time lands in the candidate's own
calendar, and a move or cancellation updates the same event (same UID, higher SEQUENCE)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vbr.applicants.models import Booking, Slot
from vbr.recruitment.models import Assessment

PRODID = "-//VBR//Values-based recruitment//EN"


def _text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    start = 0
    while start < len(encoded):
        end = min(start + (75 if not parts else 74), len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1  # never split a UTF-8 character
        parts.append(encoded[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _calendar(
    *,
    uid: str,
    sequence: int,
    starts_at: datetime,
    minutes: int,
    summary: str,
    where: str,
    cancelled: bool,
    description: str = "",
) -> str:
    ends = starts_at + timedelta(minutes=minutes)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        f"METHOD:{'CANCEL' if cancelled else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(datetime.now(UTC))}",
        f"DTSTART:{_utc(starts_at)}",
        f"DTEND:{_utc(ends)}",
        "SUMMARY:" + _text(summary),
        f"LOCATION:{_text(where)}",
    ]
    if description:
        lines.append("DESCRIPTION:" + _text(description))
    lines += [
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def booking_event(booking: Booking, *, sequence: int, cancelled: bool = False) -> str:
    """The booking as a calendar event. The UID is the application's at that stage, so that
    moving to another slot replaces the event rather than adding a second one."""
    slot = booking.slot
    application = booking.application
    return _calendar(
        uid=f"vbr-application-{application.pk}-stage-{slot.stage_id}@vbr",
        sequence=sequence,
        starts_at=slot.starts_at,
        minutes=slot.minutes,
        summary=f"{slot.stage.name}: {application.role.title} at {application.provider.name}",
        where=slot.where,
        cancelled=cancelled,
    )


def panel_event(
    assessment: Assessment, *, slot: Slot, sequence: int, cancelled: bool = False
) -> str:
    """A panel member's calendar event for one candidate's assessment. Its UID is the
    assessment's (not the candidate's own event), so a move updates it and a cancellation
    takes it out of every panel member's calendar. The candidate by first name only, and
    nothing of anybody's scores."""
    application = assessment.application
    return _calendar(
        uid=f"vbr-assessment-{assessment.pk}-panel@vbr",
        sequence=sequence,
        starts_at=slot.starts_at,
        minutes=slot.minutes,
        summary=f"Panel: {slot.stage.name} with {application.candidate.first_name} "
        f"({application.role.title})",
        where=slot.where,
        cancelled=cancelled,
        description="Your scorecard opens from your VBR panel page.",
    )
