# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Nothing lost when an import fails for good.

The jobs here are stored in the database and run as queue_job's runner runs
them (retries, failures, jobs waiting for others), through the cron's entry
point: an import's date moves only once every page of it is in, so that the
import after an outage asks for everything the failed one missed; a record
the database refuses again reuses its failed job instead of piling up new
ones.
"""

import time

from odoo.tools import mute_logger

from .common import CoffeeCase, run_stored_job, run_stored_jobs

#: the loggers of what the jobs here report on their way
JOB_LOGGERS = (
    "odoo.addons.connector_coffee.components.importer",
    "odoo.addons.connector_coffee.coffee_api.client",
    # the cron asks the machine where it sends its events
    "odoo.addons.connector_coffee.models.coffee_backend.webhook",
)


class TestReliabilityOutage(CoffeeCase):
    simulator_options = {"machines": 3, "beverages": 3, "users": 4, "brews": 25}

    def setUp(self):
        super().setUp()
        # every page spans a few records; an import asks exactly from its date
        self.backend.write({"page_size": 4, "import_overlap": 0})

    def cron(self):
        """The cron's synchronisation, its jobs run to the end."""
        with mute_logger(*JOB_LOGGERS):
            self.env["coffee.backend"]._scheduler_sync()
            return run_stored_jobs(self.env, self.backend)

    def jobs(self, **domain):
        return self.env["queue.job"].search(
            [("coffee_backend_id", "=", self.backend.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )

    def assert_in_sync(self, resource, model, field, key):
        """Every record of the machine is in Odoo with the machine's value."""
        on_machine = {r["id"]: r[key] for r in self.simulator.records(resource)}
        in_odoo = {b.coffee_id: b[field] for b in self.bindings(model)}
        self.assertEqual(in_odoo, on_machine)

    def test_outage_past_the_retries_loses_nothing(self):
        self.cron()
        brews_import = self.backend._coffee_import("brews")
        users_import = self.backend._coffee_import("users")
        imported_on = brews_import.since
        self.assertTrue(imported_on)
        self.assertEqual(brews_import.state, "done")
        self.assertEqual(len(self.jobs(state="failed")), 0)

        # the machine changes records, then stays down past every retry
        time.sleep(1.1)  # the changes stamped after the last import's start
        for brew_id in (3, 7, 18):
            self.simulator.update_record("brews", brew_id, state="cancelled")
        self.simulator.update_record("users", 2, name="Renamed in the outage")
        time.sleep(1.1)  # the failed import starts after the changes
        self.simulator.set_faults("503:1")
        self.cron()
        self.assertTrue(self.jobs(state="failed"))
        for each in (brews_import, users_import):
            each.invalidate_recordset()
            self.assertEqual(each.since, imported_on, "a failed import moved its date")
        self.assertEqual(users_import.state, "failed")
        self.assertIn("503", users_import.error)
        self.assertEqual(brews_import.state, "running")  # it waits for the others

        # the machine comes back, and changes more meanwhile
        self.simulator.set_faults(None)
        self.simulator.update_record("brews", 11, state="cancelled")
        self.cron()
        self.assert_in_sync("brews", "coffee.brew", "state", "state")
        self.assert_in_sync("users", "coffee.res.partner", "name", "name")
        brews_import.invalidate_recordset()
        self.assertGreater(brews_import.since, imported_on)
        self.assertEqual(brews_import.state, "done")
        self.assertFalse(brews_import.pending_since)

    def test_failed_page_keeps_the_date_until_it_is_requeued(self):
        """Pages that fail for good keep their import's date; requeued and
        done, they let the date move."""
        self.cron()
        brews_import = self.backend._coffee_import("brews")
        imported_on = brews_import.since
        time.sleep(1.1)
        for brew_id in range(1, 26):
            self.simulator.update_record("brews", brew_id, state="cancelled")
        self.backend._enqueue_imports("brews")
        # page 1 comes in, then the machine fails the other pages for good
        run_stored_job(
            self.env, self.jobs(method_name="_import_batch", state="pending")
        )
        self.simulator.set_faults("503:1")
        with mute_logger(*JOB_LOGGERS):
            run_stored_jobs(self.env, self.backend)
        brews_import.invalidate_recordset()
        self.assertEqual(brews_import.since, imported_on)
        self.assertEqual(brews_import.state, "failed")
        done = self.jobs(method_name="_import_done", state="wait_dependencies")
        self.assertEqual(len(done), 1)
        # the machine answers again: the failed pages are requeued and done
        self.simulator.set_faults(None)
        self.jobs(state="failed").requeue()
        with mute_logger(*JOB_LOGGERS):
            run_stored_jobs(self.env, self.backend)
        self.assertEqual(done.state, "done")
        brews_import.invalidate_recordset()
        self.assertEqual(brews_import.state, "done")
        self.assertGreater(brews_import.since, imported_on)
        self.assert_in_sync("brews", "coffee.brew", "state", "state")

    def test_record_refused_again_reuses_its_failed_job(self):
        self.simulator.update_record("brews", 15, state="exploded")
        self.cron()
        failed = self.jobs(method_name="_import_record", state="failed")
        self.assertEqual(failed.mapped("coffee_external_id"), [15])
        self.assertIn("exploded", failed.exc_message)
        # changed on the machine, still refused: the same job fails again
        time.sleep(1.1)
        self.simulator.update_record("brews", 15, state="exploded again")
        self.cron()
        again = self.jobs(method_name="_import_record")
        self.assertEqual(again, failed)
        self.assertEqual(again.state, "failed")
        self.assertIn("exploded again", again.exc_message)
        # fixed on the machine: the next run imports it
        time.sleep(1.1)
        self.simulator.update_record("brews", 15, state="done")
        self.cron()
        brew = self.bindings_by_machine_id("coffee.brew")[15]
        self.assertEqual(brew.state, "done")
        self.assertEqual(self.jobs(method_name="_import_record"), failed)
