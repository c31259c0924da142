# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The cockpit in a real browser: a brew of the machine that Odoo refuses
fails to import; the Coffee menu opens on the backend's card, which counts
the failed brew and lists its error, and the count opens that brew."""

from . import test_tour

IMPORTER_LOG = "odoo.addons.connector_coffee.components.importer"
#: the brew of the machine made a poison record
POISON = 15


class TestCockpitTour(test_tour.TestTour):
    def test_tour(self):
        brew = self.env["coffee.brew"].search(
            [("backend_id", "=", self.backend.id), ("coffee_id", "=", POISON)]
        )
        # a state Odoo does not know, which the database refuses
        self.simulator.update_record("brews", POISON, state="exploded")
        self.backend._enqueue_imports("brews")
        with self.assertLogs(IMPORTER_LOG, "WARNING"):
            self.run_jobs()
        self.assertEqual(brew.sync_state, "failed", self.jobs_report())
        # what the tour looks for on the card
        self.assertIn(f"#{POISON}", brew.display_name)
        health = self.backend.get_sync_health()
        self.assertEqual(health["entities"]["brews"]["failed"], 1)
        self.assertEqual(health["entities"]["machines"]["failed"], 0)
        self.assertEqual([e["name"] for e in health["errors"]], [brew.display_name])
        self.assertIn("exploded", health["errors"][0]["message"])
        self.start_tour("/odoo", "connector_coffee_cockpit_tour", login="admin")
