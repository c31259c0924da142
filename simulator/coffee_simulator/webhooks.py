# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook events sent by the simulated machine, signed as a machine signs them.

The machine's side of the webhook protocol: each event is POSTed as the JSON
body ``{type, id, occurred_at}`` with three headers: ``X-Coffee-Event-Id``
(a UUID, unique per event), ``X-Coffee-Timestamp`` (Unix seconds when it is
sent) and ``X-Coffee-Signature: sha256=<hex HMAC-SHA256>`` over the bytes
``{timestamp}.{event id}.{body}``. The receiver (the addon) checks them with
its own ``verify_signature``; tier A checks that both sides agree.

A machine set to deliver bursts (``batch`` > 1) POSTs the events waiting
together as one delivery, ``{"events": [{event_id, type, id, occurred_at},
...]}`` (at most ``batch`` events and :data:`MAX_BURST_BYTES` bytes), signed
as one with an ``X-Coffee-Event-Id`` of its own; each event keeps its own
id inside.

The sender remembers the last delivery attempt to its current URL (when,
the HTTP status answered, or why none was), which ``GET /webhook`` tells
the machine's clients; never the secret.
"""

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .schema import format_timestamp

_logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Coffee-Signature"
TIMESTAMP_HEADER = "X-Coffee-Timestamp"
EVENT_ID_HEADER = "X-Coffee-Event-Id"
SIGNATURE_PREFIX = "sha256="
WEBHOOK_TIMEOUT = 5.0
MAX_DELIVERY_LOG = 1000
#: the most events of a burst (the receiver's limit)
MAX_BURST_EVENTS = 500
#: the largest body of a burst, below the receiver's 64 KiB
MAX_BURST_BYTES = 60 * 1024


def sign(secret, body, timestamp, event_id):
    """Sign a webhook event.

    :param secret: the shared secret (str or bytes)
    :param body: the exact body bytes (a str is encoded as UTF-8)
    :param timestamp: Unix seconds when it is sent (int or str of digits)
    :param event_id: the event's unique id (letters, digits, ``-``, ``_``)
    :return: the header value ``sha256=<hex HMAC-SHA256>`` of
        ``{timestamp}.{event id}.{body}``
    """
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    if isinstance(body, str):
        body = body.encode("utf-8")
    payload = f"{timestamp}.{event_id}.".encode("ascii") + bytes(body)
    digest = hmac.new(bytes(secret), payload, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def check_webhook_url(url):
    """Validate a webhook URL (http or https with a host).

    :raise ValueError: otherwise
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the webhook URL must be http(s)://host/..., not {url!r}")


def _compact(value):
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def burst_bodies(events, max_events=MAX_BURST_EVENTS, max_bytes=MAX_BURST_BYTES):
    """Pack events into the bodies of burst deliveries.

    :param events: dicts ``{event_id, type, id, occurred_at}``, in order
    :param max_events: the most events of one body
    :param max_bytes: the largest body
    :return: a list of ``(events, body bytes)``, the events in order
    """
    bodies, chunk, size = [], [], 0
    overhead = len(_compact({"events": []}))
    for event in events:
        length = len(_compact(event)) + 1
        if chunk and (len(chunk) >= max_events or overhead + size + length > max_bytes):
            bodies.append((chunk, _compact({"events": chunk})))
            chunk, size = [], 0
        chunk.append(event)
        size += length
    if chunk:
        bodies.append((chunk, _compact({"events": chunk})))
    return bodies


class WebhookSender:
    """Delivers webhook events in a background thread.

    :param stop_event: set when the simulator stops
    """

    def __init__(self, stop_event):
        self._stop = stop_event
        self._queue = queue.Queue()
        self._lock = threading.Lock()
        self.url = None
        self.secret = None
        self.batch = 1
        self.deliveries = []
        self.last_delivery = None
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._thread = None

    def configure(self, url, secret, batch=1):
        """Set (or clear with url None) the target of the events.

        :param batch: the most events of one delivery: 1 POSTs each event on
            its own, more POSTs the events waiting together as a burst
        """
        if url:
            check_webhook_url(url)
        if not isinstance(batch, int) or not 1 <= batch <= MAX_BURST_EVENTS:
            raise ValueError(f"batch must be 1 to {MAX_BURST_EVENTS}, not {batch!r}")
        with self._lock:
            if (url or None) != self.url:
                # the last delivery tells how the current URL answers
                self.last_delivery = None
            self.url = url or None
            self.secret = secret or None
            self.batch = batch

    def target(self):
        """Where the events go and how the last delivery there went.

        :return: dict ``{"url": str or None, "last_delivery": None or {"at":
            ISO 8601 UTC, "status": the HTTP status answered or None,
            "error": why no answer came or None}}``, never the secret
        """
        with self._lock:
            last = dict(self.last_delivery) if self.last_delivery else None
            return {"url": self.url, "last_delivery": last}

    def enqueue(self, event_type, record_id):
        """Queue an event for the configured URL (dropped when none)."""
        with self._lock:
            url, secret, batch = self.url, self.secret, self.batch
        if not url:
            return
        event = {
            "type": event_type,
            "id": record_id,
            "occurred_at": format_timestamp(datetime.now(timezone.utc)),
        }
        self._queue.put((url, secret, batch, str(uuid.uuid4()), event))

    def start(self):
        """Start the delivery thread."""
        self._thread = threading.Thread(
            target=self._run, name="coffee-sim-webhooks", daemon=True
        )
        self._thread.start()

    def join(self, timeout=None):
        """Wake the delivery thread and wait for it (after the stop event)."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)
            self._thread = None

    def _run(self):
        """Deliver queued events until the simulator stops."""
        held = None
        while not self._stop.is_set():
            item = held or self._queue.get()
            held = None
            if item is None:
                continue
            url, secret, batch, event_id, event = item
            burst = [dict(event, event_id=event_id)]
            while len(burst) < batch:
                try:
                    other = self._queue.get_nowait()
                except queue.Empty:
                    break
                if other is None or other[:3] != (url, secret, batch):
                    held = other
                    break
                burst.append(dict(other[4], event_id=other[3]))
            if len(burst) == 1:
                self._deliver(url, secret, event_id, [event], _compact(event))
                continue
            for events, body in burst_bodies(burst, max_events=batch):
                self._deliver(url, secret, str(uuid.uuid4()), events, body)

    def delivered(self):
        """Return copies of the delivery results, oldest first."""
        with self._lock:
            return [dict(item) for item in self.deliveries]

    def _deliver(self, url, secret, event_id, events, body):
        """POST one delivery, signed when it is sent; log failures, never raise.

        :param event_id: the id of the delivery (of its event, when alone)
        :param events: the events it carries
        """
        timestamp = int(time.time())
        sent_at = format_timestamp(datetime.now(timezone.utc))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "coffee-sim",
            EVENT_ID_HEADER: event_id,
            TIMESTAMP_HEADER: str(timestamp),
        }
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, body, timestamp, event_id)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        what = events[0]["type"] if len(events) == 1 else f"burst of {len(events)}"
        status = error = None
        try:
            with self._opener.open(request, timeout=WEBHOOK_TIMEOUT) as answer:
                status = answer.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            _logger.warning("webhook %s answered %s", what, exc.code)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = str(exc)
            _logger.warning("webhook %s not delivered: %s", what, exc)
        results = [
            dict(event, event_id=event.get("event_id", event_id), status=status)
            | {"error": error, "delivery_id": event_id}
            for event in events
        ]
        with self._lock:
            self.deliveries.extend(results)
            del self.deliveries[:-MAX_DELIVERY_LOG]
            if url == self.url:
                self.last_delivery = {"at": sent_at, "status": status, "error": error}
