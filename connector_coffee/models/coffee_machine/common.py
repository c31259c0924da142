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
    """A coffee machine of a backend, as the machine describes itself.

    Its chatter keeps the history of its state, as the imports bring it.
    """

    _name = "coffee.machine"
    _inherit = ["coffee.binding", "mail.thread"]
    _description = "Coffee Machine"
    _order = "name, id"

    name = fields.Char(required=True)
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    active = fields.Boolean(default=True)
    machine_model = fields.Char(string="Model")
    serial = fields.Char()
    state = fields.Selection(
        MACHINE_STATES, default="idle", required=True, tracking=True
    )
    water_level = fields.Integer(string="Water (%)")
    beans_level = fields.Integer(string="Beans (%)")
    milk_level = fields.Integer(string="Milk (%)")
    temperature = fields.Float(string="Temperature (°C)", digits=(4, 1))
    last_seen = fields.Datetime(
        help="When the machine last reported a change of its state."
    )
    brew_ids = fields.One2many("coffee.brew", "machine_id", string="Brews")
    brew_count = fields.Integer(string="Number of Brews", compute="_compute_brew_count")

    def _compute_brew_count(self):
        counts = self.env["coffee.brew"]._counts_by("machine_id", self)
        for machine in self:
            machine.brew_count = counts.get(machine.id, 0)

    def action_open_brews(self):
        """Smart button: the machine's brews."""
        self.ensure_one()
        self.check_access("read")
        return self.env["coffee.brew"]._action_open(
            [("machine_id", "=", self.id)],
            self.env._("Brews of %(machine)s", machine=self.display_name),
        )
