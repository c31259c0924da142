# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pouring: a brew asked for in Odoo is ordered from the machine.

The order is a POST /brews carrying the brew's idempotency key: a retried
job, or the same job run twice, gets the same brew back from the machine and
never a second coffee. Once the machine knows the brew, it is never ordered
again; its state then follows the machine (imports and webhooks).
"""

from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping

from ...exception import CoffeeSyncError


class CoffeeBrewExportMapper(Component):
    _name = "coffee.brew.export.mapper"
    _inherit = "coffee.export.mapper"
    _apply_on = "coffee.brew"

    @mapping
    def order(self, record):
        return {
            "machine_id": record.machine_id.coffee_id,
            "beverage_id": record._beverage_binding().coffee_id,
            "user_id": record._user_binding().coffee_id or None,
        }


class CoffeeBrewExporter(Component):
    _name = "coffee.brew.exporter"
    _inherit = "coffee.exporter"
    _apply_on = "coffee.brew"

    def _has_to_skip(self):
        """A brew the machine knows is never ordered again."""
        return bool(self.external_id)

    def _export_dependencies(self):
        brew = self.binding
        if not brew.machine_id.coffee_id:
            raise CoffeeSyncError(
                self.env._("Brew %(brew)s has no machine to pour it.", brew=brew.id)
            )
        if not brew._beverage_binding().coffee_id:
            raise CoffeeSyncError(
                self.env._(
                    "%(beverage)s is not a beverage of %(backend)s.",
                    beverage=brew.beverage_id.display_name,
                    backend=self.backend_record.name,
                )
            )
        self._wait_for_dependency(brew._user_binding())

    def _create_options(self):
        return {"idempotency_key": self.binding.idempotency_key}

    def _store_answer(self, record):
        result = super()._store_answer(record)
        if record.get("state"):
            self.binding.with_context(connector_no_export=True).write(
                {"state": record["state"]}
            )
        return result
