"""A person's appointments and task due dates as an iCalendar feed (RFC 5545).

The feed leaves the agency: it lands on phones and in calendar services. So events
name the case number and the kind of appointment only — never the client, the
appointment's title or place, or what a task says.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

from django.utils.translation import gettext as _

from .models import Appointment, AppointmentStatus, Task

PRODID = "-//Casework//Casework calendar feed//EN"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a character."""
    parts: list[str] = []
    current = ""
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
            limit = LINE_OCTETS - 1  # continuation lines begin with a space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _event(
    *, uid: str, stamp: datetime, summary: str, times: list[str], url: str, status: str
) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_utc(stamp)}",
        *times,
        f"SUMMARY:{escape_text(summary)}",
        f"STATUS:{status}",
        f"URL:{url}",
        "TRANSP:OPAQUE" if status != "CANCELLED" else "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def appointment_summary(appointment: Appointment) -> str:
    kind = appointment.get_kind_display()
    if appointment.case is not None:
        return f"{kind} · {appointment.case.reference}"
    return str(kind)


def task_summary(task: Task) -> str:
    if task.case is not None:
        return _("Task due · %(ref)s") % {"ref": task.case.reference}
    return _("Task due")


def render(
    *,
    name: str,
    host: str,
    base_url: str,
    appointments: Iterable[Appointment],
    tasks: Iterable[Task],
    now: datetime,
) -> str:
    """The whole calendar, CRLF line endings, folded."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for a in appointments:
        lines += _event(
            uid=f"appointment-{a.pk}@{host}",
            stamp=a.updated_at or now,
            summary=appointment_summary(a),
            times=[f"DTSTART:{_utc(a.starts_at)}", f"DTEND:{_utc(a.ends_at)}"],
            url=f"{base_url}/appointments/{a.pk}/",
            status="CANCELLED" if a.status == AppointmentStatus.CANCELLED else "CONFIRMED",
        )
    for t in tasks:
        if t.due_on is None:
            continue
        lines += _event(
            uid=f"task-{t.pk}@{host}",
            stamp=t.updated_at or now,
            summary=task_summary(t),
            times=[
                f"DTSTART;VALUE=DATE:{_day(t.due_on)}",
                f"DTEND;VALUE=DATE:{_day(t.due_on + timedelta(days=1))}",
            ],
            url=f"{base_url}/tasks/{t.pk}/",
            status="CONFIRMED",
        )
    lines.append("END:VCALENDAR")
    return "".join(f"{fold(line)}\r\n" for line in lines)


def unfold(text: str) -> Iterator[str]:
    """Content lines of a calendar with folding undone (for reading one back)."""
    current: str | None = None
    for raw in text.split("\r\n"):
        if raw.startswith(" ") and current is not None:
            current += raw[1:]
            continue
        if current is not None:
            yield current
        current = raw
    if current:
        yield current
