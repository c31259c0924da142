# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook's side of the backend: who its jobs run as, what it received.

The controller (``controllers/main.py``) receives the machine's events. Here:

- ``webhook_user_id``: the user the imports enqueued by the webhook run as,
  in the backend's company, so that the job list tells whose they are;
- ``coffee.webhook.event``: the events received, by their ids, so that a
  replayed event enqueues nothing, even once its job is done. Each event is
  also the work of the import: it waits, ``pending``, until a job of the
  backend and entity takes a page of the waiting events and imports their
  records at once (:meth:`CoffeeWebhookEvent._take_pending`), so that a burst
  of events is one job and one request per page of ids, not one per event.
  An id is kept until a replay of it would be refused by its timestamp
  anyway, then the daily autovacuum removes it, once imported.
"""

from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ...coffee_api import TOLERANCE
from .common import MANAGER_GROUP

#: how long a received event id is kept after its signed timestamp: twice
#: the tolerance, while a replay is refused by its timestamp after once
KEEP_EVENTS = timedelta(seconds=2 * TOLERANCE)


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    webhook_user_id = fields.Many2one(
        comodel_name="res.users",
        groups=MANAGER_GROUP,
        default=lambda self: self.env.user,
        ondelete="restrict",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="The imports enqueued by the machine's events run as this user, "
        "in the backend's company: the user needs the rights to import and "
        "must be allowed in that company.",
    )

    @api.constrains("webhook_secret", "webhook_user_id", "company_id")
    def _check_webhook_user(self):
        for backend in self.sudo():
            user = backend.webhook_user_id
            if backend.webhook_secret and not user:
                raise ValidationError(
                    self.env._(
                        "The webhook of %(backend)s needs a user its imports run as.",
                        backend=backend.name,
                    )
                )
            if not user or user._is_superuser():
                continue
            if user.share or backend.company_id not in user.company_ids:
                raise ValidationError(
                    self.env._(
                        "The webhook user of %(backend)s must be an internal user "
                        "allowed in the company %(company)s.",
                        backend=backend.name,
                        company=backend.company_id.name,
                    )
                )


class CoffeeWebhookEvent(models.Model):
    """An event the webhook received, by its id: a replay enqueues nothing."""

    _name = "coffee.webhook.event"
    _description = "Coffee Webhook Event"
    _order = "received_at desc, id desc"
    _rec_name = "event_id"
    # written by one INSERT ... ON CONFLICT in _receive, never through the ORM
    _log_access = False

    backend_id = fields.Many2one(
        comodel_name="coffee.backend",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="backend_id.company_id",
        store=True,
        index=True,
    )
    event_id = fields.Char(string="Event ID", required=True, readonly=True)
    event_type = fields.Char(readonly=True)
    external_id = fields.Integer(string="ID on the Machine", readonly=True)
    signed_at = fields.Datetime(
        required=True,
        readonly=True,
        index=True,
        help="The timestamp the machine signed the event with.",
    )
    received_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now
    )
    pending = fields.Boolean(
        readonly=True,
        help="The record of the event is still to be imported.",
    )

    _sql_constraints = [
        (
            "event_unique",
            "unique(backend_id, event_id)",
            "An event is received once per backend.",
        ),
    ]

    def init(self):
        # the events waiting for their import, found by backend and type
        create_index(
            self.env.cr,
            "coffee_webhook_event_pending_index",
            self._table,
            ["backend_id", "event_type", "id"],
            where="pending",
        )

    @api.model
    def _receive(self, backend, event_id, timestamp, event_type, external_id):
        """Note an event as received, unless its id was received before.

        :param backend: the ``coffee.backend`` the event was sent to
        :param event_id: the event's ``X-Coffee-Event-Id``
        :param timestamp: its signed timestamp, in Unix seconds
        :param event_type: its ``type``
        :param external_id: its record's id on the machine
        :return: True the first time, False for an event id received before
        """
        return bool(
            self._receive_many(
                backend, timestamp, [(event_id, event_type, external_id)]
            )
        )

    @api.model
    def _receive_many(self, backend, timestamp, events):
        """Note events as received and pending, but those received before.

        One statement, safe against concurrent deliveries of the same events:
        the second one waits for the first and then inserts nothing (or
        fails with a serialization error, on which Odoo serves the request
        again and finds the events).

        :param backend: the ``coffee.backend`` the events were sent to
        :param timestamp: their signed timestamp, in Unix seconds
        :param events: ``(event id, type, record id on the machine)`` of each
        :return: the types of the events received for the first time
        """
        signed_at = datetime.fromtimestamp(int(timestamp), timezone.utc)
        event_ids, event_types, external_ids = zip(*events, strict=True)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO coffee_webhook_event
                    (backend_id, company_id, event_id, event_type, external_id,
                     signed_at, received_at, pending)
                SELECT %s, %s, event.id, event.type, event.external_id, %s, %s,
                       TRUE
                FROM unnest(%s::varchar[], %s::varchar[], %s::int4[])
                    AS event (id, type, external_id)
                ON CONFLICT (backend_id, event_id) DO NOTHING
                RETURNING event_type
                """,
                backend.id,
                backend.company_id.id,
                signed_at.replace(tzinfo=None),
                fields.Datetime.now(),
                list(event_ids),
                list(event_types),
                list(external_ids),
            )
        )
        return {event_type for (event_type,) in self.env.cr.fetchall()}

    @api.model
    def _take_pending(self, backend, event_types, limit):
        """Take a page of the events waiting for their import.

        The oldest ``limit`` pending events of the backend and types that no
        other transaction holds are locked (``FOR UPDATE SKIP LOCKED``):
        two jobs never take the same ones. Their job marks them imported
        with :meth:`_imported`, in its own transaction: when it fails, they
        wait for the next one.

        :param backend: the ``coffee.backend``
        :param event_types: the types of the events of one entity
        :param limit: the most events taken
        :return: ``[(event row id, record id on the machine)]``, oldest first
        """
        self.env.cr.execute(
            SQL(
                """
                SELECT id, external_id FROM coffee_webhook_event
                WHERE pending AND backend_id = %s AND event_type IN %s
                ORDER BY id
                LIMIT %s
                FOR UPDATE SKIP LOCKED
                """,
                backend.id,
                tuple(event_types),
                limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _has_pending(self, backend, event_types):
        """Whether events of the backend and types wait for their import."""
        self.env.cr.execute(
            SQL(
                """
                SELECT 1 FROM coffee_webhook_event
                WHERE pending AND backend_id = %s AND event_type IN %s
                LIMIT 1
                """,
                backend.id,
                tuple(event_types),
            )
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _imported(self, row_ids):
        """Mark the events of the given row ids imported."""
        if row_ids:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE coffee_webhook_event SET pending = FALSE
                    WHERE id = ANY(%s)
                    """,
                    list(row_ids),
                )
            )
            self.invalidate_model(["pending"])

    @api.autovacuum
    def _gc_received_events(self):
        """Forget the imported events a replay of which is refused by its
        timestamp; those still waiting for their import are kept."""
        self.search(
            [
                ("signed_at", "<", fields.Datetime.now() - KEEP_EVENTS),
                ("pending", "=", False),
            ]
        ).unlink()
