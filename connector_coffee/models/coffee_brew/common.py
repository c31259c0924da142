# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import uuid

from odoo import api, fields, models

BREW_STATES = [
    ("requested", "Requested"),
    ("queued", "Queued"),
    ("brewing", "Brewing"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]


class CoffeeBrew(models.Model):
    """One coffee: poured by a machine, or asked for from Odoo."""

    _name = "coffee.brew"
    _inherit = ["coffee.binding"]
    _description = "Coffee Brew"
    _order = "requested_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    machine_id = fields.Many2one(
        "coffee.machine", ondelete="restrict", index=True, check_company=True
    )
    beverage_id = fields.Many2one("product.product", ondelete="restrict", index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Person", ondelete="set null", index=True
    )
    state = fields.Selection(BREW_STATES, default="requested", required=True)
    requested_at = fields.Datetime(default=fields.Datetime.now, index=True)
    finished_at = fields.Datetime()
    failure_reason = fields.Char()
    idempotency_key = fields.Char(
        default=lambda self: str(uuid.uuid4()),
        required=True,
        readonly=True,
        copy=False,
        help="Sent with the order to the machine: however often the order is "
        "retried, the machine pours once.",
    )

    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "unique(idempotency_key)",
            "Two brews cannot share an idempotency key.",
        ),
    ]

    def _beverage_binding(self):
        """The binding of the brew's beverage on the brew's backend."""
        self.ensure_one()
        return self.beverage_id.coffee_bind_ids.filtered(
            lambda b: b.backend_id == self.backend_id
        )[:1]

    def _user_binding(self):
        """The machine user of the brew's person, if a drinker on the backend."""
        self.ensure_one()
        return self.partner_id.coffee_bind_ids.filtered(
            lambda b: b.backend_id == self.backend_id and b.drinker
        )[:1]

    @api.depends("coffee_id", "beverage_id")
    def _compute_name(self):
        for brew in self:
            number = brew.coffee_id or self.env._("new")
            beverage = brew.beverage_id.display_name or self.env._("Coffee")
            brew.name = f"{beverage} #{number}"
