# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The brews of the simulator: pouring, idempotency, the brew life cycle.

``POST /brews`` needs an ``Idempotency-Key``: the same key with the same body
answers the same brew and never pours twice; with another body it answers
409. A brew goes queued -> brewing -> done (or failed when the machine lacks
water or beans), on demand (:meth:`BrewingStore.advance_brews`) or on a
clock (:meth:`BrewingStore.tick`); the machine is busy meanwhile.
"""

import json
import math
import time

from .records import RecordStore, is_int, unknown_fields
from .schema import FIELDS, TEAPOT_MODEL, ApiError

BREW_WRITABLE = ("machine_id", "beverage_id", "user_id")
UNAVAILABLE_STATES = ("maintenance", "error", "offline")
PENDING_STATES = ("queued", "brewing")
#: beverage codes whose brews use milk
MILK_CODES = ("CAPPUCCINO", "LATTE", "FLAT_WHITE", "MACCHIATO", "MOCHA", "CORTADO")
BUSY_RETRY_AFTER = 5
UNAVAILABLE_RETRY_AFTER = 60


class BrewingStore(RecordStore):
    """The record store with the brews' idempotency and life cycle.

    :param brew_seconds: duration of a brew on the clock, None for on demand
    :param on_event: callable(type, record_id) called on webhook events
    """

    def __init__(self, brew_seconds=None, on_event=None):
        super().__init__(on_event=on_event)
        self.brew_seconds = brew_seconds
        # Idempotency-Key -> (fingerprint of the body or None, brew id)
        self._idempotency = {}
        # id of a queued or brewing brew -> time.monotonic() of its request
        self._pending = {}
        self.pours = 0

    # -- idempotency -----------------------------------------------------------

    def remember_key(self, key, brew_id, fingerprint=None):
        """Bind an Idempotency-Key to a brew.

        :param fingerprint: the canonical body of the request; None to
            compute it from the brew when the key comes again
        """
        self._idempotency[key] = (fingerprint, brew_id)

    @staticmethod
    def _fingerprint(values):
        """Return the canonical text of a brew request body."""
        body = {key: values.get(key) for key in BREW_WRITABLE}
        extra = {key: val for key, val in values.items() if key not in FIELDS["brews"]}
        return json.dumps({**body, **extra}, sort_keys=True, default=str)

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

    # -- pouring ---------------------------------------------------------------

    def _check_brew_values(self, values):
        """Validate a brew request; return dict field -> message."""
        errors = unknown_fields(values, BREW_WRITABLE, "a brew")
        for field, resource, required in (
            ("machine_id", "machines", True),
            ("beverage_id", "beverages", True),
            ("user_id", "users", False),
        ):
            value = values.get(field)
            if value is None:
                if required:
                    errors[field] = "required"
            elif not is_int(value):
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
            record = self.insert(
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
            self.remember_key(key, record["id"], fingerprint)
            self._pending[record["id"]] = time.monotonic()
            self.pours += 1
            self._set_machine_state(machine, "brewing")
            return dict(record), True

    # -- brew life cycle -------------------------------------------------------

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
        return brew["state"] not in PENDING_STATES

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

    # -- server-side changes of brews -------------------------------------------

    def _added(self, resource, record):
        """A brew created server-side keeps its key, and brews if pending."""
        if resource != "brews":
            return
        self.remember_key(
            record["idempotency_key"], record["id"], self._fingerprint(record)
        )
        if record["state"] in PENDING_STATES:
            self._pending[record["id"]] = time.monotonic()

    def _deleted(self, resource, record_id):
        """A deleted brew is no longer pending."""
        if resource == "brews":
            self._pending.pop(record_id, None)

    def _emit_update_events(self, resource, record, old_state):
        """A brew changed server-side to a pending state brews, else finishes."""
        super()._emit_update_events(resource, record, old_state)
        if resource == "brews" and record["state"] != old_state:
            if record["state"] in PENDING_STATES:
                self._pending.setdefault(record["id"], time.monotonic())
            else:
                self._pending.pop(record["id"], None)
                self._emit("brew.finished", record["id"])
