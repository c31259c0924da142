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

from contextlib import contextmanager
from datetime import datetime, timezone
from functools import cached_property

from odoo import fields

from odoo.addons.component.core import AbstractComponent
from odoo.addons.connector.components.mapper import (
    MapOptions,
    MapRecord,
    mapping,
    only_create,
)
from odoo.addons.connector.exception import MappingError


def parse_datetime(value):
    """Turn an ISO 8601 date of the API into a naive UTC datetime for Odoo.

    :param value: ISO 8601 string, or a falsy value
    :return: naive UTC datetime, or False
    :raise MappingError: when the value is not an ISO 8601 date
    """
    if not value:
        return False
    text = str(value)
    # what the machine writes is UTC already: read as such without its
    # offset, the cheapest for the dates of a page of records
    utc = text.endswith("+00:00")
    try:
        moment = datetime.fromisoformat(
            text[:-6] if utc else text.replace("Z", "+00:00")
        )
    except ValueError:
        moment = None
    if moment is None or (utc and moment.tzinfo):
        raise MappingError(f"{value!r} is not an ISO 8601 date")
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

    def __init__(self, *args, model_name=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model_name = model_name
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
        bindings = self.options.relations[binding_model]
        return related_id(bindings, record, field, unwrap)

    # what :meth:`CoffeeImportMapper.mapping_page` resolves once per page
    modifier.coffee_relation = (field, binding_model, unwrap)
    return modifier


def related_id(bindings, record, field, unwrap=False):
    """The id a record's machine id ``field`` gives among a page's bindings.

    :param bindings: the :class:`PageBindings` of the related model
    :return: the id, or False when the record names none
    :raise MappingError: when the record names one Odoo does not have
    """
    external_id = record.get(field)
    if not external_id:
        return False
    record_id = bindings.id_of(external_id, unwrap)
    if not record_id:
        raise MappingError(
            f"{field} {external_id}: no {bindings.model_name} is imported for it"
        )
    return record_id


class CoffeeImportMapper(AbstractComponent):
    """Base of the import mappers."""

    _name = "coffee.import.mapper"
    _inherit = ["base.import.mapper", "base.coffee.connector"]
    _usage = "import.mapper"

    @only_create
    @mapping
    def binding_keys(self, record):
        """Backend and machine id: they never change once the binding is made.

        The company too, when the binding has one from its backend: given
        at creation, the ORM stores it with the rest instead of computing it
        and writing it again for every record.
        """
        return dict(self._backend_keys, coffee_id=record["id"])

    @mapping
    def updated_at(self, record):
        """The machine's last change of the record."""
        return {"coffee_updated_at": parse_datetime(record.get("updated_at"))}

    @cached_property
    def _backend_keys(self):
        """The values every new binding of the backend has: its backend, and
        its company when it is the backend's (a stored related)."""
        backend = self.backend_record
        keys = {"backend_id": backend.id}
        field = self.model._fields.get("company_id")
        if field and field.store and field.related == "backend_id.company_id":
            keys["company_id"] = backend.company_id.id
        return keys

    @contextmanager
    def mapping_page(self, **options):
        """Map the records of a page, with the same options for all.

        Gives the function ``values(record, for_create)``, which returns what
        ``self.map_record(record).values(for_create=for_create, **options)``
        returns, but works out once per page what connector's mapper works
        out for each record: the options, which mappings apply, the source
        fields of the ``direct`` modifiers. A page of the batch import maps
        hundreds of records, for which that was most of the mapping's cost.

        :param options: the mapping options (``relations``...), as
            :meth:`MapRecord.values` takes them; not ``fields``, which a
            page of the import never filters on
        """
        map_options = MapOptions(for_create=None, fields=None, **options)
        relations = options.get("relations") or {}
        direct = [
            (self._page_getter(from_attr, to_attr, relations), to_attr)
            for from_attr, to_attr in self.direct
        ]
        methods = {
            for_create: [
                meth
                for meth, definition in self.map_methods
                if for_create or not definition.only_create
            ]
            for for_create in (True, False)
        }
        children = list(self.children)

        def values(record, for_create):
            map_options["for_create"] = for_create
            map_record = MapRecord(self, record)
            result = {to_attr: get(record) for get, to_attr in direct}
            for meth in methods[for_create]:
                mapped = meth(record)
                if not mapped:
                    continue
                if not isinstance(mapped, dict):
                    raise ValueError(
                        f"{mapped}: invalid return value for the mapping method {meth}"
                    )
                result.update(mapped)
            for from_attr, to_attr, model_name in children:
                result[to_attr] = self._map_child(
                    map_record, from_attr, to_attr, model_name
                )
            return self.finalize(map_record, result)

        with self._mapping_options(map_options):
            yield values

    def _page_getter(self, from_attr, to_attr, relations):
        """The value of a ``direct`` mapping as a function of the record,
        with what does not change from record to record worked out for the
        page: the page's bindings of a :func:`coffee_to_m2o`, the plain copy
        of a key to a field that is not a relation.

        :param relations: the page's ``relations`` mapping option
        """
        relation = getattr(from_attr, "coffee_relation", None)
        if relation and relation[1] in relations:
            field, binding_model, unwrap = relation
            bindings = relations[binding_model]
            return lambda record: related_id(bindings, record, field, unwrap)
        if (
            isinstance(from_attr, str)
            and self.model._fields[to_attr].type != "many2one"
        ):
            # what connector's _map_direct gives for such a field
            return lambda record: record.get(from_attr) or False
        return lambda record: self._map_direct(record, from_attr, to_attr)


class CoffeeExportMapper(AbstractComponent):
    """Base of the export mappers."""

    _name = "coffee.export.mapper"
    _inherit = ["base.export.mapper", "base.coffee.connector"]
    _usage = "export.mapper"
