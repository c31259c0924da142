# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..coffee_api import CoffeeError
from ..models.coffee_backend.common import MANAGER_GROUP


class CoffeeSetupWizard(models.TransientModel):
    """First run: connect a coffee machine and start synchronising it.

    One step for the operator: the location and credentials; then the
    connection is checked, the backend made, the webhook registered on the
    machine with a secret Odoo makes, and the first imports enqueued as one
    chain of jobs, whose last job chooses the default machine and beverage.
    """

    _name = "coffee.setup.wizard"
    _description = "Set Up a Coffee Machine"
    _check_company_auto = True

    name = fields.Char(required=True, default="Coffee machine")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    location = fields.Char(
        string="API Location",
        required=True,
        help="Base URL of the machine's REST API, such as https://coffee.example.com.",
    )
    username = fields.Char()
    password = fields.Char(groups=MANAGER_GROUP)
    api_key = fields.Char(string="API Key", groups=MANAGER_GROUP)
    register_webhook = fields.Boolean(
        string="Receive the Machine's Events",
        default=True,
        help="Register this database's webhook on the machine, with a secret "
        "made here: the records the machine changes are imported at once.",
    )
    backend_id = fields.Many2one("coffee.backend", readonly=True)

    def action_setup(self):
        """Button: check the connection, make the backend, start the sync.

        Coffee managers only. Nothing is kept when the machine cannot be
        reached.

        :return: the backend's form
        :raise UserError: with the reason when the machine cannot be reached
        """
        self.ensure_one()
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only coffee connector managers set up machines.")
            )
        backends = self.env["coffee.backend"]
        backends.check_access("create")
        backend = backends.create(
            {
                "name": self.name,
                "company_id": self.company_id.id,
                "location": self.location,
                "username": self.username,
                "password": self.password,
                "api_key": self.api_key,
            }
        )
        try:
            with backend._coffee_client() as client:
                client.status()
        except CoffeeError as err:
            raise UserError(
                self.env._(
                    "Cannot connect to %(backend)s: %(error)s",
                    backend=backend.name,
                    error=err,
                )
            ) from err
        if self.register_webhook:
            backend._register_webhook()
        backend._first_sync()
        self.backend_id = backend
        return {
            "type": "ir.actions.act_window",
            "res_model": "coffee.backend",
            "res_id": backend.id,
            "view_mode": "form",
        }
