# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component
from odoo.addons.component_event import skip_if

from ...components.listener import no_connector_export

USER_FIELDS = ("name", "email", "active", "badge", "drinker")


class CoffeeUserBindingListener(Component):
    """A machine user is created on the machine, then kept in line.

    Users are exported in batches: a change marks the binding, and one job
    per backend exports the marked ones (``components/batch_exporter.py``).
    """

    _name = "coffee.res.partner.listener"
    _inherit = "coffee.export.listener"
    _apply_on = ["coffee.res.partner"]
    _exported_fields = USER_FIELDS

    @skip_if(no_connector_export)
    def on_record_create(self, record, fields=None):
        record._mark_for_export()

    @skip_if(no_connector_export)
    def on_record_write(self, record, fields=None):
        if self._touches_exported_fields(fields):
            record._mark_for_export()


class CoffeeUserPartnerListener(Component):
    """A change of a partner reaches the machines it drinks coffee on."""

    _name = "coffee.res.partner.partner.listener"
    _inherit = "coffee.export.listener"
    _apply_on = ["res.partner"]
    _exported_fields = USER_FIELDS

    @skip_if(no_connector_export)
    def on_record_write(self, record, fields=None):
        if self._touches_exported_fields(fields):
            record.coffee_bind_ids._mark_for_export()
