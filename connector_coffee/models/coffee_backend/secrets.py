# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend's credentials are cleaned when saved.

A key pasted with the line break it had in a file, a password copied with a
trailing blank: the blanks and line breaks around the username, the password,
the API key and the webhook secret are stripped. A control character inside
one (a tab, a line break) is refused: it cannot be sent in an HTTP header,
or is a paste gone wrong. The message names the field, never its value.
"""

from odoo import api, models
from odoo.exceptions import ValidationError

from ...coffee_api.client import has_control_characters

#: the fields cleaned on create and write
CREDENTIAL_FIELDS = ("username", "password", "api_key", "webhook_secret")


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._clean_credentials(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._clean_credentials(vals))

    @api.model
    def _clean_credentials(self, vals):
        """Strip the credentials in ``vals``, refuse control characters.

        :param vals: values of create or write
        :return: a copy of vals with the credentials stripped (an empty one
            becomes False)
        :raise ValidationError: naming the field, without its value
        """
        cleaned = dict(vals)
        for name in CREDENTIAL_FIELDS:
            value = cleaned.get(name)
            if not isinstance(value, str):
                continue
            value = value.strip()
            if has_control_characters(value):
                raise ValidationError(
                    self.env._(
                        "The %(field)s of a coffee backend cannot contain a line "
                        "break, a tab or another control character. Enter it "
                        "again.",
                        field=self._fields[name]._description_string(self.env),
                    )
                )
            cleaned[name] = value or False
        return cleaned
