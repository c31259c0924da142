# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the first-run assistant (``coffee.setup.wizard``) does on a backend.

Once the connection works: the webhook registered on the machine with a
secret Odoo makes, then the first imports as one chain of jobs, whose last
job chooses the default machine and beverage among what was imported.
"""

import secrets

from odoo import models
from odoo.exceptions import UserError

from odoo.addons.queue_job.delay import chain, group

from ...coffee_api import CoffeeError

#: bytes of randomness of a webhook secret Odoo makes
SECRET_BYTES = 32


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    def _register_webhook(self):
        """Make a webhook secret and have the machine send its events here,
        then read back where it sends them (``_check_webhook_target``).

        :raise UserError: when the machine refuses
        """
        self.ensure_one()
        secret = secrets.token_urlsafe(SECRET_BYTES)
        values = {"webhook_secret": secret}
        if not self.sudo().webhook_user_id:
            values["webhook_user_id"] = self.env.user.id
        self.sudo().write(values)
        try:
            with self._coffee_client() as client:
                client.request(
                    "PUT",
                    "/webhook",
                    json_body={"url": self.webhook_url, "secret": secret},
                )
        except CoffeeError as err:
            raise UserError(
                self.env._(
                    "%(backend)s cannot register the webhook on the machine: %(error)s",
                    backend=self.name,
                    error=err,
                )
            ) from err
        self._check_webhook_target()

    def _first_sync(self):
        """Enqueue the first imports as one chain, then choose the defaults."""
        self.ensure_one()
        self._ensure_imports()
        self.import_ids._start()
        *others, last = (imp._job() for imp in self.import_ids)
        defaults = self.delayable(
            description=self.env._(
                "%(backend)s: choose the default machine and beverage",
                backend=self.name,
            )
        )._choose_defaults()
        chain(group(*others), last, defaults).delay()

    def _choose_defaults(self):
        """Job: the default machine and beverage, among those imported.

        The first idle machine and the first active beverage; a default
        already chosen is kept.

        :return: a message for the job's result
        """
        for backend in self:
            values = {}
            if not backend.default_machine_id:
                values["default_machine_id"] = backend._pour_machine().id
            if not backend.default_beverage_id:
                values["default_beverage_id"] = backend._pour_beverage().id
            if any(values.values()):
                backend.write({k: v for k, v in values.items() if v})
        return (
            f"machine {self.default_machine_id.display_name}, "
            f"beverage {self.default_beverage_id.display_name}"
        )
