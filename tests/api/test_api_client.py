# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""CoffeeClient against the simulator: every endpoint, pagination, brews."""

import time
from datetime import datetime, timedelta, timezone

import pytest
import requests
from coffee_api import (
    RESOURCES,
    CoffeeBadRequestError,
    CoffeeClient,
    CoffeeConfigurationError,
    CoffeeConflictError,
    CoffeeMachineBusyError,
    CoffeeNotFoundError,
    CoffeePermanentError,
    CoffeeRetryableError,
    CoffeeTeapotError,
    CoffeeValidationError,
    __version__,
)

BREW = {"machine_id": 1, "beverage_id": 1, "user_id": 1}


def test_status(client):
    status = client.status()
    assert status["api_version"] == "1"
    server_time = datetime.fromisoformat(status["server_time"])
    assert abs(server_time - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_api_key_auth(key_client):
    assert key_client.status()["api_version"] == "1"


def test_default_user_agent_and_custom(sim, creds, make_client):
    with requests.Session() as session:
        client = make_client(sim.url, creds.username, creds.password, session=session)
        assert (
            client.user_agent
            == f"connector-coffee/{__version__}"
            == ("connector-coffee/18.0.1.0.0")
        )
        assert client.status()["api_version"] == "1"
        client.close()
        # a session given by the caller is not closed by the client
        answer = session.get(sim.url + "/api/v1/status", timeout=5)
        assert answer.status_code == 401
    other = make_client(sim.url, api_key=creds.api_key, user_agent="odoo-test/1")
    assert other.user_agent == "odoo-test/1"
    assert other.status()["api_version"] == "1"


@pytest.mark.parametrize("resource", RESOURCES)
def test_page_envelope_and_order(shared_client, shared_sim, resource):
    page = shared_client.get_page(resource, per_page=500)
    assert set(page) == {"items", "page", "per_page", "total", "next_page"}
    assert page["page"] == 1 and page["per_page"] == 500
    assert page["next_page"] is None
    expected = shared_sim.records(resource)
    assert page["total"] == len(expected) > 0
    assert page["items"] == expected
    ids = [item["id"] for item in page["items"]]
    assert ids == sorted(ids)


def test_pagination(shared_client, shared_sim):
    pages = list(shared_client.iter_pages("brews", per_page=7))
    assert [page["page"] for page in pages] == list(range(1, 9))
    assert [page["next_page"] for page in pages] == [*range(2, 9), None]
    assert all(page["total"] == 50 for page in pages)
    assert [len(page["items"]) for page in pages] == [7] * 7 + [1]
    ids = [item["id"] for page in pages for item in page["items"]]
    assert ids == [brew["id"] for brew in shared_sim.records("brews")]
    later = list(shared_client.iter_pages("brews", per_page=7, start_page=7))
    assert [page["page"] for page in later] == [7, 8]


def test_page_past_the_end_is_empty(shared_client):
    page = shared_client.get_page("users", page=99, per_page=5)
    assert page["items"] == [] and page["next_page"] is None and page["total"] == 10


def test_iter_all(shared_client, shared_sim):
    items = list(shared_client.iter_all("users", per_page=3))
    assert items == shared_sim.records("users")


def test_updated_since_is_inclusive(shared_client, shared_sim):
    brews = shared_sim.records("brews")
    boundary = brews[9]["updated_at"]
    expected = [brew["id"] for brew in brews if brew["updated_at"] >= boundary]
    assert expected[0] == brews[9]["id"] and len(expected) == 41
    found = [b["id"] for b in shared_client.iter_all("brews", updated_since=boundary)]
    assert found == expected
    # a datetime, aware or naive (naive means UTC), and the Z form are equal;
    # the client sends a text without offset as UTC
    aware = datetime.fromisoformat(boundary)
    naive = aware.replace(tzinfo=None)
    zulu = boundary.replace("+00:00", "Z")
    other = aware.astimezone(timezone(timedelta(hours=2)))
    for since in (aware, naive, zulu, other, naive.isoformat()):
        page = shared_client.get_page("brews", updated_since=since, per_page=500)
        assert [item["id"] for item in page["items"]] == expected
    # one microsecond later excludes the boundary record
    later = aware + timedelta(microseconds=1)
    page = shared_client.get_page("brews", updated_since=later, per_page=500)
    assert [item["id"] for item in page["items"]] == expected[1:]


def test_updated_since_sees_changes(client, sim):
    before = datetime.now(timezone.utc)
    assert client.get_page("users", updated_since=before)["total"] == 0
    sim.update_record("users", 3, name="Grace Hopper")
    changed = list(client.iter_all("users", updated_since=before))
    assert [user["id"] for user in changed] == [3]
    assert changed[0]["name"] == "Grace Hopper"
    assert datetime.fromisoformat(changed[0]["updated_at"]) >= before


@pytest.mark.parametrize("resource", RESOURCES)
def test_read(shared_client, shared_sim, resource):
    record = shared_sim.records(resource)[1]
    assert shared_client.read(resource, record["id"]) == record
    with pytest.raises(CoffeeNotFoundError) as info:
        shared_client.read(resource, 9999)
    assert info.value.status == 404 and not info.value.retryable
    assert f"GET /api/v1/{resource}/9999 answered 404" in str(info.value)


def test_invalid_arguments(shared_client):
    with pytest.raises(ValueError, match="Unknown coffee machine resource"):
        shared_client.get_page("teapots")
    with pytest.raises(ValueError, match="Invalid record id"):
        shared_client.read("users", "abc")
    with pytest.raises(ValueError, match="Invalid record id"):
        shared_client.read("users", 0)
    with pytest.raises(ValueError, match="idempotency key is required"):
        shared_client.create_brew(BREW, "")


def test_write_beverage(client, sim):
    before = sim.records("beverages")[1]
    updated = client.write("beverages", 2, {"price": 3.456, "active": False})
    assert updated["price"] == 3.46 and updated["active"] is False
    assert updated["updated_at"] > before["updated_at"]
    assert client.read("beverages", 2) == updated
    with pytest.raises(CoffeeValidationError) as info:
        client.write("beverages", 2, {"name": "Tea", "price": -1})
    assert set(info.value.errors) == {"name", "price"}
    assert "name: unknown or read-only field" in str(info.value)
    assert info.value.status == 422 and info.value.code == "validation_error"


def test_user_crud(client, sim):
    created = client.create(
        "users", {"name": "Ada Lovelace", "email": "ada@example.com", "ref": "42"}
    )
    assert created["id"] == 11 and created["active"] is True
    assert created["ref"] == "42"
    assert client.read("users", created["id"]) == created
    updated = client.write(
        "users", created["id"], {"badge": "B-1", "email": "", "ref": "43"}
    )
    assert updated["badge"] == "B-1" and updated["email"] is None
    assert updated["ref"] == "43"
    # ref is a text or null, as the document says: an integer is refused
    with pytest.raises(CoffeeValidationError) as info:
        client.write("users", created["id"], {"ref": 44})
    assert set(info.value.errors) == {"ref"}
    archived = client.write("users", created["id"], {"active": False})
    assert archived["active"] is False
    assert archived["updated_at"] > updated["updated_at"] > created["updated_at"]
    assert client.delete("users", created["id"]) == {}
    with pytest.raises(CoffeeNotFoundError):
        client.read("users", created["id"])
    with pytest.raises(CoffeeNotFoundError):
        client.delete("users", created["id"])
    assert created["id"] not in [user["id"] for user in sim.records("users")]


def test_user_validation(client):
    with pytest.raises(CoffeeValidationError) as info:
        client.create("users", {"email": "not-an-address", "color": "blue"})
    assert set(info.value.errors) == {"name", "email", "color"}
    message = str(info.value)
    assert "POST /api/v1/users answered 422" in message
    assert "email: not a valid email address" in message
    assert isinstance(info.value, CoffeePermanentError)


def test_user_badge_conflict(client, sim):
    badge = sim.records("users")[0]["badge"]
    with pytest.raises(CoffeeConflictError) as info:
        client.create("users", {"name": "Copycat", "badge": badge})
    assert info.value.status == 409 and badge in str(info.value)


def test_create_brew_is_idempotent(client, sim):
    count = len(sim.records("brews"))
    first = client.create_brew(BREW, "pour-1")
    again = client.create_brew(BREW, "pour-1")
    assert first["state"] == "queued" and first["idempotency_key"] == "pour-1"
    assert again["id"] == first["id"]
    assert len(sim.records("brews")) == count + 1
    counters = sim.counters()
    assert counters["POST /brews"] == 2 and counters["pours"] == 1


def test_create_brew_same_key_other_body(client):
    client.create_brew(BREW, "pour-2")
    with pytest.raises(CoffeeConflictError) as info:
        client.create_brew(dict(BREW, beverage_id=2), "pour-2")
    assert info.value.code == "idempotency_conflict"


def test_create_brew_without_key(client, sim):
    with pytest.raises(CoffeeBadRequestError) as info:
        client.create("brews", BREW)
    assert info.value.status == 400
    assert info.value.code == "idempotency_key_required"
    assert "Idempotency-Key" in str(info.value)
    assert sim.counters()["pours"] == 0


def test_create_brew_unknown_references(client):
    with pytest.raises(CoffeeValidationError) as info:
        client.create_brew({"machine_id": 99, "beverage_id": 98, "user_id": 97}, "k")
    assert info.value.errors == {
        "machine_id": "no machine with id 99",
        "beverage_id": "no beverage with id 98",
        "user_id": "no user with id 97",
    }


def test_teapot(client, sim):
    teapot = sim.records("machines")[-1]
    assert teapot["model"] == "TEAPOT-418"
    with pytest.raises(CoffeeTeapotError) as info:
        client.create_brew(dict(BREW, machine_id=teapot["id"]), "tea-1")
    assert "this machine is a teapot" in str(info.value)
    assert info.value.status == 418 and not info.value.retryable


def test_machine_in_maintenance(client, sim):
    machine = sim.records("machines")[-2]
    assert machine["state"] == "maintenance"
    with pytest.raises(CoffeeMachineBusyError) as info:
        client.create_brew(dict(BREW, machine_id=machine["id"]), "maint-1")
    assert info.value.status == 503 and info.value.retry_after == 60.0
    assert isinstance(info.value, CoffeeRetryableError) and info.value.retryable
    assert "maintenance" in str(info.value)


def test_busy_machine_and_brew_life_cycle(client, sim):
    brew = client.create_brew(BREW, "cycle-1")
    assert client.read("machines", 1)["state"] == "brewing"
    with pytest.raises(CoffeeMachineBusyError) as info:
        client.create_brew(dict(BREW, beverage_id=2), "cycle-2")
    assert info.value.retry_after == 5.0
    # a replay of the pending brew is not blocked by the busy machine
    assert client.create_brew(BREW, "cycle-1")["id"] == brew["id"]
    assert sim.advance_brews(1) == {"changed": [brew["id"]], "finished": []}
    assert client.read("brews", brew["id"])["state"] == "brewing"
    assert sim.advance_brews(1)["finished"] == [brew["id"]]
    done = client.read("brews", brew["id"])
    assert done["state"] == "done" and done["finished_at"] >= done["requested_at"]
    assert client.read("machines", 1)["state"] == "idle"
    assert client.create_brew(dict(BREW, beverage_id=2), "cycle-2")["state"] == "queued"
    assert sim.counters()["pours"] == 2


def test_brew_fails_without_water(client, sim):
    sim.update_record("machines", 2, water_level=0)
    brew = client.create_brew(dict(BREW, machine_id=2), "dry-1")
    sim.advance_brews()
    failed = client.read("brews", brew["id"])
    assert failed["state"] == "failed" and failed["failure_reason"] == "out of water"
    assert client.read("machines", 2)["state"] == "error"
    with pytest.raises(CoffeeMachineBusyError):
        client.create_brew(dict(BREW, machine_id=2), "dry-2")


def test_brews_finish_on_the_clock(make_sim, creds, make_client):
    simulator = make_sim(brew_seconds=0.2)
    client = make_client(simulator.url, api_key=creds.api_key, timeout=5)
    brew = client.create_brew(BREW, "clock-1")
    deadline = time.monotonic() + 10
    while client.read("brews", brew["id"])["state"] != "done":
        assert time.monotonic() < deadline, "the brew never finished"
        time.sleep(0.05)
    assert client.read("machines", 1)["state"] == "idle"
    client.close()


@pytest.mark.parametrize(
    "location",
    [
        "",
        "coffee.example.com",
        "ftp://coffee.example.com",
        "http://",
        "http:///api",
        "http://host:notaport",
        "https://coffee.example.com/?x=1",
        "http://barista:Pa55-word-NEVER-shown@coffee.example.com",
    ],
)
def test_bad_location(location, creds):
    with pytest.raises(CoffeeConfigurationError) as info:
        CoffeeClient(location, creds.username, creds.password)
    assert not info.value.retryable
    assert creds.password not in str(info.value)


def test_location_tolerates_trailing_slashes(shared_sim, creds, make_client):
    client = make_client(shared_sim.url + "//", api_key=creds.api_key)
    assert client.api_url == shared_sim.url + "/api/v1"
    assert client.status()["api_version"] == "1"


def test_timeout_forms(shared_sim, creds, make_client):
    client = make_client(shared_sim.url, api_key=creds.api_key, timeout=(2, 3))
    assert client.timeout == (2.0, 3.0)
    assert client.status()["api_version"] == "1"
    assert make_client(shared_sim.url, timeout=4).timeout == (4.0, 4.0)
