# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Supply alerts: an activity for each supply that runs low, and for a
machine that needs someone, closed by itself once the machine is fine.

The levels and the state come from the machine, through an import or a
webhook: every write of them looks again. A machine has at most one open
activity of each kind.
"""

from odoo import api, fields, models

#: supply -> (level field, alert level field of the backend, activity type)
SUPPLIES = {
    "water": ("water_level", "water_alert_level", "mail_activity_type_refill_water"),
    "beans": ("beans_level", "beans_alert_level", "mail_activity_type_refill_beans"),
    "milk": ("milk_level", "milk_alert_level", "mail_activity_type_refill_milk"),
}
#: machine states in which someone has to look at it
NEEDS_ATTENTION = ("error", "maintenance")
ATTENTION_TYPE = "mail_activity_type_machine_attention"
WATCHED = {"state"} | {level for level, *__ in SUPPLIES.values()}


class CoffeeMachine(models.Model):
    _name = "coffee.machine"
    _inherit = ["coffee.machine", "mail.thread", "mail.activity.mixin"]

    responsible_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        domain="[('share', '=', False)]",
        help="Who gets this machine's activities; empty: the backend's responsible.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        machines = super().create(vals_list)
        machines._check_supplies()
        return machines

    def write(self, vals):
        result = super().write(vals)
        if WATCHED & set(vals):
            self._check_supplies()
        return result

    def _refill_summary(self, supply):
        """What the activity of a supply says, e.g. "Refill milk: Lobby
        Espresso, 12 %"."""
        values = {"machine": self.name, "level": self[SUPPLIES[supply][0]]}
        if supply == "water":
            return self.env._("Refill water: %(machine)s, %(level)s %%", **values)
        if supply == "beans":
            return self.env._("Refill beans: %(machine)s, %(level)s %%", **values)
        return self.env._("Refill milk: %(machine)s, %(level)s %%", **values)

    def _alerts(self):
        """``{activity type xml id: (is it due, its summary)}`` of a machine."""
        self.ensure_one()
        alerts = {
            type_id: (
                self[level_field] < self.backend_id[alert_field],
                self._refill_summary(supply),
            )
            for supply, (level_field, alert_field, type_id) in SUPPLIES.items()
        }
        alerts[ATTENTION_TYPE] = (
            self.state in NEEDS_ATTENTION,
            self.env._(
                "%(machine)s is in %(state)s",
                machine=self.name,
                state=dict(self._fields["state"]._description_selection(self.env))[
                    self.state
                ],
            ),
        )
        return alerts

    def _check_supplies(self):
        """Open the activities that are due, close those that are not."""
        types = {
            type_id: self.env.ref(
                f"connector_coffee.{type_id}", raise_if_not_found=False
            )
            for type_id in [*(t for *__, t in SUPPLIES.values()), ATTENTION_TYPE]
        }
        if not all(types.values()):
            return  # while the addon's data is not loaded yet
        for machine in self.with_context(mail_activity_quick_update=True):
            open_by_type = {a.activity_type_id: a for a in machine.activity_ids}
            user = machine.responsible_user_id or machine.backend_id.responsible_user_id
            for type_id, (due, summary) in machine._alerts().items():
                activity_type = types[type_id]
                current = open_by_type.get(activity_type)
                if due and not current:
                    machine.activity_schedule(
                        activity_type_id=activity_type.id,
                        summary=summary,
                        user_id=(user or self.env.user).id,
                    )
                elif due and current.summary != summary:
                    current.summary = summary
                elif not due and current:
                    current.action_feedback(
                        feedback=self.env._("Back to normal on the machine.")
                    )
