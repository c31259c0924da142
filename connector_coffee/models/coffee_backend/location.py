# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A backend does not point at the Odoo server itself.

The server sends requests to the location of a backend and tells what came
back ("Check connection"): a location on the loopback (127.0.0.0/8, ::1,
``localhost``) or link-local (169.254.0.0/16, such as a cloud's metadata
service, fe80::/10) addresses would let a user probe what only the server
can reach. Such a location is refused unless the system parameter
``connector_coffee.allow_local_locations`` is true (a simulator or a
machine on the same host, in tests and demos).

Only what the location says is checked (literal addresses and the name
``localhost``): names are not resolved when the backend is saved.
"""

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import str2bool

from ...coffee_api.client import is_local_location

#: the system parameter that allows local locations
ALLOW_LOCAL_PARAM = "connector_coffee.allow_local_locations"


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    @api.model
    def _local_locations_allowed(self):
        """Whether the system parameter allows local locations.

        :return: bool
        """
        value = self.env["ir.config_parameter"].sudo().get_param(ALLOW_LOCAL_PARAM)
        return str2bool(value or "0", default=False)

    @api.constrains("location")
    def _check_location_not_local(self):
        local = self.filtered(lambda backend: is_local_location(backend.location))
        if local and not self._local_locations_allowed():
            raise ValidationError(
                self.env._(
                    "The API location of %(backend)s is a loopback or link-local "
                    "address (such as 127.0.0.1, localhost or 169.254.x.x), which "
                    "the connector does not call unless the system parameter "
                    "%(parameter)s is set to True.",
                    backend=local[0].name,
                    parameter=ALLOW_LOCAL_PARAM,
                )
            )
