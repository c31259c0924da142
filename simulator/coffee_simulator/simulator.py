# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A coffee machine speaking the REST API v1, for demos and tests.

Usage from Python::

    from coffee_simulator import CoffeeSimulator

    with CoffeeSimulator(port=0, seed=1) as sim:
        client = CoffeeClient(sim.url, "coffee", "coffee")

or from the command line (prints ``Coffee machine simulator serving on URL``)::

    python -m coffee_simulator --port 8089 --faults 503:0.05,latency:0.2

Besides the API v1 under ``/api/v1`` it serves control endpoints (same
auth) under ``/admin``: ``GET /admin/counters``, ``POST
/admin/counters/reset``, ``GET|PUT /admin/faults {"spec"}``, ``POST
/admin/fail-next {kind, count, path, method, delay}``, ``POST /admin/advance
{steps}``, ``PUT /admin/webhook {url, secret, batch}``, ``GET|POST
/admin/records/<resource>``, ``PUT /admin/records/<resource>/<id>``. Faults
never hit ``/admin``.
"""

import logging
import threading
from collections import Counter

from .brewing import BrewingStore
from .faults import FaultPlan
from .schema import RESOURCES
from .seeding import seed_store
from .server import SimulatorApp, SimulatorHTTPServer
from .webhooks import WebhookSender

_logger = logging.getLogger(__name__)

__all__ = ["CoffeeSimulator"]


class CoffeeSimulator:
    """A simulated coffee machine serving the REST API v1 over HTTP.

    :param host: interface to listen on
    :param port: TCP port, 0 for a free one
    :param username: HTTP Basic user name
    :param password: HTTP Basic password
    :param api_key: API key accepted as ``Authorization: Bearer``
    :param seed: seed of the generated data and of the random faults
    :param machines: number of seeded machines
    :param beverages: number of seeded beverages
    :param users: number of seeded users
    :param brews: number of seeded brews
    :param history_days: spread the seeded brews over this many days up to
        the hour before now; None: 30 seconds apart from a fixed epoch
    :param faults: fault spec, see :func:`.faults.parse_fault_spec`
    :param brew_seconds: brews finish on a clock after this many seconds;
        None: they advance only on :meth:`advance_brews`
    :param webhook_url: URL receiving the webhook events
    :param webhook_secret: HMAC secret signing the webhook bodies
    :param readonly_api_key: an API key allowed to GET only (else 403)
    :param webhook_batch: the most events of one webhook delivery (1: one
        POST each)
    """

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        username="coffee",
        password="coffee",
        api_key="coffee-api-key",
        seed=1,
        machines=4,
        beverages=8,
        users=10,
        brews=50,
        history_days=None,
        faults=None,
        brew_seconds=None,
        webhook_url=None,
        webhook_secret=None,
        readonly_api_key=None,
        webhook_batch=1,
    ):
        self.host = host
        self.port = int(port)
        self.username = username
        self.password = password
        self.api_key = api_key
        self.readonly_api_key = readonly_api_key
        self._stop = threading.Event()
        self._webhooks = WebhookSender(self._stop)
        self._webhooks.configure(webhook_url, webhook_secret, webhook_batch)
        self.store = BrewingStore(
            brew_seconds=float(brew_seconds) if brew_seconds else None,
            on_event=self._webhooks.enqueue,
        )
        seed_store(
            self.store,
            seed=seed,
            counts={
                "machines": machines,
                "beverages": beverages,
                "users": users,
                "brews": brews,
            },
            history_days=history_days,
        )
        self.faults = FaultPlan(seed)
        self.faults.set_spec(faults)
        self._counters = Counter()
        self._counters_lock = threading.Lock()
        self._server = None
        self._threads = []

    def __enter__(self):
        if self._server is None:
            self.start()
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.stop()

    @property
    def url(self):
        """The base URL to give the client as location, e.g. http://127.0.0.1:41234."""
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        host = self.host if self.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    # -- life cycle --------------------------------------------------------

    def _spawn(self, target, name):
        """Start a daemon thread and remember it."""
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def start(self):
        """Listen and serve in daemon threads.

        :return: self
        """
        self._stop.clear()
        self._server = SimulatorHTTPServer((self.host, self.port), SimulatorApp(self))
        self.port = self._server.server_address[1]
        self._spawn(
            lambda: self._server.serve_forever(poll_interval=0.05), "coffee-sim-http"
        )
        self._webhooks.start()
        if self.store.brew_seconds:
            self._spawn(self._run_clock, "coffee-sim-clock")
        _logger.info("coffee machine simulator serving on %s", self.url)
        return self

    def stop(self):
        """Stop serving and close every connection (idempotent)."""
        server, self._server = self._server, None
        self._stop.set()
        if server is not None:
            server.shutdown()
            server.close_connections()
            server.server_close()
        for thread in self._threads:
            thread.join(2.0)
        self._threads = []
        self._webhooks.join(2.0)

    def _run_clock(self):
        """Advance the brews on the clock until stopped."""
        interval = min(0.05, self.store.brew_seconds / 4)
        while not self._stop.wait(interval):
            self.store.tick()

    def sleep(self, seconds):
        """Wait ``seconds`` or until the simulator stops."""
        self._stop.wait(seconds)

    # -- counters ------------------------------------------------------------

    def count(self, key):
        """Increment a request counter."""
        with self._counters_lock:
            self._counters[key] += 1

    def count_fault(self, kind):
        """Count an injected fault (key ``fault <kind>``)."""
        self.count(f"fault {kind}")

    def counters(self):
        """Return the counters.

        :return: dict with ``total`` (API requests), one key per endpoint
            such as ``GET /brews`` or ``GET /brews/{id}``, ``pours`` (brews
            really started through the API), ``fault <kind>`` and
            ``connections`` (TCP connections accepted: fewer than the
            requests when clients keep theirs open)
        """
        with self._counters_lock:
            result = dict(self._counters)
        result.setdefault("total", 0)
        result["pours"] = self.store.pours
        return result

    def reset_counters(self):
        """Reset every counter, pours included."""
        with self._counters_lock:
            self._counters.clear()
        with self.store.lock:
            self.store.pours = 0

    # -- faults --------------------------------------------------------------

    def set_faults(self, spec):
        """Replace the random faults.

        :param spec: e.g. ``"503:0.05,429:0.05,latency:0.2"``, a dict or None
        """
        self.faults.set_spec(spec)

    def fail_next(self, kind, count=1, path=None, method=None, delay=None):
        """Make the next ``count`` API requests fail deterministically.

        :param kind: 500, 503, 429, drop, malformed, latency or duplicate
        :param count: number of requests
        :param path: only requests whose path starts with it (``/brews``)
        :param method: only requests of this method
        :param delay: seconds for ``latency`` (default 1.0)
        """
        self.faults.fail_next(kind, count=count, path=path, method=method, delay=delay)

    # -- data --------------------------------------------------------------

    def records(self, resource):
        """Return copies of the records of a resource, ordered by id.

        :param resource: machines, beverages, users or brews
        :return: list of dicts
        """
        self._check_resource(resource)
        return self.store.records_copy(resource)

    def add_record(self, resource, **values):
        """Create a record server-side (defaults fill the missing fields).

        :return: the new record
        """
        return self.store.add_record(resource, values)

    def update_record(self, resource, record_id, **values):
        """Change a record server-side; bumps updated_at and sends webhooks.

        :return: the updated record
        """
        self._check_resource(resource)
        return self.store.update_record(resource, int(record_id), values)

    def delete_record(self, resource, record_id):
        """Delete a record server-side."""
        self._check_resource(resource)
        self.store.delete(resource, int(record_id))

    def advance_brews(self, steps=2):
        """Advance the pending brews (queued -> brewing -> done).

        :param steps: states to advance; the default 2 finishes them
        :return: dict ``{"changed": [ids], "finished": [ids]}``
        """
        return self.store.advance_brews(steps)

    def set_webhook(self, url, secret=None, batch=1):
        """Send the webhook events to ``url`` signed with ``secret``.

        :param url: http(s) URL, or None to stop sending
        :param secret: HMAC-SHA256 secret
        :param batch: the most events of one delivery (1: one POST each;
            more: the events waiting together go as one burst)
        """
        self._webhooks.configure(url, secret, batch)

    def webhook_target(self):
        """Return where the webhook events go and the last delivery there.

        :return: dict ``{"url", "last_delivery": None or {"at", "status",
            "error"}}`` (see ``GET /webhook``)
        """
        return self._webhooks.target()

    def webhook_deliveries(self):
        """Return the delivered webhook events with their status or error."""
        return self._webhooks.delivered()

    @staticmethod
    def _check_resource(resource):
        """Raise ValueError for an unknown resource."""
        if resource not in RESOURCES:
            raise ValueError(f"unknown resource {resource!r}")
