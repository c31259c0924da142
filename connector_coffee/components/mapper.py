# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Mappers: machine JSON records to Odoo values, and back.

Every import mapper sets the binding's backend, machine id and the machine's
own ``updated_at``. Relations to other machine records go through
:func:`coffee_to_m2o`, which reads the bindings the importer resolved for the
whole page (the ``relations`` mapping option, of :class:`PageBindings`)
instead of querying record by record.

An import maps every record of a page, so the ids a relation gives are
worked out once per page (:meth:`PageBindings.id_of`), not once per record.
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
    :raise MappingError: when the value is not an ISO 8601 date
    """
    if not value:
        return False
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(f"{value!r} is not an ISO 8601 date") from None
    if moment.tzinfo:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def format_datetime(value):
    """Turn an Odoo datetime (naive UTC) into ISO 8601 for the API."""
    if not value:
        return None
    return fields.Datetime.to_datetime(value).replace(tzinfo=timezone.utc).isoformat()


class PageBindings(dict):
    """Bindings of one binding model that a page of records refers to.

    A ``{machine id: binding}`` dict, built by the importer with one query for
    the whole page, which also gives the ids the mappers write, worked out
    once per page rather than once per record. Build it complete: the ids are
    worked out on the first :meth:`id_of`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._ids = {}

    def id_of(self, external_id, unwrap=False):
        """The id of the binding of a machine id, or of its Odoo record.

        :param external_id: the machine id
        :param unwrap: give the id of the bound Odoo record (``odoo_id``)
        :return: the id, or None when the machine id has no binding
        """
        ids = self._ids.get(unwrap)
        if ids is None:
            ids = self._ids[unwrap] = {
                key: (binding.odoo_id if unwrap else binding).id
                for key, binding in self.items()
            }
        return ids.get(external_id)


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
        record_id = self.options.relations[binding_model].id_of(external_id, unwrap)
        if not record_id:
            raise MappingError(
                f"{field} {external_id}: no {binding_model} is imported for it"
            )
        return record_id

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
