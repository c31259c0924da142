# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The screens say what happened and behave like Odoo's own.

Feedback of the buttons, what the views let a user create or edit, the
chatter of machines and brews, the smart buttons, the brew analysis, and
the one line an expected job failure leaves in the log.
"""

import logging
import traceback
from unittest.mock import MagicMock, patch

from lxml import etree

from odoo.tests import new_test_user

from odoo.addons.queue_job.controllers.main import RunJobController

from ..controllers.runjob import CoffeeRunJobController
from ..exception import CoffeeSyncError
from ..job_log import RUNNER_LOGGER
from .common import CoffeeCase

MANAGER = "connector_coffee.coffee_connector_group_manager"
QUEUE_MANAGER = "queue_job.group_queue_job_manager"


class TestFeedback(CoffeeCase):
    def test_check_connection_tells_the_machine_time_in_the_user_zone(self):
        user = new_test_user(
            self.env, "brussels", f"base.group_user,{MANAGER}", tz="Europe/Brussels"
        )
        message = self.backend.with_user(user).check_connection()["params"]["message"]
        self.assertIn("(Europe/Brussels)", message)
        self.assertNotIn("+00:00", message)
        self.assertNotRegex(message, r"\d{4}-\d\d-\d\dT")

    def test_synchronise_now_says_what_it_queued(self):
        for groups, link in ((MANAGER, False), (f"{MANAGER},{QUEUE_MANAGER}", True)):
            user = new_test_user(self.env, f"sync_{link}", f"base.group_user,{groups}")
            with self.subTest(link=link):
                action = self.backend.with_user(user).sync_all()
                params = action["params"]
                self.assertEqual(action["tag"], "display_notification")
                self.assertIn("Jobs queued: 4", params["message"])
                self.assertIn("Machines", params["message"])
                self.assertEqual(bool(params.get("links")), link)
            self.env["queue.job"].search([]).unlink()
        url = params["links"][0]["url"]
        self.assertIn(f"/{self.backend.id}/action-", url)
        jobs_action = self.env.ref(
            "connector_coffee.queue_job_action_coffee_backend"
        ).sudo()
        self.assertIn("active_id", jobs_action.domain)

    def test_expected_failure_is_one_line_in_the_log(self):
        """The job runner's traceback of a teapot becomes one WARNING line;
        a bug keeps its traceback."""
        self.sync("machines", "beverages")
        teapot = self.bindings("coffee.machine").filtered(
            lambda m: m.machine_model == "TEAPOT-418"
        )
        partner = self.env["res.partner"].create({"name": "Tea Drinker"})
        with self.trap() as trap:
            self.backend.pour_coffee(partner, machine=teapot)
            run = self.perform_jobs(trap, raise_failures=False)
        [(__, refusal)] = run.failed
        runner_logger = logging.getLogger(RUNNER_LOGGER)
        for error, expected in ((refusal, True), (ZeroDivisionError("bug"), False)):
            with self.assertLogs(RUNNER_LOGGER) as logs:
                try:
                    raise error
                except Exception:  # pylint: disable=broad-except
                    # as queue_job's RunJobController._runjob logs a failure
                    runner_logger.error(traceback.format_exc())
            [record] = logs.records
            with self.subTest(expected=expected):
                if expected:
                    self.assertEqual(record.levelname, "WARNING")
                    line = record.getMessage()
                    self.assertNotIn("\n", line)
                    self.assertNotIn("Traceback", line)
                    self.assertIn("Office Teapot is a teapot", line)
                    self.assertIn("Choose another machine", line)
                    self.assertIn("HTTP 418", line)
                else:
                    self.assertEqual(record.levelname, "ERROR")
                    self.assertIn("Traceback", record.getMessage())

    def test_runner_answers_an_expected_failure_normally(self):
        """Stored and logged once, an expected failure is no HTTP error of
        /queue_job/runjob (which the job runner would log again)."""
        for error, raised in ((CoffeeSyncError("refused"), False), (KeyError(), True)):
            env = MagicMock()
            with (
                self.subTest(error=error),
                patch.object(RunJobController, "_runjob", side_effect=error),
            ):
                if raised:
                    with self.assertRaises(KeyError):
                        CoffeeRunJobController._runjob(env, MagicMock())
                    env.cr.rollback.assert_not_called()
                else:
                    CoffeeRunJobController._runjob(env, MagicMock())
                    env.cr.rollback.assert_called_once_with()


class TestScreens(CoffeeCase):
    def setUp(self):
        super().setUp()
        self.sync("machines", "beverages", "users", "brews")

    def arch(self, model, view_type):
        return etree.fromstring(self.env[model].get_view(view_type=view_type)["arch"])

    def test_records_of_the_machine_are_not_created_by_hand(self):
        for model in (
            "coffee.machine",
            "coffee.product.product",
            "coffee.res.partner",
            "coffee.brew",
        ):
            for view_type in ("list", "form"):
                with self.subTest(model=model, view_type=view_type):
                    self.assertEqual(self.arch(model, view_type).get("create"), "0")
        self.assertEqual(self.arch("coffee.brew", "form").get("edit"), "0")

    def test_nothing_editable_in_a_list_that_an_import_overwrites(self):
        for model in ("coffee.machine", "coffee.product.product", "coffee.res.partner"):
            arch = self.arch(model, "list")
            with self.subTest(model=model):
                self.assertFalse(arch.get("editable"))
                self.assertFalse(arch.xpath("//field[@widget='boolean_toggle']"))

    def test_long_texts_are_optional_columns(self):
        for model in (
            "coffee.machine",
            "coffee.product.product",
            "coffee.res.partner",
            "coffee.brew",
        ):
            [column] = self.arch(model, "list").xpath("//field[@name='sync_error']")
            with self.subTest(model=model):
                self.assertEqual(column.get("optional"), "hide")
                self.assertIn("text-truncate", column.get("class"))

    def test_chatter_keeps_the_state_history_of_machines(self):
        machine = self.bindings("coffee.machine").filtered(
            lambda m: m.state == "maintenance"
        )
        for model in ("coffee.machine", "coffee.brew"):
            self.assertIn("message_ids", self.env[model]._fields)
        self.env = self.env(context=dict(self.env.context, tracking_disable=False))
        self.backend = self.backend.with_env(self.env)
        self.simulator.update_record("machines", machine.coffee_id, state="idle")
        self.sync("machines")
        self.assertEqual(machine.state, "idle")
        values = machine.with_env(self.env).message_ids.tracking_value_ids
        self.assertEqual(
            values.mapped(lambda v: (v.old_value_char, v.new_value_char)),
            [("Maintenance", "Idle")],
        )
        for model in ("coffee.machine", "coffee.brew"):
            with self.subTest(model=model):
                self.assertTrue(self.arch(model, "form").xpath("//chatter"))

    def test_smart_buttons_open_the_brews(self):
        brews = self.bindings("coffee.brew")
        brew = brews.filtered("partner_id")[0]
        machine = brew.machine_id
        beverage = brew._beverage_binding()
        for record, count, action in (
            (
                brew.partner_id,
                brew.partner_id.coffee_brew_count,
                brew.partner_id.action_open_coffee_brews(),
            ),
            (machine, machine.brew_count, machine.action_open_brews()),
            (beverage, beverage.brew_count, beverage.action_open_brews()),
        ):
            with self.subTest(model=record._name):
                found = self.env["coffee.brew"].search(action["domain"])
                self.assertIn(brew, found)
                self.assertEqual(count, len(found))
                self.assertEqual(action["res_model"], "coffee.brew")

    def test_brew_analysis_opens_by_beverage_over_weeks(self):
        action = self.env.ref("connector_coffee.coffee_brew_action_analysis")
        self.assertTrue(action.view_mode.startswith("graph"))
        graph = self.arch("coffee.brew", "graph")
        fields = graph.xpath("//field")
        self.assertEqual(
            [(f.get("name"), f.get("interval")) for f in fields],
            [("requested_at", "week"), ("beverage_id", None)],
        )
