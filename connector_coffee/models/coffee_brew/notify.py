# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""'Your coffee is ready': the person who ordered a coffee from Odoo hears
at once, on the bus, when it is done or why it failed."""

from odoo import api, fields, models

#: the states a brew ends in, and how the notification looks for each
ENDINGS = {"done": "success", "failed": "warning", "cancelled": "warning"}


class CoffeeBrew(models.Model):
    _inherit = "coffee.brew"

    ordered_by_id = fields.Many2one(
        comodel_name="res.users",
        readonly=True,
        index="btree_not_null",
        help="Who ordered this coffee from Odoo: they are told when it is "
        "ready, or why it failed.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # a brew ordered from Odoo starts requested; an imported one not
            if vals.get("state", "requested") == "requested":
                vals.setdefault("ordered_by_id", self.env.uid)
        return super().create(vals_list)

    def write(self, vals):
        ending = vals.get("state") in ENDINGS
        before = {brew: brew.state for brew in self} if ending else {}
        result = super().write(vals)
        if ending:
            self.filtered(
                lambda b: b.ordered_by_id and before[b] != b.state
            )._notify_ending()
        return result

    def _notify_ending(self):
        """Tell each brew's orderer how it ended (their bus channel only)."""
        for brew in self:
            values = {
                "beverage": brew.beverage_id.display_name,
                "machine": brew.machine_id.display_name,
            }
            if brew.state == "done":
                title = self.env._("Your coffee is ready")
                message = self.env._("%(beverage)s at %(machine)s.", **values)
            else:
                title = self.env._("Your coffee did not come")
                message = self.env._(
                    "%(beverage)s at %(machine)s: %(reason)s",
                    reason=brew.failure_reason
                    or brew._fields["state"].convert_to_export(brew.state, brew),
                    **values,
                )
            brew.ordered_by_id._bus_send(
                "simple_notification",
                {"type": ENDINGS[brew.state], "title": title, "message": message},
            )
