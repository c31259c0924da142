# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import FailedJobError
from odoo.addons.queue_job.job import identity_exact

from ..exception import CoffeeSyncError
from .common import CoffeeCase, backend_on


class TestPour(CoffeeCase):
    def setUp(self):
        super().setUp()
        self.sync("machines", "beverages")
        self.partners = self.env["res.partner"].create(
            [{"name": f"Colleague {n}"} for n in range(3)]
        )
        machines = self.bindings("coffee.machine")
        self.idle = machines.filtered(lambda m: m.state == "idle")[0]
        self.teapot = machines.filtered(lambda m: m.machine_model == "TEAPOT-418")

    def pours(self):
        return self.simulator.counters().get("pours", 0)

    def registered(self, partners):
        """Make ``partners`` users of the machine, exported."""
        with self.trap() as trap:
            partners.coffee_backend_ids = self.backend
            self.perform_jobs(trap)
        self.assertTrue(all(partners.coffee_bind_ids.mapped("coffee_id")))
        return partners

    @staticmethod
    def brew_jobs(trap):
        return [job for job in trap.enqueued_jobs if job.model_name == "coffee.brew"]

    def pour_and_run(self, partners, **kwargs):
        with self.trap() as trap:
            brews = self.backend.pour_coffee(partners, **kwargs)
            run = self.perform_jobs(trap, on_retry=self.simulator.advance_brews)
        return brews, run

    def test_pour_for_three_partners(self):
        with self.trap() as trap:
            brews = self.backend.pour_coffee(self.partners)
            self.assertEqual(len(brews), 3)
            self.assertEqual(set(brews.mapped("state")), {"requested"})
            self.assertEqual(brews.partner_id, self.partners)
            # the partners, not users of the machine yet, are registered first
            trap.assert_jobs_count(6)
            self.assertEqual(len(self.brew_jobs(trap)), 3)
            self.assertEqual(self.partners.coffee_bind_ids.backend_id, self.backend)
            for brew in brews:
                trap.assert_enqueued_job(
                    brew._export_record, properties={"identity_key": identity_exact}
                )
            self.assertEqual(
                {job.channel for job in self.brew_jobs(trap)}, {"root.coffee.pour"}
            )
            # the machine pours one at a time: it is busy while brewing
            self.perform_jobs(trap, on_retry=self.simulator.advance_brews)
        self.assertEqual(self.pours(), 3)
        keys = {b["idempotency_key"] for b in self.simulator.records("brews")}
        self.assertLessEqual(set(brews.mapped("idempotency_key")), keys)
        self.assertTrue(all(brews.mapped("coffee_id")))
        # followed until finished: the machine finished them while the others
        # waited for it
        self.assertEqual(
            set(brews.mapped("state")) - {"queued", "brewing", "done"}, set()
        )
        # the job runner runs the three jobs again (retries after a crash)
        for brew in brews:
            brew._export_record()
        self.assertEqual(self.pours(), 3)
        self.assertEqual(len(self.simulator.records("brews")), 33)

    def test_export_job_twice_pours_once(self):
        brews, __ = self.pour_and_run(self.partners[0])
        self.assertEqual(self.pours(), 1)
        # the job runner performs the same job again (a retry after a crash)
        brews._export_record()
        self.assertEqual(self.pours(), 1)

    def poured_answer_lost(self):
        """A brew the machine poured, whose order's job died after the
        machine answered: its transaction is lost, the brew is not bound."""
        brew = self.backend.pour_coffee(self.registered(self.partners[0]))
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            brew._export_record()
            raise ZeroDivisionError  # the job dies after the machine answered
        brew.invalidate_recordset()
        self.assertFalse(brew.coffee_id)
        return brew

    def test_retry_after_lost_answer_pours_once(self):
        """The machine pours, then the job's transaction is lost: no 2nd pour."""
        brew = self.poured_answer_lost()
        self.assertEqual(self.pours(), 1)
        brew._export_record()
        self.assertTrue(brew.coffee_id)
        self.assertEqual(self.pours(), 1)
        self.assertEqual(len(self.simulator.records("brews")), 31)

    def test_import_before_the_lost_answer_is_retried_adopts_the_brew(self):
        """The machine pours, the job's transaction is lost, and an import
        (the batch, or the webhook's event) brings the machine's brew in
        before the job's retry: it is the brew ordered from Odoo, not a new
        one."""
        brew = self.poured_answer_lost()
        self.sync("brews")
        brews = self.bindings("coffee.brew")
        self.assertEqual(len(brews), len(self.simulator.records("brews")))
        self.assertTrue(brew.coffee_id)
        brew._export_record()
        self.assertEqual(self.pours(), 1)
        self.assertEqual(len(self.bindings("coffee.brew")), len(brews))

    def test_import_of_another_backend_leaves_the_waiting_brew(self):
        """Another backend on the same machine imports the brew whose
        order's answer was lost: a brew of its own, not the one waiting for
        its order's retry, which then completes it."""
        brew = self.poured_answer_lost()
        other = backend_on(self.env, self.simulator, name="Second office")
        with self.trap() as trap:
            other._enqueue_imports("brews")
            self.perform_jobs(trap)
        machine_ids = {record["id"] for record in self.simulator.records("brews")}
        theirs = self.env["coffee.brew"].search([("backend_id", "=", other.id)])
        self.assertEqual(set(theirs.mapped("coffee_id")), machine_ids)
        self.assertFalse(brew.coffee_id)
        brew._export_record()
        self.assertIn(brew.coffee_id, machine_ids)
        self.assertEqual(self.pours(), 1)

    def test_busy_machine_then_success_pours_once(self):
        self.simulator.fail_next("503", count=1, path="/api/v1/brews", method="POST")
        brews, run = self.pour_and_run(self.partners[0])
        self.assertEqual(run.retries, 1)
        self.assertEqual(self.pours(), 1)
        self.assertTrue(brews.coffee_id)

    def test_teapot_fails_with_a_clear_message(self):
        with self.trap() as trap:
            self.backend.pour_coffee(self.partners[0], machine=self.teapot)
            with self.assertRaises(CoffeeSyncError) as caught:
                self.perform_jobs(trap)
        self.assertIn("Office Teapot is a teapot", str(caught.exception))
        self.assertEqual(self.pours(), 0)

    def test_machine_in_maintenance_retries_then_fails(self):
        machine = self.bindings("coffee.machine").filtered(
            lambda m: m.state == "maintenance"
        )
        with self.trap() as trap:
            self.backend.pour_coffee(self.partners[0], machine=machine)
            with self.assertRaises(FailedJobError):
                self.perform_jobs(trap)
        self.assertEqual(self.pours(), 0)

    def test_defaults_first_idle_machine_and_first_beverage(self):
        brew = self.backend.pour_coffee(self.partners[0])
        self.assertEqual(brew.machine_id.state, "idle")
        first = self.bindings("coffee.product.product").sorted("id")[0]
        self.assertEqual(brew.beverage_id, first.odoo_id)

    def test_backend_defaults_win(self):
        beverage = self.bindings("coffee.product.product")[-1]
        self.backend.write(
            {"default_machine_id": self.idle.id, "default_beverage_id": beverage.id}
        )
        brew = self.backend.pour_coffee(self.partners[0])
        self.assertEqual(brew.machine_id, self.idle)
        self.assertEqual(brew.beverage_id, beverage.odoo_id)

    def test_nothing_to_pour_with(self):
        empty = self.backend.copy({"name": "Empty machine room"})
        with self.assertRaises(UserError):
            empty.pour_coffee(self.partners[0])

    def test_drinker_user_is_exported_before_the_brew(self):
        self.partners[0].with_context(
            connector_no_export=True
        ).coffee_backend_ids = self.backend
        self.assertFalse(self.partners[0].coffee_bind_ids.coffee_id)
        brews, run = self.pour_and_run(self.partners[0])
        user = self.partners[0].coffee_bind_ids
        self.assertTrue(user.coffee_id)
        machine_brew = next(
            b for b in self.simulator.records("brews") if b["id"] == brews.coffee_id
        )
        self.assertEqual(machine_brew["user_id"], user.coffee_id)
        # the pour enqueued the user's export, ahead of the order
        exports = [
            j.model_name for j in run.performed if j.method_name == "_export_record"
        ]
        self.assertEqual(exports[:2], ["coffee.res.partner", "coffee.brew"])

    def test_pour_action_on_contacts(self):
        action = self.env.ref("connector_coffee.res_partner_action_pour_coffee")
        result = action.with_context(
            active_model="res.partner",
            active_ids=self.partners.ids,
            active_id=self.partners[0].id,
        ).run()
        self.assertEqual(result["res_model"], "coffee.pour.wizard")
        wizard = (
            self.env["coffee.pour.wizard"]
            .with_context(**result["context"])
            .create({"backend_id": self.backend.id})
        )
        self.assertEqual(wizard.partner_ids, self.partners)
        with self.trap() as trap:
            wizard.action_pour()
            self.assertEqual(len(self.brew_jobs(trap)), 3)
        brews = self.bindings("coffee.brew").filtered(lambda b: not b.coffee_id)
        self.assertEqual(brews.partner_id, self.partners)
