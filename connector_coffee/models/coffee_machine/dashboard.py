# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CoffeeMachine(models.Model):
    """What the machines' dashboard shows of each machine."""

    _inherit = "coffee.machine"

    last_brew_id = fields.Many2one(
        comodel_name="coffee.brew", compute="_compute_last_brew_id"
    )

    def _compute_last_brew_id(self):
        """The latest brew of each machine: one query for all of them."""
        latest = dict(
            self.env["coffee.brew"]._read_group(
                [("machine_id", "in", self.ids)], ["machine_id"], ["id:max"]
            )
        )
        for machine in self:
            brew_id = latest.get(machine)
            machine.last_brew_id = self.env["coffee.brew"].browse(brew_id)

    def action_pour_here(self):
        """Button: the pour wizard, on this machine, for the user who clicks.

        It only opens the wizard; pouring checks the caller's rights.
        """
        self.ensure_one()
        self.check_access("read")
        action = self.env["coffee.pour.wizard"].action_open(self.env.user.partner_id)
        action["context"] = dict(
            action["context"],
            default_backend_id=self.backend_id.id,
            default_machine_id=self.id,
        )
        return action
