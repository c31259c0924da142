# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import changed_by, mapping


class CoffeeUserExportMapper(Component):
    _name = "coffee.res.partner.export.mapper"
    _inherit = "coffee.export.mapper"
    _apply_on = "coffee.res.partner"

    direct = [("name", "name")]

    @changed_by("email", "badge")
    @mapping
    def optional_texts(self, record):
        """Empty texts are null for the machine (Odoo reads them as False)."""
        return {"email": record.email or None, "badge": record.badge or None}

    @changed_by("active", "drinker")
    @mapping
    def active(self, record):
        """A partner archived, or no longer a drinker, is deactivated."""
        return {"active": bool(record.active and record.drinker)}

    @mapping
    def ref(self, record):
        """The machine keeps the partner's Odoo id to find it back."""
        return {"ref": str(record.odoo_id.id)}


class CoffeeUserExporter(Component):
    _name = "coffee.res.partner.exporter"
    _inherit = "coffee.exporter"
    _apply_on = "coffee.res.partner"


class CoffeeUserBatchExporter(Component):
    """Partners changed together reach the machine in one bulk request."""

    _name = "coffee.res.partner.batch.exporter"
    _inherit = "coffee.batch.exporter"
    _apply_on = "coffee.res.partner"
