# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The operator's first run, in a real headless Chromium.

``static/tests/tours/coffee_setup_tour.js`` opens *Coffee > Set Up a
Machine* on a database without a backend, gives the location and
credentials of a simulator on 127.0.0.1 and connects; the backend's form
then follows the first imports, which the job runner runs meanwhile (a
thread of the test, see :func:`.common.jobs_in_background`), until every one
is done. What the assistant made is checked here afterwards.

Skipped, saying so, without a Chromium on PATH (see :mod:`.test_tour`).
"""

from odoo.tests import tagged

from .common import (
    SIM_PASSWORD,
    SIM_USER,
    allow_local_locations,
    jobs_in_background,
    start_simulator,
)
from .test_tour import TourCase

#: where the tour reads the simulator's location
LOCATION_PARAM = "connector_coffee.setup_tour_location"


@tagged("post_install", "-at_install")
class TestSetupTour(TourCase):
    def setUp(self):
        super().setUp()
        self.simulator = start_simulator(machines=3, beverages=4, users=5, brews=30)
        self.addCleanup(self.simulator.stop)
        allow_local_locations(self.env)
        self.env["ir.config_parameter"].sudo().set_param(
            LOCATION_PARAM, self.simulator.url
        )

    def test_setup_tour(self):
        Backend = self.env["coffee.backend"].with_context(active_test=False)
        self.assertFalse(Backend.search_count([]), "a database without a backend")
        with jobs_in_background(self.registry) as runner:
            self.start_tour("/odoo", "connector_coffee_setup_tour", login="admin")
        self.env.invalidate_all()
        backend = Backend.search([])
        self.assertEqual(len(backend), 1)
        self.assertEqual(backend.name, "Lobby espresso")
        self.assertEqual(backend.location, self.simulator.url)
        self.assertEqual(backend.username, SIM_USER)
        self.assertEqual(backend.sudo().password, SIM_PASSWORD)
        # the first imports ran as one chain, the defaults chosen last
        jobs = self.env["queue.job"].browse(runner.ran)
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        self.assertEqual(jobs[-1:].method_name, "_choose_defaults")
        self.assertEqual(set(backend.import_ids.mapped("state")), {"done"})
        # everything the machine has is in Odoo
        for resource, model in (
            ("machines", "coffee.machine"),
            ("beverages", "coffee.product.product"),
            ("users", "coffee.res.partner"),
            ("brews", "coffee.brew"),
        ):
            imported = (
                self.env[model]
                .with_context(active_test=False)
                .search_count([("backend_id", "=", backend.id)])
            )
            self.assertEqual(
                imported, len(self.simulator.store.records[resource]), resource
            )
        idle = self.env["coffee.machine"].search(
            [("backend_id", "=", backend.id), ("state", "=", "idle")], order="id"
        )
        self.assertTrue(idle)
        self.assertEqual(backend.default_machine_id, idle[:1])
        self.assertTrue(backend.default_beverage_id.active)
        self.assertEqual(backend.default_beverage_id.backend_id, backend)
        # the machine sends its events here, signed with the secret made
        secret = backend.sudo().webhook_secret
        self.assertGreaterEqual(len(secret), 32)
        self.assertEqual(self.simulator._webhooks.url, backend.webhook_url)
        self.assertEqual(self.simulator._webhooks.secret, secret)
        self.assertEqual(
            backend.sudo().webhook_user_id, self.env.ref("base.user_admin")
        )
