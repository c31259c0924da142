# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Mappers: machine JSON records to Odoo values, and back.

Every import mapper sets the binding's backend, machine id and the machine's
own ``updated_at``. Relations to other machine records go through
:func:`coffee_to_m2o`, which reads the bindings the importer resolved for the
whole page (the ``relations`` mapping option) instead of querying record by
record.
"""

from datetime import datetime, timezone

from odoo import fields

from odoo.addons.component.core import AbstractComponent
from odoo.addons.connector.components.mapper import mapping
from odoo.addons.connector.exception import MappingError


def parse_datetime(value):
    """Turn an ISO 8601 date of the API into a naive UTC datetime for Odoo.

    :param value: ISO 8601 string, or a falsy value
    :return: naive UTC datetime, or False
    """
    if not value:
        return False
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def format_datetime(value):
    """Turn an Odoo datetime (naive UTC) into ISO 8601 for the API."""
    if not value:
        return None
    return fields.Datetime.to_datetime(value).replace(tzinfo=timezone.utc).isoformat()


def coffee_to_m2o(field, binding_model, unwrap=False):
    """A modifier for ``direct`` mappings: machine id to Odoo record.

    :param field: key of the machine id in the JSON record
    :param binding_model: binding model of the related record
    :param unwrap: give the bound Odoo record (``odoo_id``) rather than the
        binding
    """

    def modifier(self, record, to_attr):
        external_id = record.get(field)
        if not external_id:
            return False
        relations = (self.options.relations or {}).get(binding_model)
        if relations is not None:
            binding = relations.get(external_id)
        else:
            binding = self.binder_for(binding_model).to_internal(external_id)
        if not binding:
            raise MappingError(
                f"{field} {external_id}: no {binding_model} is imported for it"
            )
        return (binding.odoo_id if unwrap else binding).id

    return modifier


class CoffeeImportMapper(AbstractComponent):
    """Base of the import mappers."""

    _name = "coffee.import.mapper"
    _inherit = ["base.import.mapper", "base.coffee.connector"]
    _usage = "import.mapper"

    @mapping
    def binding_keys(self, record):
        """Backend, machine id and the machine's last change of the record."""
        return {
            "backend_id": self.backend_record.id,
            "coffee_id": record["id"],
            "coffee_updated_at": parse_datetime(record.get("updated_at")),
        }


class CoffeeExportMapper(AbstractComponent):
    """Base of the export mappers."""

    _name = "coffee.export.mapper"
    _inherit = ["base.export.mapper", "base.coffee.connector"]
    _usage = "export.mapper"
