# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A pour tells the truth: warned before, failed with its reason, retried.

The pours run as queue_job's runner runs them (stored jobs, their retries,
their on-fail hook), against the simulator: a machine in maintenance, a
teapot, a beverage or a user the machine no longer accepts.
"""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from ..models.coffee_brew.common import FOLLOW_UP_DELAYS
from .common import CoffeeCase, run_stored_job, run_stored_jobs

MANAGER = "connector_coffee.coffee_connector_group_manager"


class PourCase(CoffeeCase):
    def setUp(self):
        super().setUp()
        self.sync("machines", "beverages")
        machines = self.bindings("coffee.machine")
        self.idle = machines.filtered(lambda m: m.state == "idle")[0]
        self.in_maintenance = machines.filtered(lambda m: m.state == "maintenance")
        self.teapot = machines.filtered(lambda m: m.machine_model == "TEAPOT-418")
        self.beverage = self.bindings("coffee.product.product").sorted("id")[0]
        self.ada = self.registered(self.env["res.partner"].create({"name": "Ada"}))

    def registered(self, partners):
        """Make ``partners`` users of the machine, exported."""
        with self.trap() as trap:
            partners.coffee_backend_ids = self.backend
            self.perform_jobs(trap)
        return partners

    def pours(self):
        return self.simulator.counters().get("pours", 0)

    def order_job(self, brew):
        return self.env["queue.job"].search(
            [
                ("coffee_model", "=", "coffee.brew"),
                ("coffee_binding_id", "=", brew.id),
                ("method_name", "=", "_export_record"),
            ]
        )

    def texts_of(self, brew):
        """Everything the brew says, in its form and its chatter."""
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking messages, as at a commit
        brew.invalidate_recordset()
        messages = brew.message_ids
        values = messages.tracking_value_ids
        return [
            brew.failure_reason or "",
            brew.pour_status or "",
            brew.sync_error or "",
            *messages.mapped(lambda m: str(m.body or "")),
            *values.mapped(lambda v: f"{v.old_value_char} {v.new_value_char}"),
        ]


class TestPourOutcome(PourCase):
    def test_wizard_warns_before_pouring_without_blocking(self):
        wizard = self.env["coffee.pour.wizard"].create(
            {
                "backend_id": self.backend.id,
                "partner_ids": [(6, 0, self.ada.ids)],
                "machine_id": self.idle.id,
            }
        )
        self.assertFalse(wizard.warning)
        wizard.machine_id = self.in_maintenance
        self.assertIn(self.in_maintenance.name, wizard.warning)
        self.assertIn("Maintenance", wizard.warning)
        self.assertIn("not idle", wizard.warning)
        # a warning, not a refusal: the coffee is ordered
        with self.trap() as trap:
            wizard.action_pour()
            self.assertEqual(len(trap.enqueued_jobs), 1)
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        wizard.partner_ids = newcomer
        self.assertIn("Newcomer", wizard.warning)
        self.assertIn("registered on it by this pour", wizard.warning)

    def test_maintenance_fails_the_brew_then_retry_pours_it_once(self):
        """As the job runner runs it: the brew waits, says why and when, fails
        with the reason once the job gives up, and pours once retried."""
        self.env = self.env(context=dict(self.env.context, tracking_disable=False))
        brew = self.backend.with_env(self.env).pour_coffee(
            self.ada, machine=self.in_maintenance.with_env(self.env)
        )
        job = self.order_job(brew)
        key = brew.idempotency_key
        self.assertEqual(brew.pour_status, "Waiting to be sent to the machine.")
        # the first try: the machine is in maintenance, the job waits
        run_stored_job(self.env, job)
        self.assertEqual(job.state, "pending")
        self.assertEqual(brew.state, "requested")
        brew.invalidate_recordset(["pour_status"])
        self.assertIn(
            f"{self.in_maintenance.name} is in maintenance.", brew.pour_status
        )
        self.assertIn("Next try at", brew.pour_status)
        # the next tries, until the job gives up
        run_stored_jobs(self.env, self.backend)
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.retry, job.max_retries)
        self.assertEqual(job.exc_name.rsplit(".", 1)[-1], "CoffeeSyncError")
        self.assertEqual(brew.state, "failed")
        self.assertIn("is in maintenance", brew.failure_reason)
        self.assertIn("retry the brew once the machine is back", brew.failure_reason)
        self.assertFalse(brew.pour_status)
        texts = self.texts_of(brew)
        self.assertTrue(any("Failed" in text for text in texts), texts)
        for text in texts:
            self.assertNotIn("will be retried", text)
            self.assertNotIn("Max. retries", text)
        self.assertEqual(self.pours(), 0)
        # the machine is back: retried, the same job pours it, once
        self.simulator.update_record(
            "machines", self.in_maintenance.coffee_id, state="idle"
        )
        brew.action_retry()
        self.assertEqual((brew.state, brew.failure_reason), ("requested", False))
        self.assertEqual(self.order_job(brew), job)
        self.assertEqual((job.state, job.retry), ("pending", 0))
        run_stored_job(self.env, job)
        self.assertEqual(job.state, "done")
        self.assertEqual(brew.state, "queued")
        self.assertEqual(brew.idempotency_key, key)
        machine_brew = next(
            b for b in self.simulator.records("brews") if b["id"] == brew.coffee_id
        )
        self.assertEqual(machine_brew["idempotency_key"], key)
        self.assertEqual(self.pours(), 1)
        # followed until the machine finished it
        self.simulator.advance_brews()
        run_stored_jobs(self.env, self.backend)
        self.assertEqual(brew.state, "done")
        self.assertEqual(self.pours(), 1)

    def test_teapot_fails_the_brew_at_once(self):
        with self.trap() as trap:
            brew = self.backend.pour_coffee(self.ada, machine=self.teapot)
            run = self.perform_jobs(trap, raise_failures=False)
        self.assertEqual((len(run.failed), run.retries), (1, 0))
        self.assertEqual(brew.state, "failed")
        self.assertEqual(
            brew.failure_reason,
            "Office Teapot is a teapot: it cannot brew coffee. Choose another machine.",
        )

    def test_beverage_no_longer_served_fails_the_brew(self):
        self.simulator.update_record("beverages", self.beverage.coffee_id, active=False)
        with self.trap() as trap:
            brew = self.backend.pour_coffee(
                self.ada, machine=self.idle, beverage=self.beverage
            )
            self.perform_jobs(trap, raise_failures=False)
        self.assertEqual(brew.state, "failed")
        self.assertIn("is no longer served by", brew.failure_reason)
        self.assertEqual(self.pours(), 0)

    def test_user_refused_by_the_machine_fails_the_brew(self):
        self.simulator.update_record(
            "users", self.ada.coffee_bind_ids.coffee_id, active=False
        )
        with self.trap() as trap:
            brew = self.backend.pour_coffee(self.ada, machine=self.idle)
            self.perform_jobs(trap, raise_failures=False)
        self.assertEqual(brew.state, "failed")
        self.assertIn("Ada may no longer use", brew.failure_reason)

    def test_retry_is_for_failed_brews_and_their_people(self):
        employee = new_test_user(self.env, "pourer", "base.group_user")
        other = new_test_user(self.env, "bystander", "base.group_user")
        manager = new_test_user(self.env, "boss", f"base.group_user,{MANAGER}")
        with self.trap() as trap:
            brew = self.backend.with_user(employee).pour_coffee(
                self.ada, machine=self.teapot
            )
            self.perform_jobs(trap, raise_failures=False)
        self.assertEqual(brew.state, "failed")
        with self.assertRaises(AccessError):
            brew.with_user(other).action_retry()
        self.assertEqual(brew.state, "failed")
        with self.trap() as trap:
            brew.with_user(employee).action_retry()
            self.assertEqual(brew.state, "requested")
            self.perform_jobs(trap, raise_failures=False)
        with self.trap() as trap:
            brew.with_user(manager).action_retry()
            self.perform_jobs(trap, raise_failures=False)
        self.assertEqual(self.pours(), 0)
        # a brew that did not fail, or failed on the machine, is not ordered again
        done = self.backend.pour_coffee(self.ada, machine=self.idle)
        with self.assertRaises(UserError):
            done.action_retry()

    def test_pour_for_someone_not_yet_a_user_registers_them(self):
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        with self.trap() as trap:
            brew = self.backend.pour_coffee(newcomer, machine=self.idle)
            self.assertTrue(newcomer.coffee_bind_ids.drinker)
            self.perform_jobs(trap)
        user = newcomer.coffee_bind_ids
        self.assertTrue(user.coffee_id)
        machine_brew = next(
            b for b in self.simulator.records("brews") if b["id"] == brew.coffee_id
        )
        self.assertEqual(machine_brew["user_id"], user.coffee_id)

    def test_who_cannot_register_is_told_why(self):
        employee = new_test_user(self.env, "pourer", "base.group_user")
        newcomer = self.env["res.partner"].create({"name": "Newcomer"})
        self.simulator.reset_counters()
        with self.assertRaises(UserError) as caught:
            self.backend.with_user(employee).pour_coffee(newcomer)
        self.assertIn("Newcomer", str(caught.exception))
        self.assertIn("only a coffee manager can register", str(caught.exception))
        self.assertFalse(newcomer.coffee_bind_ids)
        self.assertEqual(self.simulator.counters()["total"], 0)
        # a user of the machine: the employee pours for them
        with self.trap():
            brew = self.backend.with_user(employee).pour_coffee(self.ada)
        self.assertEqual(brew.partner_id, self.ada)
        # someone removed from the users is refused too, saying so
        self.ada.coffee_bind_ids.with_context(connector_no_export=True).drinker = False
        with self.assertRaises(UserError) as caught:
            self.backend.pour_coffee(self.ada)
        self.assertIn("removed from the users", str(caught.exception))

    def test_pour_me_a_coffee_registers_the_user(self):
        user = new_test_user(
            self.env, "thirsty", f"base.group_user,{MANAGER}", name="Thirsty Boss"
        )
        with self.trap() as trap:
            action = self.backend.with_user(user).action_pour_coffee()
            self.perform_jobs(trap)
        self.assertIn("Your coffee is on its way", action["params"]["message"])
        brew = self.env["coffee.brew"].search([("partner_id", "=", user.partner_id.id)])
        self.assertTrue(brew.coffee_id)
        self.assertTrue(user.partner_id.coffee_bind_ids.coffee_id)
        # the next import keeps the person
        self.sync("brews")
        self.assertEqual(brew.partner_id, user.partner_id)


class TestStatesFollowTheMachine(PourCase):
    def test_poured_brew_is_followed_until_done(self):
        with self.trap() as trap:
            brew = self.backend.pour_coffee(self.ada, machine=self.idle)
            trap.perform_enqueued_jobs()
            follow_ups = [
                j for j in trap.enqueued_jobs if j.method_name == "_follow_up"
            ]
            self.assertEqual(len(follow_ups), 1)
            self.assertEqual(follow_ups[0].eta is not None, True)
            self.assertEqual(follow_ups[0].channel, "root.coffee.import")
            self.assertEqual(brew.state, "queued")
            self.simulator.advance_brews()
            self.perform_jobs(trap)
        self.assertEqual(brew.state, "done")
        self.assertTrue(brew.finished_at)

    def test_follow_up_is_bounded(self):
        with self.trap() as trap:
            brew = self.backend.pour_coffee(self.ada, machine=self.idle)
            run = self.perform_jobs(trap)
        follow_ups = [j for j in run.performed if j.method_name == "_follow_up"]
        self.assertEqual(len(follow_ups), len(FOLLOW_UP_DELAYS))
        self.assertEqual(brew.state, "queued")

    def test_webhook_secret_replaces_the_follow_up(self):
        self.backend.webhook_secret = "whsec-of-the-machine"
        with self.trap() as trap:
            self.backend.pour_coffee(self.ada, machine=self.idle)
            run = self.perform_jobs(trap)
        self.assertFalse([j for j in run.performed if j.method_name == "_follow_up"])

    def test_import_never_empties_the_person(self):
        with self.trap() as trap:
            brew = self.backend.pour_coffee(self.ada, machine=self.idle)
            self.perform_jobs(trap)
        self.simulator.update_record("brews", brew.coffee_id, user_id=None)
        self.simulator.advance_brews()
        self.sync("brews")
        self.assertEqual(brew.state, "done")
        self.assertEqual(brew.partner_id, self.ada)
