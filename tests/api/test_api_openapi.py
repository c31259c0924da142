# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""openapi.json tells the truth about the simulator (and so the client)."""

import json
from pathlib import Path

import pytest
import requests
from coffee_simulator import API_ROUTES
from coffee_simulator.schema import EMAIL_PATTERN, NOT_BLANK_PATTERN

SPEC_PATH = (
    Path(__file__).resolve().parents[2] / "connector_coffee/coffee_api/openapi.json"
)
METHODS = ("get", "put", "post", "delete", "patch")
RESOURCE_SCHEMAS = {
    "machines": "Machine",
    "beverages": "Beverage",
    "users": "User",
    "brews": "Brew",
}
SAMPLE_BODIES = {
    ("PUT", "/beverages/{id}"): {"price": 1.5},
    ("POST", "/users"): {"name": "Spec Tester"},
    ("PUT", "/users/{id}"): {"badge": "SPEC-1"},
    ("POST", "/users/bulk"): {"items": [{"name": "Bulk Tester"}]},
    ("POST", "/brews"): {"machine_id": 1, "beverage_id": 1},
    ("PUT", "/webhook"): {"url": None, "secret": None},
}


@pytest.fixture(scope="module")
def spec():
    """The parsed OpenAPI document."""
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def _operations(spec):
    """Return the set of (METHOD, path) of the document."""
    return {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }


def test_document_basics(spec):
    assert spec["openapi"].startswith("3.0")
    assert spec["servers"][0]["url"].endswith("/api/v1")
    schemes = spec["components"]["securitySchemes"]
    assert schemes["basicAuth"] == {"type": "http", "scheme": "basic"}
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    error = spec["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"code", "message"}


def test_document_is_valid_openapi(spec):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)


def test_document_matches_the_served_routes(spec):
    served = {(method, path) for method, path, _endpoint in API_ROUTES}
    assert _operations(spec) == served


def test_every_documented_operation_is_served(spec, sim, creds):
    with requests.Session() as session:
        session.auth = (creds.username, creds.password)
        # DELETE last, so that the deleted user is not needed afterwards
        order = ("GET", "POST", "PUT", "PATCH", "DELETE")
        operations = sorted(_operations(spec), key=lambda op: (order.index(op[0]), op))
        for method, path in operations:
            response = session.request(
                method,
                sim.url + "/api/v1" + path.replace("{id}", "2"),
                json=SAMPLE_BODIES.get((method, path)),
                headers={"Idempotency-Key": "spec-1"},
                timeout=5,
            )
            assert response.status_code not in (404, 405), (method, path)
            assert response.status_code < 300, (method, path, response.text)
            documented = spec["paths"][path][method.lower()]["responses"]
            assert str(response.status_code) in documented, (method, path)


@pytest.mark.parametrize("resource", sorted(RESOURCE_SCHEMAS))
def test_items_carry_exactly_the_schema_properties(spec, shared_client, resource):
    schemas = spec["components"]["schemas"]
    schema = schemas[RESOURCE_SCHEMAS[resource]]
    assert set(schema["required"]) == set(schema["properties"])
    page_schema = schemas[RESOURCE_SCHEMAS[resource] + "Page"]
    page = shared_client.get_page(resource, per_page=500)
    assert set(page) == set(page_schema["required"]) == set(page_schema["properties"])
    assert page["items"]
    for item in page["items"]:
        assert set(item) == set(schema["properties"])
    single = shared_client.read(resource, page["items"][0]["id"])
    assert set(single) == set(schema["properties"])


@pytest.mark.parametrize("resource", sorted(RESOURCE_SCHEMAS))
def test_items_validate_against_the_schema(spec, shared_client, resource):
    validators = pytest.importorskip("openapi_schema_validator")
    schema = {
        "$ref": f"#/components/schemas/{RESOURCE_SCHEMAS[resource]}Page",
        "components": spec["components"],
    }
    validator = validators.OAS30Validator(schema)
    validator.validate(shared_client.get_page(resource, per_page=500))


def test_document_patterns_are_the_simulators(spec):
    schemas = spec["components"]["schemas"]
    for name in ("User", "UserCreate", "UserUpdate"):
        properties = schemas[name]["properties"]
        assert properties["name"]["pattern"] == NOT_BLANK_PATTERN
        assert properties["email"]["pattern"] == EMAIL_PATTERN
    key = spec["components"]["parameters"]["IdempotencyKey"]["schema"]
    assert key["pattern"] == NOT_BLANK_PATTERN
