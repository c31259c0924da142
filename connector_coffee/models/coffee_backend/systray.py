# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""'Pour me a coffee' in the top bar: what its menu shows to the current
user, and the pour for oneself. Both read and pour with the user's own
rights; the menu reaches no machine."""

from odoo import api, models


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    @api.model
    def get_pour_menu(self):
        """What the top bar's coffee menu needs, for the current user.

        Only what the user may read: the backends of the companies they work
        in, their machines known to the machine room and their active
        beverages.

        :return: ``{"backends": [...], "last_beverage_id": id or False}``;
            each backend a dict with ``id``, ``name``, ``default_machine_id``,
            ``default_beverage_id``, ``machines`` (``id``, ``name``,
            ``state``, ``state_label``, ``idle``) and ``beverages`` (``id``,
            ``name``)
        """
        user = self.env["res.users"].browse(self.env.uid)
        answer = {"backends": [], "last_beverage_id": False}
        if not self.browse().has_access("read"):
            return answer
        last = user.coffee_last_beverage_id
        backends = self.search([("company_id", "in", self.env.companies.ids)])
        machines = self.env["coffee.machine"].search(
            [("backend_id", "in", backends.ids), ("coffee_id", "!=", 0)]
        )
        beverages = self.env["coffee.product.product"].search(
            [("backend_id", "in", backends.ids), ("coffee_id", "!=", 0)],
            order="id",
        )
        for backend in backends:
            answer["backends"].append(
                {
                    "id": backend.id,
                    "name": backend.name,
                    "default_machine_id": backend._pour_machine().id or False,
                    "default_beverage_id": backend._pour_beverage().id or False,
                    "machines": [
                        {
                            "id": machine.id,
                            "name": machine.name,
                            "state": machine.state,
                            "state_label": machine._fields["state"].convert_to_export(
                                machine.state, machine
                            ),
                            "idle": machine.state == "idle",
                        }
                        for machine in machines
                        if machine.backend_id == backend
                    ],
                    "beverages": [
                        {"id": beverage.id, "name": beverage.display_name}
                        for beverage in beverages
                        if beverage.backend_id == backend
                    ],
                }
            )
        if last and last.has_access("read") and last in beverages:
            answer["last_beverage_id"] = last.id
        return answer

    @api.model
    def pour_for_me(self, backend_id, machine_id=False, beverage_id=False):
        """Pour a coffee for the current user, remembering the beverage.

        The same path as the backend's button: :meth:`pour_coffee`, which
        checks that the user may read the backend, machine and beverage.

        :param backend_id: id of the ``coffee.backend``
        :param machine_id: id of the ``coffee.machine``; empty: the
            backend's default
        :param beverage_id: id of the ``coffee.product.product``; empty: the
            user's last beverage of this backend, else the backend's default
        :return: ``{"id", "state", "beverage", "machine"}`` of the new brew
        :raise AccessError: when the user may not read what is poured
        """
        backend = self.browse(backend_id)
        backend.check_access("read")
        user = self.env["res.users"].browse(self.env.uid)
        machine = self.env["coffee.machine"].browse(machine_id or [])
        beverage = self.env["coffee.product.product"].browse(beverage_id or [])
        if not beverage:
            last = user.coffee_last_beverage_id
            if last.has_access("read") and last.backend_id == backend:
                beverage = last
        brew = backend.pour_coffee(
            user.partner_id, machine=machine or None, beverage=beverage or None
        )
        poured = brew.beverage_id.coffee_bind_ids.filtered(
            lambda b: b.backend_id == backend
        )[:1]
        # the user's own field: written with their own rights
        user.write({"coffee_last_beverage_id": poured.id})
        return {
            "id": brew.id,
            "state": brew.state,
            "beverage": brew.beverage_id.display_name,
            "machine": brew.machine_id.display_name,
        }
