# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.module import get_manifest
from odoo.tools.misc import format_datetime

from odoo.addons.connector.exception import MappingError
from odoo.addons.queue_job.delay import chain, group

from ...coffee_api import CoffeeClient, CoffeeError, shared_session
from ...coffee_api.client import validate_location
from ...components.mapper import parse_datetime

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "connector_coffee.coffee_connector_group_manager"
#: the backends, and the jobs of the backend of ``active_id``
BACKEND_ACTION = "connector_coffee.coffee_backend_action"
JOBS_ACTION = "connector_coffee.queue_job_action_coffee_backend"

#: bounds of the HTTP timeout (seconds) a backend may use
MIN_TIMEOUT = 1.0
MAX_TIMEOUT = 300.0
#: the most records an import job may bring in: one transaction holds them
MAX_JOB_SIZE = 10000


class CoffeeBackend(models.Model):
    """The connection to a coffee machine's REST API.

    The backend is the connection (its location and credentials); the
    machines are the appliances that API serves (``coffee.machine``). The
    backend is also the collection of the connector's components:
    ``backend.work_on(model)`` gives the components that import and export
    that model over this connection.
    """

    _name = "coffee.backend"
    _inherit = ["connector.backend", "mail.thread"]
    _description = "Coffee Machine Backend"
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
    )
    location = fields.Char(
        string="API Location",
        required=True,
        tracking=True,
        help="Base URL of the machine's REST API, such as "
        "https://coffee.example.com (the API lives under /api/v1).",
    )
    username = fields.Char(tracking=True)
    password = fields.Char(groups=MANAGER_GROUP, copy=False)
    api_key = fields.Char(
        string="API Key",
        groups=MANAGER_GROUP,
        copy=False,
        help="When set, the connector authenticates with this key "
        "(Bearer token) instead of the username and password.",
    )
    timeout = fields.Float(
        string="Timeout (s)",
        default=10.0,
        required=True,
        help="Connect and read timeout of every HTTP request, in seconds.",
    )
    verify_ssl = fields.Boolean(
        string="Verify TLS Certificate",
        default=True,
        groups=MANAGER_GROUP,
        help="Switch off only for a machine with a self-signed certificate "
        "on a trusted network.",
    )

    product_categ_id = fields.Many2one(
        comodel_name="product.category",
        string="Beverage Category",
        help="Category of the products made from the machine's beverages.",
    )
    page_size = fields.Integer(
        default=100,
        required=True,
        help="Records read per request (at most 500).",
    )
    job_size = fields.Integer(
        string="Records per Job",
        default=2000,
        required=True,
        help="Records one import job brings in and commits together: as many "
        "whole pages of an import as fit (at least one), or the records of as "
        "many webhook events. Larger jobs cost less per record; a job that "
        "fails imports all of them again.",
    )
    import_overlap = fields.Integer(
        string="Import Overlap (s)",
        default=300,
        required=True,
        help="Each import asks for the records changed since the previous "
        "import minus this many seconds, so that nothing changed while the "
        "previous one ran is missed.",
    )
    import_ids = fields.One2many(
        comodel_name="coffee.import",
        inverse_name="backend_id",
        string="Imports",
        help="One import per kind of record of the machine.",
    )
    machine_ids = fields.One2many("coffee.machine", "backend_id", string="Machines")
    job_pending_count = fields.Integer(compute="_compute_job_counts")
    job_failed_count = fields.Integer(compute="_compute_job_counts")
    webhook_secret = fields.Char(
        groups=MANAGER_GROUP,
        copy=False,
        help="Secret shared with the machine: it signs the events it sends to "
        "/connector_coffee/webhook/<backend id>. Without it, events are "
        "refused.",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        help="Where the machine sends its events.",
    )

    def _compute_job_counts(self):
        """The backend's pending and failed jobs: counted as superuser, so
        that a coffee manager without rights on the job queue sees them."""
        groups = (
            self.env["queue.job"]
            .sudo()
            ._read_group(
                [
                    ("coffee_backend_id", "in", self.ids),
                    (
                        "state",
                        "in",
                        (
                            "pending",
                            "enqueued",
                            "started",
                            "wait_dependencies",
                            "failed",
                        ),
                    ),
                ],
                ["coffee_backend_id", "state"],
                ["__count"],
            )
        )
        for backend in self:
            backend.job_pending_count = sum(
                n for b, state, n in groups if b.id == backend.id and state != "failed"
            )
            backend.job_failed_count = sum(
                n for b, state, n in groups if b.id == backend.id and state == "failed"
            )

    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        for backend in self:
            backend.webhook_url = (
                f"{base}/connector_coffee/webhook/{backend.id}" if backend.id else False
            )

    @api.constrains("page_size")
    def _check_page_size(self):
        for backend in self:
            if not 1 <= backend.page_size <= 500:
                raise ValidationError(
                    self.env._("The page size must be between 1 and 500.")
                )

    @api.constrains("job_size")
    def _check_job_size(self):
        for backend in self:
            if not 1 <= backend.job_size <= MAX_JOB_SIZE:
                raise ValidationError(
                    self.env._(
                        "The records per job must be between 1 and %(high)s.",
                        high=MAX_JOB_SIZE,
                    )
                )

    @api.constrains("location")
    def _check_location(self):
        """Refuse what the client would refuse, without echoing the location.

        An http(s) URL with a host name, without credentials, query or a bad
        port: a location may carry a password, which must not end in a
        message.
        """
        for backend in self:
            try:
                validate_location(backend.location)
            except CoffeeError as err:
                raise ValidationError(
                    self.env._(
                        "The API location of %(backend)s is not valid: %(error)s",
                        backend=backend.name,
                        error=err,
                    )
                ) from None

    @api.constrains("timeout")
    def _check_timeout(self):
        for backend in self:
            if not MIN_TIMEOUT <= backend.timeout <= MAX_TIMEOUT:
                raise ValidationError(
                    self.env._(
                        "The timeout of %(backend)s must be between %(low)s and "
                        "%(high)s seconds.",
                        backend=backend.name,
                        low=MIN_TIMEOUT,
                        high=MAX_TIMEOUT,
                    )
                )

    # ------------------------------------------------------------------
    # Connection
    # ------------------------------------------------------------------

    def _coffee_client(self):
        """A :class:`CoffeeClient` for this backend's API, on this thread's
        HTTP session of the backend (kept from one client to the next).

        Credentials are read as superuser: jobs run as the user who triggered
        them, who may not see them.
        """
        self.ensure_one()
        backend = self.sudo()
        version = get_manifest("connector_coffee")["version"]
        # the jobs of a worker's thread, one after the other, go on with the
        # connection the previous one left open to the machine
        session = shared_session(
            (self.env.cr.dbname, backend.id, backend.location, backend.verify_ssl)
        )
        return CoffeeClient(
            backend.location,
            username=backend.username or None,
            password=backend.password or None,
            api_key=backend.api_key or None,
            timeout=backend.timeout,
            verify=backend.verify_ssl,
            user_agent=f"connector_coffee/{version}",
            session=session,
        )

    @contextmanager
    def work_on(self, model_name, **kwargs):
        """Work context of the connector, with one HTTP client for all of it."""
        with self._coffee_client() as client:
            with super().work_on(model_name, coffee_client=client, **kwargs) as work:
                yield work

    def _check_manager_access(self, operation="read"):
        """Refuse a caller who may not run these backends, before anything
        reaches a machine.

        The caller must be a coffee manager allowed ``operation`` on every
        backend (access rights and company rules). A backend the caller may
        not see and one that does not exist give the same answer, so that
        backend ids cannot be probed.

        :raise AccessError: otherwise
        """
        if self.env.su:
            return
        allowed = self.env.user.has_group(MANAGER_GROUP) and len(self.exists()) == len(
            self
        )
        if allowed:
            try:
                self.check_access(operation)
            except AccessError:
                allowed = False
        if not allowed:
            raise AccessError(
                self.env._("You are not allowed to use this coffee backend.")
            )

    def check_connection(self):
        """Button: ask the machine for its status and say how it went.

        Coffee managers only.

        :return: a notification action telling the machine's API version
        :raise UserError: with the reason when the machine cannot be reached
        """
        self._check_manager_access()
        self.ensure_one()
        try:
            with self._coffee_client() as client:
                status = client.status()
        except CoffeeError as err:
            raise UserError(
                self.env._(
                    "Cannot connect to %(backend)s: %(error)s",
                    backend=self.name,
                    error=err,
                )
            ) from err
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Connection works"),
                "message": self.env._(
                    "%(backend)s answers: API version %(version)s, machine time "
                    "%(time)s.",
                    backend=self.name,
                    version=status.get("api_version"),
                    time=self._user_time(status.get("server_time")),
                ),
                "sticky": False,
            },
        }

    def _user_time(self, value):
        """An ISO 8601 time of the machine, in the user's time zone and
        language (with the zone's name), or as is when it is no date."""
        try:
            moment = parse_datetime(value)
        except MappingError:
            moment = None
        if not moment:
            return value or "?"
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
        return f"{format_datetime(self.env, moment, tz=tz, dt_format='medium')} ({tz})"

    # ------------------------------------------------------------------
    # Imports
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        backends = super().create(vals_list)
        backends._ensure_imports()
        return backends

    def _ensure_imports(self):
        """Give each backend its ``coffee.import`` of every entity."""
        values = [v for b in self for v in self.env["coffee.import"]._entity_values(b)]
        if values:
            self.env["coffee.import"].create(values)

    def _coffee_import(self, resource):
        """The import of the entity ``resource`` (e.g. ``"brews"``)."""
        self.ensure_one()
        self._ensure_imports()
        return self.import_ids.filtered(lambda i: i.resource == resource)

    def _enqueue_imports(self, *resources):
        """Enqueue the imports of the given entities, each on its own."""
        for backend in self:
            for resource in resources:
                backend._coffee_import(resource)._enqueue()
        return True

    def sync_all(self):
        """Button: enqueue every import, and say what was queued.

        Coffee managers only.

        :return: a notification action naming the imports and counting their
            jobs, with a link to them for who may see the job queue
        """
        self._check_manager_access("write")
        before = self._job_ids()
        self._sync_all()
        jobs = self._job_ids() - before
        labels = self.import_ids.mapped(
            lambda i: dict(i._fields["resource"]._description_selection(self.env))[
                i.resource
            ]
        )
        params = {
            "type": "info",
            "title": self.env._("Synchronisation queued"),
            "message": self.env._(
                "Jobs queued: %(count)s, to import %(what)s.",
                what=", ".join(dict.fromkeys(labels)),
                count=len(jobs),
            ),
            "next": {"type": "ir.actions.client", "tag": "soft_reload"},
        }
        if len(self) == 1 and self.env.user.has_group(
            "queue_job.group_queue_job_manager"
        ):
            params["message"] += " %s"
            params["links"] = [
                {
                    "label": self.env._("See the jobs"),
                    "url": f"/odoo/action-{BACKEND_ACTION}/{self.id}"
                    f"/action-{JOBS_ACTION}",
                }
            ]
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": params,
        }

    def _job_ids(self):
        """The ids of the backends' jobs (as superuser: counts only)."""
        return set(
            self.env["queue.job"]
            .sudo()
            .search([("coffee_backend_id", "in", self.ids)])
            .ids
        )

    def _sync_all(self):
        """Enqueue every import: the last entity once the others are in.

        Machines, beverages and users are imported side by side, then the
        brews, which refer to them: the brews' pages then find them all in
        Odoo instead of importing them one by one.
        """
        for backend in self:
            backend._ensure_imports()
            backend.import_ids._start()
            *others, last = (imp._job() for imp in backend.import_ids)
            chain(group(*others), last).delay()
        return True

    @api.model
    def _scheduler_sync(self):
        """Cron: synchronise every active backend, and check where each
        machine sends its events (a machine that does not tell stops
        nothing)."""
        backends = self.search([("active", "=", True)])
        _logger.info("coffee sync of %d backends", len(backends))
        backends._sync_all()
        backends._check_webhook_target()

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------

    def action_open_jobs(self):
        """Button: the backend's pending and failed jobs."""
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(JOBS_ACTION)
        action["domain"] = [("coffee_backend_id", "=", self.id)]
        action["context"] = {
            "search_default_pending": 1,
            "search_default_failed": 1,
            "active_id": self.id,
        }
        return action
