# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The operator's cockpit: how the synchronisation of a backend goes.

:meth:`CoffeeBackend.get_sync_health` answers plain JSON for monitoring;
the kanban card of the backends shows the same numbers. Both cost a
constant number of queries, whatever the number of records and of jobs:
grouped counts, the last failed jobs, the imports, the webhook's events and
refusals. Neither asks the machine anything: where its webhook points is
what the backend stored at its last check (``_check_webhook_target``).
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ...entities import ENTITIES
from .webhook import KEEP_EVENTS

#: the failed jobs ``get_sync_health`` lists, the last first
HEALTH_ERRORS = 20
#: the window of the webhook's events counted
EVENT_WINDOW = timedelta(hours=24)

JOB_STATES = (
    "wait_dependencies",
    "pending",
    "enqueued",
    "started",
    "done",
    "cancelled",
    "failed",
)


def _date(value):
    return fields.Datetime.to_string(value) if value else None


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    health_synced_count = fields.Integer(
        string="Synced", compute="_compute_health", help="Records in sync."
    )
    health_failed_count = fields.Integer(
        string="Failed",
        compute="_compute_health",
        help="Records whose last synchronisation failed.",
    )
    health_waiting_count = fields.Integer(
        string="Waiting",
        compute="_compute_health",
        help="Records waiting for a job, or marked to resync.",
    )
    health_last_event_at = fields.Datetime(
        string="Last Event", compute="_compute_health"
    )
    health_event_count = fields.Integer(
        string="Events (24 h)",
        compute="_compute_health",
        help="Events of the machine the webhook accepted in the last 24 hours.",
    )
    health_reconciled_at = fields.Datetime(
        string="Last Reconciliation", compute="_compute_health"
    )

    def _compute_health(self):
        """The cockpit's numbers of all the backends shown at once."""
        health = self._sync_health(errors=0)
        for backend in self:
            data = health.get(backend.id)
            if not data:
                backend.update(
                    {
                        "health_synced_count": 0,
                        "health_failed_count": 0,
                        "health_waiting_count": 0,
                        "health_last_event_at": False,
                        "health_event_count": 0,
                        "health_reconciled_at": False,
                    }
                )
                continue
            entities = data["entities"].values()
            backend.update(
                {
                    "health_synced_count": sum(e["synced"] for e in entities),
                    "health_failed_count": sum(e["failed"] for e in entities),
                    "health_waiting_count": sum(e["waiting"] for e in entities),
                    "health_last_event_at": data["webhook"]["last_event_at"],
                    "health_event_count": data["webhook"]["events_24h"],
                    "health_reconciled_at": data["reconciliation"]["date"],
                }
            )

    def get_sync_health(self):
        """How the synchronisation of this backend goes, as plain JSON.

        Coffee managers only. A constant number of queries, whatever the
        number of records and jobs.

        :return: ``{backend, entities: {resource: {synced, failed, waiting}},
            jobs: {state: count}, errors: [{model, external_id, name,
            binding_id, job_id, message, date, uuid}], imports: {resource:
            {date, state, error}}, webhook: {last_event_at, events_24h,
            accepted_24h, refused_24h, target: {url, expected, ok,
            checked_at, check_error, last_delivery: {at, status, error} or
            None}}, reconciliation: {date, missing, gone, entities:
            {resource: {date, missing, gone}}}}``; ``events_24h`` and
            ``accepted_24h`` are the same count; ``target.ok`` is None until
            the machine was checked
        """
        self._check_manager_access("read")
        self.ensure_one()
        return self._sync_health(errors=HEALTH_ERRORS)[self.id]

    def _sync_health(self, errors=HEALTH_ERRORS):
        """The health of each backend: ``{backend id: health}``.

        :param errors: how many of the last failed jobs to list per backend
        """
        ids = [backend.id for backend in self if backend.id]
        if not ids:
            return {}
        health = {
            backend_id: {
                "backend": {"id": backend_id},
                "entities": {
                    entity.resource: {"synced": 0, "failed": 0, "waiting": 0}
                    for entity in ENTITIES
                },
                "jobs": dict.fromkeys(JOB_STATES, 0),
                "errors": [],
                "imports": {},
                "webhook": {
                    "last_event_at": None,
                    "events_24h": 0,
                    "accepted_24h": 0,
                    "refused_24h": 0,
                    "target": None,
                },
                "reconciliation": {
                    "date": None,
                    "missing": 0,
                    "gone": 0,
                    "entities": {},
                },
            }
            for backend_id in ids
        }
        for backend in self.filtered("id"):
            health[backend.id]["backend"]["name"] = backend.name
        self._health_entities(health, ids)
        self._health_jobs(health, ids)
        if errors:
            self._health_errors(health, ids, errors)
        self._health_imports(health, ids)
        self._health_webhook(health, ids)
        return health

    def _health_entities(self, health, ids):
        """Bindings by state: one grouped count per entity."""
        for entity in ENTITIES:
            groups = (
                self.env[entity.model]
                .with_context(active_test=False)
                ._read_group(
                    [("backend_id", "in", ids)],
                    ["backend_id", "sync_state"],
                    ["__count"],
                )
            )
            for backend, state, count in groups:
                health[backend.id]["entities"][entity.resource][state] = count

    def _health_jobs(self, health, ids):
        """The backend's jobs by state: one grouped count."""
        groups = (
            self.env["queue.job"]
            .sudo()
            ._read_group(
                [("coffee_backend_id", "in", ids)],
                ["coffee_backend_id", "state"],
                ["__count"],
            )
        )
        for backend, state, count in groups:
            health[backend.id]["jobs"][state] = count

    def _health_errors(self, health, ids, limit):
        """The last failed jobs of each backend, naming their record.

        One query for the jobs, then one per binding model named, for the
        names of the bound records.
        """
        self.env["queue.job"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT uuid, coffee_backend_id, coffee_model, coffee_binding_id,
                       coffee_external_id, exc_message, exc_name,
                       COALESCE(date_started, date_created), id
                  FROM (
                    SELECT *, row_number() OVER (
                               PARTITION BY coffee_backend_id
                               ORDER BY date_created DESC, id DESC) AS rank
                      FROM queue_job
                     WHERE state = 'failed' AND coffee_backend_id = ANY(%s)
                  ) AS failed
                 WHERE rank <= %s
                 ORDER BY date_created DESC, id DESC
                """,
                ids,
                limit,
            )
        )
        rows = self.env.cr.fetchall()
        wanted = {}
        for __, backend_id, model, binding_id, external_id, *__rest in rows:
            if model in self.env:
                wanted.setdefault(model, (set(), set(), set()))
                wanted[model][0].add(binding_id or 0)
                wanted[model][1].add(backend_id)
                wanted[model][2].add(external_id or 0)
        names = {}
        for model, (binding_ids, backend_ids, external_ids) in wanted.items():
            bindings = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                .search_fetch(
                    [
                        "|",
                        ("id", "in", list(binding_ids)),
                        "&",
                        ("backend_id", "in", list(backend_ids)),
                        ("coffee_id", "in", list(external_ids)),
                    ],
                    ["backend_id", "coffee_id", "display_name"],
                )
            )
            for binding in bindings:
                names[model, "id", binding.id] = binding
                names[model, binding.backend_id.id, binding.coffee_id] = binding
        for row in rows:
            (
                uuid,
                backend_id,
                model,
                binding_id,
                external_id,
                msg,
                name,
                date,
                job_id,
            ) = row
            binding = names.get((model, "id", binding_id)) or names.get(
                (model, backend_id, external_id)
            )
            health[backend_id]["errors"].append(
                {
                    "model": model,
                    "external_id": external_id
                    or (binding and binding.coffee_id)
                    or None,
                    "name": binding.display_name if binding else None,
                    "binding_id": binding.id if binding else None,
                    "job_id": job_id,
                    "message": msg or name,
                    "date": _date(date),
                    "uuid": uuid,
                }
            )

    def _health_imports(self, health, ids):
        """The last import of each entity, and the last reconciliation."""
        imports = self.env["coffee.import"].search([("backend_id", "in", ids)])
        for imp in imports:
            data = health[imp.backend_id.id]
            data["imports"][imp.resource] = {
                "date": _date(imp.done_at),
                "since": _date(imp.since),
                "state": imp.state,
                "error": imp.error or None,
            }
            run = data["reconciliation"]
            run["entities"][imp.resource] = {
                "date": _date(imp.reconciled_at),
                "missing": imp.reconcile_missing,
                "gone": imp.reconcile_gone,
            }
            if imp.reconciled_at:
                run["date"] = max(run["date"] or "", _date(imp.reconciled_at))
                run["missing"] += imp.reconcile_missing
                run["gone"] += imp.reconcile_gone

    def _health_webhook(self, health, ids):
        """The last event received, the events accepted and the requests
        refused in the last 24 hours, and where the machine's webhook points.

        The refusals are counted by the hour: the 24 hours start at the
        beginning of an hour, and the refusals of the last minute may not
        be counted yet (see ``coffee.webhook.event.count``).
        """
        self.env["coffee.webhook.event"].flush_model()
        self.env["coffee.webhook.event.count"].flush_model()
        since = fields.Datetime.now() - EVENT_WINDOW
        self.env.cr.execute(
            SQL(
                """
                SELECT backend_id, max(last_at),
                       coalesce(sum(events) FILTER (WHERE last_at >= %s), 0),
                       coalesce(sum(refused) FILTER (
                           WHERE hour >= date_trunc('hour', %s::timestamp)), 0)
                  FROM (
                    SELECT backend_id, received_at AS last_at, 1 AS events,
                           NULL::timestamp AS hour, 0 AS refused
                      FROM coffee_webhook_event
                     WHERE backend_id = ANY(%s)
                    UNION ALL
                    SELECT backend_id, last_received_at, event_count, hour,
                           refused_count
                      FROM coffee_webhook_event_count
                     WHERE backend_id = ANY(%s)
                  ) AS received
                 GROUP BY backend_id
                """,
                since,
                since,
                ids,
                ids,
            )
        )
        for backend_id, last, count, refused in self.env.cr.fetchall():
            health[backend_id]["webhook"].update(
                {
                    "last_event_at": _date(last),
                    "events_24h": count,
                    "accepted_24h": count,
                    "refused_24h": refused,
                }
            )
        # what the last check stored: the backend's fields of coffee managers
        for backend in self.sudo().filtered("id"):
            health[backend.id]["webhook"]["target"] = backend._webhook_target()


class CoffeeWebhookEvent(models.Model):
    _inherit = "coffee.webhook.event"

    received_at = fields.Datetime(index=True)

    @api.autovacuum
    def _gc_received_events(self):
        """Forget the imported events a replay of which is refused by its
        timestamp (those still waiting for their import are kept), counting
        them first in the hourly counts of the cockpit."""
        now = fields.Datetime.now()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH gone AS (
                    DELETE FROM coffee_webhook_event
                     WHERE signed_at < %s AND pending IS NOT TRUE
                    RETURNING backend_id, company_id, received_at
                )
                INSERT INTO coffee_webhook_event_count
                    (backend_id, company_id, hour, event_count, last_received_at)
                SELECT backend_id, company_id, date_trunc('hour', received_at),
                       count(*), max(received_at)
                  FROM gone
                 GROUP BY backend_id, company_id, date_trunc('hour', received_at)
                ON CONFLICT (backend_id, hour) DO UPDATE
                   SET event_count = coffee_webhook_event_count.event_count
                                     + excluded.event_count,
                       last_received_at = greatest(
                           coffee_webhook_event_count.last_received_at,
                           excluded.last_received_at)
                """,
                now - KEEP_EVENTS,
            )
        )
        self.invalidate_model()
        # the last count of events of each backend stays: it tells its last
        # event (an hour of refusals only tells none)
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM coffee_webhook_event_count AS c
                 WHERE c.hour < %s
                   AND (c.last_received_at IS NULL
                        OR c.hour < (SELECT max(hour)
                                       FROM coffee_webhook_event_count
                                      WHERE backend_id = c.backend_id
                                        AND last_received_at IS NOT NULL))
                """,
                now - EVENT_WINDOW - timedelta(hours=1),
            )
        )
        self.env["coffee.webhook.event.count"].invalidate_model()


class CoffeeWebhookEventCount(models.Model):
    """What the webhook received in an hour: the events accepted, once their
    ids are forgotten, and the requests refused.

    The ids of received events are kept only as long as a replay of them
    could be accepted; before they go, they are counted here, so that the
    cockpit tells the events of the last 24 hours and the last one. The
    refused requests are only counted here (:meth:`_add_refusals`).
    """

    _name = "coffee.webhook.event.count"
    _description = "Coffee Webhook Events per Hour"
    _order = "hour desc, id desc"
    # written by one INSERT ... ON CONFLICT in the autovacuum, never through
    # the ORM
    _log_access = False

    backend_id = fields.Many2one(
        comodel_name="coffee.backend", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    hour = fields.Datetime(required=True, readonly=True)
    event_count = fields.Integer(readonly=True)
    last_received_at = fields.Datetime(readonly=True)
    refused_count = fields.Integer(
        string="Refused Requests",
        readonly=True,
        help="Requests to the webhook refused in the hour (bad signature, "
        "stale timestamp, body too large...).",
    )

    _sql_constraints = [
        (
            "hour_unique",
            "unique(backend_id, hour)",
            "One count per backend and hour.",
        ),
    ]

    @api.model
    def _add_refusals(self, backend_id, count):
        """Add refused webhook requests to the backend's count of this hour.

        The webhook's controller calls it with each line of its refusal log,
        at most once a minute per backend and Odoo process: up to a minute
        of refusals shows late (those after a line are added with the next
        one, which the next refusal after that minute writes). Each process
        adds its own counts. An id of no backend counts nothing.

        :param backend_id: the id of the backend the requests were sent to
        :param count: the requests refused since the previous line
        """
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO coffee_webhook_event_count
                    (backend_id, company_id, hour, event_count, refused_count)
                SELECT id, company_id, date_trunc('hour', %s::timestamp), 0, %s
                  FROM coffee_backend
                 WHERE id = %s
                ON CONFLICT (backend_id, hour) DO UPDATE
                   SET refused_count = coalesce(
                           coffee_webhook_event_count.refused_count, 0)
                       + excluded.refused_count
                """,
                fields.Datetime.now(),
                int(count),
                int(backend_id),
            )
        )
        self.invalidate_model(["refused_count"])
