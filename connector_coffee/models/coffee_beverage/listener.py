# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component
from odoo.addons.component_event import skip_if

from ...components.listener import no_connector_export

BEVERAGE_FIELDS = ("list_price", "lst_price", "active")


class CoffeeBeverageListener(Component):
    """A new price or availability of a beverage reaches its machines.

    Prices live on the product template, which the product form writes: both
    the template and its variants are listened to.
    """

    _name = "coffee.product.product.listener"
    _inherit = "coffee.export.listener"
    _apply_on = ["coffee.product.product", "product.product", "product.template"]
    _exported_fields = BEVERAGE_FIELDS

    @skip_if(no_connector_export)
    def on_record_write(self, record, fields=None):
        if not self._touches_exported_fields(fields):
            return
        if record._name == "product.template":
            record = record.with_context(active_test=False).product_variant_ids
        if record._name != "coffee.product.product":
            record = record.coffee_bind_ids
        self._delay_export(record.filtered("coffee_id"))
