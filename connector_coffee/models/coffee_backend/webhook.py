# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook's side of the backend: who its jobs run as, what it received.

The controller (``controllers/main.py``) receives the machine's events. Here:

- ``webhook_user_id``: the user the imports enqueued by the webhook run as,
  in the backend's company, so that the job list tells whose they are;
- the machine's side, read by :meth:`CoffeeBackend._check_webhook_target`
  (``GET /webhook``, by the sync cron, after the webhook is registered and
  by the *Check webhook* button): where the machine sends its events and
  how its last delivery went, stored for the cockpit, which never asks the
  machine itself;
- ``coffee.webhook.event``: the events received, by their ids, so that a
  replayed event enqueues nothing, even once its job is done. Each event is
  also the work of the import: it waits, ``pending``, until a job of the
  backend and entity takes a page of the waiting events and imports their
  records at once (:meth:`CoffeeWebhookEvent._take_pending`), so that a burst
  of events is one job and one request per page of ids, not one per event.
  An id is kept until a replay of it would be refused by its timestamp
  anyway, then the daily autovacuum removes it, once imported.
"""

import logging
from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from odoo.addons.connector.exception import MappingError

from ...coffee_api import TOLERANCE, CoffeeError
from ...components.mapper import parse_datetime
from .common import MANAGER_GROUP

_logger = logging.getLogger(__name__)

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
    webhook_checked_at = fields.Datetime(
        string="Webhook Checked On",
        groups=MANAGER_GROUP,
        readonly=True,
        copy=False,
        help="When the machine last told where it sends its events.",
    )
    webhook_check_error = fields.Char(
        groups=MANAGER_GROUP,
        readonly=True,
        copy=False,
        help="Why the machine could not tell where it sends its events, at "
        "the last attempt (empty when it could).",
    )
    webhook_target_url = fields.Char(
        string="Machine's Webhook URL",
        groups=MANAGER_GROUP,
        readonly=True,
        copy=False,
        help="Where the machine sends its events, as it told at the last "
        "check; empty when it sends none.",
    )
    webhook_target_state = fields.Selection(
        selection=[
            ("unchecked", "Not checked"),
            ("ok", "Sends here"),
            ("elsewhere", "Sends elsewhere"),
        ],
        string="Machine's Webhook",
        compute="_compute_webhook_target_state",
        groups=MANAGER_GROUP,
        help="Whether the machine sends its events to this backend's "
        "webhook URL, as it told at the last check.",
    )
    webhook_delivery_at = fields.Datetime(
        string="Last Delivery",
        groups=MANAGER_GROUP,
        readonly=True,
        copy=False,
        help="When the machine last sent events to its webhook URL.",
    )
    webhook_delivery_status = fields.Integer(
        string="Last Delivery Status",
        groups=MANAGER_GROUP,
        readonly=True,
        copy=False,
        help="The HTTP status its webhook URL answered to the last delivery "
        "(0 when no answer came).",
    )
    webhook_delivery_error = fields.Char(
        string="Last Delivery Error",
        groups=MANAGER_GROUP,
        readonly=True,
        copy=False,
        help="Why no answer came to the last delivery.",
    )

    @api.depends("webhook_checked_at", "webhook_target_url")
    def _compute_webhook_target_state(self):
        for backend in self:
            ok = backend._webhook_target()["ok"]
            backend.webhook_target_state = {None: "unchecked", True: "ok"}.get(
                ok, "elsewhere"
            )

    def _webhook_target(self):
        """Where the machine's webhook points, as stored at the last check.

        :return: ``{url, expected, ok, checked_at, check_error,
            last_delivery: {at, status, error} or None}``: ``ok`` is None
            until the machine told it once, then whether its URL is this
            backend's webhook URL
        """
        self.ensure_one()
        checked = bool(self.webhook_checked_at)
        delivery = None
        if self.webhook_delivery_at:
            delivery = {
                "at": fields.Datetime.to_string(self.webhook_delivery_at),
                "status": self.webhook_delivery_status or None,
                "error": self.webhook_delivery_error or None,
            }
        return {
            "url": self.webhook_target_url or None,
            "expected": self.webhook_url or None,
            "ok": (self.webhook_target_url == self.webhook_url) if checked else None,
            "checked_at": fields.Datetime.to_string(self.webhook_checked_at)
            if checked
            else None,
            "check_error": self.webhook_check_error or None,
            "last_delivery": delivery,
        }

    def _check_webhook_target(self):
        """Ask each machine where it sends its events (``GET /webhook``).

        Stores its URL, its last delivery (when, the status answered, the
        error) and when it told them. A machine that cannot be reached, or
        answers nonsense, is logged and its error stored, the last answer
        kept: this never raises, so that the sync cron goes on.

        :return: True when every machine answered
        """
        answered = True
        for backend in self:
            try:
                with backend._coffee_client() as client:
                    target = client.get_webhook()
            except CoffeeError as err:
                _logger.warning(
                    "coffee backend %s: cannot read the machine's webhook: %s",
                    backend.id,
                    err,
                )
                backend.webhook_check_error = str(err)
                answered = False
                continue
            last = target["last_delivery"] or {}
            try:
                delivered_at = parse_datetime(last.get("at"))
            except MappingError:
                delivered_at = False
            backend.write(
                {
                    "webhook_checked_at": fields.Datetime.now(),
                    "webhook_check_error": False,
                    "webhook_target_url": target["url"] or False,
                    "webhook_delivery_at": delivered_at,
                    "webhook_delivery_status": last.get("status") or 0,
                    "webhook_delivery_error": last.get("error") or False,
                }
            )
        return answered

    def action_check_webhook(self):
        """Button: ask the machine where it sends its events, and say it.

        Coffee managers only.

        :return: a notification action, the form reloaded with the answer
        """
        self._check_manager_access("write")
        self.ensure_one()
        answered = self._check_webhook_target()
        target = self._webhook_target()
        if not answered:
            kind, message = (
                "danger",
                self.env._(
                    "%(backend)s cannot tell where it sends its events: %(error)s",
                    backend=self.name,
                    error=target["check_error"],
                ),
            )
        elif target["ok"]:
            kind, message = (
                "success",
                self.env._("%(backend)s sends its events here.", backend=self.name),
            )
        elif target["url"]:
            kind, message = (
                "warning",
                self.env._(
                    "%(backend)s sends its events to %(url)s, not here.",
                    backend=self.name,
                    url=target["url"],
                ),
            )
        else:
            kind, message = (
                "warning",
                self.env._("%(backend)s sends its events nowhere.", backend=self.name),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "title": self.env._("Webhook checked"),
                "message": message,
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

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
        """Take the oldest events waiting for their import.

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
