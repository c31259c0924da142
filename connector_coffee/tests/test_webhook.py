# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
import time

from coffee_simulator import CoffeeSimulator

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.job import Job

from ..coffee_api import SIGNATURE_HEADER, sign
from .common import SIM_PASSWORD, SIM_USER, allow_local_locations

SECRET = "webhook-secret-of-the-machine"


@tagged("post_install", "-at_install")
class TestWebhook(HttpCase):
    def setUp(self):
        super().setUp()
        self.simulator = CoffeeSimulator(
            username=SIM_USER, password=SIM_PASSWORD, brews=5, seed=3
        ).start()
        self.addCleanup(self.simulator.stop)
        allow_local_locations(self.env)
        self.backend = self.env["coffee.backend"].create(
            {
                "name": "Webhook machine",
                "location": self.simulator.url,
                "username": SIM_USER,
                "password": SIM_PASSWORD,
                "webhook_secret": SECRET,
            }
        )
        self.url = f"/connector_coffee/webhook/{self.backend.id}"

    def post(self, event, secret=SECRET, url=None, signature=None):
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SIGNATURE_HEADER] = signature or sign(secret, body)
        return self.url_open(url or self.url, data=body, headers=headers)

    def import_jobs(self):
        return self.env["queue.job"].search(
            [
                ("method_name", "=", "_import_record"),
                ("coffee_backend_id", "=", self.backend.id),
            ]
        )

    def test_good_signature_enqueues_one_import(self):
        machine = self.simulator.records("machines")[0]
        response = self.post({"type": "machine.state_changed", "id": machine["id"]})
        self.assertEqual(response.status_code, 202)
        jobs = self.import_jobs()
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.model_name, "coffee.machine")
        self.assertEqual(jobs.channel, "root.coffee.import")
        # the job imports the machine
        Job.load(self.env, jobs.uuid).perform()
        binding = self.env["coffee.machine"].search(
            [("backend_id", "=", self.backend.id), ("coffee_id", "=", machine["id"])]
        )
        self.assertEqual(binding.name, machine["name"])

    def test_replayed_event_makes_one_job(self):
        event = {
            "type": "brew.finished",
            "id": 1,
            "occurred_at": "2026-11-30T10:00:00Z",
        }
        for __ in range(3):
            self.assertEqual(self.post(event).status_code, 202)
        self.assertEqual(len(self.import_jobs()), 1)

    @mute_logger("odoo.addons.connector_coffee.controllers.main")
    def test_bad_or_missing_signature_is_refused(self):
        event = {"type": "brew.finished", "id": 1}
        self.assertEqual(self.post(event, secret="not-the-secret").status_code, 403)
        self.assertEqual(self.post(event, secret=None).status_code, 403)
        self.assertEqual(
            self.post(event, signature="sha256=" + "0" * 64).status_code, 403
        )
        self.assertFalse(self.import_jobs())

    @mute_logger("odoo.addons.connector_coffee.controllers.main")
    def test_backend_without_secret_refuses_everything(self):
        self.backend.webhook_secret = False
        self.assertEqual(self.post({"type": "brew.finished", "id": 1}).status_code, 403)
        self.assertFalse(self.import_jobs())

    def test_unknown_or_archived_backend_is_404(self):
        event = {"type": "brew.finished", "id": 1}
        response = self.post(event, url="/connector_coffee/webhook/999999")
        self.assertEqual(response.status_code, 404)
        self.backend.active = False
        self.assertEqual(self.post(event).status_code, 404)
        self.assertFalse(self.import_jobs())

    def test_event_not_understood_is_400(self):
        for event in ({"type": "kettle.boiled", "id": 1}, {"type": "brew.finished"}):
            with self.subTest(event=event):
                self.assertEqual(self.post(event).status_code, 400)
        self.assertFalse(self.import_jobs())

    def test_simulator_webhook_reaches_odoo(self):
        """The simulator's own signed events are accepted end to end."""
        base = self.base_url()
        self.simulator.set_webhook(f"{base}{self.url}", SECRET)
        machine = self.simulator.records("machines")[0]
        self.simulator.update_record("machines", machine["id"], state="error")
        for __ in range(50):
            if self.simulator.webhook_deliveries():
                break
            time.sleep(0.1)
        deliveries = self.simulator.webhook_deliveries()
        self.assertTrue(deliveries, "the simulator sent no event")
        self.assertEqual(len(self.import_jobs()), 1)
