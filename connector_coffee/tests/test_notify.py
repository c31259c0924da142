# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""'Your coffee is ready': the notification reaches the bus channel of the
person who ordered the coffee, and only theirs, when the brew ends."""

import json

from odoo.tests import new_test_user

from .common import CoffeeCase


class TestNotify(CoffeeCase):
    simulator_options = {"machines": 2, "beverages": 2, "users": 2, "brews": 0}

    def setUp(self):
        super().setUp()
        self.sync("machines", "beverages")
        self.machine = self.bindings_by_machine_id("coffee.machine")[1]
        self.alice = new_test_user(self.env, "alice", "base.group_user")
        self.bob = new_test_user(self.env, "bob", "base.group_user")
        for user in (self.alice, self.bob):
            self.register_drinker(user.partner_id)

    def pour_as(self, user):
        """Pour a coffee for ``user`` as ``user``; the machine takes the order."""
        with self.trap() as trap:
            brew = self.backend.with_user(user).pour_coffee(
                user.partner_id, machine=self.machine.with_user(user)
            )
            self.perform_jobs(trap)
        return brew.sudo()

    def notifications(self, user):
        """The simple notifications sent to ``user``'s bus channel."""
        self.env.cr.precommit.run()  # the bus writes its messages at commit
        channel = json.dumps(
            [self.env.cr.dbname, "res.partner", user.partner_id.id],
            separators=(",", ":"),
        )
        messages = self.env["bus.bus"].sudo().search([("channel", "=", channel)])
        return [
            json.loads(m.message)["payload"]
            for m in messages
            if json.loads(m.message)["type"] == "simple_notification"
        ]

    def test_ready_coffee_notifies_the_person_who_ordered_it(self):
        brew = self.pour_as(self.alice)
        self.assertEqual(brew.ordered_by_id, self.alice)
        self.assertTrue(brew.coffee_id)
        self.assertEqual(self.notifications(self.alice), [])
        # the machine brews it; the next import brings the news
        self.simulator.update_record("brews", brew.coffee_id, state="done")
        self.sync("brews")
        self.assertEqual(brew.state, "done")
        (note,) = self.notifications(self.alice)
        self.assertEqual(note["type"], "success")
        self.assertEqual(note["title"], "Your coffee is ready")
        self.assertIn(self.machine.name, note["message"])
        self.assertIn(brew.beverage_id.display_name, note["message"])
        # nobody else hears of it, and an import of the same state is silent
        self.assertEqual(self.notifications(self.bob), [])
        self.simulator.update_record("brews", brew.coffee_id, state="done")
        self.sync("brews")
        self.assertEqual(len(self.notifications(self.alice)), 1)

    def test_failed_coffee_says_why(self):
        brew = self.pour_as(self.bob)
        self.simulator.update_record(
            "brews", brew.coffee_id, state="failed", failure_reason="out of milk"
        )
        self.sync("brews")
        (note,) = self.notifications(self.bob)
        self.assertEqual(note["type"], "warning")
        self.assertIn("out of milk", note["message"])
        self.assertEqual(self.notifications(self.alice), [])

    def test_imported_brews_notify_nobody(self):
        self.simulator.add_record(
            "brews", machine_id=1, beverage_id=1, user_id=1, state="done"
        )
        self.sync("users", "brews")
        brews = self.bindings("coffee.brew")
        self.assertTrue(brews)
        self.assertFalse(brews.ordered_by_id)
