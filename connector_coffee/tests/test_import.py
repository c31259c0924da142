# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta
from itertools import product

from odoo import fields

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..components.mapper import parse_datetime
from ..entities import ENTITIES
from ..exception import CoffeeSyncError
from .common import SIM_PASSWORD, CoffeeCase


class TestImport(CoffeeCase):
    def assert_machine_matches(self, binding, record):
        self.assertEqual(binding.name, record["name"])
        self.assertEqual(binding.machine_model, record["model"])
        self.assertEqual(binding.serial, record["serial"])
        self.assertEqual(binding.state, record["state"])
        self.assertEqual(binding.water_level, record["water_level"])
        self.assertEqual(binding.beans_level, record["beans_level"])
        self.assertEqual(binding.milk_level, record["milk_level"])
        self.assertAlmostEqual(binding.temperature, record["temperature"], places=1)
        self.assertEqual(
            binding.coffee_updated_at, parse_datetime(record["updated_at"])
        )

    def test_import_machines_enqueues_one_batch_job(self):
        with self.trap() as trap:
            self.backend._enqueue_imports("machines")
            trap.assert_jobs_count(1)
            trap.assert_enqueued_job(
                self.env["coffee.machine"]._import_batch,
                args=(self.backend,),
                kwargs={"filters": {"per_page": 10}},
                properties={"identity_key": identity_exact},
            )
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.channel, "root.coffee.import")
            machines_import = self.backend._coffee_import("machines")
            self.assertTrue(machines_import.pending_since)
            self.assertFalse(machines_import.since, "the date moved before the import")
            run = self.perform_jobs(trap)
        self.assertTrue(machines_import.since)
        self.assertFalse(machines_import.pending_since)
        self.assertEqual(run.count, 1)
        machines = self.bindings("coffee.machine")
        by_id = self.bindings_by_machine_id("coffee.machine")
        records = self.simulator.records("machines")
        self.assertEqual(
            sorted(machines.mapped("coffee_id")), [r["id"] for r in records]
        )
        for record in records:
            binding = by_id[record["id"]]
            self.assert_machine_matches(binding, record)

    def test_import_beverages_as_products(self):
        categ = self.env["product.category"].create({"name": "Hot drinks"})
        self.backend.product_categ_id = categ
        self.sync("beverages")
        beverages = self.bindings("coffee.product.product")
        by_id = self.bindings_by_machine_id("coffee.product.product")
        records = self.simulator.records("beverages")
        self.assertEqual(len(beverages), len(records))
        for record in records:
            binding = by_id[record["id"]]
            self.assertEqual(binding.name, record["name"])
            self.assertEqual(binding.default_code, record["code"])
            self.assertEqual(binding.size_ml, record["size_ml"])
            self.assertEqual(binding.strength, record["strength"])
            self.assertAlmostEqual(binding.list_price, record["price"])
            self.assertEqual(binding.active, record["active"])
            self.assertEqual(binding.odoo_id.categ_id, categ)
            self.assertIn(binding, binding.odoo_id.coffee_bind_ids)

    def test_import_users_as_partners(self):
        self.sync("users")
        users = self.bindings("coffee.res.partner")
        by_id = self.bindings_by_machine_id("coffee.res.partner")
        records = self.simulator.records("users")
        self.assertEqual(len(users), len(records))
        for record in records:
            binding = by_id[record["id"]]
            self.assertEqual(binding.name, record["name"])
            self.assertEqual(binding.email, record["email"])
            self.assertEqual(binding.badge, record["badge"])
            self.assertEqual(binding.odoo_id.coffee_bind_ids, binding)

    def test_import_brews_one_job_per_page_and_dependencies_first(self):
        records = self.simulator.records("brews")
        pages = -(-len(records) // self.backend.page_size)
        self.assertGreater(pages, 1)
        with self.trap() as trap:
            self.backend._enqueue_imports("brews")
            first = trap.enqueued_jobs[0]
            trap.enqueued_jobs = []
            first.perform()
            # page 1 is imported by the first job, which enqueues the others,
            # and the job that closes the import once they are all done
            page_jobs = [
                j for j in trap.enqueued_jobs if j.method_name == "_import_page"
            ]
            self.assertEqual(len(page_jobs), pages - 1)
            (done,) = set(trap.enqueued_jobs) - set(page_jobs)
            self.assertEqual(done.method_name, "_import_done")
            self.assertEqual(done.depends_on, set(page_jobs))
            self.assertEqual(
                sorted(job.args[1] for job in page_jobs), list(range(2, pages + 1))
            )
            for job in page_jobs:
                self.assertEqual(job.channel, "root.coffee.import")
                self.assertEqual(job.identity_key, identity_exact(job))
            self.perform_jobs(trap)
        brews = self.bindings("coffee.brew")
        self.assertEqual(sorted(brews.mapped("coffee_id")), [r["id"] for r in records])
        # the machines, beverages and users of the brews came first
        machines = self.bindings_by_machine_id("coffee.machine")
        beverages = self.bindings_by_machine_id("coffee.product.product")
        users = self.bindings_by_machine_id("coffee.res.partner")
        by_id = self.bindings_by_machine_id("coffee.brew")
        for record in records:
            brew = by_id[record["id"]]
            self.assertEqual(brew.state, record["state"])
            self.assertEqual(brew.machine_id, machines[record["machine_id"]])
            self.assertEqual(brew.beverage_id, beverages[record["beverage_id"]].odoo_id)
            if record["user_id"]:
                self.assertEqual(brew.partner_id, users[record["user_id"]].odoo_id)
            self.assertEqual(brew.requested_at, parse_datetime(record["requested_at"]))
            self.assertEqual(
                brew.finished_at or None, parse_datetime(record["finished_at"]) or None
            )

    def test_a_job_imports_as_many_pages_as_its_records_per_job_allow(self):
        """8 pages of 4 brews, 12 brews a job: the first job imports pages 1
        to 3, then two jobs import 4 to 6 and 7 to 8, one request a page."""
        self.sync("machines", "beverages", "users")
        self.backend.write({"page_size": 4, "job_size": 12})
        records = self.simulator.records("brews")
        self.assertEqual(-(-len(records) // 4), 8)
        self.simulator.reset_counters()
        with self.trap() as trap:
            self.backend._enqueue_imports("brews")
            first = trap.enqueued_jobs[0]
            trap.enqueued_jobs = []
            result = first.perform()
            self.assertEqual(len(self.bindings("coffee.brew")), 12)
            self.assertTrue(result.startswith("pages 1 to 3: 12 created"), result)
            page_jobs = [
                j for j in trap.enqueued_jobs if j.method_name == "_import_page"
            ]
            self.assertEqual(
                sorted((j.args[1], j.kwargs.get("last_page")) for j in page_jobs),
                [(4, 6), (7, 8)],
            )
            descriptions = sorted(j.description for j in page_jobs)
            self.assertIn("import pages 4 to 6 of Coffee Brew", descriptions[0])
            (done,) = set(trap.enqueued_jobs) - set(page_jobs)
            self.assertEqual(done.depends_on, set(page_jobs))
            run = self.perform_jobs(trap)
        self.assertEqual(run.count, 3)
        brews = self.bindings("coffee.brew")
        self.assertEqual(sorted(brews.mapped("coffee_id")), [r["id"] for r in records])
        self.assertEqual(self.simulator.counters().get("GET /brews"), 8)
        self.assertFalse(self.backend._coffee_import("brews").pending_since)

    def test_a_job_of_several_pages_keeps_all_of_them_or_none(self):
        """The second page's request fails: the job's first page is not kept
        either, and its retry imports both."""
        self.sync("machines", "beverages", "users")
        brews = self.env["coffee.brew"]
        filters = {"per_page": 10}
        # the first request of /brews goes through, the second fails
        self.simulator.fail_next("latency", path="/brews", method="GET", delay=0)
        self.simulator.fail_next("503", path="/brews", method="GET")
        with self.assertRaises(RetryableJobError), self.env.cr.savepoint():
            brews._import_page(self.backend, 1, filters=filters, last_page=2)
        self.assertFalse(self.bindings("coffee.brew"))
        result = brews._import_page(self.backend, 1, filters=filters, last_page=2)
        self.assertTrue(result.startswith("pages 1 to 2: 20 created"), result)
        self.assertEqual(len(self.bindings("coffee.brew")), 20)

    def test_a_job_stops_at_the_last_page_of_the_machine(self):
        """Pages asked beyond the machine's last one cost no request."""
        self.sync("machines", "beverages", "users")
        self.simulator.reset_counters()
        self.env["coffee.brew"]._import_page(
            self.backend, 2, filters={"per_page": 10}, last_page=9
        )
        self.assertEqual(len(self.bindings("coffee.brew")), 20)
        self.assertEqual(self.simulator.counters().get("GET /brews"), 2)

    def test_a_page_maps_as_the_mapper_maps_each_record(self):
        """The page mapping gives what connector's mapper gives, record by
        record, for creations and updates of every entity."""
        self.sync("machines", "beverages", "users")
        for entity in ENTITIES:
            records = self.simulator.records(entity.resource)
            with self.backend.work_on(entity.model) as work:
                importer = work.component(usage="record.importer")
                mapper = importer.mapper
                relations = importer._import_dependencies(records)
                with mapper.mapping_page(relations=relations) as values:
                    for record, for_create in product(records, (True, False)):
                        expected = mapper.map_record(record).values(
                            for_create=for_create, relations=relations
                        )
                        self.assertEqual(values(record, for_create), expected)
                        # what never changes is given once, at creation
                        if not for_create:
                            self.assertNotIn("backend_id", expected)
                            self.assertNotIn("coffee_id", expected)

    def test_import_costs_one_request_per_page(self):
        self.simulator.reset_counters()
        self.sync("machines", "beverages", "users")
        self.simulator.reset_counters()
        self.sync("brews")
        pages = -(-len(self.simulator.records("brews")) // self.backend.page_size)
        counters = self.simulator.counters()
        self.assertEqual(counters.get("GET /brews"), pages)
        self.assertFalse(counters.get("GET /brews/{id}"))
        # the jobs, one after the other on a thread, go on with the
        # connection of the ones before (opened by the first import's jobs)
        self.assertGreater(pages, 2)
        self.assertLessEqual(counters.get("connections", 0), 1)

    def test_second_run_changes_nothing(self):
        self.sync("machines", "beverages", "users", "brews")
        before = {
            model: {b.id: b.write_date for b in self.bindings(model)}
            for model in (
                "coffee.machine",
                "coffee.product.product",
                "coffee.res.partner",
                "coffee.brew",
            )
        }
        # forget the last import dates: the machine sends everything again
        self.backend.import_ids.since = False
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE coffee_brew SET write_date = write_date - interval '1 hour'"
        )
        self.env.invalidate_all()
        before["coffee.brew"] = {
            b.id: b.write_date for b in self.bindings("coffee.brew")
        }
        self.sync("machines", "beverages", "users", "brews")
        for model, dates in before.items():
            after = {b.id: b.write_date for b in self.bindings(model)}
            self.assertEqual(after, dates, f"{model} changed on a second run")

    def test_changed_record_is_updated_on_next_run(self):
        self.sync("machines")
        machine = self.simulator.records("machines")[0]
        self.simulator.update_record(
            "machines", machine["id"], water_level=3, state="error"
        )
        run = self.sync("machines")
        binding = self.bindings("coffee.machine").filtered(
            lambda m: m.coffee_id == machine["id"]
        )
        self.assertEqual(binding.water_level, 3)
        self.assertEqual(binding.state, "error")
        self.assertEqual(run.count, 1)

    def test_next_run_asks_from_last_date_minus_overlap(self):
        self.sync("machines")
        last = self.backend._coffee_import("machines").since
        with self.trap() as trap:
            self.backend._enqueue_imports("machines")
            job = trap.enqueued_jobs[0]
        since = parse_datetime(job.kwargs["filters"]["updated_since"])
        self.assertEqual(since, last - timedelta(seconds=self.backend.import_overlap))

    def test_new_brew_on_the_machine_brings_its_user(self):
        self.sync("machines", "beverages", "brews")
        user = self.simulator.add_record(
            "users", name="New Colleague", email="new@example.com"
        )
        brew = self.simulator.add_record(
            "brews",
            machine_id=self.simulator.records("machines")[0]["id"],
            beverage_id=self.simulator.records("beverages")[0]["id"],
            user_id=user["id"],
        )
        self.simulator.reset_counters()
        self.sync("brews")
        binding = self.bindings("coffee.brew").filtered(
            lambda b: b.coffee_id == brew["id"]
        )
        self.assertEqual(binding.partner_id.name, "New Colleague")
        self.assertEqual(self.simulator.counters().get("GET /users/{id}"), 1)

    def test_import_record_job(self):
        record = self.simulator.records("machines")[1]
        self.env["coffee.machine"]._import_record(self.backend, record["id"])
        binding = self.bindings("coffee.machine")
        self.assertEqual(binding.coffee_id, record["id"])
        self.assert_machine_matches(binding, record)

    def test_import_record_missing_on_machine(self):
        from odoo.addons.connector.exception import IDMissingInBackend

        with self.assertRaises(IDMissingInBackend):
            self.env["coffee.machine"]._import_record(self.backend, 999999)

    def test_scheduler_syncs_active_backends_only(self):
        # the password is not copied
        other = self.backend.copy({"name": "Second floor", "password": SIM_PASSWORD})
        archived = self.backend.copy({"name": "Old machine", "active": False})
        with self.trap() as trap:
            self.env["coffee.backend"]._scheduler_sync()
            backends = {job.args[0] for job in trap.enqueued_jobs}
            self.assertEqual(backends, {self.backend, other})
            self.assertNotIn(archived, backends)
            # four imports per backend
            self.assertEqual(len(trap.enqueued_jobs), 8)
        # and where each machine sends its events is checked
        self.assertTrue(self.backend.webhook_checked_at)
        self.assertTrue(other.webhook_checked_at)
        self.assertFalse(archived.webhook_checked_at)

    def test_sync_all_imports_brews_after_what_they_refer_to(self):
        with self.trap() as trap:
            self.backend.sync_all()
            jobs = {job.recordset._name: job for job in trap.enqueued_jobs}
            self.assertEqual(len(jobs), 4)
            brews = jobs.pop("coffee.brew")
            self.assertEqual(brews.depends_on, set(jobs.values()))
            self.assertTrue(all(not job.depends_on for job in jobs.values()))
            self.simulator.reset_counters()
            self.perform_jobs(trap)
        self.assertEqual(
            len(self.bindings("coffee.brew")), len(self.simulator.records("brews"))
        )
        # the brews found their machines, beverages and users imported
        counters = self.simulator.counters()
        for endpoint in (
            "GET /machines/{id}",
            "GET /beverages/{id}",
            "GET /users/{id}",
        ):
            self.assertFalse(counters.get(endpoint), endpoint)

    def test_rate_limit_retries_after_retry_after(self):
        self.simulator.fail_next("429", count=1, path="/api/v1/machines")
        with self.assertRaises(RetryableJobError) as caught:
            self.env["coffee.machine"]._import_batch(self.backend, {"per_page": 10})
        self.assertEqual(caught.exception.seconds, 1)
        self.assertIn("429", str(caught.exception))
        # and the retry succeeds
        run = self.sync("machines")
        self.assertEqual(run.retries, 0)
        self.assertEqual(len(self.bindings("coffee.machine")), 4)

    def test_rate_limited_job_retried_by_runner(self):
        self.simulator.fail_next("429", count=2, path="/api/v1/machines")
        run = self.sync("machines")
        self.assertEqual(run.retries, 2)
        self.assertEqual(len(self.bindings("coffee.machine")), 4)

    def test_bad_credentials_fail_the_job_clearly(self):
        self.backend.password = "not-the-password"
        with self.assertRaises(CoffeeSyncError) as caught:
            self.env["coffee.machine"]._import_batch(self.backend, {"per_page": 10})
        message = str(caught.exception)
        self.assertIn("401", message)
        self.assertIn(self.backend.name, message)
        self.assertNotIn("not-the-password", message)

    def test_failed_job_error_shown_on_binding(self):
        self.sync("machines")
        binding = self.bindings("coffee.machine")[0]
        self.assertFalse(binding.sync_error)
        job = self.env["queue.job"].create(
            {
                "uuid": "test-coffee-failed",
                "name": "import",
                "model_name": "coffee.machine",
                "method_name": "_import_record",
                "state": "failed",
                "exc_message": "the machine said no",
                "coffee_backend_id": self.backend.id,
                "coffee_model": "coffee.machine",
                "coffee_external_id": binding.coffee_id,
                "date_created": fields.Datetime.now(),
            }
        )
        binding.invalidate_recordset(["sync_error"])
        self.assertEqual(binding.sync_error, "the machine said no")
        self.assertEqual(self.backend.job_failed_count, 1)
        self.assertTrue(job)
