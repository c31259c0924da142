# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The machines' dashboard in a real browser: a card's levels and supply
alert, and its "Pour" button, on the tour's backend."""

from . import test_tour


class TestMachinesTour(test_tour.TestTour):
    def test_tour(self):
        admin = self.env.ref("base.user_admin")
        self.backend.responsible_user_id = admin
        lobby = self.env["coffee.machine"].search(
            [("backend_id", "=", self.backend.id), ("name", "=", "Lobby Espresso")]
        )
        self.simulator.update_record(
            "machines", lobby.coffee_id, state="idle", milk_level=5
        )
        self.env["coffee.machine"]._import_batch(self.backend, {"per_page": 100})
        self.assertEqual(
            lobby.activity_ids.mapped("summary"), ["Refill milk: Lobby Espresso, 5 %"]
        )
        self.start_tour(
            "/odoo/action-connector_coffee.coffee_machine_action",
            "connector_coffee_machines_tour",
            login="admin",
        )
        brew = self.env["coffee.brew"].search(
            [("partner_id", "=", admin.partner_id.id), ("machine_id", "=", lobby.id)]
        )
        self.assertEqual(len(brew), 1)
        self.assertEqual(brew.state, "requested")
        self.assertEqual(brew.ordered_by_id, admin)
        # the alert stays until the milk is back
        self.assertEqual(len(lobby.activity_ids), 1)
