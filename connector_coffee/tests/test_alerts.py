# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Supply alerts: one activity per supply and machine while it is low, done
by itself once the machine is refilled, whichever way the levels come in."""

import time

from odoo.tests import Form, new_test_user

from .common import CoffeeCase


class TestAlerts(CoffeeCase):
    simulator_options = {"machines": 2, "beverages": 2, "users": 2, "brews": 0}

    def setUp(self):
        super().setUp()
        self.backend.write(
            {"water_alert_level": 20, "beans_alert_level": 20, "milk_alert_level": 15}
        )
        self.responsible = self.env["res.users"].create(
            {"name": "Barista Bea", "login": "bea"}
        )
        self.backend.responsible_user_id = self.responsible
        for record in self.simulator.records("machines"):
            self.simulator.update_record(
                "machines",
                record["id"],
                state="idle",
                water_level=80,
                beans_level=80,
                milk_level=80,
            )
        self.sync("machines")
        self.machine = self.bindings_by_machine_id("coffee.machine")[1]

    def change(self, **values):
        """Change machine 1 on the machine, then import what changed."""
        time.sleep(0.01)
        self.simulator.update_record("machines", 1, **values)
        self.sync("machines")

    def activities(self, machine=None):
        """``{activity type name: summary}`` of the open activities."""
        machine = machine or self.machine
        machine.invalidate_recordset(["activity_ids"])
        return {a.activity_type_id.name: a.summary for a in machine.activity_ids}

    def test_machines_start_without_alerts(self):
        for machine in self.bindings("coffee.machine"):
            self.assertEqual(self.activities(machine), {})

    def test_low_supply_opens_one_activity_until_refilled(self):
        self.change(milk_level=12)
        self.assertEqual(
            self.activities(), {"Refill milk": "Refill milk: Lobby Espresso, 12 %"}
        )
        activity = self.machine.activity_ids
        self.assertEqual(activity.user_id, self.responsible)
        # lower still, imported again: the same activity, its figure updated
        self.change(milk_level=5)
        self.assertEqual(self.machine.activity_ids, activity)
        self.assertEqual(activity.summary, "Refill milk: Lobby Espresso, 5 %")
        # two supplies low: one activity each
        self.change(milk_level=5, beans_level=3)
        self.assertEqual(set(self.activities()), {"Refill milk", "Refill beans"})
        # refilled: the activities are done by themselves, and say so
        self.change(milk_level=90, beans_level=90)
        self.assertEqual(self.activities(), {})
        done = self.machine.message_ids.filtered(
            lambda m: "Back to normal" in (m.body or "")
        )
        self.assertEqual(len(done), 2)
        # low again later: a new activity
        self.change(water_level=10)
        self.assertEqual(set(self.activities()), {"Refill water"})

    def test_machine_in_maintenance_needs_attention(self):
        self.change(state="maintenance")
        self.assertEqual(
            self.activities(),
            {"Machine needs attention": "Lobby Espresso is in Maintenance"},
        )
        self.change(state="error")
        self.assertEqual(len(self.machine.activity_ids), 1)
        self.change(state="idle")
        self.assertEqual(self.activities(), {})

    def test_webhook_import_of_one_machine_opens_and_closes(self):
        """The webhook's import of one record goes the same way."""
        self.simulator.update_record("machines", 1, water_level=7)
        self.env["coffee.machine"]._import_record(self.backend, 1)
        self.assertEqual(set(self.activities()), {"Refill water"})
        self.simulator.update_record("machines", 1, water_level=70)
        self.env["coffee.machine"]._import_record(self.backend, 1)
        self.assertEqual(self.activities(), {})

    def test_machine_responsible_before_the_backend(self):
        other = self.env["res.users"].create({"name": "Milk Mo", "login": "mo"})
        self.machine.responsible_user_id = other
        self.change(milk_level=1)
        self.assertEqual(self.machine.activity_ids.user_id, other)

    def test_dashboard_shows_the_last_brew_and_pours_here(self):
        # the last brew is the last requested, whatever order it came in
        for requested_at in ("2026-03-02T08:00:00Z", "2026-03-01T08:00:00Z"):
            self.simulator.add_record(
                "brews",
                machine_id=1,
                beverage_id=1,
                user_id=1,
                state="done",
                requested_at=requested_at,
            )
        self.sync("users", "beverages", "brews")
        brews = self.bindings("coffee.brew").sorted("id")
        self.assertEqual(len(brews), 2)
        self.assertEqual(self.machine.last_brew_id, brews[0])
        self.assertGreater(brews[0].requested_at, brews[1].requested_at)
        other = self.bindings_by_machine_id("coffee.machine")[2]
        self.assertFalse(other.last_brew_id)
        # "Pour" on the card: the wizard, on this machine, for the clicker
        user = new_test_user(self.env, "coffee_lover", "base.group_user")
        action = self.machine.with_user(user).action_pour_here()
        wizard_model = self.env[action["res_model"]].with_user(user)
        form = Form(wizard_model.with_context(**action["context"]))
        self.assertEqual(form.backend_id, self.backend)
        self.assertEqual(form.machine_id, self.machine)
        self.assertEqual(form.save().partner_ids, user.partner_id)
