# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The record store of the simulator: the four resources in memory.

Lists (pages ordered by id, ``updated_since``), reads, the API writes of
users and beverages with their validation, and the server-side controls
(create, change, delete any record). The brew life cycle builds on it in
:mod:`.brewing`. Thread-safe: every public method takes the store lock.
"""

import json
import math
import threading
from datetime import datetime, timedelta, timezone

from .schema import (
    EMAIL_RE,
    EPOCH,
    FIELDS,
    MAX_ID,
    NOT_BLANK_RE,
    RESOURCES,
    WHITESPACE_CHARS,
    ApiError,
    format_timestamp,
    parse_timestamp,
)
from .seeding import default_values

USER_WRITABLE = ("name", "email", "badge", "ref", "active")
BEVERAGE_WRITABLE = ("price", "active")
MAX_NAME = 128
MAX_EMAIL = 254
MAX_BADGE = 64
MAX_REF = 64
#: the highest price a beverage may be given through the API
MAX_PRICE = 1000000
MAX_LIST_CACHE = 64
#: the most users one bulk request creates or updates
MAX_BULK = 500


def is_int(value):
    """Tell whether a JSON value is an integer (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    """Tell whether a JSON value is a finite number (not a boolean)."""
    if isinstance(value, float):
        return math.isfinite(value)
    return is_int(value)


def unknown_fields(values, allowed, what):
    """Collect the errors of the fields that may not be written.

    :return: dict field -> message
    """
    return {
        key: f"unknown or read-only field; {what} accepts {', '.join(allowed)}"
        for key in values
        if key not in allowed
    }


def _check_user_values(values, creating):
    """Validate the fields of a user written through the API.

    :param values: the decoded JSON body
    :param creating: True for POST (name required)
    :return: dict field -> message, empty when valid
    """
    errors = unknown_fields(values, USER_WRITABLE, "a user")
    if creating or "name" in values:
        name = values.get("name")
        if not isinstance(name, str) or not NOT_BLANK_RE.search(name):
            errors["name"] = "required, a text that is not blank"
        elif len(name) > MAX_NAME:
            errors["name"] = f"at most {MAX_NAME} characters"
    email = values.get("email")
    if email is not None and (
        not isinstance(email, str)
        or not EMAIL_RE.fullmatch(email)
        or len(email) > MAX_EMAIL
    ):
        errors["email"] = "not a valid email address"
    for field, size in (("badge", MAX_BADGE), ("ref", MAX_REF)):
        value = values.get(field)
        if value is not None and (not isinstance(value, str) or len(value) > size):
            errors[field] = f"a text of at most {size} characters, or null"
    if "active" in values and not isinstance(values["active"], bool):
        errors["active"] = "true or false"
    return errors


def _check_beverage_values(values):
    """Validate the fields of a beverage written through the API.

    :param values: the decoded JSON body
    :return: dict field -> message, empty when valid
    """
    errors = unknown_fields(values, BEVERAGE_WRITABLE, "a beverage")
    price = values.get("price")
    if "price" in values and not (_is_number(price) and 0 <= price <= MAX_PRICE):
        errors["price"] = f"a number from 0 to {MAX_PRICE}"
    if "active" in values and not isinstance(values["active"], bool):
        errors["active"] = "true or false"
    return errors


class RecordStore:
    """The records of the simulated machine and the rules of their writes.

    :param on_event: callable(type, record_id) called on webhook events
    """

    def __init__(self, on_event=None):
        self.lock = threading.RLock()
        self.on_event = on_event
        self.records = {resource: {} for resource in RESOURCES}
        self._next_id = dict.fromkeys(RESOURCES, 1)
        self._json = {resource: {} for resource in RESOURCES}
        self._version = dict.fromkeys(RESOURCES, 0)
        self._list_cache = {}
        self._last_stamp = EPOCH

    # -- low level ---------------------------------------------------------

    def insert(self, resource, record):
        """Store a new record with the next id (no validation).

        :param record: dict of the fields but ``id``
        :return: the stored record (not a copy)
        """
        record_id = self._next_id[resource]
        self._next_id[resource] += 1
        record = {"id": record_id, **record}
        ordered = {field: record.get(field) for field in FIELDS[resource]}
        self.records[resource][record_id] = ordered
        self._version[resource] += 1
        return ordered

    def track_stamp(self, text):
        """Make :meth:`now` answer after the given timestamp text."""
        self._last_stamp = max(self._last_stamp, datetime.fromisoformat(text))

    def now(self):
        """Return a new timestamp text, strictly after every earlier one."""
        with self.lock:
            stamp = datetime.now(timezone.utc)
            if stamp <= self._last_stamp:
                stamp = self._last_stamp + timedelta(microseconds=1)
            self._last_stamp = stamp
            return format_timestamp(stamp)

    def _touch(self, resource, record, stamp=None):
        """Mark a record changed: bump updated_at, drop its caches."""
        record["updated_at"] = stamp or self.now()
        self._json[resource].pop(record["id"], None)
        self._version[resource] += 1

    def _emit(self, event_type, record_id):
        """Report a webhook event."""
        if self.on_event is not None:
            self.on_event(event_type, record_id)

    def get(self, resource, record_id):
        """Return the stored record (not a copy).

        :raise ApiError: 404 when there is none
        """
        record = self.records[resource].get(record_id)
        if record is None:
            singular = resource[:-1]
            raise ApiError(404, "not_found", f"no {singular} with id {record_id}")
        return record

    def record_json(self, resource, record_id):
        """Return the cached compact JSON text of a record."""
        with self.lock:
            text = self._json[resource].get(record_id)
            if text is None:
                text = json.dumps(
                    self.get(resource, record_id),
                    separators=(",", ":"),
                    ensure_ascii=False,
                )
                self._json[resource][record_id] = text
            return text

    def _ids(self, resource, since):
        """Return the ids of the records updated at/after ``since``, by id."""
        key = (resource, since)
        cached = self._list_cache.get(key)
        if cached is not None and cached[0] == self._version[resource]:
            return cached[1]
        records = self.records[resource]
        if since is None:
            ids = list(records)
        else:
            ids = [key for key, rec in records.items() if rec["updated_at"] >= since]
        if len(self._list_cache) > MAX_LIST_CACHE:
            self._list_cache.clear()
        self._list_cache[key] = (self._version[resource], ids)
        return ids

    def _some_ids(self, resource, wanted, since):
        """Return, by id, those of the ``wanted`` ids that exist (and were
        updated at/after ``since``)."""
        records = self.records[resource]
        return sorted(
            key
            for key in wanted
            if key in records and (since is None or records[key]["updated_at"] >= since)
        )

    # -- API operations ----------------------------------------------------

    def list_page(
        self, resource, page, per_page, since=None, duplicate=False, ids=None
    ):
        """Render one page of a list as JSON text.

        :param since: normalized updated_since text or None (inclusive)
        :param duplicate: repeat the last item of the previous page first
        :param ids: only the records of these ids (unknown ones left out)
        :return: the JSON text of ``{items, page, per_page, total, next_page}``
        """
        with self.lock:
            if ids is None:
                ids = self._ids(resource, since)
            else:
                ids = self._some_ids(resource, ids, since)
            total = len(ids)
            start = (page - 1) * per_page
            page_ids = ids[start : start + per_page]
            if duplicate and 0 < start <= total:
                page_ids = [ids[start - 1], *page_ids]
            items = ",".join(self.record_json(resource, key) for key in page_ids)
            next_page = page + 1 if start + per_page < total else None
        return (
            f'{{"items":[{items}],"page":{page},"per_page":{per_page},'
            f'"total":{total},"next_page":{json.dumps(next_page)}}}'
        )

    def can_duplicate(self, resource, page, per_page, since=None):
        """Tell whether the duplicate fault can apply to this list page."""
        with self.lock:
            start = (page - 1) * per_page
            return 0 < start <= len(self._ids(resource, since))

    def write_beverage(self, record_id, values):
        """Update price/active of a beverage (PUT /beverages/{id}).

        :return: the updated record copy
        """
        with self.lock:
            record = self.get("beverages", record_id)
            errors = _check_beverage_values(values)
            if errors:
                raise ApiError(422, "validation_error", "invalid beverage", errors)
            if "price" in values:
                values = dict(values, price=round(float(values["price"]), 2))
            record.update(values)
            self._touch("beverages", record)
            self._emit("beverage.updated", record_id)
            return dict(record)

    def _check_badge_free(self, badge, record_id=None):
        """Raise 409 when another user already holds the badge."""
        if not badge:
            return
        for key, user in self.records["users"].items():
            if user["badge"] == badge and key != record_id:
                raise ApiError(
                    409,
                    "conflict",
                    f"badge {badge} is already assigned to user {key}",
                )

    def create_user(self, values):
        """Create a user (POST /users).

        :return: the new record copy
        """
        with self.lock:
            errors = _check_user_values(values, creating=True)
            if errors:
                raise ApiError(422, "validation_error", "invalid user", errors)
            self._check_badge_free(values.get("badge"))
            record = {
                "name": values["name"].strip(WHITESPACE_CHARS),
                "email": values.get("email") or None,
                "badge": values.get("badge"),
                "ref": values.get("ref"),
                "active": values.get("active", True),
                "updated_at": self.now(),
            }
            return dict(self.insert("users", record))

    def bulk_users(self, body):
        """Create or update many users (POST /users/bulk).

        Each item is done on its own, in order: an item with an ``id``
        updates that user (as PUT /users/{id}); one without creates a user
        (as POST /users), unless a user already has its ``ref``, which it
        then updates, so that a retried request creates nobody twice. A
        refused item answers its own error and changes nothing; the others
        are done all the same.

        :param body: ``{"items": [user values, ...]}``, 1 to 500 objects
        :return: one ``{"status", "record"}`` or ``{"status", "error"}`` per
            item, in the order of the items
        :raise ApiError: 422 for a body that is not such a list
        """
        items = body.get("items")
        errors = unknown_fields(body, ("items",), "a bulk request")
        if (
            not isinstance(items, list)
            or not 1 <= len(items) <= MAX_BULK
            or not all(isinstance(item, dict) for item in items)
        ):
            errors["items"] = f"a list of 1 to {MAX_BULK} objects"
        if errors:
            raise ApiError(422, "validation_error", "invalid bulk request", errors)
        results = []
        with self.lock:
            refs = {}
            for key, user in self.records["users"].items():
                if user["ref"]:
                    refs.setdefault(user["ref"], key)
            for item in items:
                try:
                    status, record = self._upsert_user(dict(item), refs)
                except ApiError as error:
                    results.append(
                        {"status": error.status, "error": error.body()["error"]}
                    )
                else:
                    results.append({"status": status, "record": record})
        return results

    def _upsert_user(self, values, refs):
        """Update the user of ``values["id"]``, or of its ``ref``, or create one.

        :param refs: ``{ref: user id}`` of the users, kept up to date
        :return: (HTTP status of the item, the user)
        """
        if "id" not in values:
            record_id = refs.get(values.get("ref")) if values.get("ref") else None
            if record_id is None:
                record = self.create_user(values)
                if record["ref"]:
                    refs.setdefault(record["ref"], record["id"])
                return 201, record
        else:
            record_id = values.pop("id")
            if not is_int(record_id) or not 1 <= record_id <= MAX_ID:
                raise ApiError(
                    422,
                    "validation_error",
                    "invalid user",
                    {"id": "the id of a user, an integer from 1"},
                )
        self.get("users", record_id)
        record = self.write_user(record_id, values)
        if record["ref"]:
            refs.setdefault(record["ref"], record_id)
        return 200, record

    def write_user(self, record_id, values):
        """Update a user (PUT /users/{id}).

        :return: the updated record copy
        """
        with self.lock:
            record = self.get("users", record_id)
            errors = _check_user_values(values, creating=False)
            if errors:
                raise ApiError(422, "validation_error", "invalid user", errors)
            self._check_badge_free(values.get("badge"), record_id)
            values = dict(values)
            if "email" in values:
                values["email"] = values["email"] or None
            if "name" in values:
                values["name"] = values["name"].strip(WHITESPACE_CHARS)
            record.update(values)
            self._touch("users", record)
            return dict(record)

    def delete(self, resource, record_id):
        """Delete a record (DELETE /users/{id})."""
        with self.lock:
            self.get(resource, record_id)
            del self.records[resource][record_id]
            self._json[resource].pop(record_id, None)
            self._deleted(resource, record_id)
            self._version[resource] += 1

    # -- python-side controls ----------------------------------------------

    def records_copy(self, resource):
        """Return copies of all the records of a resource, by id."""
        with self.lock:
            return [dict(rec) for rec in self.records[resource].values()]

    @staticmethod
    def _check_fields(resource, values):
        """Raise ValueError for unknown or read-only fields."""
        if resource not in RESOURCES:
            raise ValueError(f"unknown resource {resource!r}")
        unknown = sorted(set(values) - set(FIELDS[resource]) | ({"id"} & set(values)))
        if unknown:
            raise ValueError(f"unknown or read-only {resource} fields: {unknown}")
        if "updated_at" in values:
            values["updated_at"] = parse_timestamp(values["updated_at"])

    def add_record(self, resource, values):
        """Create a record server-side (no API validation).

        :return: the new record copy
        """
        values = dict(values)
        self._check_fields(resource, values)
        with self.lock:
            record_id = self._next_id[resource]
            record = default_values(resource, record_id, self.now())
            record.update(values)
            record = self.insert(resource, record)
            self.track_stamp(record["updated_at"])
            self._added(resource, record)
            return dict(record)

    def update_record(self, resource, record_id, values):
        """Change a record server-side, bump updated_at, report events.

        :return: the updated record copy
        """
        values = dict(values)
        self._check_fields(resource, values)
        with self.lock:
            record = self.get(resource, record_id)
            old_state = record.get("state")
            stamp = values.pop("updated_at", None)
            record.update(values)
            self._touch(resource, record, stamp)
            self.track_stamp(record["updated_at"])
            self._emit_update_events(resource, record, old_state)
            return dict(record)

    def _emit_update_events(self, resource, record, old_state):
        """Report the webhook events of a server-side change."""
        if resource == "beverages":
            self._emit("beverage.updated", record["id"])
        elif resource == "machines" and record["state"] != old_state:
            self._emit("machine.state_changed", record["id"])

    # -- hooks of the brew life cycle ----------------------------------------

    def _added(self, resource, record):
        """Called when a record was created server-side (to override)."""

    def _deleted(self, resource, record_id):
        """Called when a record was deleted (to override)."""
