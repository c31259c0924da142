# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import uuid

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_time

from odoo.addons.queue_job.job import identity_exact

from ..coffee_backend.common import MANAGER_GROUP

BREW_STATES = [
    ("requested", "Requested"),
    ("queued", "Queued"),
    ("brewing", "Brewing"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
#: states of a brew that is not finished yet
PENDING_STATES = ("requested", "queued", "brewing")
#: seconds between the looks at a poured brew, until it is finished, when
#: no webhook tells Odoo (a bounded chain of delayed jobs: about 9 minutes)
FOLLOW_UP_DELAYS = (10, 15, 30, 60, 120, 300)
#: states of a job that has not run for good yet
JOB_WAITING = ("pending", "enqueued", "wait_dependencies")
_logger = logging.getLogger(__name__)


class CoffeeBrew(models.Model):
    """One coffee: poured by a machine, or asked for from Odoo.

    A brew asked for in Odoo is *requested* until the machine takes it (its
    order is the job :meth:`_export_record`); from then on its state follows
    the machine's (imports, webhooks, and the follow-up of
    :meth:`_follow_up`). An order the machine refuses for good, or that
    stays unavailable past the job's retries, ends the brew *failed* with
    the reason in plain words (:meth:`_on_pour_failed`); once the cause is
    fixed, :meth:`action_retry` orders it again with the same idempotency
    key.
    """

    _name = "coffee.brew"
    _inherit = ["coffee.binding", "mail.thread"]
    _description = "Coffee Brew"
    _order = "requested_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    machine_id = fields.Many2one(
        "coffee.machine", ondelete="restrict", index=True, check_company=True
    )
    beverage_id = fields.Many2one("product.product", ondelete="restrict", index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Person", ondelete="set null", index=True
    )
    state = fields.Selection(
        BREW_STATES, default="requested", required=True, tracking=True
    )
    requested_at = fields.Datetime(default=fields.Datetime.now, index=True)
    finished_at = fields.Datetime()
    failure_reason = fields.Char(
        tracking=True,
        help="Why the brew failed: as the machine said it, or why Odoo could "
        "not order it.",
    )
    pour_status = fields.Char(
        string="Order Status",
        compute="_compute_pour_status",
        help="Where the order of a requested brew stands: waiting to be sent, "
        "or waiting for the next try, and why.",
    )
    idempotency_key = fields.Char(
        default=lambda self: str(uuid.uuid4()),
        required=True,
        readonly=True,
        copy=False,
        help="Sent with the order to the machine: however often the order is "
        "retried, the machine pours once.",
    )

    _sql_constraints = [
        (
            "idempotency_key_uniq",
            "unique(idempotency_key)",
            "Two brews cannot share an idempotency key.",
        ),
    ]

    def _beverage_binding(self):
        """The binding of the brew's beverage on the brew's backend."""
        self.ensure_one()
        return self.beverage_id.coffee_bind_ids.filtered(
            lambda b: b.backend_id == self.backend_id
        )[:1]

    def _user_binding(self):
        """The machine user of the brew's person, if a drinker on the backend."""
        self.ensure_one()
        return self.partner_id.coffee_bind_ids.filtered(
            lambda b: b.backend_id == self.backend_id and b.drinker
        )[:1]

    @api.depends("coffee_id", "beverage_id", "partner_id")
    def _compute_name(self):
        for brew in self:
            beverage = brew.beverage_id.name or self.env._("Coffee")
            if brew.coffee_id:
                brew.name = f"{beverage} #{brew.coffee_id}"
            elif brew.partner_id:
                brew.name = self.env._(
                    "%(beverage)s for %(person)s",
                    beverage=beverage,
                    person=brew.partner_id.display_name,
                )
            else:
                brew.name = beverage

    # ------------------------------------------------------------------
    # The order, as it goes
    # ------------------------------------------------------------------

    def _compute_pour_status(self):
        """What the last order job of each requested brew is doing.

        One query for all the brews shown. A job waiting for its next try
        says why (the message of its last try, in plain words) and when.
        """
        waiting = self.filtered(
            lambda b: b.id and b.state == "requested" and not b.coffee_id
        )
        last_jobs = {}
        if waiting:
            jobs = (
                self.env["queue.job"]
                .sudo()
                .search_fetch(
                    [
                        ("coffee_model", "=", self._name),
                        ("coffee_binding_id", "in", waiting.ids),
                        ("method_name", "=", "_export_record"),
                    ],
                    ["coffee_binding_id", "state", "retry", "eta", "result"],
                    order="date_created desc, id desc",
                )
            )
            for job in jobs:
                last_jobs.setdefault(job.coffee_binding_id, job)
        for brew in self:
            job = last_jobs.get(brew.id) if brew in waiting else None
            brew.pour_status = brew._describe_order_job(job) if job else False

    def _describe_order_job(self, job):
        """The state of the order job ``job``, in plain words."""
        if job.state == "started":
            return self.env._("Being sent to the machine.")
        if job.state not in JOB_WAITING:
            return False
        if not job.retry:
            return self.env._("Waiting to be sent to the machine.")
        reason = (job.result or "").strip()
        if job.eta:
            tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
            return self.env._(
                "%(reason)s Next try at %(time)s.",
                reason=reason,
                time=format_time(self.env, job.eta, tz=tz, time_format="short"),
            )
        return self.env._("%(reason)s Next try shortly.", reason=reason)

    def _export_record(self, fields=None):
        """Job: order the brew from its machine (see ``coffee.binding``).

        In a savepoint: when the order fails, rolling it back releases the
        lock that the exporter took on the brew, before queue_job's on-fail
        hook (:meth:`_on_pour_failed`) writes the brew in a transaction of
        its own, while the job's transaction is still open.
        """
        with self.env.cr.savepoint():
            return super()._export_record(fields=fields)

    def _enqueue_pour(self):
        """Order each brew from its machine: the job :meth:`_export_record`.

        The machine user of a brew's person, when not on the machine yet, is
        exported first (its job, unless one waits already): the order waits
        for it. A brew whose order failed before gets its failed job back
        (queued anew, its tries counted from zero), rather than a second one.
        """
        for user in self.mapped(lambda b: b._user_binding()).filtered(
            lambda u: not u.coffee_id
        ):
            user.with_delay(identity_key=identity_exact)._export_record()
        failed = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("coffee_model", "=", self._name),
                    ("coffee_binding_id", "in", self.ids),
                    ("method_name", "=", "_export_record"),
                    ("state", "=", "failed"),
                ]
            )
        )
        failed.requeue()
        for brew in self.filtered(
            lambda b: b.id not in failed.mapped("coffee_binding_id")
        ):
            brew.with_delay(
                identity_key=identity_exact,
                description=self.env._(
                    "Pour %(beverage)s for %(partner)s",
                    beverage=brew.beverage_id.display_name,
                    partner=brew.partner_id.display_name or "-",
                ),
            )._export_record()

    @api.model
    def _gave_up_reason(self, reason):
        """The failure of an order that stayed unavailable past its tries."""
        return self.env._(
            "%(reason)s Odoo stopped trying: retry the brew once the machine is back.",
            reason=reason,
        )

    def _on_pour_failed(self, exc_name=None, exc_message=None, **__):
        """Job hook: the order of the brew failed for good.

        queue_job's ``on_fail`` of the job :meth:`_export_record`, called
        once the job is failed and will not be retried, in a transaction of
        its own. The brew ends *failed* with the reason: the job's message
        when the connector wrote it (in plain words), else what queue_job or
        the error said.

        :param exc_name: the class of the job's exception, with its module
        :param exc_message: the job's failure message
        """
        brews = self.sudo().filtered(
            lambda b: b.state == "requested" and not b.coffee_id
        )
        if not brews:
            return
        try:
            # never wait forever for a brew that something else holds
            with self.env.cr.savepoint():
                self.env.cr.execute("SET LOCAL lock_timeout = '10s'")
                brews._mark_failed(exc_name, exc_message)
        except psycopg2.errors.LockNotAvailable:
            _logger.warning(
                "coffee brews %s stay requested: they are locked; their order "
                "failed: %s",
                brews.ids,
                exc_message,
            )

    def _mark_failed(self, exc_name, exc_message):
        """Fail the brews with the reason of their order's failure."""
        message = " ".join((exc_message or "").split())
        kind = (exc_name or "").rsplit(".", 1)[-1]
        if kind == "CoffeeSyncError":
            reason = message
        elif kind == "FailedJobError":
            # "Max. retries (5) reached: <the last try's reason>"
            reason = self._gave_up_reason(message.split(": ", 1)[-1])
        else:
            reason = self.env._(
                "The order could not be sent to the machine: %(error)s",
                error=message or kind,
            )
        self.write({"state": "failed", "failure_reason": reason})
        self.env.flush_all()

    def _check_retry_access(self):
        """Refuse a caller who may not order these brews again.

        A coffee manager may retry any brew they can read; another user the
        brews they asked for.

        :raise AccessError: otherwise
        """
        if self.env.su:
            return
        self.check_access("read")
        self.backend_id.check_access("read")
        if not self.env.user.has_group(MANAGER_GROUP) and any(
            brew.create_uid != self.env.user for brew in self
        ):
            raise AccessError(
                self.env._(
                    "Only a coffee manager, or who asked for a brew, may order "
                    "it again."
                )
            )

    def action_retry(self):
        """Button: order failed brews again, once the cause is fixed.

        Only a brew that the machine never took (it failed in Odoo) is
        ordered again, with its own idempotency key: the machine still pours
        it at most once.

        :return: a notification action
        :raise AccessError: see :meth:`_check_retry_access`
        :raise UserError: for a brew that did not fail, or failed on the
            machine
        """
        self._check_retry_access()
        wrong = self.filtered(lambda b: b.state != "failed" or b.coffee_id)
        if wrong:
            raise UserError(
                self.env._(
                    "Only a brew that failed before the machine took it can be "
                    "ordered again, not: %(brews)s",
                    brews=", ".join(wrong.mapped("display_name")),
                )
            )
        brews = self.sudo()
        brews.write({"state": "requested", "failure_reason": False})
        brews._enqueue_pour()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "Ordered again: %(brews)s", brews=", ".join(self.mapped("name"))
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Following a poured brew
    # ------------------------------------------------------------------

    def _delay_follow_up(self, attempt=0):
        """Look at the brew on the machine later (the job :meth:`_follow_up`)."""
        self.ensure_one()
        self.with_delay(
            eta=FOLLOW_UP_DELAYS[attempt],
            identity_key=identity_exact,
            description=self.env._(
                "Follow %(brew)s until it is finished", brew=self.display_name
            ),
        )._follow_up(attempt)

    def _follow_up(self, attempt=0):
        """Job: import the brew from the machine until it is finished.

        When no webhook tells Odoo of the machine's changes, a poured brew
        is imported again a little later, and again while it is not finished,
        at most ``len(FOLLOW_UP_DELAYS)`` times; after that the scheduled
        synchronisation brings its state.

        :param attempt: how many looks came before this one
        :return: a message for the job's result
        """
        self.ensure_one()
        if not self.coffee_id or self.state not in PENDING_STATES:
            return f"brew {self.id}: {self.state}, nothing to follow"
        self._import_record(self.backend_id, self.coffee_id, force=True)
        if self.state in PENDING_STATES and attempt + 1 < len(FOLLOW_UP_DELAYS):
            self._delay_follow_up(attempt + 1)
            return f"brew {self.id}: {self.state}, next look enqueued"
        return f"brew {self.id}: {self.state}"

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------

    @api.model
    def _action_open(self, domain, name):
        """The brews of ``domain``, as a window action (for smart buttons)."""
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": self._name,
            "view_mode": "list,form,graph,pivot",
            "domain": domain,
            "context": {"create": False},
        }

    @api.model
    def _counts_by(self, field, records):
        """``{record id: number of brews}`` of ``records`` by ``field``: of
        the brews the user may read."""
        ids = [i for i in records.ids if isinstance(i, int)]
        if not ids or not self.has_access("read"):
            return {}
        groups = self._read_group([(field, "in", ids)], [field], ["__count"])
        return {record.id: count for record, count in groups}
