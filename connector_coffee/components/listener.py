# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Listeners: record events that enqueue exports.

A listener enqueues the export of a binding when a field the machine knows
changed. It skips records written with ``connector_no_export`` (what an
import writes) and enqueues with an identity key, so that ten writes in a row
leave one pending job per record.
"""

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.job import identity_exact


def no_connector_export(listener, record, *args, **kwargs):
    """``skip_if`` predicate: the record is written by an import."""
    return listener.no_connector_export(record)


class CoffeeExportListener(AbstractComponent):
    """Base of the listeners that export bindings."""

    _name = "coffee.export.listener"
    _inherit = "base.connector.listener"

    #: fields whose change is exported; override in concrete listeners
    _exported_fields = ()

    def _touches_exported_fields(self, fields):
        return fields is None or bool(set(fields) & set(self._exported_fields))

    def _delay_export(self, bindings):
        """Enqueue the export of each binding, once per pending job."""
        for binding in bindings:
            binding.with_delay(identity_key=identity_exact)._export_record()
