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
    brew_count = fields.Integer(string="Number of Brews", compute="_compute_brew_count")

    _sql_constraints = [
        (
            "coffee_odoo_uniq",
            "unique(backend_id, odoo_id)",
            "A product can be bound only once to the same backend.",
        ),
    ]

    def _brew_domain(self):
        self.ensure_one()
        return [
            ("backend_id", "=", self.backend_id.id),
            ("beverage_id", "=", self.odoo_id.id),
        ]

    def _compute_brew_count(self):
        groups = (
            self.env["coffee.brew"]._read_group(
                [
                    ("backend_id", "in", self.backend_id.ids),
                    ("beverage_id", "in", self.odoo_id.ids),
                ],
                ["backend_id", "beverage_id"],
                ["__count"],
            )
            if all(isinstance(i, int) for i in self.ids)
            and self.env["coffee.brew"].has_access("read")
            else []
        )
        counts = {(b.id, p.id): n for b, p, n in groups}
        for beverage in self:
            beverage.brew_count = counts.get(
                (beverage.backend_id.id, beverage.odoo_id.id), 0
            )

    def action_open_brews(self):
        """Smart button: the brews of the beverage on its backend."""
        self.ensure_one()
        self.check_access("read")
        return self.env["coffee.brew"]._action_open(
            self._brew_domain(),
            self.env._("Brews of %(beverage)s", beverage=self.display_name),
        )


class ProductProduct(models.Model):
    _inherit = "product.product"

    coffee_bind_ids = fields.One2many(
        comodel_name="coffee.product.product",
        inverse_name="odoo_id",
        string="Coffee Bindings",
        context={"active_test": False},
    )
