# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

MACHINE_STATES = [
    ("idle", "Idle"),
    ("brewing", "Brewing"),
    ("maintenance", "Maintenance"),
    ("error", "Error"),
    ("offline", "Offline"),
]


class CoffeeMachine(models.Model):
    """A coffee machine of a backend, as the machine describes itself."""

    _name = "coffee.machine"
    _inherit = ["coffee.binding"]
    _description = "Coffee Machine"
    _order = "name, id"

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    active = fields.Boolean(default=True)
    machine_model = fields.Char(string="Model")
    serial = fields.Char()
    state = fields.Selection(MACHINE_STATES, default="idle", required=True)
    water_level = fields.Integer(string="Water (%)")
    beans_level = fields.Integer(string="Beans (%)")
    milk_level = fields.Integer(string="Milk (%)")
    temperature = fields.Float(string="Temperature (°C)", digits=(4, 1))
    last_seen = fields.Datetime(
        help="When the machine last reported a change of its state."
    )
    brew_ids = fields.One2many("coffee.brew", "machine_id", string="Brews")
