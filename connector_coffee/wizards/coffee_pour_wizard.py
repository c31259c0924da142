# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class CoffeePourWizard(models.TransientModel):
    """Pour a coffee for the selected contacts (the contacts' action menu)."""

    _name = "coffee.pour.wizard"
    _description = "Pour Coffee"

    partner_ids = fields.Many2many("res.partner", string="For", required=True)
    backend_id = fields.Many2one(
        "coffee.backend",
        string="Coffee Backend",
        required=True,
        default=lambda self: self.env["coffee.backend"].search([], limit=1),
    )
    machine_id = fields.Many2one(
        "coffee.machine",
        domain="[('backend_id', '=', backend_id)]",
        help="Empty: the backend's default machine, else the first idle one.",
    )
    beverage_id = fields.Many2one(
        "coffee.product.product",
        domain="[('backend_id', '=', backend_id)]",
        help="Empty: the backend's default beverage, else the first active one.",
    )

    @api.onchange("backend_id")
    def _onchange_backend_id(self):
        # a machine or beverage already chosen on this backend stays
        if self.machine_id.backend_id != self.backend_id:
            self.machine_id = self.backend_id.default_machine_id
        if self.beverage_id.backend_id != self.backend_id:
            self.beverage_id = self.backend_id.default_beverage_id

    @api.model
    def action_open(self, partners):
        """Open the wizard for ``partners`` (used by the server action)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Pour coffee"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": partners.ids},
        }

    def action_pour(self):
        """Pour, and say how many coffees are on their way."""
        self.ensure_one()
        brews = self.backend_id.pour_coffee(
            self.partner_ids, machine=self.machine_id, beverage=self.beverage_id
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": (
                    self.env._("1 coffee is on its way.")
                    if len(brews) == 1
                    else self.env._(
                        "%(count)s coffees are on their way.", count=len(brews)
                    )
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
