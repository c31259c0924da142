# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The simulator's own contract: data, bad input, admin endpoints, HTTP."""

import http.client
import re
import socket
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from coffee_simulator import CoffeeSimulator
from coffee_simulator.schema import parse_date_time

TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")


@pytest.fixture
def api_session(sim, creds):
    """A requests session authenticated on ``sim``; yields (session, base URL)."""
    with requests.Session() as session:
        session.auth = (creds.username, creds.password)
        yield session, sim.url


def _assert_json_error(response, status):
    """Check an error answer: status, JSON body, Content-Length."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert int(response.headers["Content-Length"]) == len(response.content)
    error = response.json()["error"]
    assert error["code"] and error["message"]
    return error


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "field"),
    [
        ("POST", "/api/v1/users", {"data": b"{not json"}, 400, None),
        ("POST", "/api/v1/users", {"data": b"\xff\xfe"}, 400, None),
        ("POST", "/api/v1/users", {"json": [1, 2]}, 400, None),
        ("POST", "/api/v1/users", {}, 400, None),
        (
            "POST",
            "/api/v1/brews",
            {"data": b"}", "headers": {"Idempotency-Key": "k"}},
            400,
            None,
        ),
        ("PUT", "/api/v1/beverages/1", {"data": b"null"}, 400, None),
        ("GET", "/api/v1/teapots", {}, 404, None),
        ("GET", "/nowhere", {}, 404, None),
        ("GET", "/api/v1/brews/abc", {}, 404, None),
        ("GET", "/api/v1/brews/-1", {}, 404, None),
        ("GET", "/api/v1/brews/0", {}, 404, None),
        ("GET", "/api/v1/brews/" + "9" * 40, {}, 404, None),
        ("GET", "/api/v1/brews/1/extra", {}, 404, None),
        ("DELETE", "/api/v1/brews/1", {}, 405, None),
        ("PATCH", "/api/v1/users/1", {"json": {}}, 405, None),
        ("PUT", "/api/v1/machines/1", {"json": {"state": "idle"}}, 405, None),
        ("GET", "/api/v1/brews?per_page=0", {}, 422, "per_page"),
        ("GET", "/api/v1/brews?per_page=501", {}, 422, "per_page"),
        ("GET", "/api/v1/brews?per_page=99999999999999999999", {}, 422, "per_page"),
        ("GET", "/api/v1/brews?per_page=ten", {}, 422, "per_page"),
        ("GET", "/api/v1/brews?page=0", {}, 422, "page"),
        ("GET", "/api/v1/brews?updated_since=yesterday", {}, 422, "updated_since"),
        ("GET", "/api/v1/brews?updated_since=2026-13-45", {}, 422, "updated_since"),
        ("GET", "/api/v1/brews?updated_since=", {}, 422, "updated_since"),
        # an RFC 3339 date-time has seconds and an offset, and an unencoded +
        # in a query string reads as a space
        (
            "GET",
            "/api/v1/brews?updated_since=2026-01-01T00:00",
            {},
            422,
            "updated_since",
        ),
        (
            "GET",
            "/api/v1/brews?updated_since=2026-01-01T00:00:00+01:00",
            {},
            422,
            "updated_since",
        ),
        ("GET", "/api/v1/brews?page=", {}, 422, "page"),
        ("GET", "/api/v1/brews?page=+2", {}, 422, "page"),
        ("GET", "/api/v1/brews?page=1&page=2", {}, 422, "page"),
        ("GET", "/api/v1/brews?sort=id", {}, 422, "sort"),
        ("GET", "/api/v1/status?verbose=1", {}, 422, "verbose"),
        ("TRACE", "/api/v1/status", {}, 405, None),
        (
            "PUT",
            "/api/v1/beverages/1",
            {"data": b'{"price": 1}', "headers": {"Content-Type": "text/plain"}},
            415,
            None,
        ),
        ("PUT", "/api/v1/beverages/1", {"data": b'{"price": NaN}'}, 400, None),
        ("PUT", "/api/v1/beverages/1", {"json": {"price": 10**400}}, 422, "price"),
        ("POST", "/api/v1/users", {"data": b'{"name": "\\ud800"}'}, 400, None),
        ("POST", "/api/v1/users", {"json": {"name": " \u3000 "}}, 422, "name"),
        ("POST", "/api/v1/users", {"json": {"name": "A", "ref": 7}}, 422, "ref"),
        (
            "POST",
            "/api/v1/users",
            {"json": {"name": "A", "email": "a@b.c\n"}},
            422,
            "email",
        ),
        ("PUT", "/api/v1/beverages/1", {"json": {"price": "free"}}, 422, "price"),
        ("PUT", "/api/v1/users/1", {"json": {"active": "no"}}, 422, "active"),
        ("PUT", "/api/v1/users/77", {"json": {"name": "x"}}, 404, None),
        ("POST", "/api/v1/brews", {"json": {"machine_id": 1}}, 400, None),
    ],
)
def test_bad_input_answers_4xx_json(api_session, method, path, kwargs, status, field):
    session, url = api_session
    response = session.request(method, url + path, timeout=5, **kwargs)
    error = _assert_json_error(response, status)
    if field:
        assert field in error["fields"]
    if status == 405:
        assert response.headers["Allow"]


def test_an_id_in_other_digits_is_not_found(sim, creds):
    # "²" is a digit for str.isdigit, not for int(): no record, no 500
    answer = _raw_exchange(
        sim,
        b"GET /api/v1/brews/\xb2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        + b"Authorization: Bearer "
        + creds.api_key.encode()
        + b"\r\n\r\n",
    )
    assert answer.split(b" ")[1] == b"404"


def test_idempotency_key_too_long(api_session):
    session, url = api_session
    response = session.post(
        url + "/api/v1/brews",
        json={"machine_id": 1, "beverage_id": 1},
        headers={"Idempotency-Key": "k" * 256},
        timeout=5,
    )
    assert _assert_json_error(response, 400)["code"] == "invalid_idempotency_key"


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("2026-01-01T01:00:00+01:00", "2026-01-01T00:00:00.000000+00:00"),
        ("2026-01-01t00:00:00z", "2026-01-01T00:00:00.000000+00:00"),
        # rounded up to the next stored stamp: >= compares as with the instant
        ("2026-01-01T00:00:00.0000001Z", "2026-01-01T00:00:00.000001+00:00"),
        # a leap second: the next stored stamp is at midnight
        ("2016-12-31T15:59:60-08:00", "2017-01-01T00:00:00.000000+00:00"),
        ("0000-12-31T23:00:00-02:00", "0001-01-01T01:00:00.000000+00:00"),
    ],
)
def test_updated_since_reads_rfc_3339(text, normalized):
    assert parse_date_time(text) == normalized


@pytest.mark.parametrize(
    "text",
    [
        "2026-01-01",
        "2026-01-01 00:00:00Z",
        "2026-02-29T00:00:00Z",
        "2026-01-01T12:00:60Z",
    ],
)
def test_updated_since_refuses_what_is_no_rfc_3339_date_time(text):
    with pytest.raises(ValueError):
        parse_date_time(text)


def test_brew_body_errors(api_session):
    session, url = api_session
    response = session.post(
        url + "/api/v1/brews",
        json={"machine_id": "1", "beverage_id": True, "size": "XL"},
        headers={"Idempotency-Key": "body-1"},
        timeout=5,
    )
    error = _assert_json_error(response, 422)
    assert set(error["fields"]) == {"machine_id", "beverage_id", "size"}


def test_missing_credentials(sim):
    response = requests.get(sim.url + "/api/v1/brews", timeout=5)
    _assert_json_error(response, 401)
    assert "Basic" in response.headers["WWW-Authenticate"]
    admin = requests.get(sim.url + "/admin/counters", timeout=5)
    _assert_json_error(admin, 401)


def _raw_exchange(sim, payload):
    """Send raw bytes, return the raw answer."""
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"GARBAGE\r\n\r\n", b"400"),
        (b"GET /api/v1/status HTTP/9.9\r\n\r\n", b"505"),
        (b"BREW /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n", b"405"),
        (
            (
                b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: 99999999\r\n\r\n"
            ),
            b"413",
        ),
        (
            (
                b"POST /api/v1/users HTTP/1.1\r\nHost: x\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
            ),
            b"411",
        ),
    ],
)
def test_broken_http_answers_json_and_closes(sim, payload, status):
    answer = _raw_exchange(sim, payload)
    head, _sep, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == status
    assert b"Content-Length: " + str(len(body)).encode() in head
    assert b'"error"' in body


def test_keep_alive(sim, creds):
    connection = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    token = {"Authorization": f"Bearer {creds.api_key}"}
    for path in ("/api/v1/status", "/api/v1/nowhere", "/api/v1/machines/1"):
        connection.request("GET", path, headers=token)
        response = connection.getresponse()
        assert response.getheader("Connection") != "close"
        assert response.read() and response.status in (200, 404)
    sock = connection.sock
    connection.request("GET", "/api/v1/users", headers=token)
    assert connection.getresponse().read() and connection.sock is sock
    connection.close()


def test_seeded_data_is_deterministic():
    first = CoffeeSimulator(seed=3, brews=20)
    second = CoffeeSimulator(seed=3, brews=20)
    other = CoffeeSimulator(seed=4, brews=20)
    for resource in ("machines", "beverages", "users", "brews"):
        assert first.records(resource) == second.records(resource)
    assert first.records("brews") != other.records("brews")


def test_seeded_data_shape(shared_sim):
    machines = shared_sim.records("machines")
    assert [m["state"] for m in machines] == ["idle", "idle", "maintenance", "idle"]
    assert machines[-1]["model"] == "TEAPOT-418"
    assert len(shared_sim.records("beverages")) == 8
    assert len(shared_sim.records("users")) == 10
    brews = shared_sim.records("brews")
    assert len(brews) == 50
    done = [brew for brew in brews if brew["state"] == "done"]
    assert len(done) > 35
    machine_ids = {m["id"] for m in machines[:-1]}
    for brew in brews:
        assert brew["machine_id"] in machine_ids
        assert 1 <= brew["beverage_id"] <= 8
        assert brew["user_id"] is None or 1 <= brew["user_id"] <= 10
        assert brew["requested_at"] < brew["finished_at"] <= brew["updated_at"]
    for resource in ("machines", "beverages", "users", "brews"):
        for record in shared_sim.records(resource):
            assert TIMESTAMP_RE.match(record["updated_at"])
            assert record["updated_at"] < "2026-02-01"


def test_seeded_brews_spread_over_past_days():
    """``history_days`` spreads the brews over the past days (a demo's charts),
    with the same records otherwise."""
    spread = CoffeeSimulator(seed=3, brews=40, history_days=28)
    fixed = CoffeeSimulator(seed=3, brews=40)
    now = datetime.now(timezone.utc)
    times = [
        datetime.fromisoformat(brew["requested_at"]) for brew in spread.records("brews")
    ]
    assert times == sorted(times)
    assert now - timedelta(days=28, minutes=61) <= times[0] < now - timedelta(days=27)
    assert now - timedelta(days=2) < times[-1] < now
    assert len({moment.isocalendar()[1] for moment in times}) >= 4
    strip = ("requested_at", "finished_at", "updated_at")
    assert [
        {k: v for k, v in brew.items() if k not in strip}
        for brew in spread.records("brews")
    ] == [
        {k: v for k, v in brew.items() if k not in strip}
        for brew in fixed.records("brews")
    ]


def test_records_are_copies(sim):
    users = sim.records("users")
    users[0]["name"] = "Mallory"
    assert sim.records("users")[0]["name"] != "Mallory"
    with pytest.raises(ValueError):
        sim.records("teapots")


def test_add_and_update_record(client, sim):
    machine = sim.add_record("machines", name="Annex", state="offline")
    assert machine["id"] == 5 and machine["water_level"] == 100
    assert client.read("machines", 5) == machine
    changed = sim.update_record("machines", 5, state="idle")
    assert changed["updated_at"] > machine["updated_at"]
    assert client.read("machines", 5)["state"] == "idle"
    brew = sim.add_record("brews", machine_id=5, beverage_id=2, state="queued")
    assert client.read("brews", brew["id"])["state"] == "queued"
    assert sim.advance_brews()["finished"] == [brew["id"]]
    with pytest.raises(ValueError, match="unknown or read-only"):
        sim.update_record("machines", 5, colour="red")
    with pytest.raises(ValueError, match="unknown or read-only"):
        sim.add_record("users", id=3)


def test_counters(client, sim):
    client.get_page("brews")
    client.read("brews", 2)
    client.read("brews", 3)
    client.create_brew({"machine_id": 1, "beverage_id": 1}, "count-1")
    counters = sim.counters()
    assert counters["GET /brews"] == 1
    assert counters["GET /brews/{id}"] == 2
    assert counters["POST /brews"] == 1
    assert counters["total"] == 4 and counters["pours"] == 1
    sim.reset_counters()
    assert sim.counters() == {"total": 0, "pours": 0}


def test_admin_endpoints(api_session, sim):
    session, url = api_session
    session.get(url + "/api/v1/status", timeout=5)
    counters = session.get(url + "/admin/counters", timeout=5).json()
    assert counters["GET /status"] == 1 and counters["total"] == 1
    reset = session.post(url + "/admin/counters/reset", timeout=5).json()
    assert reset == {"total": 0, "pours": 0}

    answer = session.put(url + "/admin/faults", json={"spec": "500:1"}, timeout=5)
    assert answer.status_code == 200 and answer.json()["spec"] == "500:1"
    assert session.get(url + "/api/v1/status", timeout=5).status_code == 500
    # faults never hit /admin
    assert session.get(url + "/admin/counters", timeout=5).status_code == 200
    bad = session.put(url + "/admin/faults", json={"spec": "500:x"}, timeout=5)
    _assert_json_error(bad, 422)
    session.put(url + "/admin/faults", json={"spec": ""}, timeout=5)

    answer = session.post(
        url + "/admin/fail-next", json={"kind": "429", "path": "/users"}, timeout=5
    )
    assert answer.json()["pending"][0]["kind"] == "429"
    assert session.get(url + "/api/v1/users", timeout=5).status_code == 429
    assert session.get(url + "/api/v1/users", timeout=5).status_code == 200
    bad = session.post(url + "/admin/fail-next", json={"kind": "fire"}, timeout=5)
    _assert_json_error(bad, 422)

    created = session.post(
        url + "/admin/records/users", json={"name": "Admin made"}, timeout=5
    )
    assert created.status_code == 201 and created.json()["id"] == 11
    updated = session.put(
        url + "/admin/records/users/11", json={"badge": "Z-9"}, timeout=5
    )
    assert updated.json()["badge"] == "Z-9" == sim.records("users")[-1]["badge"]
    listed = session.get(url + "/admin/records/users", timeout=5).json()
    assert len(listed["items"]) == 11
    bad = session.put(url + "/admin/records/users/11", json={"zz": 1}, timeout=5)
    _assert_json_error(bad, 422)

    brew = session.post(
        url + "/api/v1/brews",
        json={"machine_id": 2, "beverage_id": 1},
        headers={"Idempotency-Key": "admin-1"},
        timeout=5,
    ).json()
    advanced = session.post(url + "/admin/advance", json={"steps": 2}, timeout=5)
    assert advanced.json()["finished"] == [brew["id"]]
    hook = session.put(
        url + "/admin/webhook", json={"url": "ftp://x", "secret": "s"}, timeout=5
    )
    _assert_json_error(hook, 422)


def test_read_only_key_cannot_use_admin(sim, creds):
    response = requests.get(
        sim.url + "/admin/counters",
        headers={"Authorization": f"Bearer {creds.readonly_key}"},
        timeout=5,
    )
    _assert_json_error(response, 403)


def test_big_data_set(make_sim, creds, make_client):
    start = time.monotonic()
    simulator = make_sim(brews=100000)
    assert time.monotonic() - start < 5
    client = make_client(simulator.url, api_key=creds.api_key)
    start = time.monotonic()
    first = client.get_page("brews", per_page=500)
    last = client.get_page("brews", page=200, per_page=500)
    assert time.monotonic() - start < 3
    assert first["total"] == 100000 and len(first["items"]) == 500
    assert first["next_page"] == 2 and last["next_page"] is None
    assert last["items"][-1]["id"] == 100000
    since = simulator.records("brews")[99000]["updated_at"]
    page = client.get_page("brews", updated_since=since, per_page=500)
    assert page["total"] == 1000 and page["items"][0]["id"] == 99001
