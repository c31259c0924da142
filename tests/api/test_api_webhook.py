# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhooks: signed events POSTed by the simulator to a real HTTP server."""

import json
import queue
import time

import pytest
from coffee_api import SIGNATURE_HEADER, sign, verify_signature
from coffee_simulator import webhooks as machine

SECRET = "whsec-test-0123456789"


def _wait_event(received, event_type, timeout=5.0):
    """Return the first received (headers, body, event) of a type."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {event_type} event received"
        try:
            headers, body = received.get(timeout=remaining)
        except queue.Empty:
            continue
        event = json.loads(body)
        if event["type"] == event_type:
            return headers, body, event


def test_sign_known_vector():
    # RFC 4231, test case 2
    assert sign("Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert sign(b"Jefe", "what do ya want for nothing?") == sign(
        "Jefe", b"what do ya want for nothing?"
    )


@pytest.mark.parametrize(
    ("secret", "body"),
    [
        (SECRET, b'{"type":"brew.finished","id":1}'),
        ("Jefe", "what do ya want for nothing?"),
        (b"\xffbinary-secret", "caf\u00e9".encode()),
        ("s", b""),
    ],
)
def test_machine_signs_as_the_client_verifies(secret, body):
    """The simulator signs with its own code; the addon's client agrees."""
    assert machine.SIGNATURE_HEADER == SIGNATURE_HEADER
    assert machine.sign(secret, body) == sign(secret, body)
    assert verify_signature(secret, body, machine.sign(secret, body))
    assert not verify_signature(secret + secret, body, machine.sign(secret, body))


@pytest.mark.parametrize(
    ("secret", "body", "header", "expected"),
    [
        (SECRET, b"{}", sign(SECRET, b"{}"), True),
        (
            SECRET,
            b"{}",
            sign(SECRET, b"{}").upper().replace("SHA256=", "sha256="),
            True,
        ),
        (SECRET, b"{} ", sign(SECRET, b"{}"), False),
        ("other", b"{}", sign(SECRET, b"{}"), False),
        (SECRET, b"{}", sign(SECRET, b"{}")[len("sha256=") :], False),
        (SECRET, b"{}", "", False),
        (SECRET, b"{}", None, False),
        ("", b"{}", sign("", b"{}"), False),
    ],
)
def test_verify_signature(secret, body, header, expected):
    assert verify_signature(secret, body, header) is expected


def test_events_are_signed_and_delivered(client, sim, webhook_receiver):
    url, received = webhook_receiver
    sim.set_webhook(url, SECRET)
    client.write("beverages", 3, {"price": 2.75})
    headers, body, event = _wait_event(received, "beverage.updated")
    assert event["id"] == 3 and event["occurred_at"].endswith("+00:00")
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(SECRET, body, headers[SIGNATURE_HEADER])
    assert not verify_signature("wrong-secret", body, headers[SIGNATURE_HEADER])

    brew = client.create_brew({"machine_id": 2, "beverage_id": 1}, "hook-1")
    _headers, _body, event = _wait_event(received, "machine.state_changed")
    assert event["id"] == 2
    sim.advance_brews()
    headers, body, event = _wait_event(received, "brew.finished")
    assert event["id"] == brew["id"]
    assert verify_signature(SECRET, body, headers[SIGNATURE_HEADER])
    assert client.read("brews", brew["id"])["state"] == "done"


def test_failed_delivery_does_not_break_the_server(client, sim, closed_port):
    sim.set_webhook(f"http://127.0.0.1:{closed_port}/hook", SECRET)
    client.write("beverages", 1, {"active": False})
    deadline = time.monotonic() + 5
    while not sim.webhook_deliveries():
        assert time.monotonic() < deadline, "the delivery was never attempted"
        time.sleep(0.02)
    delivery = sim.webhook_deliveries()[0]
    assert delivery["type"] == "beverage.updated" and delivery["error"]
    assert client.status()["api_version"] == "1"
    with pytest.raises(ValueError):
        sim.set_webhook("file:///etc/passwd", SECRET)
