# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.component.core import Component
from odoo.addons.connector.components.mapper import mapping

from ...components.mapper import parse_datetime


class CoffeeMachineImportMapper(Component):
    _name = "coffee.machine.import.mapper"
    _inherit = "coffee.import.mapper"
    _apply_on = "coffee.machine"

    direct = [
        ("name", "name"),
        ("model", "machine_model"),
        ("serial", "serial"),
        ("state", "state"),
        ("water_level", "water_level"),
        ("beans_level", "beans_level"),
        ("milk_level", "milk_level"),
        ("temperature", "temperature"),
    ]

    @mapping
    def last_seen(self, record):
        return {"last_seen": parse_datetime(record.get("updated_at"))}
