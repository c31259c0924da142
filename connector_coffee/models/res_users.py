# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

#: the fields of the coffee corner each user reads and writes on their own
#: user record
COFFEE_SELF_FIELDS = ["coffee_last_beverage_id"]


class ResUsers(models.Model):
    _inherit = "res.users"

    coffee_last_beverage_id = fields.Many2one(
        comodel_name="coffee.product.product",
        string="Last Coffee Beverage",
        ondelete="set null",
        help="The beverage this user last poured from the top bar: chosen "
        "again the next time.",
    )

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + COFFEE_SELF_FIELDS

    @property
    def SELF_WRITEABLE_FIELDS(self):
        return super().SELF_WRITEABLE_FIELDS + COFFEE_SELF_FIELDS
