# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create


class CoffeeBeverageImportMapper(Component):
    _name = "coffee.product.product.import.mapper"
    _inherit = "coffee.import.mapper"
    _apply_on = "coffee.product.product"

    direct = [
        ("name", "name"),
        ("code", "default_code"),
        ("size_ml", "size_ml"),
        ("strength", "strength"),
        ("price", "list_price"),
        ("currency", "coffee_currency"),
        ("active", "active"),
    ]

    @only_create
    @mapping
    def product_defaults(self, record):
        """A new beverage is a consumable sold in the backend's category."""
        values = {"type": "consu", "sale_ok": True, "purchase_ok": False}
        if self.backend_record.product_categ_id:
            values["categ_id"] = self.backend_record.product_categ_id.id
        return values
