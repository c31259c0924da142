# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Where the machine sends its events, checked against the machine itself."""

import socket
import time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import CoffeeCase

TARGET_LOG = "odoo.addons.connector_coffee.models.coffee_backend.webhook"
SIMULATOR_LOG = "coffee_simulator.webhooks"
SECRET = "a-secret-of-the-machine-0123"


def closed_port():
    """A port of 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TestWebhookTarget(CoffeeCase):
    simulator_options = {"machines": 2, "beverages": 2, "users": 2, "brews": 3}

    def target(self):
        return self.backend.get_sync_health()["webhook"]["target"]

    def webhook_gets(self):
        return self.simulator.counters().get("GET /webhook", 0)

    def wait_last_delivery(self, timeout=10.0):
        """Wait until the simulator tells a delivery to its webhook URL."""
        deadline = time.monotonic() + timeout
        while not self.simulator.webhook_target()["last_delivery"]:
            self.assertLess(time.monotonic(), deadline, "no delivery attempted")
            time.sleep(0.05)
        return self.simulator.webhook_target()["last_delivery"]

    def test_never_checked(self):
        self.assertEqual(
            self.target(),
            {
                "url": None,
                "expected": self.backend.webhook_url,
                "ok": None,
                "checked_at": None,
                "check_error": None,
                "last_delivery": None,
            },
        )
        self.assertEqual(self.backend.webhook_target_state, "unchecked")
        webhook = self.backend.get_sync_health()["webhook"]
        self.assertEqual(
            (webhook["accepted_24h"], webhook["refused_24h"], webhook["events_24h"]),
            (0, 0, 0),
        )

    def test_machine_sending_elsewhere_then_registered_here(self):
        elsewhere = "https://elsewhere.example.com/hook"
        self.simulator.set_webhook(elsewhere, SECRET)
        self.assertTrue(self.backend._check_webhook_target())
        target = self.target()
        self.assertIs(target["ok"], False)
        self.assertEqual(target["url"], elsewhere)
        self.assertEqual(target["expected"], self.backend.webhook_url)
        self.assertTrue(target["checked_at"])
        self.assertIsNone(target["last_delivery"])
        self.assertEqual(self.backend.webhook_target_state, "elsewhere")
        # the assistant registers the webhook, and reads it back at once
        before = self.webhook_gets()
        self.backend._register_webhook()
        self.assertEqual(self.webhook_gets(), before + 1)
        target = self.target()
        self.assertIs(target["ok"], True)
        self.assertEqual(target["url"], self.backend.webhook_url)
        self.assertEqual(self.backend.webhook_target_state, "ok")
        # the secret never leaves the machine, nor shows in the cockpit
        health = str(self.backend.get_sync_health())
        self.assertNotIn(self.backend.webhook_secret, health)

    def test_delivery_without_answer_is_told(self):
        url = f"http://127.0.0.1:{closed_port()}/connector_coffee/webhook/1"
        self.simulator.set_webhook(url, SECRET)
        machine = self.simulator.records("machines")[0]
        with mute_logger(SIMULATOR_LOG):
            self.simulator.update_record("machines", machine["id"], state="error")
            self.wait_last_delivery()
        self.backend._check_webhook_target()
        last = self.target()["last_delivery"]
        self.assertIsNone(last["status"])
        self.assertTrue(last["error"])
        self.assertTrue(last["at"])
        self.assertTrue(self.backend.webhook_delivery_error)
        self.assertEqual(self.backend.webhook_delivery_status, 0)

    def test_cron_syncs_when_the_machine_does_not_tell_its_webhook(self):
        self.simulator.fail_next("500", path="/api/v1/webhook", method="GET")
        with self.trap() as trap, mute_logger(TARGET_LOG):
            self.env["coffee.backend"]._scheduler_sync()
        self.assertEqual(len(trap.enqueued_jobs), 4)
        self.assertEqual(self.webhook_gets(), 1)
        target = self.target()
        self.assertIsNone(target["ok"])
        self.assertIsNone(target["checked_at"])
        self.assertIn("500", target["check_error"])
        # next time the machine answers: the error goes
        self.simulator.set_webhook(self.backend.webhook_url, SECRET)
        with self.trap() as trap:
            self.env["coffee.backend"]._scheduler_sync()
        self.assertEqual(len(trap.enqueued_jobs), 4)
        target = self.target()
        self.assertIs(target["ok"], True)
        self.assertIsNone(target["check_error"])

    def test_cron_syncs_when_the_machine_is_unreachable(self):
        self.simulator.set_webhook("https://elsewhere.example.com/hook", SECRET)
        self.backend._check_webhook_target()
        self.simulator.stop()
        self.backend.timeout = 1
        with self.trap() as trap, mute_logger(TARGET_LOG):
            self.env["coffee.backend"]._scheduler_sync()
        self.assertEqual(len(trap.enqueued_jobs), 4)
        target = self.target()
        self.assertTrue(target["check_error"])
        # what the machine told last is kept
        self.assertEqual(target["url"], "https://elsewhere.example.com/hook")
        self.assertIs(target["ok"], False)

    def test_check_webhook_button(self):
        self.simulator.set_webhook(self.backend.webhook_url, SECRET)
        action = self.backend.action_check_webhook()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIs(self.target()["ok"], True)
        self.simulator.set_webhook(None)
        action = self.backend.action_check_webhook()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIs(self.target()["ok"], False)
        self.assertIsNone(self.target()["url"])
        self.simulator.fail_next("500", path="/api/v1/webhook", method="GET")
        with mute_logger(TARGET_LOG):
            action = self.backend.action_check_webhook()
        self.assertEqual(action["params"]["type"], "danger")

    def test_check_webhook_button_is_for_coffee_managers(self):
        user = new_test_user(self.env, login="webhook-user", groups="base.group_user")
        with mute_logger("odoo.addons.base.models.ir_model"):
            with self.assertRaises(AccessError):
                self.backend.with_user(user).action_check_webhook()
            with self.assertRaises(AccessError):
                self.backend.with_user(user).read(["webhook_target_url"])
        self.assertEqual(self.webhook_gets(), 0)
