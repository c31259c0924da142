# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.component.core import Component


class CoffeeResPartner(models.Model):
    """A user of a coffee machine: a partner with a badge."""

    _name = "coffee.res.partner"
    _inherit = ["coffee.binding"]
    _inherits = {"res.partner": "odoo_id"}
    _description = "Coffee Machine User"

    odoo_id = fields.Many2one(
        comodel_name="res.partner",
        string="Odoo Partner",
        required=True,
        ondelete="cascade",
        index=True,
    )
    badge = fields.Char(help="Badge the person shows to the machine.")

    _sql_constraints = [
        (
            "coffee_odoo_uniq",
            "unique(backend_id, odoo_id)",
            "A partner can be bound only once to the same backend.",
        ),
    ]


class ResPartner(models.Model):
    _inherit = "res.partner"

    coffee_bind_ids = fields.One2many(
        comodel_name="coffee.res.partner",
        inverse_name="odoo_id",
        string="Coffee Bindings",
        context={"active_test": False},
    )


class CoffeeUserAdapter(Component):
    _name = "coffee.res.partner.adapter"
    _inherit = "coffee.adapter"
    _apply_on = "coffee.res.partner"
    _coffee_resource = "users"
