# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.tools import SQL


class CoffeeMachine(models.Model):
    """What the machines' dashboard shows of each machine."""

    _inherit = "coffee.machine"

    last_brew_id = fields.Many2one(
        comodel_name="coffee.brew", compute="_compute_last_brew_id"
    )

    def _compute_last_brew_id(self):
        """The last brew requested on each machine, among those the user may
        read: one query for all the machines."""
        brews = self.env["coffee.brew"]
        brews.flush_model(["machine_id", "requested_at"])
        query = brews._search([("machine_id", "in", self.ids)])
        machine, requested_at, brew = (
            SQL.identifier(query.table, name)
            for name in ("machine_id", "requested_at", "id")
        )
        query.order = SQL(
            "%s, %s DESC NULLS LAST, %s DESC", machine, requested_at, brew
        )
        self.env.cr.execute(
            query.select(SQL("DISTINCT ON (%s) %s, %s", machine, machine, brew))
        )
        latest = dict(self.env.cr.fetchall())
        for record in self:
            record.last_brew_id = brews.browse(latest.get(record.id))

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
