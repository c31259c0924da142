# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The busy watchdog: when Odoo is busy for too long, pour a coffee.

A cron looks at queue_job: jobs that have waited (pending, enqueued) or run
(started) longer than the backend's threshold mean that Odoo is busy. Then
the backend pours one coffee for its responsible person, at most once per
cool-down, and says why in its chatter.
"""

from datetime import timedelta

from odoo import api, fields, models

#: job states that mean "waiting" and "running"
WAITING = ("pending", "enqueued")
RUNNING = ("started",)


class CoffeeBackend(models.Model):
    _inherit = "coffee.backend"

    watchdog_enabled = fields.Boolean(
        string="Busy Watchdog",
        help="Pour a coffee for the responsible person when jobs have waited "
        "or run longer than the threshold.",
    )
    watchdog_user_id = fields.Many2one(
        comodel_name="res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Who gets the coffee when Odoo is busy for too long.",
    )
    watchdog_threshold = fields.Integer(
        string="Busy After (min)",
        default=10,
        help="Jobs waiting or running longer than this many minutes mean "
        "that Odoo is busy.",
    )
    watchdog_cooldown = fields.Integer(
        string="Cool-down (min)",
        default=60,
        help="At most one coffee per this many minutes.",
    )
    watchdog_last_pour = fields.Datetime(string="Last Watchdog Coffee", readonly=True)

    def _busy_jobs(self, now):
        """Jobs that have waited or run longer than the threshold."""
        self.ensure_one()
        limit = now - timedelta(minutes=self.watchdog_threshold)
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    "|",
                    "&",
                    ("state", "in", WAITING),
                    ("date_created", "<", limit),
                    "&",
                    ("state", "in", RUNNING),
                    ("date_started", "<", limit),
                ]
            )
        )

    def _watchdog_cooling_down(self, now):
        self.ensure_one()
        return self.watchdog_last_pour and self.watchdog_last_pour > now - timedelta(
            minutes=self.watchdog_cooldown
        )

    @api.model
    def _scheduler_watchdog(self):
        """Cron: pour a coffee on each backend whose watchdog sees a busy Odoo."""
        now = fields.Datetime.now()
        backends = self.search([("watchdog_enabled", "=", True)])
        for backend in backends:
            if backend._watchdog_cooling_down(now) or not backend.watchdog_user_id:
                continue
            busy = backend._busy_jobs(now)
            if busy:
                backend._watchdog_pour(busy, now)

    def _watchdog_pour(self, busy, now):
        self.ensure_one()
        partner = self.watchdog_user_id.partner_id
        self.pour_coffee(partner)
        self.watchdog_last_pour = now
        oldest = min(busy.mapped("date_created"))
        self.message_post(
            body=self.env._(
                "Odoo is busy: jobs waiting or running for longer than the "
                "threshold (%(minutes)s min): %(count)s, the oldest since "
                "%(oldest)s UTC. A coffee is on its way for %(partner)s.",
                count=len(busy),
                minutes=self.watchdog_threshold,
                oldest=oldest,
                partner=partner.display_name,
            )
        )
