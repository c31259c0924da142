# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The integrator's tour, in a real headless Chromium.

``static/tests/tours/connector_coffee_tour.js`` opens the backend from the
menu, checks the connection to a simulator on 127.0.0.1, imports the
machines, opens them and the brew analysis, and pours a coffee for a contact
from the contacts' action menu. Odoo's HTTP server serves the browser in the
test's transaction, so what the tour did is checked here afterwards.

pytest-odoo runs this test only with ``--odoo-http``; without a Chromium on
PATH (Debian: ``apt-get install chromium``) it is skipped, saying so.
"""

import importlib.util
import shutil

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import (
    SimulatorRequestsMixin,
    allow_local_locations,
    backend_on,
    start_simulator,
)

#: the browsers Odoo 18's ChromeBrowser looks for on PATH (Linux)
BROWSERS = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")


@tagged("post_install", "-at_install")
class TestTour(SimulatorRequestsMixin, HttpCase):
    def setUp(self):
        super().setUp()
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
        simulator = start_simulator(machines=3, beverages=4, users=3, brews=40)
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

    def test_tour(self):
        self.start_tour("/odoo", "connector_coffee_tour", login="admin")
        # the import button enqueued the import of the machines
        jobs = self.env["queue.job"].search(
            [("coffee_backend_id", "=", self.backend.id)]
        )
        self.assertIn("coffee.machine", jobs.mapped("model_name"))
        # the wizard ordered a coffee for the contact
        brew = self.env["coffee.brew"].search([("partner_id", "=", self.drinker.id)])
        self.assertEqual(len(brew), 1)
        self.assertEqual(brew.state, "requested")
        self.assertEqual(brew.backend_id, self.backend)
