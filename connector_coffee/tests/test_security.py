# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The connector as an attacker inside the Odoo server would try it.

A plain internal user, a portal user, a user of another company, a job
queue administrator: each calls the connector over XML-RPC with their own
credentials, against Odoo's HTTP server, as any client of Odoo's API can.
Every probe must be refused, and the simulator must have seen no request
from it: nothing reaches the machine before the caller's rights are checked.
"""

from xmlrpc.client import Fault

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR

from .common import (
    SIM_PASSWORD,
    SimulatorRequestsMixin,
    allow_local_locations,
    backend_on,
    perform_jobs,
    start_simulator,
    trap_jobs,
)

MANAGER = "connector_coffee.coffee_connector_group_manager"


@tagged("post_install", "-at_install")
class TestSecurity(SimulatorRequestsMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        allow_local_locations(cls.env)
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})

    def setUp(self):
        super().setUp()
        self.simulator = start_simulator(machines=2, beverages=2, users=2, brews=6)
        self.addCleanup(self.simulator.stop)
        self.backend = backend_on(self.env, self.simulator, name="Company A machine")
        with trap_jobs() as trap:
            self.backend._sync_all()
            perform_jobs(self.env, trap)
        self.employee = self.user("employee", "base.group_user")
        self.portal = self.user("portal", "base.group_portal")
        self.other = self.user(
            "other_company", f"base.group_user,{MANAGER}", company=self.company_b
        )
        self.simulator.reset_counters()

    def user(self, login, groups, company=None):
        """A user whose password is their login."""
        company = company or self.env.company
        user = new_test_user(
            self.env,
            login,
            groups,
            password=login * 2,
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        return user

    def call(self, user, model, method, *args):
        """``method`` of ``model`` over XML-RPC, as ``user``."""
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login * 2, model, method, list(args)
        )

    def assert_refused(self, user, model, method, *args):
        """The call is refused for access, and the machine saw nothing of it.

        :return: what the refusal says
        """
        # Odoo's HTTP server logs each refusal: expected here
        with self.assertRaises(Fault) as caught, mute_logger("odoo.http"):
            self.call(user, model, method, *args)
        fault = caught.exception
        self.assertEqual(
            fault.faultCode, RPC_FAULT_CODE_ACCESS_ERROR, fault.faultString
        )
        self.assertEqual(self.simulator.counters()["total"], 0)
        return fault.faultString

    def test_internal_user_calls_nothing_that_reaches_the_machine(self):
        binding = self.env["coffee.res.partner"].search(
            [("backend_id", "=", self.backend.id)], limit=1
        )
        imports = self.backend.import_ids
        brew = self.env["coffee.brew"].search(
            [("backend_id", "=", self.backend.id)], limit=1
        )
        # the employee may read them...
        self.assertTrue(
            self.call(
                self.employee, "coffee.backend", "read", [self.backend.id], ["name"]
            )
        )
        self.assertTrue(
            self.call(
                self.employee, "coffee.res.partner", "read", binding.ids, ["name"]
            )
        )
        # ...but none of this
        for model, method, args in (
            ("coffee.res.partner", "_export_record", (binding.ids,)),
            ("coffee.res.partner", "_import_record", ([], self.backend.id, 1)),
            ("coffee.res.partner", "_export_batch", ([], self.backend.id)),
            ("coffee.brew", "_import_events", ([], self.backend.id)),
            ("coffee.backend", "check_connection", (self.backend.ids,)),
            ("coffee.backend", "sync_all", (self.backend.ids,)),
            ("coffee.backend", "_sync_all", (self.backend.ids,)),
            ("coffee.import", "action_import", (imports.ids,)),
            ("coffee.brew", "action_retry", (brew.ids,)),
        ):
            with self.subTest(method=method):
                self.assert_refused(self.employee, model, method, *args)
        self.assertFalse(
            self.env["queue.job"].search([("coffee_backend_id", "=", self.backend.id)])
        )

    def test_check_connection_says_the_same_for_every_stranger(self):
        """A portal user and another company's manager cannot tell an
        existing backend from a missing one."""
        missing = self.backend.id + 1000
        for user in (self.portal, self.other):
            answers = {
                self.assert_refused(
                    user, "coffee.backend", "check_connection", [backend_id]
                )
                for backend_id in (self.backend.id, missing)
            }
            with self.subTest(user=user.login):
                self.assertEqual(len(answers), 1, answers)

    def test_another_company_sees_none_of_the_machines_records(self):
        for model in (
            "coffee.backend",
            "coffee.import",
            "coffee.machine",
            "coffee.product.product",
            "coffee.res.partner",
            "coffee.brew",
        ):
            with self.subTest(model=model):
                self.assertTrue(self.env[model].search_count([]))
                self.assertEqual(self.call(self.other, model, "search_count", []), 0)
        # nor pour on them, whichever way it is asked
        machine = self.env["coffee.machine"].search(
            [("backend_id", "=", self.backend.id)], limit=1
        )
        partner = self.other.partner_id
        self.assert_refused(
            self.other,
            "coffee.backend",
            "pour_coffee",
            self.backend.ids,
            partner.ids,
        )
        with self.assertRaises(AccessError):
            self.backend.with_user(self.other).pour_coffee(partner, machine=machine)
        # nor order for a contact of their own on a machine of company A
        own_backend = backend_on(self.env, self.simulator, name="Company B machine")
        own_backend.company_id = self.company_b
        with self.assertRaises(AccessError):
            own_backend.with_user(self.other).pour_coffee(partner, machine=machine)
        self.assertFalse(
            self.env["coffee.brew"].search([("partner_id", "=", partner.id)])
        )

    def test_job_queue_manager_is_no_coffee_manager(self):
        admin = self.user(
            "queue_admin",
            "base.group_user,queue_job.group_queue_job_manager,"
            "connector.group_connector_manager",
        )
        self.assertFalse(admin.has_group(MANAGER))
        fault = self.assert_refused(
            admin, "coffee.backend", "read", [self.backend.id], ["password"]
        )
        self.assertNotIn(SIM_PASSWORD, fault)

    def test_coffee_manager_without_job_queue_rights_opens_the_backend(self):
        manager = self.user("coffee_boss", f"base.group_user,{MANAGER}")
        self.assertFalse(manager.has_group("queue_job.group_queue_job_manager"))
        # what the form reads, as the web client reads it
        views = self.call(manager, "coffee.backend", "get_views", [[False, "form"]])
        fields = views["models"]["coffee.backend"]["fields"]
        values = self.call(
            manager,
            "coffee.backend",
            "web_read",
            [self.backend.id],
            {
                name: {}
                for name in fields
                if fields[name]["type"] not in ("one2many", "many2many")
            },
        )
        self.assertEqual(values[0]["name"], "Company A machine")
        counts = self.call(
            manager,
            "coffee.backend",
            "read",
            [self.backend.id],
            ["job_pending_count", "job_failed_count", "password"],
        )
        self.assertEqual(counts[0]["job_failed_count"], 0)
        self.assertEqual(counts[0]["password"], SIM_PASSWORD)
        # and checks the connection
        result = self.call(
            manager, "coffee.backend", "check_connection", [self.backend.id]
        )
        self.assertEqual(result["params"]["type"], "success")
