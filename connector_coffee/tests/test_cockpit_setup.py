# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The first-run assistant of the cockpit."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import SIM_PASSWORD, SIM_USER, CoffeeCase


class TestCockpitSetup(CoffeeCase):
    def wizard(self, **values):
        return self.env["coffee.setup.wizard"].create(
            {
                "name": "Lobby espresso",
                "location": self.simulator.url,
                "username": SIM_USER,
                "password": SIM_PASSWORD,
                **values,
            }
        )

    def test_first_run(self):
        wizard = self.wizard()
        with self.trap() as trap:
            action = wizard.action_setup()
            run = self.perform_jobs(trap)
        backend = wizard.backend_id
        self.assertEqual(action["res_id"], backend.id)
        self.assertEqual(run.performed[-1].method_name, "_choose_defaults")
        self.assertEqual(
            set(backend.import_ids.mapped("state")), {"done"}, "every import done"
        )
        idle = self.env["coffee.machine"].search(
            [("backend_id", "=", backend.id), ("state", "=", "idle")], order="id"
        )
        self.assertEqual(
            backend.default_machine_id, idle[:1] or backend.machine_ids[:1]
        )
        self.assertTrue(backend.default_beverage_id)
        self.assertEqual(backend.default_beverage_id.backend_id, backend)
        # the machine sends its events to this backend, signed with its secret
        secret = backend.sudo().webhook_secret
        self.assertGreaterEqual(len(secret), 32)
        self.assertEqual(self.simulator._webhooks.url, backend.webhook_url)
        self.assertEqual(self.simulator._webhooks.secret, secret)
        self.assertEqual(backend.sudo().webhook_user_id, self.env.user)

    def test_unreachable_machine_keeps_nothing(self):
        wizard = self.wizard(password="wrong")
        backends = self.env["coffee.backend"].search_count([])
        with self.assertRaises(UserError), self.env.cr.savepoint():
            wizard.action_setup()
        self.assertEqual(self.env["coffee.backend"].search_count([]), backends)
        self.assertIsNone(self.simulator._webhooks.url)

    def test_only_coffee_managers(self):
        user = new_test_user(self.env, login="setup-user", groups="base.group_user")
        with (
            self.assertRaises(AccessError),
            mute_logger("odoo.addons.base.models.ir_model"),
        ):
            self.env["coffee.setup.wizard"].with_user(user).create(
                {"location": self.simulator.url}
            )
