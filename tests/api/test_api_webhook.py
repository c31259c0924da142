# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhooks: signed events POSTed by the simulator to a real HTTP server,
and ``GET /webhook``, where they go and how the last delivery went."""

import json
import queue
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from coffee_api import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE,
    CoffeeProtocolError,
    sign,
    signature_problem,
    verify_signature,
)
from coffee_simulator import webhooks as machine

SECRET = "whsec-test-0123456789"
NOW = 1_800_000_000
EVENT_ID = "0b6f3f4e-5a7c-4d2b-9c1e-2f8a6d4b7e10"
SPEC_PATH = (
    Path(__file__).resolve().parents[2] / "connector_coffee/coffee_api/openapi.json"
)


def _verify_delivery(headers, body, secret=SECRET):
    """Check a received delivery as the addon does, now."""
    return verify_signature(
        secret,
        body,
        headers[SIGNATURE_HEADER],
        headers[TIMESTAMP_HEADER],
        headers[EVENT_ID_HEADER],
    )


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
    """The HMAC-SHA256 of ``{timestamp}.{event id}.{body}``."""
    body = b"what do ya want for nothing?"
    expected = "sha256=a1b7edcb7b5bcd938c695bdcfa4b1edeef89444d2b2a288ae26dee29e4ee2ab4"
    assert sign("Jefe", body, 1700000000, "evt-1") == expected
    assert sign(b"Jefe", body.decode(), "1700000000", "evt-1") == expected
    assert machine.sign("Jefe", body, 1700000000, "evt-1") == expected


@pytest.mark.parametrize(
    ("timestamp", "event_id"),
    [
        ("", "evt"),
        ("-5", "evt"),
        ("1.5", "evt"),
        ("\uff11\uff12", "evt"),
        (True, "evt"),
        ("1" * 13, "evt"),
        (NOW, ""),
        (NOW, "a.b"),
        (NOW, "caf\u00e9"),
        (NOW, "x" * 65),
        (NOW, None),
    ],
)
def test_sign_refuses_malformed_headers(timestamp, event_id):
    """A dot or a non-ASCII character would make the signed bytes ambiguous."""
    with pytest.raises(ValueError):
        sign(SECRET, b"{}", timestamp, event_id)
    assert not verify_signature(SECRET, b"{}", "sha256=00", timestamp, event_id)


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
    assert machine.TIMESTAMP_HEADER == TIMESTAMP_HEADER
    assert machine.EVENT_ID_HEADER == EVENT_ID_HEADER
    signature = machine.sign(secret, body, NOW, EVENT_ID)
    assert signature == sign(secret, body, NOW, EVENT_ID)
    assert verify_signature(secret, body, signature, str(NOW), EVENT_ID, now=NOW)
    assert not verify_signature(
        secret + secret, body, signature, str(NOW), EVENT_ID, now=NOW
    )


def _check(header, body=b"{}", timestamp=NOW, event_id=EVENT_ID, now=NOW, **kw):
    return verify_signature(SECRET, body, header, timestamp, event_id, now=now, **kw)


GOOD = sign(SECRET, b"{}", NOW, EVENT_ID)


@pytest.mark.parametrize(
    ("header", "kwargs", "expected"),
    [
        (GOOD, {}, True),
        (GOOD.upper().replace("SHA256=", "sha256="), {}, True),
        (f"  {GOOD} ", {}, True),
        (GOOD, {"body": b"{} "}, False),
        (sign("other", b"{}", NOW, EVENT_ID), {}, False),
        (GOOD[len("sha256=") :], {}, False),
        ("", {}, False),
        (None, {}, False),
        # the timestamp and the event id are signed
        (GOOD, {"timestamp": NOW + 1}, False),
        (GOOD, {"event_id": EVENT_ID + "x"}, False),
        (GOOD, {"timestamp": None}, False),
        (GOOD, {"event_id": None}, False),
        # the clock of the receiver: 5 minutes either way
        (GOOD, {"now": NOW + TOLERANCE}, True),
        (GOOD, {"now": NOW - TOLERANCE}, True),
        (GOOD, {"now": NOW + TOLERANCE + 1}, False),
        (GOOD, {"now": NOW - TOLERANCE - 1}, False),
        (GOOD, {"now": NOW + 3600, "tolerance": 7200}, True),
    ],
)
def test_verify_signature(header, kwargs, expected):
    assert _check(header, **kwargs) is expected


def test_verify_signature_needs_a_secret():
    signature = sign("", b"{}", NOW, EVENT_ID)
    assert not verify_signature("", b"{}", signature, NOW, EVENT_ID, now=NOW)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({}, None),
        ({"secret": ""}, "no secret"),
        ({"header": ""}, "no signature"),
        ({"timestamp": "soon"}, "no or bad timestamp"),
        ({"event_id": "a.b"}, "no or bad event id"),
        ({"body": b"[]"}, "bad signature"),
        ({"now": NOW - 301}, "timestamp out of tolerance"),
    ],
)
def test_signature_problem_says_why(kwargs, problem):
    values = {
        "secret": SECRET,
        "body": b"{}",
        "header": GOOD,
        "timestamp": NOW,
        "event_id": EVENT_ID,
        "now": NOW,
    }
    values.update(kwargs)
    assert (
        signature_problem(
            values["secret"],
            values["body"],
            values["header"],
            values["timestamp"],
            values["event_id"],
            now=values["now"],
        )
        == problem
    )


def test_events_are_signed_and_delivered(client, sim, webhook_receiver):
    url, received = webhook_receiver
    sim.set_webhook(url, SECRET)
    client.write("beverages", 3, {"price": 2.75})
    headers, body, event = _wait_event(received, "beverage.updated")
    assert event["id"] == 3 and event["occurred_at"].endswith("+00:00")
    assert headers["Content-Type"] == "application/json"
    assert _verify_delivery(headers, body)
    assert not _verify_delivery(headers, body, secret="wrong-secret")
    assert abs(int(headers[TIMESTAMP_HEADER]) - time.time()) < 60
    first_id = headers[EVENT_ID_HEADER]
    # the timestamp and the event id cannot be changed
    stamp = int(headers[TIMESTAMP_HEADER])
    signature = headers[SIGNATURE_HEADER]
    assert not verify_signature(SECRET, body, signature, stamp + 1, first_id)
    assert not verify_signature(SECRET, body, signature, stamp, first_id + "0")
    assert verify_signature(SECRET, body, signature, stamp, first_id)
    # ... and an old delivery is refused later on
    later = stamp + TOLERANCE + 1
    assert not verify_signature(SECRET, body, signature, stamp, first_id, now=later)

    brew = client.create_brew({"machine_id": 2, "beverage_id": 1}, "hook-1")
    _headers, _body, event = _wait_event(received, "machine.state_changed")
    assert event["id"] == 2
    sim.advance_brews()
    headers, body, event = _wait_event(received, "brew.finished")
    assert event["id"] == brew["id"]
    assert _verify_delivery(headers, body)
    # every event has its own id
    assert headers[EVENT_ID_HEADER] != first_id
    assert set(event) == {"type", "id", "occurred_at"}
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
    assert delivery["event_id"]
    assert client.status()["api_version"] == "1"
    with pytest.raises(ValueError):
        sim.set_webhook("file:///etc/passwd", SECRET)


def test_burst_bodies_respect_their_limits():
    events = [
        {"event_id": f"evt-{n}", "type": "brew.finished", "id": n, "occurred_at": "x"}
        for n in range(1, 1201)
    ]
    bodies = machine.burst_bodies(events)
    assert [event for chunk, _body in bodies for event in chunk] == events
    for chunk, body in bodies:
        assert len(chunk) <= machine.MAX_BURST_EVENTS
        assert len(body) <= machine.MAX_BURST_BYTES
        assert json.loads(body) == {"events": chunk}
    assert len(machine.burst_bodies(events, max_events=100)) == 12


def test_events_waiting_together_go_as_one_signed_burst(client, sim, webhook_receiver):
    url, received = webhook_receiver
    sim.set_webhook(url, SECRET, batch=50)
    for number in range(40):
        client.write("beverages", 1, {"price": 1 + number / 100})
    events, posts = [], 0
    deadline = time.monotonic() + 5
    while len(events) < 40:
        assert time.monotonic() < deadline, f"{len(events)} events received"
        try:
            headers, body = received.get(timeout=0.5)
        except queue.Empty:
            continue
        posts += 1
        assert _verify_delivery(headers, body)
        data = json.loads(body)
        burst = data["events"] if "events" in data else [data]
        for event in burst:
            assert event["type"] == "beverage.updated" and event["id"] == 1
            if "events" in data:
                assert set(event) == {"event_id", "type", "id", "occurred_at"}
                assert event["event_id"] != headers[EVENT_ID_HEADER]
        events += burst
    assert posts < 40
    while len(sim.webhook_deliveries()) < 40:  # noted once answered
        assert time.monotonic() < deadline
        time.sleep(0.02)
    ids = [delivery["event_id"] for delivery in sim.webhook_deliveries()]
    assert len(set(ids)) == 40
    with pytest.raises(ValueError):
        sim.set_webhook(url, SECRET, batch=0)


def _wait_last_delivery(client, timeout=5.0):
    """Return ``GET /webhook`` once it tells a last delivery."""
    deadline = time.monotonic() + timeout
    while True:
        target = client.get_webhook()
        if target["last_delivery"] is not None:
            return target
        assert time.monotonic() < deadline, "no delivery told by GET /webhook"
        time.sleep(0.02)


def _validate_target(target):
    """Check an answer of ``GET /webhook`` against the OpenAPI document."""
    validators = pytest.importorskip("openapi_schema_validator")
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    schema = {
        "$ref": "#/components/schemas/WebhookTarget",
        "components": spec["components"],
    }
    validators.OAS30Validator(schema).validate(target)


def test_webhook_target_without_webhook(client):
    assert client.get_webhook() == {"url": None, "last_delivery": None}


@pytest.mark.parametrize("answer", [202, 204, 403])
def test_webhook_target_tells_the_last_delivery(client, sim, webhook_server, answer):
    webhook_server.status = answer
    client.request(
        "PUT", "/webhook", json_body={"url": webhook_server.url, "secret": SECRET}
    )
    assert client.get_webhook() == {"url": webhook_server.url, "last_delivery": None}
    before = datetime.now(timezone.utc)
    client.write("beverages", 2, {"price": 3.1})
    target = _wait_last_delivery(client)
    _validate_target(target)
    last = target["last_delivery"]
    assert target["url"] == webhook_server.url
    assert last["status"] == answer and last["error"] is None
    sent_at = datetime.fromisoformat(last["at"])
    assert before - timedelta(seconds=1) <= sent_at <= datetime.now(timezone.utc)
    # the secret never leaves the machine
    raw = client.request("GET", "/webhook")
    assert SECRET not in json.dumps(raw)
    # another URL: nothing delivered there yet
    client.request(
        "PUT", "/webhook", json_body={"url": webhook_server.url + "/2", "secret": None}
    )
    assert client.get_webhook()["last_delivery"] is None


def test_webhook_target_tells_a_delivery_without_answer(client, sim, closed_port):
    url = f"http://127.0.0.1:{closed_port}/hook"
    sim.set_webhook(url, SECRET)
    client.write("beverages", 1, {"active": False})
    target = _wait_last_delivery(client)
    _validate_target(target)
    assert target["url"] == url
    last = target["last_delivery"]
    assert last["status"] is None and last["error"]
    assert sim.webhook_target() == target


def test_webhook_target_is_read_with_a_read_only_key(sim, creds, make_client):
    sim.set_webhook("http://127.0.0.1:9/hook", SECRET)
    reader = make_client(sim.url, api_key=creds.readonly_key, timeout=5.0)
    assert reader.get_webhook() == {
        "url": "http://127.0.0.1:9/hook",
        "last_delivery": None,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"url": 5, "last_delivery": None},
        {"url": None, "last_delivery": "yesterday"},
        {"url": None, "last_delivery": {"at": None, "status": 202, "error": None}},
        {"url": None, "last_delivery": {"at": "x", "status": "202", "error": None}},
        {"url": None, "last_delivery": {"at": "x", "status": None, "error": 1}},
    ],
)
def test_get_webhook_refuses_an_odd_answer(client, monkeypatch, body):
    monkeypatch.setattr(client, "request", lambda *args, **kwargs: body)
    with pytest.raises(CoffeeProtocolError):
        client.get_webhook()
