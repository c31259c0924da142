# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook: the machine tells Odoo at once that a record changed.

``POST /connector_coffee/webhook/<backend id>`` with the JSON event
``{"type", "id", "occurred_at"}`` and the headers ``X-Coffee-Event-Id``,
``X-Coffee-Timestamp`` and ``X-Coffee-Signature`` (see
``coffee_api/signature.py``) made with the backend's webhook secret; or a
burst of events in one delivery, ``{"events": [{"event_id", "type", "id",
"occurred_at"}, ...]}`` (1 to :data:`MAX_EVENTS`), signed as one, each event
with its own id.

No event is imported on its own: each is stored, pending, and one job of the
backend and entity imports the records of the pending events by pages of ids
(``components/event_importer.py``): a burst of events is a few jobs and a
few requests to the machine, and a single event is imported as soon as the
job runner runs its job.

In this order, the receiver answers:

- 413 for a body over :data:`MAX_BODY`: by its ``Content-Length`` at once,
  without reading it; a chunked body is read up to one byte past the limit;
- 403 ``refused`` for an unknown or archived backend, a backend without a
  secret, a missing or bad signature, a timestamp out of tolerance: all
  alike, so that backend ids cannot be told apart;
- 400 for a signed event that is not exactly ``{type, id, occurred_at}``
  (a known type, a positive JSON integer id below 2**31, a string), or a
  burst with an event that is not, or without a valid ``event_id``;
- 200 ``already received`` for event ids the backend all received before:
  it enqueues nothing, even once their job is done;
- 202 ``accepted`` once the new events are stored and a job waits to import
  them, enqueued as the backend's webhook user in the backend's company.

Refusals are counted and logged at most once a minute per backend (and once
for all unknown ones), so that nobody can flood the log. With each line of a
known backend, its count is also added to the backend's refusals of the
hour (``coffee.webhook.event.count``), in a transaction of its own: an
anonymous caller writes at most one row update a minute per backend and
process, and the cockpit tells the refusals of the last 24 hours.
"""

import json
import logging
import threading
import time
from collections import Counter

import psycopg2
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from odoo import SUPERUSER_ID, api, http
from odoo.http import request

from ..coffee_api import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE,
    signature_problem,
)
from ..coffee_api.signature import valid_event_id
from ..entities import BY_EVENT

_logger = logging.getLogger(__name__)

#: the largest body accepted, in bytes
MAX_BODY = 64 * 1024
#: the fields of an event, all required
EVENT_FIELDS = frozenset({"type", "id", "occurred_at"})
#: the fields of an event of a burst
BURST_EVENT_FIELDS = EVENT_FIELDS | {"event_id"}
#: the most events of one delivery
MAX_EVENTS = 500
#: external ids are PostgreSQL integers
MAX_EXTERNAL_ID = 2**31 - 1
#: where the body read once is kept, should Odoo serve the request again
#: after a serialization failure
_BODY_KEY = "connector_coffee.webhook_body"


class RefusalLog:
    """Counts refused webhook requests and logs them at most once per interval.

    One line per key (a backend id, or None for all unknown backends) and
    interval, with the number of refusals since the previous line and their
    reasons: a flood of bad requests makes one line a minute, not one each.
    The refusals counted after a line wait for the next one, written by the
    first refusal once the interval is over.

    Each Odoo process has its own: with several workers, each logs (and
    stores) its own counts, which add up.

    :param interval: seconds between two lines of a key
    :param clock: the monotonic clock (replaceable in tests)
    """

    def __init__(self, interval=60.0, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._keys = {}

    def refused(self, key, reason):
        """Count a refusal; log the count when the key's interval is over.

        :param key: the backend's id, or None for an unknown backend
        :param reason: why, e.g. ``"bad signature"``
        :return: the number of refusals the line logged counts (those since
            the previous line), 0 when no line was logged
        """
        now = self.clock()
        with self._lock:
            last, reasons = self._keys.get(key, (None, Counter()))
            reasons[reason] += 1
            if last is not None and now - last < self.interval:
                self._keys[key] = (last, reasons)
                return 0
            self._keys[key] = (now, Counter())
        count = sum(reasons.values())
        _logger.warning(
            "coffee webhook: %d request(s) to %s refused since the last report "
            "(at most one a minute): %s",
            count,
            f"backend {key}" if key is not None else "unknown or archived backends",
            ", ".join(f"{why}: {n}" for why, n in sorted(reasons.items())),
        )
        return count


REFUSALS = RefusalLog()


def _load_json(body):
    """Decode a body strictly: no duplicate keys, no NaN nor Infinity.

    :raise ValueError: for anything else
    """

    def unique_keys(pairs):
        keys = [key for key, _value in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate keys")
        return dict(pairs)

    def no_constant(name):
        raise ValueError(f"{name} is not a number")

    try:
        return json.loads(
            body, object_pairs_hook=unique_keys, parse_constant=no_constant
        )
    except RecursionError:
        raise ValueError("nested too deep") from None


def parse_event(body):
    """Read a webhook event, strictly.

    :param body: the body bytes
    :return: ``(type, id)`` of the event
    :raise ValueError: for anything but a JSON object of exactly ``type`` (a
        known event), ``id`` (a JSON integer, 1 to 2**31 - 1) and
        ``occurred_at`` (a string), without duplicate keys
    """
    return _check_event(_load_json(body), EVENT_FIELDS)


def parse_events(body, event_id):
    """Read a delivery of the machine: one event, or a burst of them.

    :param body: the body bytes
    :param event_id: the delivery's ``X-Coffee-Event-Id``, the id of a
        single event
    :return: ``[(event id, type, id)]`` of its events
    :raise ValueError: for anything but an event (see :func:`parse_event`)
        or ``{"events": [...]}`` of 1 to :data:`MAX_EVENTS` events, each
        with its own valid ``event_id`` besides
    """
    data = _load_json(body)
    if not (isinstance(data, dict) and set(data) == {"events"}):
        return [(event_id, *_check_event(data, EVENT_FIELDS))]
    events = data["events"]
    if not isinstance(events, list) or not 1 <= len(events) <= MAX_EVENTS:
        raise ValueError("not a burst of events")
    parsed = []
    for event in events:
        event_type, external_id = _check_event(event, BURST_EVENT_FIELDS)
        if not valid_event_id(event["event_id"]):
            raise ValueError("bad event_id")
        parsed.append((event["event_id"], event_type, external_id))
    return parsed


def _check_event(event, fields):
    """The ``(type, id)`` of a decoded event that has exactly ``fields``."""
    if not isinstance(event, dict) or set(event) != fields:
        raise ValueError("not an event")
    event_type, external_id = event["type"], event["id"]
    if not isinstance(event_type, str) or event_type not in BY_EVENT:
        raise ValueError("unknown type")
    if type(external_id) is not int or not 0 < external_id <= MAX_EXTERNAL_ID:
        raise ValueError("bad id")
    if not isinstance(event["occurred_at"], str):
        raise ValueError("bad occurred_at")
    return event_type, external_id


def _read_body(httprequest, limit):
    """The request's body, read once and at most ``limit`` + 1 bytes of it.

    Odoo's request wraps werkzeug's and does not expose its ``stream``,
    which is read here with a cap, whether the body has a length or is
    chunked. The body is kept on the request: Odoo serves a request again
    after a serialization failure, when the stream is spent.

    :return: the body bytes, or None when it is over ``limit``
    """
    if _BODY_KEY in httprequest.environ:
        return httprequest.environ[_BODY_KEY]
    wrapped = getattr(httprequest, "_HTTPRequest__wrapped", httprequest)
    stream = wrapped.stream
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = stream.read(limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except RequestEntityTooLarge:
        size = limit + 1
    body = b"".join(chunks) if size <= limit else None
    httprequest.environ[_BODY_KEY] = body
    return body


class CoffeeWebhookController(http.Controller):
    # no max_content_length on the route: werkzeug 2 reads a body over it to
    # the end before refusing it; the controller refuses it by its header
    @http.route(
        "/connector_coffee/webhook/<int:backend_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def webhook(self, backend_id, **kwargs):
        """Receive events of the machine; make sure a job imports them."""
        httprequest = request.httprequest
        env = request.env(su=True)
        backend = env["coffee.backend"]
        if 0 < backend_id <= MAX_EXTERNAL_ID:
            backend = backend.browse(backend_id).exists().filtered("active")
        key = backend.id or None
        length = httprequest.content_length
        if length is not None and length > MAX_BODY:
            return self._refuse(key, "too large", 413, "event too large")
        try:
            body = _read_body(httprequest, MAX_BODY)
        except BadRequest:  # the client went away while sending
            return self._refuse(key, "body not received", 400, "event not understood")
        if body is None:
            return self._refuse(key, "too large", 413, "event too large")
        if not backend:
            return self._refuse(key, "unknown or archived backend")
        headers = httprequest.headers
        timestamp = headers.get(TIMESTAMP_HEADER)
        event_id = headers.get(EVENT_ID_HEADER)
        problem = signature_problem(
            backend.webhook_secret,
            body,
            headers.get(SIGNATURE_HEADER),
            timestamp,
            event_id,
            tolerance=TOLERANCE,
        )
        if problem:
            return self._refuse(key, problem)
        try:
            events = parse_events(body, event_id)
        except ValueError:
            return self._refuse(
                key, "event not understood", 400, "event not understood"
            )
        user = backend.webhook_user_id
        company = backend.company_id
        if not user or not (user._is_superuser() or company in user.company_ids):
            return self._refuse(key, "no webhook user allowed in the company")
        received = env["coffee.webhook.event"]._receive_many(backend, timestamp, events)
        if not received:
            return self._answer(200, "already received")
        job_env = env(
            user=user.id, su=False, context={"allowed_company_ids": company.ids}
        )
        for model in sorted({BY_EVENT[event_type].model for event_type in received}):
            job_env[model]._delay_once(backend.with_env(job_env), "_import_events")
        return self._answer(202, "accepted")

    @classmethod
    def _refuse(cls, key, reason, status=403, message="refused"):
        """Count and answer a refusal; the answer never tells the reason."""
        count = REFUSALS.refused(key, reason)
        if count and key is not None:
            cls._store_refusals(key, count)
        return cls._answer(status, message)

    @staticmethod
    def _store_refusals(backend_id, count):
        """Add the refusals of a log line to the backend's count of the hour.

        In a transaction of its own, committed at once: whatever becomes of
        the request's, the count stays. A database that cannot take it loses
        the count, not the answer.
        """
        try:
            with request.env.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["coffee.webhook.event.count"]._add_refusals(backend_id, count)
        except psycopg2.Error as err:
            _logger.warning(
                "coffee webhook: %d refusal(s) of backend %s not counted: %s",
                count,
                backend_id,
                err,
            )

    @staticmethod
    def _answer(status, message):
        key = "status" if status < 400 else "error"
        return request.make_json_response({key: message}, status=status)
