# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The operator's cockpit: sync health, binding states, reconciliation."""

import time
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tools import SQL, mute_logger

from ..coffee_api import TOLERANCE
from ..entities import ENTITIES
from .common import CoffeeCase, backend_on, run_stored_jobs

IMPORTER_LOG = "odoo.addons.connector_coffee.components.importer"


class TestCockpit(CoffeeCase):
    def sync_stored(self, *resources):
        """Enqueue imports as stored jobs and run them as the runner does."""
        self.backend._enqueue_imports(*resources)
        return run_stored_jobs(self.env, self.backend)

    def assert_counts_match_database(self, health):
        for entity in ENTITIES:
            model = self.env[entity.model].with_context(active_test=False)
            for state in ("synced", "failed", "waiting"):
                self.assertEqual(
                    health["entities"][entity.resource][state],
                    model.search_count(
                        [
                            ("backend_id", "=", self.backend.id),
                            ("sync_state", "=", state),
                        ]
                    ),
                    f"{entity.resource} {state}",
                )
        jobs = self.env["queue.job"].search(
            [("coffee_backend_id", "=", self.backend.id)]
        )
        for state in set(jobs.mapped("state")):
            self.assertEqual(
                health["jobs"][state],
                len(jobs.filtered(lambda j, s=state: j.state == s)),
            )
        self.assertEqual(sum(health["jobs"].values()), len(jobs))

    def test_health_with_a_poison_record_then_retry(self):
        other = backend_on(self.env, self.start_simulator(brews=5), name="Other")
        other._sync_all()
        run_stored_jobs(self.env, other)
        self.sync_stored("machines", "beverages", "users")
        self.sync_stored("brews")
        self.simulator.update_record("brews", 15, state="exploded")
        with self.assertLogs(IMPORTER_LOG, "WARNING"):
            self.sync_stored("brews")

        health = self.backend.get_sync_health()
        self.assert_counts_match_database(health)
        brews = self.bindings_by_machine_id("coffee.brew")
        self.assertEqual(health["entities"]["brews"]["failed"], 1)
        self.assertEqual(health["entities"]["brews"]["synced"], len(brews) - 1)
        self.assertEqual(brews[15].sync_state, "failed")
        self.assertEqual(
            self.env["coffee.brew"].search_count(
                [("backend_id", "=", self.backend.id), ("sync_state", "=", "failed")]
            ),
            1,
        )
        self.assertEqual(len(health["errors"]), 1)
        error = health["errors"][0]
        self.assertEqual(
            (error["model"], error["external_id"], error["name"]),
            ("coffee.brew", 15, brews[15].display_name),
        )
        self.assertIn("exploded", error["message"])
        # a UI links to the record and to its job
        failed_job = self.env["queue.job"].search(
            [("coffee_backend_id", "=", self.backend.id), ("state", "=", "failed")]
        )
        self.assertEqual(error["binding_id"], brews[15].id)
        self.assertEqual(error["job_id"], failed_job.id)
        self.assertEqual(error["uuid"], failed_job.uuid)
        self.assertEqual(health["jobs"]["failed"], 1)
        self.assertEqual(health["imports"]["brews"]["state"], "done")
        # the other backend's health is its own
        other_health = other.get_sync_health()
        self.assertEqual(other_health["jobs"]["failed"], 0)
        self.assertEqual(other_health["entities"]["brews"]["synced"], 5)
        # the card shows the same numbers
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.health_failed_count, 1)

        self.simulator.update_record("brews", 15, state="done")
        brews[15].action_retry_sync()
        self.assertEqual(brews[15].sync_state, "waiting")
        ran = run_stored_jobs(self.env, self.backend)
        self.assertEqual(ran.mapped("method_name"), ["_import_records"])
        health = self.backend.get_sync_health()
        self.assert_counts_match_database(health)
        self.assertEqual(health["entities"]["brews"]["failed"], 0)
        self.assertEqual(health["errors"], [])
        self.assertEqual(brews[15].sync_state, "synced")
        self.assertEqual(brews[15].state, "done")

    def test_next_import_of_a_fixed_record_clears_its_error(self):
        self.sync_stored("machines", "beverages", "users", "brews")
        self.simulator.update_record("brews", 15, state="exploded")
        with self.assertLogs(IMPORTER_LOG, "WARNING"):
            self.sync_stored("brews")
        (failed,) = self.env["queue.job"].search(
            [("coffee_backend_id", "=", self.backend.id), ("state", "=", "failed")]
        )
        self.assertEqual(len(self.backend.get_sync_health()["errors"]), 1)
        # fixed on the machine: the next incremental import takes it, and
        # the error of the past goes with it, without a retry by hand
        self.simulator.update_record("brews", 15, state="done")
        ran = self.sync_stored("brews")
        self.assertNotIn("_import_record", ran.mapped("method_name"))
        health = self.backend.get_sync_health()
        self.assert_counts_match_database(health)
        self.assertEqual(health["errors"], [])
        self.assertEqual(health["entities"]["brews"]["failed"], 0)
        self.assertEqual(failed.state, "done")
        self.assertIn("Superseded", failed.result)
        brew = self.bindings_by_machine_id("coffee.brew")[15]
        self.assertEqual((brew.state, brew.sync_state), ("done", "synced"))

    def test_event_of_a_fixed_record_clears_its_error(self):
        self.sync_stored("machines", "beverages", "users", "brews")
        self.simulator.update_record("brews", 15, state="exploded")
        with self.assertLogs(IMPORTER_LOG, "WARNING"):
            self.sync_stored("brews")
        self.assertEqual(len(self.backend.get_sync_health()["errors"]), 1)
        self.simulator.update_record("brews", 15, state="done")
        # what the webhook's controller does with the machine's event
        self.env["coffee.webhook.event"]._receive(
            self.backend, "evt-fixed", int(time.time()), "brew.finished", 15
        )
        self.env["coffee.brew"]._delay_once(self.backend, "_import_events")
        ran = run_stored_jobs(self.env, self.backend)
        self.assertEqual(ran.mapped("method_name"), ["_import_events"])
        health = self.backend.get_sync_health()
        self.assertEqual(health["errors"], [])
        self.assertEqual(health["entities"]["brews"]["failed"], 0)

    def test_retry_is_one_job_per_page(self):
        self.sync("machines", "beverages", "users", "brews")
        brews = self.bindings("coffee.brew")
        self.assertEqual(len(brews), 30)
        with self.trap() as trap:
            brews.action_retry_sync()
            # page size 10
            self.assertEqual(len(trap.enqueued_jobs), 3)
            self.assertEqual(set(brews.mapped("sync_state")), {"waiting"})
            self.perform_jobs(trap)
        self.assertEqual(set(brews.mapped("sync_state")), {"synced"})

    def test_failed_export_and_done_export_set_the_state(self):
        self.sync("machines")
        machine = self.bindings("coffee.machine")[:1]
        job_model = self.env["queue.job"]
        job = machine.with_delay()._export_record()
        record = job_model.search([("uuid", "=", job.uuid)])
        self.assertEqual(machine.sync_state, "waiting")
        record.with_context(_job_edit_sentinel=job_model.EDIT_SENTINEL).write(
            {"state": "failed"}
        )
        self.assertEqual(machine.sync_state, "failed")
        record.with_context(_job_edit_sentinel=job_model.EDIT_SENTINEL).write(
            {"state": "done"}
        )
        self.assertEqual(machine.sync_state, "synced")

    def test_mark_to_resync_is_taken_by_the_reconciliation(self):
        self.sync("machines")
        machine = self.bindings("coffee.machine")[:1]
        machine.action_mark_resync()
        self.assertFalse(machine.coffee_updated_at)
        self.assertEqual(machine.sync_state, "waiting")
        with self.trap() as trap:
            self.backend._reconcile()
            self.perform_jobs(trap)
        self.assertTrue(machine.coffee_updated_at)
        self.assertEqual(machine.sync_state, "synced")

    def test_reconciliation_finds_what_the_incremental_sync_missed(self):
        self.sync("machines", "beverages", "users", "brews")
        template = self.simulator.records("brews")[0]
        old = self.simulator.add_record(
            "brews",
            machine_id=template["machine_id"],
            beverage_id=template["beverage_id"],
            user_id=template["user_id"],
            state="done",
            updated_at="2001-01-01T00:00:00+00:00",
        )
        gone_user = self.simulator.records("users")[-1]["id"]
        self.simulator.delete_record("users", gone_user)
        self.sync("brews", "users")
        self.assertNotIn(old["id"], self.bindings_by_machine_id("coffee.brew"))

        with self.trap() as trap:
            self.backend.action_reconcile()
            run = self.perform_jobs(trap)
        self.assertEqual(
            [job.method_name for job in run.performed],
            ["_reconcile", "_import_records"],
        )
        self.assertIn(old["id"], self.bindings_by_machine_id("coffee.brew"))
        user = self.bindings_by_machine_id("coffee.res.partner")[gone_user]
        self.assertFalse(user.active)
        imports = {imp.resource: imp for imp in self.backend.import_ids}
        self.assertEqual(imports["brews"].reconcile_missing, 1)
        self.assertEqual(imports["users"].reconcile_gone, 1)
        self.assertEqual(imports["machines"].reconcile_missing, 0)
        health = self.backend.get_sync_health()["reconciliation"]
        self.assertTrue(health["date"])
        self.assertEqual((health["missing"], health["gone"]), (1, 1))
        self.assertEqual(health["entities"]["users"]["gone"], 1)

    def test_health_queries_do_not_grow_with_the_records(self):
        self.sync("machines", "beverages", "users", "brews")

        def insert_brews(count, start):
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO coffee_brew
                        (backend_id, company_id, coffee_id, state, sync_state,
                         idempotency_key, requested_at)
                    SELECT %s, %s, g, 'done', 'synced', 'key-' || g, now()
                      FROM generate_series(%s, %s) AS g
                    """,
                    self.backend.id,
                    self.backend.company_id.id,
                    start,
                    start + count - 1,
                )
            )

        def queries():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            health = self.backend.get_sync_health()
            self.backend.invalidate_recordset()
            self.backend.read(["health_synced_count", "health_failed_count"])
            return self.env.cr.sql_log_count - before, health

        insert_brews(70, 1000)
        # the settings Odoo caches (the base URL of the webhook) read once
        queries()
        small, health = queries()
        self.assertEqual(health["entities"]["brews"]["synced"], 100)
        insert_brews(9900, 2000)
        large, health = queries()
        self.assertEqual(health["entities"]["brews"]["synced"], 10000)
        self.assertEqual(small, large)

    def test_webhook_events_are_counted_after_their_ids_go(self):
        Event = self.env["coffee.webhook.event"]
        now = int(time.time())
        old = now - 2 * TOLERANCE - 60
        self.assertTrue(Event._receive(self.backend, "old", old, "brew.finished", 1))
        self.assertTrue(Event._receive(self.backend, "new", now, "brew.finished", 2))
        before = self.backend.get_sync_health()["webhook"]
        self.assertEqual(before["events_24h"], 2)
        # their records imported: the ids may go once replays are refused
        Event._imported(Event.search([("backend_id", "=", self.backend.id)]).ids)
        Event._gc_received_events()
        self.assertEqual(Event.search_count([("backend_id", "=", self.backend.id)]), 1)
        self.assertEqual(self.backend.get_sync_health()["webhook"], before)
        # counted once, however often the autovacuum runs
        Event._gc_received_events()
        self.assertEqual(self.backend.get_sync_health()["webhook"], before)

    def test_refusals_are_counted_by_the_hour_and_forgotten_after_a_day(self):
        Event = self.env["coffee.webhook.event"]
        Count = self.env["coffee.webhook.event.count"]
        # an event received 3 days ago, its id forgotten since
        Event._receive(self.backend, "old", int(time.time()), "brew.finished", 1)
        self.env.cr.execute(
            SQL(
                """
                UPDATE coffee_webhook_event
                   SET received_at = %s, signed_at = %s, pending = FALSE
                 WHERE backend_id = %s
                """,
                fields.Datetime.now() - timedelta(days=3),
                fields.Datetime.now() - timedelta(days=3),
                self.backend.id,
            )
        )
        Event.invalidate_model()
        Event._gc_received_events()
        last_event_at = self.backend.get_sync_health()["webhook"]["last_event_at"]
        self.assertTrue(last_event_at)
        # refusals now, and an hour of refusals two days ago
        Count._add_refusals(self.backend.id, 2)
        Count._add_refusals(self.backend.id, 3)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO coffee_webhook_event_count
                    (backend_id, company_id, hour, event_count, refused_count)
                VALUES (%s, %s, date_trunc('hour', %s::timestamp), 0, 7)
                """,
                self.backend.id,
                self.backend.company_id.id,
                fields.Datetime.now() - timedelta(days=2),
            )
        )
        # an id of no backend counts nothing
        Count._add_refusals(self.backend.id + 1000, 5)
        expected = {
            "last_event_at": last_event_at,
            "events_24h": 0,
            "accepted_24h": 0,
            "refused_24h": 5,
        }
        webhook = self.backend.get_sync_health()["webhook"]
        self.assertEqual({key: webhook[key] for key in expected}, expected)
        self.assertEqual(Count.search_count([]), 3)
        # the hour of refusals two days ago goes, the last event's stays
        Event._gc_received_events()
        webhook = self.backend.get_sync_health()["webhook"]
        self.assertEqual({key: webhook[key] for key in expected}, expected)
        self.assertEqual(sorted(Count.search([]).mapped("refused_count")), [0, 5])

    def test_only_coffee_managers(self):
        self.sync("machines")
        user = new_test_user(self.env, login="cockpit-user", groups="base.group_user")
        backend = self.backend.with_user(user)
        machines = self.bindings("coffee.machine").with_user(user)
        with mute_logger("odoo.addons.base.models.ir_model"):
            for call in (
                backend.get_sync_health,
                backend.action_reconcile,
                machines.action_retry_sync,
                machines.action_mark_resync,
            ):
                with self.assertRaises(AccessError):
                    call()
