# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class CoffeePourWizard(models.TransientModel):
    """Pour a coffee for the selected contacts (the contacts' action menu).

    Before pouring, the wizard warns, without blocking, of what Odoo knows
    will go wrong or take longer: a machine that is not idle (as last
    synchronised), contacts who are not users of the machine yet.
    """

    _name = "coffee.pour.wizard"
    _description = "Pour Coffee"

    partner_ids = fields.Many2many("res.partner", string="For", required=True)
    backend_id = fields.Many2one(
        "coffee.backend",
        string="Coffee Backend",
        required=True,
        default=lambda self: self.env["coffee.backend"].search([], limit=1),
    )
    machine_id = fields.Many2one(
        "coffee.machine",
        domain="[('backend_id', '=', backend_id)]",
        help="Empty: the backend's default machine, else the first idle one.",
    )
    beverage_id = fields.Many2one(
        "coffee.product.product",
        domain="[('backend_id', '=', backend_id)]",
        help="Empty: the backend's default beverage, else the first active one.",
    )
    warning = fields.Text(
        string="Before pouring",
        compute="_compute_warning",
        help="What Odoo knows will delay or prevent this pour.",
    )

    @api.onchange("backend_id")
    def _onchange_backend_id(self):
        # a machine or beverage already chosen on this backend stays
        if self.machine_id.backend_id != self.backend_id:
            self.machine_id = self.backend_id.default_machine_id
        if self.beverage_id.backend_id != self.backend_id:
            self.beverage_id = self.backend_id.default_beverage_id

    @api.depends("backend_id", "machine_id", "partner_ids")
    def _compute_warning(self):
        for wizard in self:
            wizard.warning = "\n".join(wizard._warnings()) or False

    def _warnings(self):
        """What will delay or prevent the pour, in plain words."""
        self.ensure_one()
        backend = self.backend_id
        if not backend:
            return []
        warnings = []
        machine = self.machine_id or backend._pour_machine()
        if machine and machine.state != "idle":
            state = dict(machine._fields["state"]._description_selection(self.env))[
                machine.state
            ]
            warnings.append(
                self.env._(
                    "%(machine)s is not idle (state: %(state)s, as last "
                    "synchronised): it will not pour until it is back. Odoo keeps "
                    "trying for a few minutes; then the brew fails, and can be "
                    "retried from its form.",
                    machine=machine.display_name,
                    state=state,
                )
            )
        unregistered, refused = backend._drinker_problems(self.partner_ids)
        if refused:
            warnings.append(
                self.env._(
                    "Archived, or removed from the users of the machine, no coffee "
                    "for: %(names)s.",
                    names=", ".join(refused.mapped("display_name")),
                )
            )
        if unregistered:
            if backend._may_register_drinkers():
                message = self.env._(
                    "Not users of the machine yet, registered on it by this pour: "
                    "%(names)s."
                )
            else:
                message = self.env._(
                    "Not users of the machine yet, and only a coffee manager can "
                    "register them, no coffee for: %(names)s."
                )
            warnings.append(
                message % {"names": ", ".join(unregistered.mapped("display_name"))}
            )
        return warnings

    @api.model
    def action_open(self, partners):
        """Open the wizard for ``partners`` (used by the server action)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Pour coffee"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_ids": partners.ids},
        }

    def action_pour(self):
        """Pour, and say for whom the coffee is on its way.

        Anyone who can read the backend, the machine, the beverage and the
        contacts (see ``coffee.backend.pour_coffee``).
        """
        self.ensure_one()
        brews = self.backend_id.pour_coffee(
            self.partner_ids, machine=self.machine_id, beverage=self.beverage_id
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Coffee on its way"),
                "message": self.env._(
                    "%(beverage)s on %(machine)s, for: %(names)s.",
                    beverage=brews.beverage_id.display_name,
                    machine=brews.machine_id.display_name,
                    names=", ".join(brews.partner_id.mapped("display_name")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
