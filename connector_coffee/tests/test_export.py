# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest import mock

from odoo.tools import config

from odoo.addons.queue_job.controllers.main import _prevent_commit

from .common import CoffeeCase, run_stored_jobs


class TestExport(CoffeeCase):
    def setUp(self):
        super().setUp()
        self.partner = self.env["res.partner"].create(
            {"name": "Ada Lovelace", "email": "ada@example.com"}
        )

    def make_drinker(self, partner=None):
        """Flag the partner as a drinker and perform the export; return binding."""
        partner = partner or self.partner
        with self.trap() as trap:
            partner.coffee_backend_ids = self.backend
            self.perform_jobs(trap)
        return partner.coffee_bind_ids

    def machine_user(self, binding):
        users = {u["id"]: u for u in self.simulator.records("users")}
        return users.get(binding.coffee_id)

    def batch_key(self, backend=None):
        """The identity key of the batch export job of a backend."""
        return f"coffee.res.partner._export_batch({(backend or self.backend).id})"

    def test_drinker_is_created_on_the_machine(self):
        with self.trap() as trap:
            self.partner.coffee_backend_ids = self.backend
            binding = self.partner.coffee_bind_ids
            self.assertEqual(len(binding), 1)
            self.assertTrue(binding.export_pending)
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.env["coffee.res.partner"]._export_batch,
                args=(self.backend,),
                properties={"identity_key": self.batch_key()},
            )
            self.assertEqual(trap.enqueued_jobs[0].channel, "root.coffee.export")
            self.perform_jobs(trap)
        self.assertFalse(binding.export_pending)
        self.assertEqual(self.simulator.counters()["POST /users/bulk"], 1)
        self.assertTrue(binding.coffee_id)
        user = self.machine_user(binding)
        self.assertEqual(user["name"], "Ada Lovelace")
        self.assertEqual(user["email"], "ada@example.com")
        self.assertEqual(user["ref"], str(self.partner.id))
        self.assertTrue(user["active"])
        self.assertEqual(self.partner.coffee_backend_ids, self.backend)

    def test_ten_writes_leave_one_job(self):
        binding = self.make_drinker()
        with self.trap() as trap:
            for number in range(10):
                self.partner.name = f"Ada {number}"
            trap.assert_jobs_count(1, only=self.env["coffee.res.partner"]._export_batch)
            self.perform_jobs(trap)
        self.assertEqual(self.machine_user(binding)["name"], "Ada 9")

    def test_badge_on_binding_is_exported(self):
        binding = self.make_drinker()
        with self.trap() as trap:
            binding.badge = "B-0042"
            self.perform_jobs(trap)
        self.assertEqual(self.machine_user(binding)["badge"], "B-0042")

    def test_field_not_exported_enqueues_nothing(self):
        self.make_drinker()
        with self.trap() as trap:
            self.partner.write({"phone": "+32 2 555 00 00", "comment": "likes tea"})
            trap.assert_jobs_count(0)

    def test_connector_no_export_enqueues_nothing(self):
        self.make_drinker()
        with self.trap() as trap:
            self.partner.with_context(connector_no_export=True).name = "Silent"
            trap.assert_jobs_count(0)

    def test_archived_partner_is_deactivated_on_the_machine(self):
        binding = self.make_drinker()
        with self.trap() as trap:
            self.partner.action_archive()
            self.perform_jobs(trap)
        self.assertFalse(self.machine_user(binding)["active"])

    def test_no_longer_drinker_is_deactivated_not_deleted(self):
        binding = self.make_drinker()
        with self.trap() as trap:
            self.partner.coffee_backend_ids = False
            self.perform_jobs(trap)
        self.assertTrue(binding.exists())
        self.assertFalse(binding.drinker)
        self.assertFalse(self.machine_user(binding)["active"])
        self.assertFalse(self.partner.coffee_backend_ids)

    def test_imported_users_are_not_exported_back(self):
        with self.trap() as trap:
            self.backend._enqueue_imports("users")
            self.perform_jobs(trap)
            trap.assert_jobs_count(0, only=self.env["coffee.res.partner"]._export_batch)
        self.assertFalse(self.simulator.counters().get("PUT /users/{id}"))
        self.assertFalse(self.simulator.counters().get("POST /users/bulk"))
        self.assertFalse(self.bindings("coffee.res.partner").filtered("export_pending"))

    def test_beverage_price_reaches_the_machine(self):
        self.sync("beverages")
        beverage = self.bindings("coffee.product.product")[0]
        with self.trap() as trap:
            # the product form writes the template
            beverage.product_tmpl_id.list_price = 4.2
            trap.assert_jobs_count(1)
            self.perform_jobs(trap)
        record = next(
            r
            for r in self.simulator.records("beverages")
            if r["id"] == beverage.coffee_id
        )
        self.assertAlmostEqual(record["price"], 4.2)

    def test_beverage_archived_on_the_machine(self):
        self.sync("beverages")
        beverage = self.bindings("coffee.product.product").filtered("active")[0]
        with self.trap() as trap:
            beverage.odoo_id.active = False
            self.perform_jobs(trap)
        record = next(
            r
            for r in self.simulator.records("beverages")
            if r["id"] == beverage.coffee_id
        )
        self.assertFalse(record["active"])

    def test_export_job_runs_under_the_job_runner_commit_guard(self):
        """The export job does not commit: it runs as the job runner runs it.

        Outside test mode, connector's generic exporter commits, and queue_job
        forbids commits in jobs that do not allow them. The job is performed
        here with test mode's shortcut off and queue_job's guard on.
        """
        with self.trap() as trap:
            self.partner.coffee_backend_ids = self.backend
            job = trap.enqueued_jobs[0]
        self.assertFalse(job.job_config.allow_commit)
        with (
            mock.patch.dict(config.options, {"test_enable": False}),
            _prevent_commit(self.env.cr),
        ):
            # the guard is really on
            with self.assertRaisesRegex(RuntimeError, "Commit is forbidden"):
                self.env.cr.commit()  # pylint: disable=invalid-commit
            job.perform()
        self.assertTrue(self.partner.coffee_bind_ids.coffee_id)
        self.assertTrue(self.machine_user(self.partner.coffee_bind_ids))

    # ------------------------------------------------------------------
    # batches: partners changed together leave together
    # ------------------------------------------------------------------

    def drinkers(self, count):
        """``count`` new partners made drinkers and exported; counters reset."""
        partners = self.env["res.partner"].create(
            [
                {"name": f"Drinker {number}", "email": f"drinker{number}@example.com"}
                for number in range(count)
            ]
        )
        with self.trap() as trap:
            partners.write({"coffee_backend_ids": [(6, 0, self.backend.ids)]})
            trap.assert_jobs_count(1)
            self.perform_jobs(trap)
        bindings = partners.coffee_bind_ids
        self.assertEqual(len(bindings), count)
        self.assertTrue(all(bindings.mapped("coffee_id")))
        self.simulator.reset_counters()
        return partners

    def machine_names(self):
        return {user["id"]: user["name"] for user in self.simulator.records("users")}

    def test_partners_changed_together_leave_together(self):
        self.backend.page_size = 50
        partners = self.drinkers(30)
        with self.trap() as trap:
            for partner in partners:
                partner.name = f"{partner.name} (renamed)"
            trap.assert_jobs_count(1)
            run = self.perform_jobs(trap)
        self.assertEqual(run.count, 1)
        self.assertEqual(self.simulator.counters()["total"], 1)
        self.assertEqual(self.simulator.counters()["POST /users/bulk"], 1)
        names = self.machine_names()
        for binding in partners.coffee_bind_ids:
            self.assertEqual(names[binding.coffee_id], binding.name)
            self.assertIn("(renamed)", binding.name)
        self.assertFalse(partners.coffee_bind_ids.filtered("export_pending"))

    def test_a_batch_export_goes_by_pages(self):
        partners = self.drinkers(25)
        with self.trap() as trap:
            partners.write({"email": "shared@example.com"})
            run = self.perform_jobs(trap)
        self.assertEqual(run.count, 1)
        # the backend's page size is 10
        self.assertEqual(self.simulator.counters()["POST /users/bulk"], 3)
        emails = {u["id"]: u["email"] for u in self.simulator.records("users")}
        for binding in partners.coffee_bind_ids:
            self.assertEqual(emails[binding.coffee_id], "shared@example.com")

    def test_a_refused_partner_fails_alone_with_its_message(self):
        self.backend.page_size = 50
        partners = self.drinkers(3)
        refused = partners[1].coffee_bind_ids
        taken = next(u["badge"] for u in self.simulator.records("users") if u["badge"])
        refused.badge = taken
        for partner in partners:
            partner.name = f"{partner.name} again"
        run_stored_jobs(self.env, self.backend)
        # the two others are on the machine
        names = self.machine_names()
        for partner in partners - partners[1]:
            self.assertEqual(names[partner.coffee_bind_ids.coffee_id], partner.name)
        self.assertEqual(names[refused.coffee_id], "Drinker 1")
        # the refused one failed alone, in a job of its own, with its message
        failed = self.env["queue.job"].search(
            [
                ("coffee_binding_id", "=", refused.id),
                ("coffee_model", "=", "coffee.res.partner"),
                ("method_name", "=", "_export_record"),
            ]
        )
        self.assertEqual(failed.state, "failed")
        self.assertIn(f"badge {taken} is already assigned", failed.exc_message)
        self.assertIn(f"badge {taken} is already assigned", refused.sync_error)
        self.assertFalse(
            (partners - partners[1]).coffee_bind_ids.mapped("sync_error")[0]
        )
        counters = self.simulator.counters()
        self.assertEqual(counters["POST /users/bulk"], 1)
        self.assertEqual(counters["PUT /users/{id}"], 1)
        # set right, the binding's failed job runs again, and succeeds
        refused.badge = "B-FREE-1"
        run_stored_jobs(self.env, self.backend)
        self.assertEqual(failed.state, "done")
        refused.invalidate_recordset(["sync_error"])
        self.assertFalse(refused.sync_error)
        user = self.machine_user(refused)
        self.assertEqual((user["badge"], user["name"]), ("B-FREE-1", refused.name))
