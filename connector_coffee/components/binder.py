# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Binder: the link between machine ids and Odoo bindings.

The machine's id is stored in ``coffee_id`` of every binding. Besides the
one-by-one lookups of connector's binder, :meth:`to_internal_many` finds the
bindings of a whole page of ids in one query, which also reads what the
importer and the mappers then need of each binding.
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
        ids = {int(ext) for ext in external_ids if ext}
        if not ids:
            return {}
        model = self.model.with_context(active_test=False)
        fetched = [self._external_field, *fetch] + [
            name for name in self._fetch_fields if name in model._fields
        ]
        bindings = model.search_fetch(
            [
                (self._backend_field, "=", self.backend_record.id),
                (self._external_field, "in", list(ids)),
            ],
            fetched,
        )
        # mapped() reads a field of many records at once from the cache
        return dict(zip(bindings.mapped(self._external_field), bindings, strict=True))
