# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Binder: the link between machine ids and Odoo bindings.

The machine's id is stored in ``coffee_id`` of every binding. Besides the
one-by-one lookups of connector's binder, :meth:`to_internal_many` finds the
bindings of a whole page of ids in one query, which also reads what the
importer and the mappers then need of each binding (and, with
:meth:`to_internal_page`, the bindings not bound yet that the page's records
may complete).
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

        :param external_ids: machine ids
        :param fetch: further fields read by the same query
        :return: ``{machine id: binding}`` for the ids that are bound
        """
        return self.to_internal_page(external_ids, fetch=fetch)[0]

    def to_internal_page(self, external_ids, fetch=(), unbound=None):
        """The bindings of many machine ids, and the bindings of the backend
        not bound to a machine record yet that match ``unbound``, with one
        query.

        :param external_ids: machine ids
        :param fetch: further fields read by the same query
        :param unbound: a domain, or None for no unbound binding
        :return: ``({machine id: binding}, the unbound bindings)``
        """
        ids = {int(ext) for ext in external_ids if ext}
        model = self.model.with_context(active_test=False)
        if not ids and not unbound:
            return {}, model
        fetched = [self._external_field, *fetch] + [
            name for name in self._fetch_fields if name in model._fields
        ]
        domain = [(self._external_field, "in", list(ids))]
        if unbound:
            domain = ["|", *domain, "&", (self._external_field, "=", False), *unbound]
        bindings = model.search_fetch(
            [(self._backend_field, "=", self.backend_record.id), *domain], fetched
        )
        unbound_bindings = bindings.filtered(lambda b: not b[self._external_field])
        bound = bindings - unbound_bindings
        # mapped() reads a field of many records at once from the cache
        return (
            dict(zip(bound.mapped(self._external_field), bound, strict=True)),
            unbound_bindings,
        )
