# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CoffeeBackend(models.Model):
    """The supply alerts of a backend's machines: thresholds and who acts."""

    _inherit = "coffee.backend"

    water_alert_level = fields.Integer(
        string="Water Alert (%)",
        default=20,
        help="A machine whose water falls below this level gets a 'Refill "
        "water' activity.",
    )
    beans_alert_level = fields.Integer(
        string="Beans Alert (%)",
        default=20,
        help="A machine whose beans fall below this level gets a 'Refill "
        "beans' activity.",
    )
    milk_alert_level = fields.Integer(
        string="Milk Alert (%)",
        default=15,
        help="A machine whose milk falls below this level gets a 'Refill "
        "milk' activity.",
    )
    responsible_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Machines' Responsible",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        help="Who gets the activities of the machines (refills, a machine "
        "that needs attention), unless a machine names someone else.",
    )

    @api.constrains("water_alert_level", "beans_alert_level", "milk_alert_level")
    def _check_alert_levels(self):
        for backend in self:
            levels = (
                backend.water_alert_level,
                backend.beans_alert_level,
                backend.milk_alert_level,
            )
            if not all(0 <= level <= 100 for level in levels):
                raise ValidationError(
                    self.env._("An alert level is a percentage, from 0 to 100.")
                )
