# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""HMAC-SHA256 signatures of webhook bodies (``X-Coffee-Signature``)."""

import hashlib
import hmac

SIGNATURE_HEADER = "X-Coffee-Signature"
SIGNATURE_PREFIX = "sha256="


def _to_bytes(value):
    """Encode a str as UTF-8, leave bytes untouched.

    :param value: str or bytes
    :return: bytes
    """
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


def sign(secret, body):
    """Sign a webhook body.

    :param secret: the shared secret (str or bytes)
    :param body: the exact body bytes (a str is encoded as UTF-8)
    :return: the header value ``sha256=<hex HMAC-SHA256>``
    """
    digest = hmac.new(_to_bytes(secret), _to_bytes(body), hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def verify_signature(secret, body, header_value):
    """Check the ``X-Coffee-Signature`` header of a webhook in constant time.

    :param secret: the shared secret (str or bytes); empty never verifies
    :param body: the exact body bytes received
    :param header_value: the received header value, e.g. ``sha256=ab12...``
    :return: True when the signature matches
    """
    if not secret or not header_value:
        return False
    received = str(header_value).strip()
    if not received.lower().startswith(SIGNATURE_PREFIX):
        return False
    received = SIGNATURE_PREFIX + received[len(SIGNATURE_PREFIX) :].lower()
    expected = sign(secret, body)
    return hmac.compare_digest(expected.encode("ascii"), received.encode("utf-8"))
