# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import UserError


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
        :raise UserError: when a partner cannot be poured for (see
            :meth:`_ensure_drinkers`)
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
        self._ensure_drinkers(partners)
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
        brews._enqueue_pour()
        return brews.sudo(False)

    def _drinker_problems(self, partners):
        """Who of ``partners`` is not a user of this backend's machine yet,
        and who may not be poured for.

        :return: ``(unregistered, refused)`` partners: without a machine user
            on this backend; archived, or whose machine user is no drinker
        """
        self.ensure_one()
        unregistered = refused = self.env["res.partner"]
        for partner in partners:
            bindings = partner.sudo().coffee_bind_ids.filtered(
                lambda b: b.backend_id == self
            )
            if not partner.active or (bindings and not any(bindings.mapped("drinker"))):
                refused |= partner
            elif not bindings:
                unregistered |= partner
        return unregistered, refused

    def _may_register_drinkers(self):
        """Whether the caller may make partners users of the machine."""
        return self.env.su or self.env["coffee.res.partner"].has_access("create")

    def _ensure_drinkers(self, partners):
        """Make each partner a user of the machine before pouring for them.

        A partner who is not a user of this backend's machine yet is
        registered, as the contact's Coffee tab does
        (``res.partner.coffee_backend_ids``): the machine user is created and
        exported, and the brew's order waits for it. A coffee manager may
        do so; for anyone else, and for a partner removed from the users,
        the pour is refused, saying why.

        :raise UserError: when a partner cannot be poured for
        """
        self.ensure_one()
        unregistered, refused = self._drinker_problems(partners)
        if refused:
            raise UserError(
                self.env._(
                    "No coffee from %(backend)s for %(names)s: archived, or "
                    "removed from the users of its machine. A coffee manager can "
                    "add them back on the contact's Coffee tab.",
                    backend=self.name,
                    names=", ".join(refused.mapped("display_name")),
                )
            )
        if not unregistered:
            return
        if not self._may_register_drinkers():
            raise UserError(
                self.env._(
                    "No coffee from %(backend)s for %(names)s: not a user of its "
                    "machine yet, and only a coffee manager can register new "
                    "users (on the contact's Coffee tab).",
                    backend=self.name,
                    names=", ".join(unregistered.mapped("display_name")),
                )
            )
        # the pour exports them itself, ahead of its orders: not the listener
        self.env["coffee.res.partner"].with_context(connector_no_export=True).create(
            [{"odoo_id": partner.id, "backend_id": self.id} for partner in unregistered]
        )

    def action_pour_coffee(self):
        """Button: pour a coffee for the user who clicks it.

        Anyone who can read the backend (see :meth:`pour_coffee`).
        """
        self.ensure_one()
        brews = self.pour_coffee(self.env.user.partner_id)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "Your coffee is on its way: %(brew)s on %(machine)s.",
                    brew=brews.beverage_id.display_name,
                    machine=brews.machine_id.display_name,
                ),
            },
        }
