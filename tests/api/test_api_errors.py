# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every error class of the client, from real HTTP answers and faults."""

import logging
import time

import pytest
from coffee_api import (
    CoffeeAuthError,
    CoffeeConnectionError,
    CoffeeError,
    CoffeeMachineBusyError,
    CoffeePermanentError,
    CoffeeProtocolError,
    CoffeeRateLimitError,
    CoffeeRetryableError,
    CoffeeServerError,
    CoffeeTimeoutError,
)
from coffee_simulator.faults import parse_fault_spec

BREW = {"machine_id": 1, "beverage_id": 1}


def _raises(error_class, call, *args, **kwargs):
    """Call and return the raised error, checking its class."""
    with pytest.raises(error_class) as info:
        call(*args, **kwargs)
    return info.value


def test_bad_password(sim, creds, make_client):
    client = make_client(sim.url, creds.username, "wrong-" + creds.password)
    error = _raises(CoffeeAuthError, client.get_page, "brews")
    assert error.status == 401 and error.code == "unauthorized"
    assert not error.retryable and isinstance(error, CoffeePermanentError)
    assert str(error) == (
        "GET /api/v1/brews answered 401 Unauthorized: invalid credentials. "
        "Check the username/password or API key of the backend."
    )
    assert error.message == str(error)


def test_bad_api_key_and_no_credentials(sim, creds, make_client):
    bad_key = make_client(sim.url, api_key=creds.api_key[:-1])
    assert _raises(CoffeeAuthError, bad_key.status).status == 401
    anonymous = make_client(sim.url)
    assert _raises(CoffeeAuthError, anonymous.status).status == 401


def test_read_only_key_is_forbidden_to_write(sim, creds, make_client):
    client = make_client(sim.url, api_key=creds.readonly_key)
    assert client.get_page("users")["total"] == 10
    error = _raises(CoffeeAuthError, client.create_brew, BREW, "ro-1")
    assert error.status == 403 and error.code == "forbidden"
    assert "not allowed" in str(error)
    assert sim.counters()["pours"] == 0


def test_server_error(client, sim):
    sim.fail_next("500")
    error = _raises(CoffeeServerError, client.status)
    assert error.status == 500 and error.retryable
    assert isinstance(error, CoffeeRetryableError)
    assert "GET /api/v1/status answered 500" in str(error)
    assert client.status()["api_version"] == "1"


def test_rate_limited(client, sim):
    sim.fail_next("429", path="/brews")
    assert client.status()["api_version"] == "1"  # other paths untouched
    error = _raises(CoffeeRateLimitError, client.get_page, "brews")
    assert error.status == 429 and error.retry_after == 1.0 and error.retryable


def test_service_unavailable_fault(client, sim):
    sim.fail_next("503", count=2, method="POST")
    assert client.read("brews", 1)["id"] == 1
    for key in ("a", "b"):
        error = _raises(CoffeeMachineBusyError, client.create_brew, BREW, key)
        assert error.status == 503 and error.retry_after == 1.0
    assert client.create_brew(BREW, "c")["state"] == "queued"
    assert sim.counters()["fault 503"] == 2


def test_timeout(sim, creds, make_client):
    client = make_client(sim.url, api_key=creds.api_key, timeout=0.2)
    sim.fail_next("latency", delay=2.0)
    start = time.monotonic()
    error = _raises(CoffeeTimeoutError, client.status)
    assert time.monotonic() - start < 1.5
    assert error.retryable and error.status is None
    assert "did not answer within 0.2 seconds" in str(error)
    assert client.status()["api_version"] == "1"


def test_latency_within_timeout_is_served(client, sim):
    sim.fail_next("latency", delay=0.1)
    start = time.monotonic()
    assert client.status()["api_version"] == "1"
    assert time.monotonic() - start >= 0.09


def test_dropped_connection(client, sim):
    assert client.status()["api_version"] == "1"  # a kept-alive connection
    sim.fail_next("drop")
    error = _raises(CoffeeConnectionError, client.get_page, "machines")
    assert error.retryable and "connection closed without an answer" in str(error)
    assert client.get_page("machines")["total"] == 4


def test_malformed_json(client, sim):
    sim.fail_next("malformed")
    error = _raises(CoffeeProtocolError, client.get_page, "beverages")
    assert error.retryable and error.status == 200
    assert "not valid JSON" in str(error)


def test_unreachable_host(closed_port, creds, make_client):
    client = make_client(
        f"http://127.0.0.1:{closed_port}", creds.username, creds.password, timeout=2
    )
    error = _raises(CoffeeConnectionError, client.status)
    # as for a machine that does not accept the connection in time: the
    # message does not tell a closed port from a filtered one
    assert error.retryable and str(error) == (
        f"GET /api/v1/status: could not connect to the machine at "
        f"http://127.0.0.1:{closed_port} within 2 seconds. Check its location "
        "and that it is on and reachable."
    )


def test_random_faults_are_seeded(make_sim, creds, make_client):
    def statuses(simulator):
        client = make_client(simulator.url, api_key=creds.api_key)
        result = []
        for _index in range(30):
            try:
                client.status()
                result.append(200)
            except CoffeeError as error:
                result.append(error.status)
        return result

    first = statuses(make_sim(seed=7, faults="500:0.3,429:0.2"))
    second = statuses(make_sim(seed=7, faults="500:0.3,429:0.2"))
    assert first == second
    assert {200, 500, 429} <= set(first)


def test_fault_spec_changes_at_run_time(client, sim):
    sim.set_faults("503:1")
    assert _raises(CoffeeMachineBusyError, client.status).retry_after == 1.0
    sim.set_faults("")
    assert client.status()["api_version"] == "1"
    with pytest.raises(ValueError, match="unknown fault 'fire'"):
        sim.set_faults("fire:0.5")
    with pytest.raises(ValueError, match="not between 0 and 1"):
        sim.set_faults("500:2")


def test_duplicate_fault_is_absorbed_by_iter_all(client, sim):
    sim.fail_next("duplicate", count=3, path="/brews")
    pages = list(client.iter_pages("brews", per_page=10))
    assert sum(len(page["items"]) for page in pages) == 53  # 3 repeated items
    assert pages[1]["items"][0] == pages[0]["items"][-1]
    sim.fail_next("duplicate", count=3, path="/brews")
    ids = [brew["id"] for brew in client.iter_all("brews", per_page=10)]
    assert ids == [brew["id"] for brew in sim.records("brews")]
    assert sim.counters()["fault duplicate"] == 6


def test_no_secret_in_errors_or_logs(make_sim, creds, closed_port, caplog, make_client):
    caplog.set_level(logging.DEBUG)
    simulator = make_sim()
    basic = make_client(simulator.url, creds.username, creds.password, timeout=0.2)
    keyed = make_client(simulator.url, api_key=creds.api_key, timeout=0.2)
    wrong = make_client(simulator.url, "nobody", creds.password + "x")
    errors = []
    for client in (basic, keyed):
        for kind in ("500", "503", "429", "drop", "malformed"):
            simulator.fail_next(kind)
            errors.append(_raises(CoffeeError, client.status))
        simulator.fail_next("latency", delay=1.0)
        errors.append(_raises(CoffeeTimeoutError, client.status))
        errors.append(_raises(CoffeeError, client.read, "users", 999))
        errors.append(_raises(CoffeeError, client.create, "users", {"x": 1}))
    errors.append(_raises(CoffeeAuthError, wrong.status))
    unreachable = make_client(
        f"http://127.0.0.1:{closed_port}", api_key=creds.api_key, timeout=1
    )
    errors.append(_raises(CoffeeConnectionError, unreachable.status))
    assert len({type(error) for error in errors}) >= 8
    texts = [str(error) for error in errors] + [repr(error) for error in errors]
    texts.append(caplog.text)
    assert "/api/v1/status" in caplog.text  # the client did log at debug level
    for text in texts:
        for secret in creds.secrets:
            assert secret not in text
        assert "Authorization" not in text and "Basic " not in text


def test_fault_spec_forms():
    assert parse_fault_spec("503:0.05, 429:0.1,latency:0.2") == {
        "503": (0.05, 0.0),
        "429": (0.1, 0.0),
        "latency": (1.0, 0.2),
    }
    assert parse_fault_spec("latency:0.5@0.25") == {"latency": (0.25, 0.5)}
    assert parse_fault_spec({"drop": 0.01}) == {"drop": (0.01, 0.0)}
    assert parse_fault_spec("") == parse_fault_spec(None) == {}
    for bad in ("500", "500:x", "latency:1@2", "latency:-1", "drop:0.1,nope:1"):
        with pytest.raises(ValueError):
            parse_fault_spec(bad)


def test_retry_after_a_timeout_never_pours_twice(sim, creds, make_client):
    client = make_client(sim.url, api_key=creds.api_key, timeout=0.2)
    sim.fail_next("latency", delay=0.5, path="/api/v1/brews", method="POST")
    with pytest.raises(CoffeeTimeoutError):
        client.create_brew(BREW, "slow-1")
    deadline = time.monotonic() + 5
    while sim.counters()["pours"] < 1:  # the machine still pours, late
        assert time.monotonic() < deadline, "the slow request was never served"
        time.sleep(0.02)
    brew = client.create_brew(BREW, "slow-1")
    assert brew["idempotency_key"] == "slow-1" and brew["state"] == "queued"
    assert sim.counters()["pours"] == 1 and sim.counters()["POST /brews"] == 2
