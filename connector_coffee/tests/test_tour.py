# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The integrator's tour, in a real headless Chromium.

``static/tests/tours/connector_coffee_tour.js`` opens the backend from the
menu, checks the connection to a simulator on 127.0.0.1, imports the
machines, opens them and the brew analysis, and pours a coffee for a contact
from the contacts' action menu, on a machine in maintenance: the wizard warns
of it. The jobs then run as the job runner runs them, until the pour gives
up; a second tour finds the brew failed with its reason, and retries it once
the machine is back; a third finds it done. Odoo's HTTP server serves the
browser in the test's transaction, so what the tours did is checked here in
between.

pytest-odoo runs this test only with ``--odoo-http``; without a Chromium on
PATH (Debian: ``apt-get install chromium``) it is skipped, saying so.
"""

import importlib.util
import shutil

from odoo import http
from odoo.tests import HttpCase, tagged

from odoo.addons.component.tests.common import ComponentMixin

from .common import (
    SimulatorRequestsMixin,
    allow_local_locations,
    backend_on,
    run_stored_job,
    run_stored_jobs,
    start_simulator,
)

#: the browsers Odoo 18's ChromeBrowser looks for on PATH (Linux)
BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")


class TourCase(SimulatorRequestsMixin, ComponentMixin, HttpCase):
    """A tour in a real browser, with the connector's components; skipped,
    saying why, without a Chromium or the websocket-client package."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the connector's components, and their events (the listeners that
        # export a new machine user), in the browser's requests too
        cls.setUpComponent()

    def setUp(self):
        super().setUp()
        self.setUpComponentRegistryReady()
        if not any(shutil.which(name) for name in BROWSERS):
            self.skipTest(
                "no Chromium or Chrome on PATH to run the tour in (Debian: "
                "apt-get install chromium; .ci/run installs it)"
            )
        if not importlib.util.find_spec("websocket"):
            self.skipTest(
                "the websocket-client package, through which Odoo drives "
                "Chromium, is not installed"
            )
        # Load the addons' manifests now, not in the server's first requests:
        # CPython 3.11.7 cannot parse (ast) in two threads at once
        # ("SystemError: AST constructor recursion depth mismatch").
        self.assertIn("connector_coffee", http.root.statics)

    def authenticate(self, user, password, browser=None):
        """Log in, the test's transaction taken as the browser's requests take
        it: ``start_tour`` logs in on the test's own cursor while the jobs may
        already run in the background (:func:`.common.jobs_in_background`),
        on a test cursor over the same connection."""
        with self.registry.test_lock:
            return super().authenticate(user, password, browser=browser)


@tagged("post_install", "-at_install")
class TestTour(TourCase):
    #: options of the simulator (:class:`CoffeeSimulator`); override in
    #: test classes
    simulator_options = {"machines": 3, "beverages": 4, "users": 3, "brews": 40}

    def setUp(self):
        super().setUp()
        self.simulator = simulator = start_simulator(**self.simulator_options)
        self.addCleanup(simulator.stop)
        allow_local_locations(self.env)
        self.backend = backend_on(
            self.env, simulator, name="Tour espresso", page_size=100
        )
        # something to see and to pour: imported directly, without jobs
        for model in (
            "coffee.machine",
            "coffee.product.product",
            "coffee.res.partner",
            "coffee.brew",
        ):
            self.env[model]._import_batch(self.backend, {"per_page": 100})
        self.drinker = self.env["res.partner"].create({"name": "Tour drinker"})

    def run_jobs(self):
        """Run the backend's jobs as the job runner does, then see what the
        browser wrote."""
        self.env.invalidate_all()
        run_stored_jobs(self.env, self.backend)
        self.env.flush_all()
        self.env.cr.precommit.run()  # the chatter's tracking, as at a commit

    def jobs_report(self):
        """The backend's jobs, to say what happened when a check fails."""
        jobs = self.env["queue.job"].search(
            [("coffee_backend_id", "=", self.backend.id)], order="id"
        )
        return "\n".join(
            f"{j.id} {j.name} {j.state} retry={j.retry} priority={j.priority} "
            f"result={j.result!r} error={j.exc_message!r}"
            for j in jobs
        )

    def test_tour(self):
        self.start_tour("/odoo", "connector_coffee_tour", login="admin")
        # the import button enqueued the import of the machines
        jobs = self.env["queue.job"].search(
            [("coffee_backend_id", "=", self.backend.id)]
        )
        self.assertIn("coffee.machine", jobs.mapped("model_name"))
        # the wizard ordered a coffee for the contact, on the machine in
        # maintenance, and registered them on the machine
        brew = self.env["coffee.brew"].search([("partner_id", "=", self.drinker.id)])
        self.assertEqual(len(brew), 1)
        self.assertEqual(brew.state, "requested")
        self.assertEqual(brew.backend_id, self.backend)
        self.assertEqual(brew.machine_id.state, "maintenance")
        self.assertTrue(self.drinker.coffee_bind_ids)
        # the job runner tries, until the pour gives up
        self.run_jobs()
        self.assertEqual(brew.state, "failed", self.jobs_report())
        self.assertIn("is in maintenance", brew.failure_reason, self.jobs_report())
        # the machine is back; the brew is retried from its form
        self.simulator.update_record(
            "machines", brew.machine_id.coffee_id, state="idle"
        )
        self.start_tour("/odoo", "connector_coffee_retry_tour", login="admin")
        self.env.invalidate_all()
        self.assertEqual(brew.state, "requested")
        order = self.env["queue.job"].search(
            [
                ("coffee_binding_id", "=", brew.id),
                ("model_name", "=", "coffee.brew"),
                ("method_name", "=", "_export_record"),
            ]
        )
        run_stored_job(self.env, order)
        self.assertTrue(brew.coffee_id)
        self.assertEqual(self.simulator.counters()["pours"], 1)
        # the machine finishes it; the follow-up brings it to done
        self.simulator.advance_brews()
        self.run_jobs()
        self.assertEqual(brew.state, "done")
        self.start_tour("/odoo", "connector_coffee_done_tour", login="admin")
