# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping

from ...components.importer import columns
from ...components.mapper import coffee_to_m2o, parse_datetime, related_id


class CoffeeBrewImportMapper(Component):
    _name = "coffee.brew.import.mapper"
    _inherit = "coffee.import.mapper"
    _apply_on = "coffee.brew"

    direct = [
        ("state", "state"),
        ("failure_reason", "failure_reason"),
        (coffee_to_m2o("machine_id", "coffee.machine"), "machine_id"),
        (
            coffee_to_m2o("beverage_id", "coffee.product.product", unwrap=True),
            "beverage_id",
        ),
    ]

    @mapping
    def person(self, record):
        """The brew's person, when the machine names one.

        A brew the machine keeps without a user (poured at the machine
        without a badge, or ordered from Odoo before its person was a user
        of the machine) leaves the person known in Odoo as it is: an import
        never empties it.
        """
        if not record.get("user_id"):
            return {}
        users = self.options.relations["coffee.res.partner"]
        return {"partner_id": related_id(users, record, "user_id", unwrap=True)}

    @mapping
    def dates(self, record):
        return {
            "requested_at": parse_datetime(record.get("requested_at")),
            "finished_at": parse_datetime(record.get("finished_at")),
        }


class CoffeeBrewImporter(Component):
    _name = "coffee.brew.importer"
    _inherit = "coffee.record.importer"
    _apply_on = "coffee.brew"

    _dependencies = [
        ("machine_id", "coffee.machine"),
        ("beverage_id", "coffee.product.product"),
        ("user_id", "coffee.res.partner"),
    ]

    def _find_bindings(self, records):
        """The brews of a page's records, and the brews ordered from Odoo
        whose order reached the machine but whose answer did not come back
        (not bound yet, their idempotency key on the machine's record): the
        import completes them, rather than making a second brew of one
        coffee before the order's job retries."""
        found = super()._find_bindings(records)
        keys = {
            record["idempotency_key"]: record["id"]
            for record in records
            if record.get("idempotency_key") and record["id"] not in found
        }
        ordered = self.binder.to_unbound(
            "idempotency_key", keys, fetch=columns(self.model)
        )
        for brew in ordered:
            found.setdefault(keys[brew.idempotency_key], brew)
        return found
