# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.job import identity_exact


class CoffeeBackend(models.Model):
    """Pouring coffee from Odoo."""

    _inherit = "coffee.backend"

    default_machine_id = fields.Many2one(
        comodel_name="coffee.machine",
        domain="[('backend_id', '=', id)]",
        help="Machine that pours the coffees asked for from Odoo. Empty: the "
        "first idle machine.",
    )
    default_beverage_id = fields.Many2one(
        comodel_name="coffee.product.product",
        domain="[('backend_id', '=', id)]",
        help="Beverage poured when none is chosen. Empty: the first active beverage.",
    )

    def _pour_machine(self):
        """The machine that pours when none is chosen."""
        self.ensure_one()
        if self.default_machine_id:
            return self.default_machine_id
        machines = self.env["coffee.machine"].search(
            [("backend_id", "=", self.id), ("coffee_id", "!=", 0)],
            order="id",
        )
        return machines.filtered(lambda m: m.state == "idle")[:1] or machines[:1]

    def _pour_beverage(self):
        """The beverage poured when none is chosen."""
        self.ensure_one()
        if self.default_beverage_id:
            return self.default_beverage_id
        return self.env["coffee.product.product"].search(
            [("backend_id", "=", self.id), ("coffee_id", "!=", 0)],
            order="id",
            limit=1,
        )

    def pour_coffee(self, partners, machine=None, beverage=None):
        """Order one coffee for each partner.

        Each coffee is a ``coffee.brew`` in state *requested*, ordered from
        the machine by a job on the ``root.coffee.pour`` channel.

        :param partners: ``res.partner`` records to pour for
        :param machine: ``coffee.machine``; default: the backend's default
            machine, else the first idle one
        :param beverage: ``coffee.product.product`` or the ``product.product``
            it binds; default: the backend's default beverage, else the first
            active one
        :return: the new ``coffee.brew`` records
        :raise AccessError: when the caller may not read the backend, the
            machine, the beverage or the partners (another company's, say)
        """
        self.ensure_one()
        # what is poured, where, for whom: all readable by the caller, before
        # anything is created or sent
        for records in (self, partners, machine, beverage):
            if records:
                records.with_env(self.env).check_access("read")
        if machine and machine.backend_id != self:
            raise UserError(
                self.env._(
                    "%(machine)s is not a machine of %(backend)s.",
                    machine=machine.display_name,
                    backend=self.name,
                )
            )
        machine = machine or self._pour_machine()
        if beverage and beverage._name == "product.product":
            beverage = beverage.coffee_bind_ids.filtered(
                lambda b: b.backend_id == self
            )[:1]
        if beverage and beverage.backend_id != self:
            raise UserError(
                self.env._(
                    "%(beverage)s is not a beverage of %(backend)s.",
                    beverage=beverage.display_name,
                    backend=self.name,
                )
            )
        beverage = beverage or self._pour_beverage()
        if not machine or not beverage:
            raise UserError(
                self.env._(
                    "%(backend)s has no machine or no beverage to pour: import "
                    "them first.",
                    backend=self.name,
                )
            )
        brews = (
            self.env["coffee.brew"]
            .sudo()
            .create(
                [
                    {
                        "backend_id": self.id,
                        "machine_id": machine.id,
                        "beverage_id": beverage.odoo_id.id,
                        "partner_id": partner.id,
                        "state": "requested",
                    }
                    for partner in partners
                ]
            )
        )
        for brew in brews:
            brew.with_delay(
                identity_key=identity_exact,
                description=self.env._(
                    "Pour %(beverage)s for %(partner)s",
                    beverage=beverage.display_name,
                    partner=brew.partner_id.display_name,
                ),
            )._export_record()
        return brews.sudo(False)

    def action_pour_coffee(self):
        """Button: pour a coffee for the user who clicks it."""
        self.ensure_one()
        self.pour_coffee(self.env.user.partner_id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Your coffee is on its way."),
            },
        }
