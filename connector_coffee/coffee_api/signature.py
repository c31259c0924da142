# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Signatures of webhook events: HMAC-SHA256 over a timestamp, an id and the body.

The machine sends each event with three headers:

``X-Coffee-Timestamp``
    when it signed the event, in Unix seconds (ASCII digits);
``X-Coffee-Event-Id``
    the event's unique id, 1 to 64 ASCII letters, digits, ``-`` or ``_``
    (a UUID will do); a retry of the same event keeps its id;
``X-Coffee-Signature``
    ``sha256=<hex HMAC-SHA256>`` made with the shared secret over the bytes
    ``{timestamp}.{event id}.{body}``.

Neither the timestamp nor the event id may contain a dot, so the signed bytes
tell the three parts apart. A receiver refuses an event whose timestamp is
more than :data:`TOLERANCE` seconds away from its own clock, in either
direction, and one whose event id it received before (see the addon's
webhook controller).
"""

import hashlib
import hmac
import re
import time

SIGNATURE_HEADER = "X-Coffee-Signature"
TIMESTAMP_HEADER = "X-Coffee-Timestamp"
EVENT_ID_HEADER = "X-Coffee-Event-Id"
SIGNATURE_PREFIX = "sha256="
#: seconds an event's timestamp may be away from the receiver's clock
TOLERANCE = 300

_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)


def _to_bytes(value):
    """Encode a str as UTF-8, leave bytes untouched.

    :param value: str or bytes
    :return: bytes
    """
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def valid_timestamp(value):
    """Tell whether a value is a well-formed ``X-Coffee-Timestamp``.

    :param value: the header value (str) or Unix seconds (int, not bool)
    :return: True for 1 to 12 ASCII digits
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    return bool(_TIMESTAMP.fullmatch(str(value)))


def valid_event_id(value):
    """Tell whether a value is a well-formed ``X-Coffee-Event-Id``.

    :param value: the header value
    :return: True for 1 to 64 ASCII letters, digits, ``-`` or ``_``
    """
    return isinstance(value, str) and bool(_EVENT_ID.fullmatch(value))


def signed_payload(timestamp, event_id, body):
    """The bytes a signature covers: ``{timestamp}.{event id}.{body}``.

    :param timestamp: Unix seconds (int or the header's str)
    :param event_id: the event's id
    :param body: the exact body bytes (a str is encoded as UTF-8)
    :return: bytes
    :raise ValueError: for a malformed timestamp or event id
    """
    if not valid_timestamp(timestamp):
        raise ValueError(f"not a webhook timestamp: {timestamp!r}")
    if not valid_event_id(event_id):
        raise ValueError(f"not a webhook event id: {event_id!r}")
    return f"{timestamp}.{event_id}.".encode("ascii") + _to_bytes(body)


def sign(secret, body, timestamp, event_id):
    """Sign a webhook event.

    :param secret: the shared secret (str or bytes)
    :param body: the exact body bytes (a str is encoded as UTF-8)
    :param timestamp: Unix seconds when it is sent (int or str)
    :param event_id: the event's unique id
    :return: the header value ``sha256=<hex HMAC-SHA256>``
    :raise ValueError: for a malformed timestamp or event id
    """
    payload = signed_payload(timestamp, event_id, body)
    digest = hmac.new(_to_bytes(secret), payload, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def signature_problem(
    secret, body, header_value, timestamp, event_id, tolerance=TOLERANCE, now=None
):
    """Say what is wrong with a webhook event's signature, if anything.

    The signature is compared in constant time; the timestamp is checked
    only once the signature matches.

    :param secret: the shared secret (str or bytes); empty never verifies
    :param body: the exact body bytes received
    :param header_value: the ``X-Coffee-Signature`` header, ``sha256=ab12...``
    :param timestamp: the ``X-Coffee-Timestamp`` header
    :param event_id: the ``X-Coffee-Event-Id`` header
    :param tolerance: seconds the timestamp may be away from ``now``
    :param now: the receiver's Unix time (default: the clock)
    :return: None when the event is signed and fresh, else a short reason
    """
    if not secret:
        return "no secret"
    if not header_value:
        return "no signature"
    if not valid_timestamp(timestamp):
        return "no or bad timestamp"
    if not valid_event_id(event_id):
        return "no or bad event id"
    received = str(header_value).strip()
    if not received.lower().startswith(SIGNATURE_PREFIX):
        return "bad signature"
    received = SIGNATURE_PREFIX + received[len(SIGNATURE_PREFIX) :].lower()
    expected = sign(secret, body, timestamp, event_id)
    if not hmac.compare_digest(expected.encode("ascii"), received.encode("utf-8")):
        return "bad signature"
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > tolerance:
        return "timestamp out of tolerance"
    return None


def verify_signature(
    secret, body, header_value, timestamp, event_id, tolerance=TOLERANCE, now=None
):
    """Check a webhook event's signature and the freshness of its timestamp.

    :param secret: the shared secret (str or bytes); empty never verifies
    :param body: the exact body bytes received
    :param header_value: the ``X-Coffee-Signature`` header, ``sha256=ab12...``
    :param timestamp: the ``X-Coffee-Timestamp`` header
    :param event_id: the ``X-Coffee-Event-Id`` header
    :param tolerance: seconds the timestamp may be away from ``now``
    :param now: the receiver's Unix time (default: the clock)
    :return: True when the signature matches and the timestamp is fresh
    """
    problem = signature_problem(
        secret, body, header_value, timestamp, event_id, tolerance, now
    )
    return problem is None
