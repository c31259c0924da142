# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import changed_by, mapping


class CoffeeBeverageExportMapper(Component):
    """Odoo owns the price and the availability of a beverage."""

    _name = "coffee.product.product.export.mapper"
    _inherit = "coffee.export.mapper"
    _apply_on = "coffee.product.product"

    @changed_by("list_price", "lst_price")
    @mapping
    def price(self, record):
        return {"price": record.list_price}

    @changed_by("active")
    @mapping
    def active(self, record):
        return {"active": bool(record.active)}


class CoffeeBeverageExporter(Component):
    """Beverages are made on the machine: only their changes are exported."""

    _name = "coffee.product.product.exporter"
    _inherit = "coffee.exporter"
    _apply_on = "coffee.product.product"

    def _has_to_skip(self):
        return not self.external_id
