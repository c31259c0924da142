# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A bad configuration is refused when saved, or made harmless.

What is checked is what the HTTP client of a backend really sends: its
location, its timeout and whether it verifies the machine's TLS certificate
(which only a coffee connector manager may switch off).
"""

import time
from contextlib import contextmanager
from unittest import mock

import requests

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user

from ..components.mapper import parse_datetime
from ..models.coffee_backend.location import ALLOW_LOCAL_PARAM
from .common import SIM_PASSWORD, SIM_USER, CoffeeCase

MANAGER_GROUPS = "base.group_user,connector_coffee.coffee_connector_group_manager"


class TestReliabilityConfig(CoffeeCase):
    simulator_options = {"machines": 2, "beverages": 2, "users": 2, "brews": 4}

    @contextmanager
    def transport(self):
        """Record the options each HTTP request is sent with."""
        sent = []
        real_send = requests.adapters.HTTPAdapter.send

        def send(adapter, request, **kwargs):
            sent.append(dict(kwargs, url=request.url))
            return real_send(adapter, request, **kwargs)

        with mock.patch.object(requests.adapters.HTTPAdapter, "send", send):
            yield sent

    def test_location_must_be_an_http_url(self):
        refused = (
            "ftp://machine.example.com",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "machine.local:8089",
            "//machine.local",
            "http://",
            "https:///api",
            "http://machine.local:0",
            "http://machine.local:99999",
            "http://machine.local/?debug=1",
            "http://barista:Pa55word-in-the-url@machine.local",
        )
        for location in refused:
            with self.subTest(location=location):
                with self.assertRaises(ValidationError) as caught:
                    self.env["coffee.backend"].create(
                        {"name": "Misconfigured", "location": location}
                    )
                self.assertNotIn("Pa55word-in-the-url", str(caught.exception))
                with self.assertRaises(ValidationError):
                    self.backend.location = location
                    self.backend.flush_recordset()
        for location in (
            "http://127.0.0.1:8089",
            "https://coffee.example.com/",
            "https://coffee.example.com/machines/7",
        ):
            with self.subTest(location=location):
                self.backend.location = location
                self.backend.flush_recordset()
                self.assertTrue(self.backend._coffee_client())

    def test_timeout_bounded_and_honoured(self):
        for timeout in (0, 0.5, -1, 301, 1e9):
            with self.subTest(timeout=timeout), self.assertRaises(ValidationError):
                self.backend.timeout = timeout
                self.backend.flush_recordset()
        self.backend.timeout = 1
        client = self.backend._coffee_client()
        self.assertEqual(client.timeout, (1.0, 1.0))
        self.simulator.fail_next("latency", path="/status", delay=3)
        started = time.monotonic()
        with self.transport() as sent, self.assertRaises(UserError) as caught:
            self.backend.check_connection()
        self.assertLess(time.monotonic() - started, 2.5)
        self.assertIn("did not answer within 1 seconds", str(caught.exception))
        # (connect, read), or one number for both
        self.assertEqual(
            [
                max(s["timeout"]) if isinstance(s["timeout"], tuple) else s["timeout"]
                for s in sent
            ],
            [1.0],
        )

    def test_tls_verified_unless_a_manager_switches_it_off(self):
        client = self.backend._coffee_client()
        self.assertIs(client.verify, True)
        self.assertIs(client.session.verify, True)
        with self.transport() as sent:
            self.sync("machines")
        self.assertTrue(sent)
        # True, or the CA bundle requests verifies with
        self.assertNotIn(False, {s["verify"] for s in sent})
        self.assertTrue(all(s["verify"] for s in sent))

        employee = new_test_user(self.env, "coffee_intern", "base.group_user")
        for values in ({"verify_ssl": False}, {"location": "http://evil.example.com"}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                self.backend.with_user(employee).write(values)
        with self.assertRaises(AccessError):
            self.backend.with_user(employee).verify_ssl  # noqa: B018
        self.assertTrue(self.backend.verify_ssl)

        manager = new_test_user(self.env, "coffee_boss", MANAGER_GROUPS)
        self.backend.with_user(manager).verify_ssl = False
        client = self.backend._coffee_client()
        self.assertIs(client.verify, False)
        with self.transport() as sent:
            self.backend.check_connection()
        self.assertEqual({s["verify"] for s in sent}, {False})

    def test_backend_created_by_a_manager_verifies_tls(self):
        manager = new_test_user(self.env, "coffee_boss", MANAGER_GROUPS)
        backend = (
            self.env["coffee.backend"]
            .with_user(manager)
            .create(
                {
                    "name": "New machine",
                    "location": self.simulator.url,
                    "username": SIM_USER,
                    "password": SIM_PASSWORD,
                }
            )
        )
        self.assertTrue(backend.verify_ssl)
        self.assertIs(backend._coffee_client().verify, True)
        self.assertIs(backend.copy()._coffee_client().verify, True)

    def test_negative_overlap_does_not_skip_changes(self):
        self.sync("machines")
        last = self.backend._coffee_import("machines").since
        self.backend.import_overlap = -3600
        with self.trap() as trap:
            self.backend._enqueue_imports("machines")
            since = trap.enqueued_jobs[0].kwargs["filters"]["updated_since"]
        self.assertEqual(parse_datetime(since), last)

    def test_page_size_bounded(self):
        for page_size in (0, -5, 501):
            with self.subTest(page_size=page_size), self.assertRaises(ValidationError):
                self.backend.page_size = page_size
                self.backend.flush_recordset()

    def test_records_per_job_bounded(self):
        for job_size in (0, -5, 10001):
            with self.subTest(job_size=job_size), self.assertRaises(ValidationError):
                self.backend.job_size = job_size
                self.backend.flush_recordset()
        self.backend.job_size = 10000
        self.backend.flush_recordset()
        self.assertEqual(self.backend.job_size, 10000)

    def test_local_location_needs_the_system_parameter(self):
        """No backend on the server's own host or a link-local address (such
        as a cloud's metadata service) unless a system parameter allows it."""
        params = self.env["ir.config_parameter"].sudo()
        local = (
            "http://127.0.0.1:8089",
            "http://127.0.0.2",
            "http://localhost:8089",
            "https://LOCALHOST./api",
            "http://[::1]:8089",
            "http://[::ffff:127.0.0.1]",
            "http://169.254.169.254/latest",
            "http://[fe80::1]",
            "http://0.0.0.0:8089",
            "http://127.1",
            "http://2130706433",
        )
        # names are not resolved: only what the location says is checked
        remote = (
            "https://coffee.example.com",
            "http://10.0.0.5:8089",
            "http://192.168.1.20",
            "http://[2001:db8::1]",
        )
        for value in (False, "False", "0", "nonsense"):
            params.set_param(ALLOW_LOCAL_PARAM, value)
            for location in local:
                with self.subTest(value=value, location=location):
                    with self.assertRaises(ValidationError) as caught:
                        self.env["coffee.backend"].create(
                            {"name": "Local", "location": location}
                        )
                    self.assertIn(ALLOW_LOCAL_PARAM, str(caught.exception))
        for location in remote:
            backend = self.env["coffee.backend"].create(
                {"name": "Remote", "location": location}
            )
            self.assertEqual(backend.location, location)
        with self.assertRaises(ValidationError):
            backend.write({"location": "http://localhost"})
        # the backends already saved keep working
        self.assertEqual(self.backend.check_connection()["params"]["type"], "success")
        params.set_param(ALLOW_LOCAL_PARAM, "True")
        for location in local:
            backend = self.env["coffee.backend"].create(
                {"name": "Local", "location": location}
            )
            self.assertEqual(backend.location, location)
