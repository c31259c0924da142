# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook: the machine tells Odoo at once that a record changed.

``POST /connector_coffee/webhook/<backend id>`` with a JSON event
``{type, id, occurred_at}`` and the header
``X-Coffee-Signature: sha256=<hex HMAC-SHA256 of the body>`` made with the
backend's webhook secret. The answer is 202 once the import of the record is
enqueued (a replayed event finds its job pending and enqueues nothing more),
403 for a missing or bad signature, 404 for an unknown or archived backend,
400 for an event that is not understood.
"""

import json
import logging

from odoo import http
from odoo.http import request

from odoo.addons.queue_job.job import identity_exact

from ..coffee_api import SIGNATURE_HEADER, verify_signature
from ..entities import BY_EVENT

_logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024


class CoffeeWebhookController(http.Controller):
    @http.route(
        "/connector_coffee/webhook/<int:backend_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def webhook(self, backend_id, **kwargs):
        """Receive one event of the machine and enqueue its import."""
        env = request.env(su=True)
        backend = env["coffee.backend"].browse(backend_id).exists()
        if not backend or not backend.active:
            return self._answer(404, "unknown backend")
        body = request.httprequest.get_data(cache=False)
        if len(body) > MAX_BODY:
            return self._answer(413, "event too large")
        signature = request.httprequest.headers.get(SIGNATURE_HEADER)
        if not backend.webhook_secret or not verify_signature(
            backend.webhook_secret, body, signature
        ):
            _logger.warning(
                "coffee webhook for backend %s refused: bad or missing signature",
                backend.id,
            )
            return self._answer(403, "bad or missing signature")
        try:
            event = json.loads(body)
            model = BY_EVENT[event["type"]].model
            external_id = int(event["id"])
        except (ValueError, KeyError, TypeError):
            return self._answer(400, "event not understood")
        env[model].with_delay(
            identity_key=identity_exact,
            description=f"{backend.name}: {event['type']} {external_id}",
        )._import_record(backend, external_id, force=True)
        return self._answer(202, "accepted")

    @staticmethod
    def _answer(status, message):
        key = "status" if status < 400 else "error"
        return request.make_json_response({key: message}, status=status)
