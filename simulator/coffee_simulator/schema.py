# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the modules of the simulator share about the REST API v1.

Its base path, resources and their fields, states, the error answer
(:class:`ApiError`), the timestamp format (ISO 8601 UTC with microseconds,
sortable as text), and the patterns and date-time format of openapi.json.
"""

import calendar
import re
from datetime import datetime, timedelta, timezone

API_PREFIX = "/api/v1"
RESOURCES = ("machines", "beverages", "users", "brews")
#: the largest record id (a signed 64-bit integer)
MAX_ID = 2**63 - 1
MACHINE_STATES = ("idle", "brewing", "maintenance", "error", "offline")
BREW_STATES = ("queued", "brewing", "done", "failed", "cancelled")
#: the model of a machine that answers 418 to every brew (RFC 2324)
TEAPOT_MODEL = "TEAPOT-418"
#: the simulated clock never answers before it; seeded data starts there
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)

# The patterns of openapi.json, written so that every regex dialect reads
# them alike (JSON Schema's ECMA-262, Python's, the validators'): white space
# is spelled out, and a closing ``$`` is the end of the text (the simulator
# uses ``fullmatch`` where the document has ``^...$``).
#: white space: what ECMA-262, Unicode or Python counts as such
WHITESPACE_CHARS = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
#: the same, as the body of a regex class
WHITESPACE = (
    r"\t\n\v\f\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000\ufeff"
)
#: a text that is not blank: it has a character other than white space
NOT_BLANK_PATTERN = f"[^{WHITESPACE}]"
#: an email address (``local@domain.tld``), or an empty text
EMAIL_PATTERN = f"^(|[^@{WHITESPACE}]+@[^@{WHITESPACE}]+\\.[^@{WHITESPACE}]+)$"
NOT_BLANK_RE = re.compile(NOT_BLANK_PATTERN)
EMAIL_RE = re.compile(EMAIL_PATTERN[1:-1])  # with fullmatch
#: an RFC 3339 date-time, the ``date-time`` format of JSON Schema
DATE_TIME_RE = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?"
    r"(?:[Zz]|([+-])(\d\d):(\d\d))",
    re.ASCII,
)
#: normalized stamps that sort before / after every stored one
BEFORE_EVERY_STAMP = "0000-01-01T00:00:00.000000+00:00"
AFTER_EVERY_STAMP = "9999-12-31T23:59:59.999999+99:99"

FIELDS = {
    "machines": (
        "id",
        "name",
        "model",
        "serial",
        "state",
        "water_level",
        "beans_level",
        "milk_level",
        "temperature",
        "updated_at",
    ),
    "beverages": (
        "id",
        "code",
        "name",
        "size_ml",
        "strength",
        "price",
        "currency",
        "active",
        "updated_at",
    ),
    "users": ("id", "name", "email", "badge", "ref", "active", "updated_at"),
    "brews": (
        "id",
        "machine_id",
        "beverage_id",
        "user_id",
        "state",
        "requested_at",
        "finished_at",
        "failure_reason",
        "idempotency_key",
        "updated_at",
    ),
}


class ApiError(Exception):
    """An error answer of the simulated API.

    :param status: HTTP status
    :param code: machine readable error code
    :param message: human readable message
    :param fields: optional dict field -> message
    :param headers: optional extra response headers
    """

    def __init__(self, status, code, message, fields=None, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}

    def body(self):
        """Return the JSON error body.

        :return: dict ``{"error": {"code", "message", "fields"?}}``
        """
        error = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        return {"error": error}


def format_timestamp(value):
    """Format an aware datetime as ISO 8601 UTC with microseconds.

    :param value: an aware datetime
    :return: e.g. ``2026-01-01T00:00:00.000000+00:00`` (sortable as text)
    """
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_timestamp(value):
    """Parse an ISO 8601 timestamp (naive means UTC) into the stored format.

    For the server-side controls, which take any ISO 8601 text; the API's
    ``updated_since`` is an RFC 3339 date-time (:func:`parse_date_time`).
    Tolerates a ``Z`` suffix and a ``+`` read as a space.

    :param value: the text
    :return: the normalized timestamp text
    :raise ValueError: when the text is not ISO 8601
    """
    if not isinstance(value, str) or not value.strip():
        raise ValueError("empty timestamp")
    text = value.strip()
    text = re.sub(r" (\d\d:?\d\d)$", r"+\1", text)
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return format_timestamp(parsed)
    except OverflowError as exc:
        raise ValueError(str(exc)) from None


def parse_date_time(value):
    """Parse an RFC 3339 date-time (JSON Schema's ``date-time`` format).

    The offset is required (``Z`` or ``+01:00``), ``T`` and ``Z`` may be
    lower case, the fraction may have any number of digits, and a leap
    second (``23:59:60`` in UTC) is accepted. The result is the smallest
    stored stamp at or after the instant, so that ``updated_at >= result``
    compares as with the instant itself.

    :param value: the text
    :return: the normalized timestamp text
    :raise ValueError: when the text is not an RFC 3339 date-time
    """
    match = DATE_TIME_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    year, month, day, hour, minute, second = map(int, match.group(1, 2, 3, 4, 5, 6))
    fraction, sign, off_hour, off_minute = match.group(7, 8, 9, 10)
    off_hour, off_minute = int(off_hour or 0), int(off_minute or 0)
    offset = (-1 if sign == "-" else 1) * (off_hour * 60 + off_minute)
    # a year of datetime's with the same February (the year may be 0000)
    like_year = 2000 if calendar.isleap(year) else 2001
    if not (
        1 <= month <= 12
        and 1 <= day <= calendar.monthrange(like_year, month)[1]
        and hour <= 23
        and minute <= 59
        and second <= 60
        and off_hour <= 23
        and off_minute <= 59
    ):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    # microseconds rounded up: the first stamp at or after the instant
    micros = int((fraction or "")[:6].ljust(6, "0"))
    micros += 1 if (fraction or "")[6:].strip("0") else 0
    if second == 60:
        # only 23:59:60 in UTC, in which no stamp falls: the next is at 24:00
        if (hour * 60 + minute - offset) % (24 * 60) != 23 * 60 + 59:
            raise ValueError(f"{value!r} is not an RFC 3339 date-time")
        second, micros = 59, 1000000
    # the Gregorian calendar repeats every 400 years: compute in a year that
    # datetime can hold, then come back
    shift = 400 if year < 5000 else -400
    stamp = datetime(
        year + shift, month, day, hour, minute, second, tzinfo=timezone.utc
    )
    stamp += timedelta(minutes=-offset, microseconds=micros)
    year = stamp.year - shift
    if year < 1:
        return BEFORE_EVERY_STAMP
    if year > 9999:
        return AFTER_EVERY_STAMP
    return format_timestamp(stamp.replace(year=year))
