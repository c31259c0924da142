# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test helpers: a coffee machine simulator on 127.0.0.1 and a backend on it.

Every test talks to a real simulator over HTTP. Jobs are trapped with
queue_job's ``trap_jobs`` and performed with :meth:`CoffeeCase.perform_jobs`,
which also performs the jobs they enqueue and retries retryable failures as
the job runner would (without waiting).
"""

import threading
import traceback
from collections import deque
from contextlib import contextmanager
from urllib.parse import urlsplit

from coffee_simulator import CoffeeSimulator

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import common as odoo_tests_common

from odoo.addons.component.tests.common import TransactionComponentCase
from odoo.addons.queue_job.exception import RetryableJobError

# queue_job's test helpers register themselves in SETATTR_SOURCES, which
# Odoo 18.0 builds older than mid-2025 do not have: give them an empty one.
if not hasattr(odoo_tests_common, "SETATTR_SOURCES"):
    odoo_tests_common.SETATTR_SOURCES = {}

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from ..models.coffee_backend.location import ALLOW_LOCAL_PARAM

SIM_USER = "barista"
SIM_PASSWORD = "s3cret-beans"
SIM_API_KEY = "k3y-of-the-machine"


def allow_local_locations(env):
    """Let backends point at 127.0.0.1, where the tests run the simulator."""
    env["ir.config_parameter"].sudo().set_param(ALLOW_LOCAL_PARAM, "True")


def start_simulator(**options):
    """A simulator on 127.0.0.1 with the test credentials, started.

    :param options: further options of :class:`CoffeeSimulator` (sizes of
        its seeded data, seed...)
    """
    options = {"seed": 7, **options}
    return CoffeeSimulator(
        host="127.0.0.1",
        port=0,
        username=SIM_USER,
        password=SIM_PASSWORD,
        api_key=SIM_API_KEY,
        **options,
    ).start()


def backend_on(env, simulator, **values):
    """A backend on ``simulator``, with the test credentials.

    Its import jobs import one page each (whatever its page size becomes),
    as the tests of the paging expect, unless ``job_size`` says otherwise.

    :param values: values of the backend besides (or instead of) the
        defaults below
    """
    return env["coffee.backend"].create(
        {
            "name": "Office espresso",
            "location": simulator.url,
            "username": SIM_USER,
            "password": SIM_PASSWORD,
            "timeout": 5,
            "page_size": 10,
            "job_size": 1,
            **values,
        }
    )


class JobRun:
    """What :func:`perform_jobs` did.

    ``performed``: the jobs done; ``retried`` and ``failed``: ``(job, error)``
    of each retry and of each final failure; ``blocked``: the jobs left
    waiting for a dependency that never ran.
    """

    def __init__(self):
        self.performed = []
        self.retried = []
        self.failed = []
        self.blocked = []

    @property
    def count(self):
        return len(self.performed)

    @property
    def retries(self):
        return len(self.retried)


def perform_jobs(
    env, trap, max_attempts=2000, raise_failures=True, on_retry=None, after_job=None
):
    """Perform the trapped jobs and those they enqueue, as the runner would.

    A job that asks to be retried goes back to the end of the queue, so
    that the jobs enqueued meanwhile (its dependencies) run first;
    ``job.perform()`` itself turns the last retry into a
    ``FailedJobError`` once the job's ``max_retries`` is reached. As in
    queue_job, a job is not enqueued while a job of the same identity key
    waits, a job waits until the jobs it depends on are done, and a job
    that fails for good has its on-fail hook called.

    :param trap: the ``JobsTrap``
    :param max_attempts: safety bound on the attempts
    :param raise_failures: re-raise a job's final failure; else collect it
    :param on_retry: called before each retry (the time that passes for
        the job runner, e.g. the simulator finishing its brews)
    :param after_job: called after each job done, e.g. to commit it, as
        each job has a transaction of its own under the job runner; without
        it, each attempt runs in a savepoint, rolled back when it fails
    :return: a :class:`JobRun`
    """
    run = JobRun()
    queue = deque()
    done = set()
    for __ in range(max_attempts):
        if trap.enqueued_jobs:
            waiting = {j.identity_key for j in queue if j.identity_key}
            for job in sorted(trap.enqueued_jobs, key=lambda j: j.priority):
                if not job.identity_key:
                    queue.append(job)
                elif job.identity_key not in waiting:
                    queue.append(job)
                    waiting.add(job.identity_key)
            trap.enqueued_jobs = []
        if not queue:
            return run
        job = queue.popleft()
        if not job.depends_on <= done:
            # waits for its dependencies, as in state wait_dependencies
            if all(not other.depends_on <= done for other in queue):
                run.blocked = [job, *queue]
                return run
            queue.append(job)
            continue
        try:
            if after_job:
                job.perform()
                after_job()
            else:
                with env.cr.savepoint():
                    job.perform()
            run.performed.append(job)
            done.add(job)
        except RetryableJobError as err:
            run.retried.append((job, err))
            if on_retry:
                on_retry()
            queue.append(job)
        except Exception as err:  # pylint: disable=broad-except
            run.failed.append((job, err))
            # the job's on-fail hook, as the runner calls it
            values = RunJobController._get_failure_values(
                job, traceback.format_exc(), err
            )
            with env.cr.savepoint():
                job.on_fail(values)
            if raise_failures:
                raise
    raise AssertionError(
        f"jobs still asking to be retried after {max_attempts} attempts"
    )


def run_stored_job(env, record, retry_delays=False):
    """Run one job stored in the database as queue_job's runner does.

    The job is performed in a savepoint (its transaction); a retryable error
    puts it back to pending, until its retries are spent and it fails; a
    failure is stored with its message and traceback, then the job's on-fail
    hook runs; a job done lets the jobs that wait for it run. Delays (ETA)
    are not waited for.

    :param record: the ``queue.job``
    :param retry_delays: a job to retry is due again after the delay the
        error or the job's retry pattern asks for, as under the job runner;
        else at once
    """
    job = Job.load(env, record.uuid)
    # started, as the job runner marks it before performing it
    job.set_started()
    job.store()
    try:
        with env.cr.savepoint():
            job.perform()
            job.set_done()
            job.store()
    except RetryableJobError as err:
        job.postpone(result=str(err), seconds=err.seconds if retry_delays else 0)
        job.set_pending(reset_retry=False)
        job.store()
    except Exception as err:  # pylint: disable=broad-except
        values = RunJobController._get_failure_values(job, traceback.format_exc(), err)
        job.set_failed(**values)
        job.store()
        job.on_fail(values)
    else:
        job.enqueue_waiting()


def run_stored_jobs(env, backend, max_rounds=100, due_only=False):
    """Run a backend's stored jobs (:func:`run_stored_job`) until none is
    pending.

    Unlike :func:`perform_jobs`, which performs trapped jobs, this works on
    the ``queue.job`` records, as the job runner does.

    :param backend: the ``coffee.backend`` whose jobs run; None: the jobs of
        every coffee backend
    :param max_rounds: safety bound on the rounds over the pending jobs
    :param due_only: only the jobs whose ETA has come, and a job to retry
        due after its retry delay, as under the job runner; else the delays
        are not waited for
    :return: the ``queue.job`` records that ran
    """
    ran = env["queue.job"]
    domain = [("state", "in", ("pending", "enqueued"))]
    if backend is None:
        domain.append(("coffee_backend_id", "!=", False))
    else:
        domain.append(("coffee_backend_id", "=", backend.id))
    for __ in range(max_rounds):
        search = domain
        if due_only:
            now = fields.Datetime.now()
            search = domain + ["|", ("eta", "=", False), ("eta", "<=", now)]
        pending = env["queue.job"].search(search, order="priority, id")
        if not pending:
            return ran
        ran |= pending
        for record in pending:
            run_stored_job(env, record, retry_delays=due_only)
    raise AssertionError(f"jobs still pending after {max_rounds} rounds")


class BackgroundJobRunner:
    """queue_job's job runner, in a thread of the test: see :func:`jobs_in_background`.

    ``rounds``: how many times it looked for jobs; ``ran``: the ids of the
    jobs it ran; ``errors``: the tracebacks of what broke the runner itself
    (not the jobs' own failures, which are stored on the jobs).
    """

    def __init__(self, registry, backend_id=None, interval=0.2):
        self.registry = registry
        self.backend_id = backend_id
        self.interval = interval
        self.rounds = 0
        self.ran = []
        self.errors = []
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="coffee-test-job-runner", daemon=True
        )

    def _loop(self):
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # pylint: disable=broad-except
                self.errors.append(traceback.format_exc())
                return
            self._stop.wait(self.interval)

    def run_once(self):
        """Run the jobs that are due, in a transaction of their own."""
        # in an HttpCase, a test cursor on the test's transaction, taken in
        # turn with the browser's requests
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            backend = None
            if self.backend_id:
                backend = env["coffee.backend"].browse(self.backend_id)
            ran = run_stored_jobs(env, backend, due_only=True)
            self.ran += ran.ids
        self.rounds += 1

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout=30):
        """Stop after the current round; raise what broke the runner."""
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"the job runner still runs after {timeout} s")
        if self.errors:
            raise AssertionError(f"the job runner broke:\n{self.errors[0]}")


@contextmanager
def jobs_in_background(registry, backend=None, interval=0.2):
    """Run the stored jobs as queue_job's runner does while the block runs.

    A thread looks for the jobs that are due every ``interval`` seconds and
    runs them (:func:`run_stored_jobs` with ``due_only``): each job as soon
    as it is pending, after its ETA when it has one, the jobs of a chain in
    turn. For a test whose browser works meanwhile (``start_tour``): in an
    ``HttpCase`` the runner's cursor is a test cursor on the test's
    transaction, used in turn with the browser's requests. The test's own
    cursor, on the same connection, must not be used in the block but under
    the registry's ``test_lock`` (as ``TourCase.authenticate`` does);
    invalidate its cache after the block.

    :param registry: the test's registry
    :param backend: the ``coffee.backend`` whose jobs run; None: those of
        every coffee backend (also backends made in the block)
    :return: the :class:`BackgroundJobRunner`
    """
    runner = BackgroundJobRunner(
        registry, backend.id if backend else None, interval
    ).start()
    try:
        yield runner
    finally:
        runner.stop()


class SimulatorRequestsMixin:
    """Let requests to the simulator on 127.0.0.1 keep their own timeout.

    Odoo's test mode raises every timeout under 10 s to 10 s, which would
    hide whether the connector honours the backend's timeout. Requests to
    any other host than 127.0.0.1 are still blocked by Odoo.
    """

    @classmethod
    def _request_handler(cls, session, request, /, **kwargs):
        if urlsplit(request.url).hostname == "127.0.0.1":
            return odoo_tests_common._super_send(session, request, **kwargs)
        return super()._request_handler(session, request, **kwargs)


class CoffeeCase(SimulatorRequestsMixin, TransactionComponentCase):
    """A backend on a fresh simulator for each test."""

    #: sizes of the simulator's seeded data; override in test classes
    simulator_options = {"machines": 4, "beverages": 5, "users": 6, "brews": 30}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        allow_local_locations(cls.env)

    def setUp(self):
        super().setUp()
        self.simulator = self.start_simulator(**self.simulator_options)
        self.backend = backend_on(self.env, self.simulator)

    def start_simulator(self, **options):
        """Start a simulator for this test, stopped at its end."""
        simulator = start_simulator(**options)
        self.addCleanup(simulator.stop)
        return simulator

    @contextmanager
    def trap(self):
        """Trap the jobs enqueued in the block (queue_job's ``trap_jobs``)."""
        with trap_jobs() as trap:
            yield trap

    def perform_jobs(self, trap, **options):
        """Perform the trapped jobs as the runner would: see :func:`perform_jobs`."""
        return perform_jobs(self.env, trap, **options)

    def register_drinker(self, partner):
        """Make ``partner`` a user of the test's machine (exported to it)."""
        with self.trap() as trap:
            partner.coffee_backend_ids |= self.backend
            self.perform_jobs(trap)

    def bindings(self, model):
        """All the bindings of ``model`` on the test's backend."""
        return (
            self.env[model]
            .with_context(active_test=False)
            .search([("backend_id", "=", self.backend.id)])
        )

    def bindings_by_machine_id(self, model):
        """``{machine id: binding}`` of ``model`` on the test's backend."""
        return {binding.coffee_id: binding for binding in self.bindings(model)}

    def sync(self, *what):
        """Enqueue the given imports of the backend and perform them.

        :param what: "machines", "beverages", "users", "brews"
        :return: a :class:`JobRun`
        """
        with self.trap() as trap:
            for name in what:
                self.backend._enqueue_imports(name)
            return self.perform_jobs(trap)
