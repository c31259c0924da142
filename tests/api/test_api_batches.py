# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Batches over HTTP: a page of records by ids, a bulk upsert of users."""

import pytest
import requests
from coffee_api import CoffeeClient, CoffeeProtocolError
from conftest import PASSWORD, USERNAME


@pytest.fixture
def api(sim):
    """A requests session on ``sim`` with credentials, and the API's URL."""
    with requests.Session() as session:
        session.auth = (USERNAME, PASSWORD)
        yield session, sim.url + "/api/v1"


# ---------------------------------------------------------------------------
# GET /<resource>?ids=1,2,3
# ---------------------------------------------------------------------------


def test_page_by_ids(client, sim):
    page = client.get_page("brews", ids=[7, 3, 999999, 3, 12], per_page=10)
    assert [item["id"] for item in page["items"]] == [3, 7, 12]
    assert page["total"] == 3 and page["next_page"] is None
    assert page["items"][0] == client.read("brews", 3)
    assert sim.counters()["GET /brews"] == 1


def test_ids_combine_with_paging_and_updated_since(client, sim):
    page = client.get_page("users", ids=[1, 2, 3, 4], per_page=3)
    assert [item["id"] for item in page["items"]] == [1, 2, 3]
    assert page["next_page"] == 2
    page = client.get_page("users", ids=[1, 2, 3, 4], per_page=3, page=2)
    assert [item["id"] for item in page["items"]] == [4]
    changed = sim.update_record("users", 2, name="Changed")
    page = client.get_page("users", ids=[1, 2, 3], updated_since=changed["updated_at"])
    assert [item["id"] for item in page["items"]] == [2]


def test_read_many_is_one_request_per_500_ids(make_sim, make_client):
    simulator = make_sim(brews=1200)
    coffee = make_client(simulator.url, USERNAME, PASSWORD, timeout=5.0)
    wanted = list(range(1200, 0, -2)) + [5000]
    records = coffee.read_many("brews", wanted)
    assert [record["id"] for record in records] == sorted(set(wanted) - {5000})
    assert simulator.counters()["GET /brews"] == 2
    assert coffee.read_many("brews", []) == []


@pytest.mark.parametrize("ids", [[], list(range(1, 502)), [0], [-1], ["x"], [True]])
def test_client_refuses_bad_ids(client, ids):
    with pytest.raises(ValueError):
        client.get_page("brews", ids=ids)


@pytest.mark.parametrize(
    "query",
    [
        "ids=",
        "ids=a",
        "ids=0",
        "ids=-3",
        "ids=1,,2",
        "ids=1.5",
        "ids=1&ids=2",
        "ids=9223372036854775808",
        "ids=" + ",".join(str(n) for n in range(1, 502)),
    ],
)
def test_simulator_refuses_bad_ids(api, query):
    session, url = api
    response = session.get(f"{url}/brews?{query}", timeout=5)
    assert response.status_code == 422
    assert "ids" in response.json()["error"]["fields"]


# ---------------------------------------------------------------------------
# POST /users/bulk
# ---------------------------------------------------------------------------


def test_bulk_upsert_creates_updates_and_refuses_items_alone(client, sim):
    taken = sim.records("users")[0]["badge"]
    results = client.bulk_upsert(
        "users",
        [
            {"name": "Ada Lovelace", "email": "ada@example.com", "ref": "41"},
            {"id": 2, "name": "Grace Hopper", "active": False},
            {"id": 777, "name": "Nobody"},
            {"name": "Copycat", "badge": taken},
            {"name": "Bad mail", "email": "not-an-address"},
            {"id": "3", "name": "Id as text"},
            {"name": "Alan Turing", "ref": "42"},
        ],
    )
    assert [result["status"] for result in results] == [
        201,
        200,
        404,
        409,
        422,
        422,
        201,
    ]
    ada, grace = results[0]["record"], results[1]["record"]
    assert ada["ref"] == "41" and ada["email"] == "ada@example.com"
    assert grace["id"] == 2 and grace["active"] is False
    assert client.read("users", ada["id"]) == ada
    assert results[2]["error"]["code"] == "not_found"
    assert taken in results[3]["error"]["message"]
    assert set(results[4]["error"]["fields"]) == {"email"}
    assert set(results[5]["error"]["fields"]) == {"id"}
    # refused items changed nothing, the others were done
    names = [user["name"] for user in sim.records("users")]
    assert "Copycat" not in names and "Bad mail" not in names
    assert "Alan Turing" in names
    assert sim.counters()["POST /users/bulk"] == 1


def test_bulk_upsert_of_a_known_ref_updates_its_user(client, sim):
    """A retried request creates nobody twice: the ref finds its user."""
    items = [{"name": "Ada", "ref": "41"}, {"name": "Alan", "ref": "42"}]
    first = client.bulk_upsert("users", items)
    again = client.bulk_upsert("users", [dict(items[0], name="Ada L."), items[1]])
    assert [result["status"] for result in first] == [201, 201]
    assert [result["status"] for result in again] == [200, 200]
    assert [r["record"]["id"] for r in again] == [r["record"]["id"] for r in first]
    assert again[0]["record"]["name"] == "Ada L."
    assert len(sim.records("users")) == 12


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"items": []},
        {"items": {"name": "x"}},
        {"items": ["x"]},
        {"items": [{"name": "x"}], "dry_run": True},
        {"items": [{"name": f"user {n}"} for n in range(501)]},
    ],
)
def test_bulk_request_that_is_no_list_of_users_is_refused(api, sim, body):
    session, url = api
    response = session.post(f"{url}/users/bulk", json=body, timeout=5)
    assert response.status_code == 422
    assert response.json()["error"]["fields"]
    assert len(sim.records("users")) == 10


def test_bulk_path_serves_post_only(api):
    session, url = api
    for method in ("GET", "PUT", "DELETE"):
        response = session.request(method, f"{url}/users/bulk", timeout=5)
        assert response.status_code == 405
        assert response.headers["Allow"] == "POST"


def test_client_checks_the_bulk_answer(client, sim, monkeypatch):
    with pytest.raises(ValueError):
        client.bulk_upsert("users", [])
    monkeypatch.setattr(
        CoffeeClient, "request", lambda self, *args, **kwargs: {"items": []}
    )
    with pytest.raises(CoffeeProtocolError):
        client.bulk_upsert("users", [{"name": "Ada"}])
