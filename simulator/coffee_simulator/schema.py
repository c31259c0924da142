# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the modules of the simulator share about the REST API v1.

Its base path, resources and their fields, states, the error answer
(:class:`ApiError`) and the timestamp format (ISO 8601 UTC with
microseconds, sortable as text).
"""

import re
from datetime import datetime, timezone

API_PREFIX = "/api/v1"
RESOURCES = ("machines", "beverages", "users", "brews")
MACHINE_STATES = ("idle", "brewing", "maintenance", "error", "offline")
BREW_STATES = ("queued", "brewing", "done", "failed", "cancelled")
#: the model of a machine that answers 418 to every brew (RFC 2324)
TEAPOT_MODEL = "TEAPOT-418"
#: the simulated clock never answers before it; seeded data starts there
EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)

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

    Tolerates a ``Z`` suffix and a ``+`` decoded as a space in a query string.

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
