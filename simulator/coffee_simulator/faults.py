# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fault injection of the coffee machine simulator (stdlib only).

Two mechanisms, both thread-safe:

* a random plan from a spec such as ``503:0.05,429:0.05,drop:0.01,latency:0.2``
  (``kind:share`` of the requests; for ``latency`` the number is a delay in
  seconds applied to every request, or ``latency:SECONDS@SHARE``), drawn from
  a seeded RNG;
* deterministic one-shot faults: :meth:`FaultPlan.fail_next`.
"""

import random
import threading
from collections import namedtuple

from .schema import API_PREFIX

FAULT_KINDS = ("500", "503", "429", "drop", "malformed", "latency", "duplicate")
ERROR_KINDS = ("drop", "500", "503", "429", "malformed")
DEFAULT_LATENCY = 1.0

Fault = namedtuple("Fault", ["kind", "delay"])
NO_FAULT = Fault(None, 0.0)


def _parse_share(kind, text):
    """Parse a share of requests between 0 and 1."""
    try:
        share = float(text)
    except ValueError:
        raise ValueError(f"fault {kind}: {text!r} is not a number") from None
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"fault {kind}: the share {share} is not between 0 and 1")
    return share


def _parse_latency(text):
    """Parse ``SECONDS`` or ``SECONDS@SHARE``; return (seconds, share)."""
    seconds_text, _sep, share_text = str(text).partition("@")
    try:
        seconds = float(seconds_text)
    except ValueError:
        raise ValueError(f"fault latency: {seconds_text!r} is not a number") from None
    if not 0.0 <= seconds <= 300.0:
        raise ValueError("fault latency: the delay must be between 0 and 300 seconds")
    share = _parse_share("latency", share_text) if share_text else 1.0
    return seconds, share


def parse_fault_spec(spec):
    """Parse a fault spec.

    :param spec: None, "" (no faults), a ``kind:value,...`` string or a dict
        kind -> value (value as in the string form)
    :return: dict kind -> (share, delay)
    :raise ValueError: with a readable message for a bad spec
    :raise TypeError: when the spec is neither a string nor a dict
    """
    if not spec:
        return {}
    if isinstance(spec, dict):
        items = [(str(kind), str(value)) for kind, value in spec.items()]
    elif isinstance(spec, str):
        items = []
        for part in spec.split(","):
            if not part.strip():
                continue
            kind, sep, value = part.strip().partition(":")
            if not sep:
                raise ValueError(f"fault {part.strip()!r}: expected kind:value")
            items.append((kind.strip(), value.strip()))
    else:
        raise TypeError("the fault spec must be a string or an object")
    plan = {}
    for kind, value in items:
        if kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}"
            )
        if kind == "latency":
            seconds, share = _parse_latency(value)
            plan[kind] = (share, seconds)
        else:
            plan[kind] = (_parse_share(kind, value), 0.0)
    return plan


def _path_matches(prefix, path):
    """Tell whether a request path starts with ``prefix``.

    The prefix may include ``/api/v1`` or be relative to it.
    """
    if not prefix:
        return True
    if path.startswith(prefix):
        return True
    return path.startswith(API_PREFIX) and path[len(API_PREFIX) :].startswith(prefix)


class FaultPlan:
    """The faults the simulator applies to API requests.

    :param seed: seed of the random draws
    """

    def __init__(self, seed=1):
        self._lock = threading.Lock()
        self._rng = random.Random(f"faults-{seed}")
        self._plan = {}
        self._queue = []
        self.spec = ""

    def set_spec(self, spec):
        """Replace the random faults.

        :param spec: see :func:`parse_fault_spec`
        """
        plan = parse_fault_spec(spec)
        with self._lock:
            self._plan = plan
            self.spec = spec if isinstance(spec, str) else str(spec or "")

    def fail_next(self, kind, count=1, path=None, method=None, delay=None):
        """Make the next ``count`` matching requests fail with ``kind``.

        :param kind: one of :data:`FAULT_KINDS`
        :param count: number of requests
        :param path: only requests whose path starts with it (``/brews`` or
            ``/api/v1/brews``)
        :param method: only requests of this HTTP method
        :param delay: seconds, for ``latency`` (default 1.0)
        """
        kind = str(kind)
        if kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault {kind!r}; expected one of {', '.join(FAULT_KINDS)}"
            )
        count = int(count)
        if count < 1:
            raise ValueError("count must be at least 1")
        delay = DEFAULT_LATENCY if delay is None else float(delay)
        entry = {
            "kind": kind,
            "count": count,
            "path": path or None,
            "method": method.upper() if method else None,
            "delay": delay,
        }
        with self._lock:
            self._queue.append(entry)

    def clear(self):
        """Drop every random and pending fault."""
        with self._lock:
            self._plan = {}
            self._queue = []
            self.spec = ""

    def pending(self):
        """Return copies of the pending one-shot faults."""
        with self._lock:
            return [dict(entry) for entry in self._queue]

    def _take_queued(self, method, path, can_duplicate):
        """Consume the first matching one-shot fault, if any."""
        for entry in self._queue:
            if entry["method"] and entry["method"] != method:
                continue
            if not _path_matches(entry["path"], path):
                continue
            if entry["kind"] == "duplicate" and not can_duplicate:
                continue
            entry["count"] -= 1
            if entry["count"] <= 0:
                self._queue.remove(entry)
            if entry["kind"] == "latency":
                return Fault("latency", entry["delay"])
            return Fault(entry["kind"], 0.0)
        return None

    def _draw(self, can_duplicate):
        """Draw the random faults of one request."""
        delay = 0.0
        latency = self._plan.get("latency")
        if latency and self._rng.random() < latency[0]:
            delay = latency[1]
        for kind in ERROR_KINDS:
            share = self._plan.get(kind, (0.0, 0.0))[0]
            if share and self._rng.random() < share:
                return Fault(kind, delay)
        share = self._plan.get("duplicate", (0.0, 0.0))[0]
        if can_duplicate and share and self._rng.random() < share:
            return Fault("duplicate", delay)
        return Fault("latency" if delay else None, delay)

    def pick(self, method, path, can_duplicate=False):
        """Decide the fault of one API request.

        :param method: HTTP method
        :param path: request path
        :param can_duplicate: the request is a list page after the first
        :return: a :data:`Fault` (kind None for none; delay in seconds)
        """
        with self._lock:
            queued = self._take_queued(method, path, can_duplicate)
            if queued is not None:
                return queued
            if not self._plan:
                return NO_FAULT
            return self._draw(can_duplicate)
