# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The contract test: openapi.json drives requests to a simulator.

Schemathesis reads the document and, for each operation, sends the requests
it derives from it: its examples, the boundaries of every parameter and body
field (coverage phase) and random ones (fuzzing phase), both valid
(positive) and invalid (negative). Each answer is checked against the
document: no server error, a documented status code, content type, headers
and body schema, valid data accepted and invalid data refused with a 4xx,
missing authentication answered 401, a method a path does not serve
answered 405 with ``Allow``. A hole on either side (the simulator accepts
what the document forbids, or refuses what it allows) fails the test.

Bounded and repeatable: a few examples per operation, derandomized, no
example database; every operation gets a fresh simulator of its own, so that
what it creates or deletes touches no other test. The brews it pours are
bounded too: a pour keeps its machine busy (503) until brews are advanced,
which nothing does here.
"""

from pathlib import Path

import pytest
import schemathesis
from conftest import PASSWORD, USERNAME, make_simulator
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

SPEC_PATH = (
    Path(__file__).resolve().parents[2] / "connector_coffee/coffee_api/openapi.json"
)
#: examples per operation and generation mode in the fuzzing phase
MAX_EXAMPLES = 20
CONFIG = {
    "seed": 2026,
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
    },
    "auth": {"basic": {"username": USERNAME, "password": PASSWORD}},
    "request-timeout": 5,
    "checks": {
        # 503 is an answer of the API (a busy machine), not a crash
        "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]},
    },
    "operations": [
        {
            # valid by the document, a pour still depends on the machine's
            # records and state: unknown or inactive ids (422), a teapot
            # (418), a busy machine (503), a key used with another body (409)
            "include-name": "POST /brews",
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "409", "418", "422", "503"]
                }
            },
        }
    ],
}

schema = schemathesis.openapi.from_path(
    SPEC_PATH, config=SchemathesisConfig.from_dict(CONFIG)
)


@pytest.fixture
def contract_sim():
    """A fresh simulator for the examples of one operation."""
    simulator = make_simulator()
    yield simulator
    simulator.stop()


@schema.parametrize()
# the examples of one operation share its simulator on purpose
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=5000)
def test_contract(case, contract_sim):
    case.call_and_validate(base_url=contract_sim.url + "/api/v1")
    # one pour at most per machine: it stays busy, nothing advances brews
    assert contract_sim.counters()["pours"] <= len(contract_sim.records("machines"))
