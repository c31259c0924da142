# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CoffeeProductProduct(models.Model):
    """A beverage of a coffee machine, sold as a product."""

    _name = "coffee.product.product"
    _inherit = ["coffee.binding"]
    _inherits = {"product.product": "odoo_id"}
    _description = "Coffee Machine Beverage"

    odoo_id = fields.Many2one(
        comodel_name="product.product",
        string="Odoo Product",
        required=True,
        ondelete="cascade",
        index=True,
    )
    size_ml = fields.Integer(string="Size (ml)")
    strength = fields.Integer(help="From 1 (mild) to 5 (strong).")
    coffee_currency = fields.Char(string="Machine Currency")

    _sql_constraints = [
        (
            "coffee_odoo_uniq",
            "unique(backend_id, odoo_id)",
            "A product can be bound only once to the same backend.",
        ),
    ]


class ProductProduct(models.Model):
    _inherit = "product.product"

    coffee_bind_ids = fields.One2many(
        comodel_name="coffee.product.product",
        inverse_name="odoo_id",
        string="Coffee Bindings",
        context={"active_test": False},
    )
