# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user

from .common import CoffeeCase


class TestWatchdog(CoffeeCase):
    def setUp(self):
        super().setUp()
        self.sync("machines", "beverages")
        self.responsible = new_test_user(self.env, "watchdog_responsible")
        self.backend.write(
            {
                "watchdog_enabled": True,
                "watchdog_user_id": self.responsible.id,
                "watchdog_threshold": 10,
                "watchdog_cooldown": 60,
            }
        )
        self.env["queue.job"].search([]).unlink()

    def stored_job(self, minutes_ago, state="pending"):
        """A real job in the queue, created ``minutes_ago`` minutes ago."""
        delayable = self.env["coffee.machine"].with_delay()
        job = delayable._import_batch(self.backend)
        record = job.db_record()
        moment = fields.Datetime.now() - timedelta(minutes=minutes_ago)
        self.env.cr.execute(
            "UPDATE queue_job SET state = %s, date_created = %s, date_started = %s "
            "WHERE id = %s",
            (state, moment, moment if state == "started" else None, record.id),
        )
        record.invalidate_recordset()
        return record

    def watchdog_pours(self):
        with self.trap() as trap:
            self.env["coffee.backend"]._scheduler_watchdog()
            return [j for j in trap.enqueued_jobs if j.model_name == "coffee.brew"]

    def test_pours_once_when_jobs_wait_too_long(self):
        self.stored_job(minutes_ago=25)
        messages = len(self.backend.message_ids)
        pours = self.watchdog_pours()
        self.assertEqual(len(pours), 1)
        brew = pours[0].recordset
        self.assertEqual(brew.partner_id, self.responsible.partner_id)
        self.assertEqual(brew.state, "requested")
        self.assertTrue(self.backend.watchdog_last_pour)
        self.assertEqual(len(self.backend.message_ids), messages + 1)
        self.assertIn("Odoo is busy", self.backend.message_ids[0].body)
        # not again within the cool-down
        self.assertEqual(self.watchdog_pours(), [])

    def test_pours_again_after_the_cooldown(self):
        self.stored_job(minutes_ago=25)
        self.assertEqual(len(self.watchdog_pours()), 1)
        self.backend.watchdog_last_pour -= timedelta(minutes=61)
        self.assertEqual(len(self.watchdog_pours()), 1)

    def test_long_running_job_counts(self):
        self.stored_job(minutes_ago=30, state="started")
        self.assertEqual(len(self.watchdog_pours()), 1)

    def test_healthy_queue_pours_nothing(self):
        self.stored_job(minutes_ago=2)
        self.stored_job(minutes_ago=60, state="done")
        self.stored_job(minutes_ago=60, state="failed")
        self.assertEqual(self.watchdog_pours(), [])
        self.assertFalse(self.backend.watchdog_last_pour)

    def test_watchdog_off_pours_nothing(self):
        self.backend.watchdog_enabled = False
        self.stored_job(minutes_ago=25)
        self.assertEqual(self.watchdog_pours(), [])

    def test_pour_is_really_made(self):
        self.stored_job(minutes_ago=25)
        with self.trap() as trap:
            self.env["coffee.backend"]._scheduler_watchdog()
            trap.enqueued_jobs = [
                j for j in trap.enqueued_jobs if j.method_name == "_export_record"
            ]
            self.perform_jobs(trap)
        self.assertEqual(self.simulator.counters().get("pours"), 1)
