# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping, only_create


class CoffeeUserImportMapper(Component):
    _name = "coffee.res.partner.import.mapper"
    _inherit = "coffee.import.mapper"
    _apply_on = "coffee.res.partner"

    direct = [
        ("name", "name"),
        ("email", "email"),
        ("badge", "badge"),
        ("active", "active"),
    ]

    @only_create
    @mapping
    def odoo_id(self, record):
        """Bind a machine user that Odoo exported to the partner it came from.

        The machine keeps the Odoo id of the partner in ``ref``.
        """
        ref = record.get("ref")
        if ref and str(ref).isdigit():
            partner = self.env["res.partner"].browse(int(ref)).exists()
            if partner and not partner.coffee_bind_ids.filtered(
                lambda b: b.backend_id == self.backend_record
            ):
                return {"odoo_id": partner.id}
        return {}
