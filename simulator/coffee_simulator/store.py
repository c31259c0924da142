# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""In-memory data of the coffee machine simulator (stdlib only).

Holds the four resources, seeds them deterministically, validates the API
writes and runs the brew life cycle (queued -> brewing -> done/failed).
Thread-safe: every public method takes the store lock.
"""

import json
import math
import random
import re
import threading
import time
from datetime import datetime, timedelta, timezone

RESOURCES = ("machines", "beverages", "users", "brews")
SEED_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)
MACHINE_STATES = ("idle", "brewing", "maintenance", "error", "offline")
BREW_STATES = ("queued", "brewing", "done", "failed", "cancelled")
UNAVAILABLE_STATES = ("maintenance", "error", "offline")
TEAPOT_MODEL = "TEAPOT-418"
BUSY_RETRY_AFTER = 5
UNAVAILABLE_RETRY_AFTER = 60
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

MACHINE_NAMES = (
    "Lobby Espresso",
    "Kitchen Bean-to-Cup",
    "Meeting Room Barista",
    "R&D Brewer",
    "Reception Roaster",
    "Sales Floor Express",
    "Warehouse Percolator",
    "Rooftop Café",
)
MACHINE_MODELS = ("BARISTA-2000", "JURA-X8", "SAECO-PRO", "LAMARZ-LINEA")
BEVERAGES = (
    ("ESPRESSO", "Espresso", 30, 5, 1.20),
    ("DOUBLE_ESPRESSO", "Double espresso", 60, 5, 1.90),
    ("RISTRETTO", "Ristretto", 20, 5, 1.20),
    ("LUNGO", "Lungo", 110, 3, 1.40),
    ("AMERICANO", "Americano", 200, 2, 1.60),
    ("CAPPUCCINO", "Cappuccino", 180, 3, 2.20),
    ("LATTE", "Caffè latte", 250, 2, 2.50),
    ("FLAT_WHITE", "Flat white", 160, 4, 2.40),
    ("MACCHIATO", "Latte macchiato", 220, 2, 2.40),
    ("MOCHA", "Mocha", 240, 3, 2.80),
    ("CORTADO", "Cortado", 120, 4, 2.00),
    ("HOT_WATER", "Hot water", 200, 1, 0.00),
)
MILK_CODES = ("CAPPUCCINO", "LATTE", "FLAT_WHITE", "MACCHIATO", "MOCHA", "CORTADO")
FIRST_NAMES = (
    "Ada",
    "Alan",
    "Barbara",
    "Claude",
    "Dennis",
    "Edsger",
    "Frances",
    "Grace",
    "Guido",
    "Hedy",
    "Ken",
    "Linus",
    "Margaret",
    "Niklaus",
    "Radia",
    "Tim",
)
LAST_NAMES = (
    "Lovelace",
    "Turing",
    "Liskov",
    "Shannon",
    "Ritchie",
    "Dijkstra",
    "Allen",
    "Hopper",
    "Rossum",
    "Lamarr",
    "Thompson",
    "Torvalds",
    "Hamilton",
    "Wirth",
    "Perlman",
    "Berners-Lee",
)
FAILURE_REASONS = ("out of beans", "out of water", "grinder jammed")

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
USER_WRITABLE = ("name", "email", "badge", "ref", "active")
BEVERAGE_WRITABLE = ("price", "active")
BREW_WRITABLE = ("machine_id", "beverage_id", "user_id")


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


def _is_int(value):
    """Tell whether a JSON value is an integer (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    """Tell whether a JSON value is a finite number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def _text_or_none(value):
    """Return None or the value as text (integers become text)."""
    return None if value is None else str(value)


def _unknown_fields(values, allowed, what):
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
    errors = _unknown_fields(values, USER_WRITABLE, "a user")
    if creating or "name" in values:
        name = values.get("name")
        if not isinstance(name, str) or not name.strip():
            errors["name"] = "required, a non-empty text"
        elif len(name) > 128:
            errors["name"] = "at most 128 characters"
    email = values.get("email")
    if email not in (None, "") and (
        not isinstance(email, str) or not EMAIL_RE.match(email) or len(email) > 254
    ):
        errors["email"] = "not a valid email address"
    badge = values.get("badge")
    if badge is not None and (not isinstance(badge, str) or len(badge) > 64):
        errors["badge"] = "a text of at most 64 characters, or null"
    ref = values.get("ref")
    if ref is not None and not (isinstance(ref, str) or _is_int(ref)):
        errors["ref"] = "a text, an integer or null"
    elif ref is not None and len(str(ref)) > 64:
        errors["ref"] = "at most 64 characters"
    if "active" in values and not isinstance(values["active"], bool):
        errors["active"] = "true or false"
    return errors


def _check_beverage_values(values):
    """Validate the fields of a beverage written through the API.

    :param values: the decoded JSON body
    :return: dict field -> message, empty when valid
    """
    errors = _unknown_fields(values, BEVERAGE_WRITABLE, "a beverage")
    if "price" in values and (not _is_number(values["price"]) or values["price"] < 0):
        errors["price"] = "a number >= 0"
    if "active" in values and not isinstance(values["active"], bool):
        errors["active"] = "true or false"
    return errors


class SimulatorStore:
    """The data and business rules of the simulated coffee machine.

    :param seed: seed of the generated data
    :param counts: dict resource -> number of records to seed
    :param brew_seconds: duration of a brew on the clock, None for on demand
    :param on_event: callable(type, record_id) called on webhook events
    """

    def __init__(self, seed=1, counts=None, brew_seconds=None, on_event=None):
        self.lock = threading.RLock()
        self.seed = seed
        self.brew_seconds = brew_seconds
        self.on_event = on_event
        self.records = {resource: {} for resource in RESOURCES}
        self._next_id = dict.fromkeys(RESOURCES, 1)
        self._json = {resource: {} for resource in RESOURCES}
        self._version = dict.fromkeys(RESOURCES, 0)
        self._list_cache = {}
        self._idempotency = {}
        self._pending = {}
        self._last_stamp = SEED_EPOCH
        self.pours = 0
        self._seed_data(dict(counts or {}))

    # -- seeding -----------------------------------------------------------

    def _seed_data(self, counts):
        """Generate the deterministic initial records."""
        rng = random.Random(self.seed)
        for resource in ("machines", "beverages", "users"):
            count = max(int(counts.get(resource, 0)), 0)
            seeder = getattr(self, f"_seed_{resource}")
            for index in range(1, count + 1):
                stamp = SEED_EPOCH + timedelta(seconds=index)
                self._insert(resource, seeder(rng, index, count, stamp))
        self._seed_brews(rng, max(int(counts.get("brews", 0)), 0))
        stamps = [
            record["updated_at"]
            for resource in RESOURCES
            for record in self.records[resource].values()
        ]
        if stamps:
            self._track_stamp(max(stamps))

    def _track_stamp(self, text):
        """Make :meth:`now` answer after the given timestamp text."""
        self._last_stamp = max(self._last_stamp, datetime.fromisoformat(text))

    def _seed_machines(self, rng, index, count, stamp):
        """Return the seeded machine number ``index``."""
        name = MACHINE_NAMES[(index - 1) % len(MACHINE_NAMES)]
        if index > len(MACHINE_NAMES):
            name = f"{name} {index}"
        model = MACHINE_MODELS[rng.randrange(len(MACHINE_MODELS))]
        state = "idle"
        if count >= 3 and index == count - 1:
            state = "maintenance"
        if count >= 3 and index == count:
            name, model = "Office Teapot", TEAPOT_MODEL
        return {
            "name": name,
            "model": model,
            "serial": f"CM{self.seed:03d}-{index:05d}",
            "state": state,
            "water_level": rng.randint(40, 100),
            "beans_level": rng.randint(40, 100),
            "milk_level": rng.randint(20, 100),
            "temperature": round(rng.uniform(88.0, 95.0), 1),
            "updated_at": format_timestamp(stamp),
        }

    def _seed_beverages(self, rng, index, count, stamp):
        """Return the seeded beverage number ``index``."""
        code, name, size_ml, strength, price = BEVERAGES[(index - 1) % len(BEVERAGES)]
        if index > len(BEVERAGES):
            code, name = f"{code}_{index}", f"{name} {index}"
        return {
            "code": code,
            "name": name,
            "size_ml": size_ml,
            "strength": strength,
            "price": price,
            "currency": "EUR",
            "active": True,
            "updated_at": format_timestamp(stamp),
        }

    def _seed_users(self, rng, index, count, stamp):
        """Return the seeded user number ``index``."""
        first = FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.randrange(len(LAST_NAMES))]
        return {
            "name": f"{first} {last}",
            "email": f"{first}.{last}.{index}@example.com".lower(),
            "badge": f"BADGE-{index:05d}",
            "ref": None,
            "active": True,
            "updated_at": format_timestamp(stamp),
        }

    def _seed_brews(self, rng, count):
        """Generate ``count`` finished brews on the seeded records."""
        machines = [
            key
            for key, rec in self.records["machines"].items()
            if rec["model"] != TEAPOT_MODEL
        ]
        beverages = list(self.records["beverages"])
        users = list(self.records["users"])
        if not machines or not beverages:
            return
        for index in range(1, count + 1):
            self._insert(
                "brews", self._seed_brew(rng, index, machines, beverages, users)
            )

    def _seed_brew(self, rng, index, machines, beverages, users):
        """Return the seeded brew number ``index``."""
        requested = SEED_EPOCH + timedelta(seconds=30 * index)
        finished = format_timestamp(requested + timedelta(seconds=25))
        roll = rng.random()
        state = "done" if roll < 0.9 else ("failed" if roll < 0.95 else "cancelled")
        user_id = users[rng.randrange(len(users))] if users else None
        if rng.random() < 0.1:
            user_id = None
        key = f"seed-{self.seed}-{index}"
        record = {
            "machine_id": machines[rng.randrange(len(machines))],
            "beverage_id": beverages[rng.randrange(len(beverages))],
            "user_id": user_id,
            "state": state,
            "requested_at": format_timestamp(requested),
            "finished_at": finished,
            "failure_reason": (
                FAILURE_REASONS[rng.randrange(len(FAILURE_REASONS))]
                if state == "failed"
                else None
            ),
            "idempotency_key": key,
            "updated_at": finished,
        }
        self._idempotency[key] = (None, index)  # fingerprint computed on demand
        return record

    # -- low level ---------------------------------------------------------

    def _insert(self, resource, record):
        """Store a new record with the next id; return it."""
        record_id = self._next_id[resource]
        self._next_id[resource] += 1
        record = {"id": record_id, **record}
        ordered = {field: record.get(field) for field in FIELDS[resource]}
        self.records[resource][record_id] = ordered
        self._version[resource] += 1
        return ordered

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
        if len(self._list_cache) > 64:
            self._list_cache.clear()
        self._list_cache[key] = (self._version[resource], ids)
        return ids

    # -- API operations ----------------------------------------------------

    def list_page(self, resource, page, per_page, since=None, duplicate=False):
        """Render one page of a list as JSON text.

        :param since: normalized updated_since text or None (inclusive)
        :param duplicate: repeat the last item of the previous page first
        :return: the JSON text of ``{items, page, per_page, total, next_page}``
        """
        with self.lock:
            ids = self._ids(resource, since)
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
                "name": values["name"].strip(),
                "email": values.get("email") or None,
                "badge": values.get("badge"),
                "ref": _text_or_none(values.get("ref")),
                "active": values.get("active", True),
                "updated_at": self.now(),
            }
            return dict(self._insert("users", record))

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
                values["name"] = values["name"].strip()
            if "ref" in values:
                values["ref"] = _text_or_none(values["ref"])
            record.update(values)
            self._touch("users", record)
            return dict(record)

    def delete(self, resource, record_id):
        """Delete a record (DELETE /users/{id})."""
        with self.lock:
            self.get(resource, record_id)
            del self.records[resource][record_id]
            self._json[resource].pop(record_id, None)
            if resource == "brews":
                self._pending.pop(record_id, None)
            self._version[resource] += 1

    @staticmethod
    def _fingerprint(values):
        """Return the canonical text of a brew request body."""
        body = {key: values.get(key) for key in BREW_WRITABLE}
        extra = {key: val for key, val in values.items() if key not in FIELDS["brews"]}
        return json.dumps({**body, **extra}, sort_keys=True, default=str)

    def _check_brew_values(self, values):
        """Validate a brew request; return dict field -> message."""
        errors = _unknown_fields(values, BREW_WRITABLE, "a brew")
        for field, resource, required in (
            ("machine_id", "machines", True),
            ("beverage_id", "beverages", True),
            ("user_id", "users", False),
        ):
            value = values.get(field)
            if value is None:
                if required:
                    errors[field] = "required"
            elif not _is_int(value):
                errors[field] = "an integer id"
            elif value not in self.records[resource]:
                errors[field] = f"no {resource[:-1]} with id {value}"
            elif not self.records[resource][value].get("active", True):
                errors[field] = f"{resource[:-1]} {value} is not active"
        return errors

    def _check_machine_ready(self, machine):
        """Raise 418 for a teapot, 503 when the machine cannot brew now."""
        if machine["model"] == TEAPOT_MODEL:
            raise ApiError(
                418,
                "teapot",
                f"machine {machine['id']} ({machine['name']}) is a teapot "
                "and cannot brew coffee (RFC 2324)",
            )
        state = machine["state"]
        if state in UNAVAILABLE_STATES:
            raise ApiError(
                503,
                "machine_unavailable",
                f"machine {machine['id']} is in state {state}",
                headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
            )
        if state == "brewing" or self._machine_pending(machine["id"]):
            raise ApiError(
                503,
                "machine_busy",
                f"machine {machine['id']} is busy brewing",
                headers={"Retry-After": str(self._busy_retry_after())},
            )

    def _busy_retry_after(self):
        """Return the seconds to wait for a busy machine (an integer)."""
        if self.brew_seconds:
            return max(1, math.ceil(self.brew_seconds))
        return BUSY_RETRY_AFTER

    def _machine_pending(self, machine_id):
        """Tell whether a brew is queued/brewing on the machine."""
        return any(
            self.records["brews"][key]["machine_id"] == machine_id
            for key in self._pending
            if key in self.records["brews"]
        )

    def create_brew(self, values, key):
        """Request a brew (POST /brews), idempotent by ``key``.

        :return: (brew record copy, True when it was created by this call)
        """
        with self.lock:
            fingerprint = self._fingerprint(values)
            known = self._idempotency.get(key)
            if known is not None:
                return self._replay(known, fingerprint, key), False
            errors = self._check_brew_values(values)
            if errors:
                raise ApiError(422, "validation_error", "invalid brew", errors)
            machine = self.records["machines"][values["machine_id"]]
            self._check_machine_ready(machine)
            stamp = self.now()
            record = self._insert(
                "brews",
                {
                    "machine_id": values["machine_id"],
                    "beverage_id": values["beverage_id"],
                    "user_id": values.get("user_id"),
                    "state": "queued",
                    "requested_at": stamp,
                    "idempotency_key": key,
                    "updated_at": stamp,
                },
            )
            self._idempotency[key] = (fingerprint, record["id"])
            self._pending[record["id"]] = time.monotonic()
            self.pours += 1
            self._set_machine_state(machine, "brewing")
            return dict(record), True

    def _replay(self, known, fingerprint, key):
        """Answer a repeated Idempotency-Key: the same brew, or 409."""
        record = self.records["brews"].get(known[1])
        expected = known[0]
        if expected is None and record is not None:
            expected = self._fingerprint(record)
        if expected != fingerprint:
            raise ApiError(
                409,
                "idempotency_conflict",
                f"Idempotency-Key {key!r} was already used with a different body",
            )
        if record is None:
            raise ApiError(
                409, "idempotency_conflict", f"the brew of key {key!r} is gone"
            )
        return dict(record)

    # -- brew life cycle ---------------------------------------------------

    def _set_machine_state(self, machine, state):
        """Change the state of a machine and report it."""
        if machine["state"] == state:
            return
        machine["state"] = state
        self._touch("machines", machine)
        self._emit("machine.state_changed", machine["id"])

    def _start_brew(self, brew):
        """queued -> brewing, or failed when the machine lacks supplies."""
        machine = self.records["machines"].get(brew["machine_id"])
        reason = None
        if machine is not None and machine["water_level"] <= 0:
            reason = "out of water"
        elif machine is not None and machine["beans_level"] <= 0:
            reason = "out of beans"
        if reason:
            self._finish_brew(brew, "failed", reason)
            self._set_machine_state(machine, "error")
            return
        brew["state"] = "brewing"
        self._touch("brews", brew)

    def _finish_brew(self, brew, state="done", reason=None):
        """brewing -> done/failed: consume supplies, free the machine."""
        brew["state"] = state
        brew["failure_reason"] = reason
        brew["finished_at"] = self.now()
        self._touch("brews", brew, brew["finished_at"])
        self._pending.pop(brew["id"], None)
        machine = self.records["machines"].get(brew["machine_id"])
        if machine is not None and state == "done":
            self._consume(machine, brew)
        if machine is not None and machine["state"] == "brewing":
            self._set_machine_state(machine, "idle")
        self._emit("brew.finished", brew["id"])

    def _consume(self, machine, brew):
        """Lower the supply levels of a machine after a brew."""
        beverage = self.records["beverages"].get(brew["beverage_id"]) or {}
        machine["water_level"] = max(0, machine["water_level"] - 2)
        machine["beans_level"] = max(0, machine["beans_level"] - 1)
        code = beverage.get("code") or ""
        if code.startswith(MILK_CODES):
            machine["milk_level"] = max(0, machine["milk_level"] - 2)
        self._touch("machines", machine)

    def _step(self, brew):
        """Advance one brew by one state; return True when it finished."""
        if brew["state"] == "queued":
            self._start_brew(brew)
        elif brew["state"] == "brewing":
            self._finish_brew(brew)
        return brew["state"] not in ("queued", "brewing")

    def advance_brews(self, steps=2):
        """Advance every pending brew by ``steps`` states.

        :param steps: 1 moves queued -> brewing and brewing -> done; the
            default 2 finishes every pending brew
        :return: dict ``{"changed": [ids], "finished": [ids]}``
        """
        changed, finished = [], []
        with self.lock:
            for _step in range(max(int(steps), 0)):
                for brew_id in list(self._pending):
                    brew = self.records["brews"].get(brew_id)
                    if brew is None:
                        self._pending.pop(brew_id, None)
                        continue
                    if brew_id not in changed:
                        changed.append(brew_id)
                    if self._step(brew):
                        finished.append(brew_id)
        return {"changed": changed, "finished": finished}

    def tick(self):
        """Advance the pending brews on the clock (when brew_seconds is set)."""
        if not self.brew_seconds:
            return
        now = time.monotonic()
        with self.lock:
            for brew_id, started in list(self._pending.items()):
                brew = self.records["brews"].get(brew_id)
                if brew is None:
                    self._pending.pop(brew_id, None)
                    continue
                elapsed = now - started
                if brew["state"] == "queued" and elapsed >= self.brew_seconds / 2:
                    self._start_brew(brew)
                if brew["state"] == "brewing" and elapsed >= self.brew_seconds:
                    self._finish_brew(brew)

    # -- python-side controls ----------------------------------------------

    def records_copy(self, resource):
        """Return copies of all the records of a resource, by id."""
        with self.lock:
            return [dict(rec) for rec in self.records[resource].values()]

    def _default_values(self, resource, record_id):
        """Return the default field values of a new record."""
        stamp = self.now()
        return {
            "machines": {
                "name": f"Machine {record_id}",
                "model": MACHINE_MODELS[0],
                "serial": f"CMX-{record_id:05d}",
                "state": "idle",
                "water_level": 100,
                "beans_level": 100,
                "milk_level": 100,
                "temperature": 92.0,
            },
            "beverages": {
                "code": f"BEV_{record_id}",
                "name": f"Beverage {record_id}",
                "size_ml": 100,
                "strength": 3,
                "price": 1.0,
                "currency": "EUR",
                "active": True,
            },
            "users": {
                "name": f"User {record_id}",
                "email": None,
                "badge": None,
                "ref": None,
                "active": True,
            },
            "brews": {
                "machine_id": 1,
                "beverage_id": 1,
                "user_id": None,
                "state": "done",
                "requested_at": stamp,
                "finished_at": stamp,
                "failure_reason": None,
                "idempotency_key": f"sim-{record_id}",
            },
        }[resource] | {"updated_at": stamp}

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
            record = self._default_values(resource, self._next_id[resource])
            record.update(values)
            record = self._insert(resource, record)
            self._track_stamp(record["updated_at"])
            if resource == "brews":
                self._idempotency[record["idempotency_key"]] = (
                    self._fingerprint(record),
                    record["id"],
                )
                if record["state"] in ("queued", "brewing"):
                    self._pending[record["id"]] = time.monotonic()
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
            self._track_stamp(record["updated_at"])
            self._emit_update_events(resource, record, old_state)
            return dict(record)

    def _emit_update_events(self, resource, record, old_state):
        """Report the webhook events of a server-side change."""
        if resource == "beverages":
            self._emit("beverage.updated", record["id"])
        elif resource == "machines" and record["state"] != old_state:
            self._emit("machine.state_changed", record["id"])
        elif resource == "brews" and record["state"] != old_state:
            if record["state"] in ("queued", "brewing"):
                self._pending.setdefault(record["id"], time.monotonic())
            else:
                self._pending.pop(record["id"], None)
                self._emit("brew.finished", record["id"])
