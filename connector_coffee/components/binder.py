# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Binder: the link between machine ids and Odoo bindings.

The machine's id is stored in ``coffee_id`` of every binding. Besides the
one-by-one lookups of connector's binder, :meth:`to_internal_many` finds the
bindings of a whole page of ids in one query, which also reads what the
importer and the mappers then need of each binding; :meth:`to_unbound`
finds the bindings made in Odoo and not bound yet that a page's records
complete.
"""

from odoo.addons.component.core import Component

from ..entities import BINDING_MODELS


class CoffeeBinder(Component):
    """Binder of every coffee binding model."""

    _name = "coffee.binder"
    _inherit = ["base.binder", "base.coffee.connector"]
    _apply_on = BINDING_MODELS
    _external_field = "coffee_id"
    #: fields read by the same query as the lookup of :meth:`to_internal_many`
    #: (those the model has): the machine's date of the record, which the
    #: importer compares, and the bound Odoo record, which the mappers write
    _fetch_fields = ["coffee_updated_at", "odoo_id"]

    def to_internal_many(self, external_ids, fetch=()):
        """Find the bindings of many machine ids at once, with one query.

        Besides the ids, the query asks for ids from the smallest of them
        on: the pages of the API come in the order of the ids, and a page
        of new records is then found in one short read of the index on
        (backend, machine id), there being no ids above it yet. Without it,
        PostgreSQL read the whole table for each page of a first import
        while it held fewer than some 70,000 bindings: with its default
        costs, 500 lookups in an index cost more than a sequential read of
        that many rows. (An upper bound would not help: the ORM writes
        ``<=`` on a number with ``OR ... IS NULL``, which no index reads.)

        :param external_ids: machine ids
        :param fetch: further fields read by the same query
        :return: ``{machine id: binding}`` for the ids that are bound
        """
        ids = {int(ext) for ext in external_ids if ext}
        if not ids:
            return {}
        bindings = self.model.with_context(active_test=False).search_fetch(
            [
                (self._backend_field, "=", self.backend_record.id),
                (self._external_field, "in", list(ids)),
                (self._external_field, ">=", min(ids)),
            ],
            self._fetched(fetch),
        )
        # mapped() reads a field of many records at once from the cache
        return dict(zip(bindings.mapped(self._external_field), bindings, strict=True))

    def to_unbound(self, field_name, values, fetch=()):
        """The bindings of the backend not bound to a machine record yet
        whose ``field_name`` is one of ``values``: one small query when
        none waits (most pages), two when some do.

        A query of its own, not an ``OR`` in the query of
        :meth:`to_internal_many`: no index answers such an ``OR`` on the
        backend, and PostgreSQL then read every binding of the backend for
        each page (14 ms of SQL a page at 100,000 brews, growing with
        them). These are answered by the index on the machine id (its
        empty values: the few bindings waiting for theirs).

        :param field_name: the field matched
        :param values: the values looked for
        :param fetch: further fields read by the same query
        :return: the bindings, a recordset
        """
        model = self.model.with_context(active_test=False)
        waiting = [
            (self._backend_field, "=", self.backend_record.id),
            (self._external_field, "=", False),
        ]
        if not values or not model.search_count(waiting, limit=1):
            return model.browse()
        return model.search_fetch(
            [*waiting, (field_name, "in", list(values))],
            [field_name, *self._fetched(fetch)],
        )

    def _fetched(self, fetch):
        """The fields a lookup reads: the machine id, ``fetch`` and
        :attr:`_fetch_fields` (those the model has)."""
        return [self._external_field, *fetch] + [
            name for name in self._fetch_fields if name in self.model._fields
        ]
