# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import time

import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import SIM_API_KEY, SIM_PASSWORD, CoffeeCase


class TestBackend(CoffeeCase):
    def test_backend_created_with_defaults(self):
        self.assertTrue(self.backend.active)
        self.assertTrue(self.backend.verify_ssl)
        self.assertEqual(self.backend.company_id, self.env.company)
        self.assertIn(
            "coffee.backend",
            self.env.registry.get("connector.backend")._inherit_children,
        )

    def test_location_must_be_an_http_url(self):
        for location in (
            "ftp://machine",
            "machine.local",
            "http://",
            "javascript:alert(1)",
        ):
            with self.subTest(location=location), self.assertRaises(ValidationError):
                self.backend.location = location
                self.backend.flush_recordset()

    def test_timeout_is_bounded(self):
        for timeout in (0, -1, 301):
            with self.subTest(timeout=timeout), self.assertRaises(ValidationError):
                self.backend.timeout = timeout
                self.backend.flush_recordset()

    def test_binding_unique_per_backend_and_machine_id(self):
        values = {"backend_id": self.backend.id, "coffee_id": 42, "name": "A"}
        self.env["coffee.machine"].create(values)
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                self.env["coffee.machine"].create(dict(values, name="B"))
        other = self.backend.copy({"name": "Other machine room"})
        # the same machine id on another backend is another record
        self.assertTrue(
            self.env["coffee.machine"].create(dict(values, backend_id=other.id))
        )

    def test_secrets_readable_by_managers_only(self):
        self.backend.api_key = SIM_API_KEY
        manager = new_test_user(
            self.env,
            "coffee_manager",
            "base.group_user,connector_coffee.coffee_connector_group_manager",
        )
        self.assertEqual(self.backend.with_user(manager).password, SIM_PASSWORD)
        user = new_test_user(self.env, "coffee_employee", "base.group_user")
        as_user = self.backend.with_user(user)
        self.assertEqual(as_user.name, "Office espresso")
        for secret in ("password", "api_key"):
            with self.subTest(secret=secret), self.assertRaises(AccessError):
                as_user.read([secret])
        self.assertNotIn("password", as_user.fields_get())
        portal = new_test_user(self.env, "coffee_portal", "base.group_portal")
        with self.assertRaises(AccessError):
            self.backend.with_user(portal).read(["name"])

    def test_coffee_manager_is_granted_on_its_own(self):
        """The rights on other connectors or on the job queue do not make a
        coffee manager: they would hand out the machines' credentials."""
        for groups in (
            "connector.group_connector_manager",
            "queue_job.group_queue_job_manager",
            "base.group_system",
        ):
            user = new_test_user(self.env, f"not coffee {groups}", groups)
            with self.subTest(groups=groups):
                self.assertFalse(
                    user.has_group("connector_coffee.coffee_connector_group_manager")
                )

    def test_check_connection_success(self):
        action = self.backend.check_connection()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("API version 1", action["params"]["message"])
        self.assertNotIn(SIM_PASSWORD, str(action))

    def test_check_connection_with_api_key(self):
        self.backend.write(
            {"username": False, "password": False, "api_key": SIM_API_KEY}
        )
        self.assertEqual(self.backend.check_connection()["params"]["type"], "success")

    def test_check_connection_bad_credentials(self):
        self.backend.password = "wrong-password"
        with self.assertRaises(UserError) as caught:
            self.backend.check_connection()
        message = str(caught.exception)
        self.assertIn("401", message)
        self.assertIn("Office espresso", message)
        self.assertNotIn("wrong-password", message)

    def test_check_connection_unreachable_host(self):
        self.simulator.stop()
        self.backend.timeout = 2
        started = time.monotonic()
        with self.assertRaises(UserError) as caught:
            self.backend.check_connection()
        self.assertLess(time.monotonic() - started, 2 * self.backend.timeout + 1)
        self.assertIn("Cannot connect", str(caught.exception))

    def test_check_connection_timeout(self):
        self.backend.timeout = 1
        self.simulator.fail_next("latency", count=1, delay=3)
        started = time.monotonic()
        with self.assertRaises(UserError) as caught:
            self.backend.check_connection()
        self.assertLess(time.monotonic() - started, 2.9)
        self.assertIn("did not answer within 1", str(caught.exception))
