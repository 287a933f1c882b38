"""Dates and clock readings as chat apps write them, to ISO 8601 local time.

Shared by the WhatsApp and LINE readers. A phone writes any hour its clock setting
allows: 12-hour clocks with hour 0 ("0:04 AM") or 13-23 ("23:59 PM", a 24-hour hour
with a marker the locale adds anyway), and LINE writes a time after midnight as hour
24 of the day before ("24:53"), which is carried to the next day here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from itertools import groupby, pairwise

from pipeline.ingest.phrases import meridiem_key, meridiems

DATE_ORDERS = ("dmy", "mdy", "ymd")
_DATE_SPLIT_RE = re.compile(r"[./-]")
_CLOCK_SPLIT_RE = re.compile(r"[:.]")


def infer_date_order(dates: Iterable[str]) -> tuple[str, str]:
    """Decide d/m/y, m/d/y or y-m-d from all dates of a file, with the reason.

    A first or second field above 12 settles it. Otherwise the order is a guess, and
    the reason says so: in a file written over time the day changes more often than
    the month between consecutive headers.
    """
    # A run of headers on one day changes nothing: split each run's date once.
    fields = [tuple(_DATE_SPLIT_RE.split(d)) for d, _ in groupby(dates)]
    if not fields:
        return "dmy", "no dates"
    if all(len(f[0]) == 4 for f in fields):
        return "ymd", "four-digit year first"
    firsts = [int(f[0]) for f in fields]
    seconds = [int(f[1]) for f in fields]
    if max(firsts) > 12 >= max(seconds):
        return "dmy", "a first field above 12"
    if max(seconds) > 12 >= max(firsts):
        return "mdy", "a second field above 12"
    changes_first = sum(a != b for a, b in pairwise(firsts))
    changes_second = sum(a != b for a, b in pairwise(seconds))
    guess = "ambiguous: no date has a day above 12, so the order is a guess"
    if changes_first > changes_second:
        order, why = "dmy", "the first field changes more often, as days do"
    elif changes_second > changes_first:
        order, why = "mdy", "the second field changes more often, as days do"
    else:
        order, why = "dmy", "neither field changes more often; took day first"
    other = "mdy" if order == "dmy" else "dmy"
    return order, f"{guess}: {why}; --date-order {other} overrides"


def to_iso(date_text: str, time: str, marker: str | None, order: str) -> str | None:
    """ISO 8601 local time, seconds where the export has them; None if not a real
    date or clock reading."""
    day = iso_date(date_text, order)
    if day is None:
        return None
    clock = iso_clock(time, marker or "")
    if clock is None:
        return None
    reading, next_day = clock
    return f"{next_day_of(day) if next_day else day}T{reading}"


# Dates and clock readings repeat thousands of times in a long export: parse each once.
@lru_cache(maxsize=1 << 16)
def iso_date(text: str, order: str) -> str | None:
    parts = [int(p) for p in _DATE_SPLIT_RE.split(text)]
    if order == "ymd":
        year, month, day = parts
    elif order == "mdy":
        month, day, year = parts
    else:
        day, month, year = parts
    return ymd(year, month, day)


def ymd(year: int, month: int, day: int) -> str | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)
def iso_clock(time: str, marker: str) -> tuple[str, bool] | None:
    """("HH:MM[:SS]", carried to the next day) for a clock reading and its marker."""
    clock = [int(p) for p in _CLOCK_SPLIT_RE.split(time)]
    hour, minute = clock[0], clock[1]
    second = clock[2] if len(clock) == 3 else None
    if minute >= 60 or (second is not None and second >= 60):
        return None
    hour = hour_of_day(hour, meridiems().get(meridiem_key(marker), "") if marker else "")
    if hour is None:
        return None
    next_day = hour == 24
    reading = f"{hour % 24:02d}:{minute:02d}" + (f":{second:02d}" if second is not None else "")
    return reading, next_day


def hour_of_day(hour: int, meridiem: str) -> int | None:
    """0-24 (24: the next day's 0) for a written hour and its "am"/"pm" marker, if any.

    On a 12-hour clock 12 AM is midnight and 12 PM noon; hour 0 is midnight or noon as
    some clocks count 0-11; an hour of 13-23 is a 24-hour hour whatever the marker.
    """
    if hour > 24:
        return None
    if not meridiem or hour > 12:
        return hour
    return hour % 12 + (12 if meridiem == "pm" else 0)


@lru_cache(maxsize=1 << 12)
def next_day_of(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
