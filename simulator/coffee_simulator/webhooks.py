# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook events sent by the simulated machine, signed as a machine signs them.

The machine's side of the webhook protocol: each event is POSTed as the JSON
body ``{type, id, occurred_at}`` with three headers: ``X-Coffee-Event-Id``
(a UUID, unique per event), ``X-Coffee-Timestamp`` (Unix seconds when it is
sent) and ``X-Coffee-Signature: sha256=<hex HMAC-SHA256>`` over the bytes
``{timestamp}.{event id}.{body}``. The receiver (the addon) checks them with
its own ``verify_signature``; tier A checks that both sides agree.
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
        self.deliveries = []
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._thread = None

    def configure(self, url, secret):
        """Set (or clear with url None) the target of the events."""
        if url:
            check_webhook_url(url)
        with self._lock:
            self.url = url or None
            self.secret = secret or None

    def enqueue(self, event_type, record_id):
        """Queue an event for the configured URL (dropped when none)."""
        with self._lock:
            url, secret = self.url, self.secret
        if not url:
            return
        event = {
            "type": event_type,
            "id": record_id,
            "occurred_at": format_timestamp(datetime.now(timezone.utc)),
        }
        body = json.dumps(event, separators=(",", ":")).encode("utf-8")
        self._queue.put((url, secret, str(uuid.uuid4()), event, body))

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
        while not self._stop.is_set():
            item = self._queue.get()
            if item is None:
                continue
            self._deliver(*item)

    def delivered(self):
        """Return copies of the delivery results, oldest first."""
        with self._lock:
            return [dict(item) for item in self.deliveries]

    def _deliver(self, url, secret, event_id, event, body):
        """POST one event, signed when it is sent; log failures, never raise."""
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "coffee-sim",
            EVENT_ID_HEADER: event_id,
            TIMESTAMP_HEADER: str(timestamp),
        }
        if secret:
            headers[SIGNATURE_HEADER] = sign(secret, body, timestamp, event_id)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        result = dict(event, event_id=event_id, status=None, error=None)
        try:
            with self._opener.open(request, timeout=WEBHOOK_TIMEOUT) as answer:
                result["status"] = answer.status
        except urllib.error.HTTPError as exc:
            result["status"] = exc.code
            _logger.warning("webhook %s answered %s", event["type"], exc.code)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            result["error"] = str(exc)
            _logger.warning("webhook %s not delivered: %s", event["type"], exc)
        with self._lock:
            self.deliveries.append(result)
            del self.deliveries[:-MAX_DELIVERY_LOG]
