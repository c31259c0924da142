# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The measuring half of ``make bench``, run by ``bench.py`` inside Odoo.

Run with the interpreter that imports Odoo 18, on a database where
``connector_coffee`` is installed (``bench.py`` makes a throwaway one)::

    python scripts/bench_worker.py --config odoo.conf --database db \\
        --sizes 1000,10000 --output figures.json

For each size N it starts a coffee machine simulator in this process, seeded
with N brews (the same seed for every size, so the smaller data is the start
of the larger), makes a backend on it with a page size of 500, imports its
machines, beverages and users, and then measures, on the same brews:

floor
    ``env["coffee.brew"].create(values)`` of the values the import writes,
    mapped beforehand: the ORM's own cost of storing the brews;
batch import
    ``backend._enqueue_imports("brews")`` with queue_job's ``trap_jobs``, then the
    trapped jobs and those they enqueue performed in this process, one
    transaction per job as the job runner does;
batch update
    the same import again, every brew being older in Odoo than on the
    machine: the import writes them all;
per record
    ``env["coffee.brew"]._import_record(backend, id)`` for each id, one
    transaction each: the path of the webhook, one GET per record.

The first three, and the write floor, are measured ``--repeat`` times in
turns, each path right before or right after its floor (the order changing
from turn to turn), and the run of median time counts; ``bench.py`` works
out the ratio of a path to its floor turn by turn and takes their median.
Each measurement starts from the same state (no brew in the database, or
all of them for the update), and its database work is flushed and committed
inside the timing. Figures: wall time, HTTP requests and the TCP
connections they took (the simulator's counters), SQL queries (the cursor's
``sql_log_count``) and the growth of the peak resident memory (Linux's
``VmHWM``, reset before each measurement).

Each turn also measures the write floor: ``write(values)`` of the values the
batch update writes, on the same bindings, flushed and committed, which the
batch update is compared with. The values mapped for the floors are kept out
of the garbage collector's way (``gc.freeze()``) while measuring: a job
runner holds no such data for it to go through.

Then the export: 1,000 machine users imported (bound and on the machine),
their partners each renamed three times, counting the export jobs enqueued and
the HTTP requests of performing them, and the time a single change takes to
reach the machine.

Then the webhook: 1,000 ``brew.finished`` events of a machine's 1,000 brews,
POSTed in one burst to the addon's controller, served by Odoo's own HTTP
server in this process, signed as the machine signs them and delivered as
the machine delivers a burst (one delivery per 500 events or 60 KiB); the
jobs they enqueue are run as the job runner runs them (one transaction each,
stored in the database), and the time from the first event to the last
binding is compared with the batch import of the same 1,000 brews, measured
in turns with it, its jobs stored and run the same way. The same events as
1,000 single POSTs, and a single event, are measured once.

The database is a throwaway one: the measurements commit, and each deletes
what it created before the next one.
"""

import argparse
import cProfile
import ctypes
import ctypes.util
import gc
import json
import os
import platform
import re
import resource
import sys
import threading
import time
import uuid
from contextlib import contextmanager

import psycopg2
import requests

import odoo
from odoo import api, fields
from odoo.modules.registry import Registry
from odoo.sql_db import connection_info_for
from odoo.tools import config


def helpers():
    """The test helpers of the addon: the simulator with the test
    credentials, a backend on it, queue_job's ``trap_jobs`` and the job
    runner of the tests (importable once the addons path is set)."""
    from odoo.addons.connector_coffee.tests import common

    return common


def trap_jobs():
    """queue_job's ``trap_jobs``."""
    return helpers().trap_jobs()


PAGE_SIZE = 500
SEED = 1
#: the machine records the brews refer to, the same for every size
DEPENDENCIES = {"machines": 6, "beverages": 12, "users": 50}
#: what the batch update sets as the machine's last change of the brews
AGED = "2000-01-01 00:00:00"
EXPORT_PARTNERS = 1000
EXPORT_WRITES = 3
#: the per-record path makes one HTTP connection per record: past this many
#: records it is measured on the first ones and its figures scaled up
PER_RECORD_LIMIT = 10000
#: the webhook burst: events of this many brews
EVENT_BREWS = 1000
WEBHOOK_SECRET = "bench-webhook-secret"


def progress(message):
    """Write a progress line for ``bench.py`` to show."""
    sys.stdout.write(f"    {message}\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


@contextmanager
def profiling(profiler, path):
    """Profile the block with ``profiler`` (if any) into the file ``path``."""
    if profiler is None:
        yield
        return
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(path)


def _release_free_memory():
    """Collect garbage and give the freed heap back to the system.

    Without this the memory a measurement frees stays in the process, and
    the next measurement reuses it without its peak showing.
    """
    gc.collect()
    libc = ctypes.util.find_library("c")
    if libc:
        try:
            ctypes.CDLL(libc).malloc_trim(0)
        except (OSError, AttributeError):
            pass


def _rss_kib(key):
    """Read a memory figure (kB) of this process from /proc, or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss():
    """Reset the peak resident memory (Linux 4.0+); return whether it did."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


class Measure:
    """Wall time, HTTP requests, SQL queries and peak memory of a block.

    :param cr: the cursor the measured work runs on
    :param simulator: the simulator whose requests are counted
    """

    def __init__(self, cr, simulator):
        self.cr = cr
        self.simulator = simulator
        self.figures = {}

    @contextmanager
    def run(self, records):
        """Measure the block; the figures end up in :attr:`figures`.

        :param records: number of records the block imports
        """
        _release_free_memory()
        self.simulator.reset_counters()
        reset = _reset_peak_rss()
        rss_before = _rss_kib("VmRSS") if reset else None
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sql_before = self.cr.sql_log_count
        started = time.perf_counter()
        yield self
        seconds = time.perf_counter() - started
        sql = self.cr.sql_log_count - sql_before
        counters = self.simulator.counters()
        http = counters["total"]
        if reset and rss_before is not None:
            peak_kib = max(_rss_kib("VmHWM") - rss_before, 0)
        else:  # without the reset, only the process's peak is known
            peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            peak_kib = max(peak_kib - maxrss_before, 0)
        self.figures = {
            "records": records,
            "seconds": round(seconds, 4),
            "http": http,
            "connections": counters.get("connections", 0),
            "sql": sql,
            "peak_mib": round(peak_kib / 1024, 1),
        }


# --------------------------------------------------------------------------
# The bench
# --------------------------------------------------------------------------


class Bench:
    """The measurements, on one cursor of the throwaway database.

    :param registry: the database's registry
    """

    def __init__(self, registry):
        self.registry = registry
        self.cr = registry.cursor()
        self.env = api.Environment(self.cr, odoo.SUPERUSER_ID, {})
        self.dbname = registry.db_name
        #: the records per job of a new backend
        self.job_size = self.env["coffee.backend"].default_get(["job_size"])["job_size"]

    def close(self):
        self.cr.rollback()
        self.cr.close()

    # -- set up and clean up -------------------------------------------------

    def start_simulator(self, **counts):
        """A simulator on 127.0.0.1, seeded as every size of the bench."""
        return helpers().start_simulator(seed=SEED, **counts)

    def make_backend(self, simulator, name):
        """A backend on the simulator, with the bench's page size and the
        records per job a new backend has."""
        helpers().allow_local_locations(self.env)
        backend = helpers().backend_on(
            self.env,
            simulator,
            name=name,
            timeout=60,
            page_size=PAGE_SIZE,
            job_size=self.job_size,
        )
        self.cr.commit()
        return backend

    def perform_all(self, trap):
        """Perform the trapped jobs and those they enqueue, each ending with a
        commit and an empty cache, as under queue_job's job runner.

        :return: number of jobs performed
        """
        run = helpers().perform_jobs(self.env, trap, after_job=self.end_transaction)
        return run.count

    def end_transaction(self):
        """Commit, and forget the cache as a new transaction of a job would."""
        self.cr.commit()
        self.env.invalidate_all()

    def import_dependencies(self, backend, *what):
        """Import the machine records the brews refer to (not measured)."""
        with trap_jobs() as trap:
            for name in what:
                backend._enqueue_imports(name)
            self.perform_all(trap)

    def vacuum(self, *tables, analyze=True):
        """VACUUM (ANALYZE) tables, so that a measurement finds no dead rows."""
        __, info = connection_info_for(self.dbname)
        connection = psycopg2.connect(**info)
        try:
            connection.autocommit = True
            with connection.cursor() as cr:
                for table in tables:
                    cr.execute(f"VACUUM {'ANALYZE ' if analyze else ''}{table}")
        finally:
            connection.close()

    def delete_brews(self, backend):
        """Delete the brews of the backend: the next measurement starts clean.

        The table keeps the statistics of the brews it held (no ANALYZE), as
        the table of a database in service does: analysed empty, it would
        make PostgreSQL read every brew of the backend to find each page's,
        the first minute of a first import into a new database (until
        autovacuum analyses the table), not what the bench measures.
        """
        self.env.flush_all()
        self.cr.execute("DELETE FROM coffee_brew WHERE backend_id = %s", [backend.id])
        self.end_transaction()
        self.vacuum("coffee_brew", analyze=False)

    def brew_count(self, backend, aged=False):
        """Count the brews of the backend (only the aged ones with ``aged``)."""
        query = "SELECT count(*) FROM coffee_brew WHERE backend_id = %s"
        if aged:
            query += " AND coffee_updated_at = %s"
        self.cr.execute(query, [backend.id, AGED][: 1 + aged])
        return self.cr.fetchone()[0]

    def age_brews(self, backend):
        """Make every brew of the backend older than on the machine.

        The next import then writes them all again: the batch update.
        """
        self.env.flush_all()
        self.cr.execute(
            "UPDATE coffee_brew SET coffee_updated_at = %s WHERE backend_id = %s",
            [AGED, backend.id],
        )
        self.end_transaction()
        self.vacuum("coffee_brew")

    def mapped_values(self, backend):
        """The values the import writes for every brew of the machine.

        Read page by page from the machine and mapped by the addon's own
        importer and mapper, with the relations resolved.
        """
        return [vals for __, vals in self._mapped(backend, for_create=True)]

    def _mapped(self, backend, for_create):
        """``[(machine id, values)]`` of every brew, as the import maps them.

        :param for_create: the values of a creation, else of an update
        """
        values = []
        with backend.work_on("coffee.brew") as work:
            adapter = work.component(usage="backend.adapter")
            importer = work.component(usage="record.importer")
            page = 1
            now = fields.Datetime.now()
            while page:
                data = adapter.search_page(page=page, per_page=PAGE_SIZE)
                relations = importer._import_dependencies(data["items"])
                for record in data["items"]:
                    vals = importer._map_values(record, relations, for_create)
                    vals["sync_date"] = now
                    values.append((record["id"], vals))
                page = data.get("next_page")
        return values

    # -- the three paths -------------------------------------------------------

    def measure_floor(self, measure, values):
        """The ORM's floor: one create() of the mapped values, in the
        context the import creates them in (no chatter message for a new
        brew)."""
        from odoo.addons.connector_coffee.components.importer import CREATE_CONTEXT

        brews = self.env["coffee.brew"].with_context(**CREATE_CONTEXT)
        values = [dict(vals) for vals in values]
        with measure.run(len(values)):
            brews.create(values)
            self.env.flush_all()
            self.end_transaction()
        return measure.figures

    def measure_batch(self, measure, backend, size, profile=None):
        """Our import: the batch import's jobs, performed in process.

        :param profile: file where to write cProfile's statistics of it
        """
        backend._coffee_import("brews").since = False
        self.end_transaction()
        profiler = cProfile.Profile() if profile else None
        with measure.run(size), profiling(profiler, profile):
            with trap_jobs() as trap:
                backend._enqueue_imports("brews")
                self.end_transaction()
                jobs = self.perform_all(trap)
        measure.figures["jobs"] = jobs
        return measure.figures

    def measure_write_floor(self, measure, backend, values):
        """The ORM's floor of an update: write() of the values the batch
        update writes, on the same bindings, one call per binding (the
        values differ from brew to brew), flushed and committed.

        :param values: ``{machine id: values}``
        """
        brews = (
            self.env["coffee.brew"]
            .with_context(connector_no_export=True)
            .search([("backend_id", "=", backend.id)])
        )
        pairs = [(brew, values[brew.coffee_id]) for brew in brews]
        self.end_transaction()
        with measure.run(len(pairs)):
            for brew, vals in pairs:
                brew.write(vals)
            self.env.flush_all()
            self.end_transaction()
        return measure.figures

    def measure_per_record(self, measure, backend, ids):
        """The webhook's path: one _import_record (one GET) per id."""
        brews = self.env["coffee.brew"]
        with measure.run(len(ids)):
            for external_id in ids:
                brews._import_record(backend, external_id)
                self.end_transaction()
        return measure.figures

    def bench_size(self, size, options):
        """Measure the paths on ``size`` brews.

        The floor, the batch import, the batch update and the write floor
        are measured ``options.repeat`` times, in turns: the import and the
        floor one after the other, then the update and the write floor, the
        order changing from turn to turn. The run of median time of each is
        kept, with the times of all (in the order of the turns) and the
        highest memory peak.

        :param options: the worker's command line options
        :return: ``{"floor": figures, "batch": ..., "update": ...,
            "per_record": ...}``
        """
        simulator = self.start_simulator(brews=size, **DEPENDENCIES)
        try:
            backend = self.make_backend(simulator, f"Bench {size}")
            self.import_dependencies(backend, "machines", "beverages", "users")
            ids = [record["id"] for record in simulator.records("brews")]
            values = self.mapped_values(backend)
            updates = self.update_values(backend)
            self.end_transaction()
            check(len(values) == size, f"{len(values)} brews mapped, not {size}")
            # the floors' values are the bench's own: no job runner holds
            # hundreds of thousands of them, for the garbage collector to go
            # through whenever the measured code allocates
            gc.collect()
            gc.freeze()
            measure = Measure(self.cr, simulator)
            runs = {"floor": [], "batch": [], "update": [], "write_floor": []}
            for turn in range(1, options.repeat + 1):
                progress(
                    f"{size:,} brews, run {turn}/{options.repeat}: floor, batch "
                    "import, batch update, write floor"
                )
                profile = None
                if options.profile and turn == 1:
                    profile = os.path.join(options.profile, f"batch-{size}.prof")
                self.measure_turn(
                    turn, measure, backend, (values, updates), runs, profile
                )
                self.delete_brews(backend)
            del values, updates
            gc.unfreeze()
            result = {path: median_run(figures) for path, figures in runs.items()}

            if options.per_record_limit == 0:
                return result
            sample = ids[: options.per_record_limit]
            progress(
                f"{size:,} brews: per-record import"
                + (f" of the first {len(sample):,}" if len(sample) < size else "")
            )
            figures = self.measure_per_record(measure, backend, sample)
            check(self.brew_count(backend) == len(sample), "per record lost brews")
            if len(sample) < size:
                figures = scale(figures, size)
            result["per_record"] = figures
            self.delete_brews(backend)
            return result
        finally:
            simulator.stop()

    def measure_turn(self, turn, measure, backend, values, runs, profile=None):
        """Measure the batch import and its floor, then the batch update and
        its write floor: each path right before or right after its floor,
        the order changing from turn to turn, so that what the machine does
        at the moment weighs on both, and neither always finds the table as
        the other left it.

        :param turn: the turn's number, from 1
        :param values: the floor's values and the write floor's
        :param runs: ``{path: [figures of each turn]}``, added to
        :param profile: file where to write cProfile's statistics of the
            batch import
        """
        creates, updates = values
        size = len(creates)

        def floor():
            self.delete_brews(backend)
            runs["floor"].append(self.measure_floor(measure, creates))
            check(self.brew_count(backend) == size, "the floor lost brews")

        def batch():
            self.delete_brews(backend)
            runs["batch"].append(self.measure_batch(measure, backend, size, profile))
            check(self.brew_count(backend) == size, "the import lost brews")

        def update():
            self.age_brews(backend)
            runs["update"].append(self.measure_batch(measure, backend, size))
            check(self.brew_count(backend, aged=True) == 0, "brews not updated")

        def write_floor():
            self.age_brews(backend)
            runs["write_floor"].append(
                self.measure_write_floor(measure, backend, updates)
            )
            check(self.brew_count(backend, aged=True) == 0, "brews not written")

        for pair in ((floor, batch), (update, write_floor)):
            for measure_path in pair[:: 1 if turn % 2 else -1]:
                measure_path()

    def update_values(self, backend):
        """``{machine id: values}`` the batch update writes (the write floor's)."""
        return dict(self._mapped(backend, for_create=False))

    # -- export ---------------------------------------------------------------

    def bench_export(self):
        """Rename 1,000 exported partners 3 times; count jobs and requests.

        :return: the figures
        """
        simulator = self.start_simulator(
            machines=1, beverages=1, users=EXPORT_PARTNERS, brews=0
        )
        try:
            backend = self.make_backend(simulator, "Bench export")
            self.import_dependencies(backend, "users")
            users = self.env["coffee.res.partner"].search(
                [("backend_id", "=", backend.id)]
            )
            partners = users.odoo_id
            check(
                len(users) == EXPORT_PARTNERS and all(users.mapped("drinker")),
                "the machine users did not import as drinkers",
            )
            measure = Measure(self.cr, simulator)
            progress(
                f"export: {EXPORT_PARTNERS:,} partners written "
                f"{EXPORT_WRITES} times each"
            )
            with trap_jobs() as trap:
                with measure.run(EXPORT_PARTNERS):
                    for turn in range(1, EXPORT_WRITES + 1):
                        for partner in partners:
                            partner.write({"name": f"{partner.name} ({turn})"})
                    self.end_transaction()
                write_figures = measure.figures
                enqueued, calls = len(trap.enqueued_jobs), len(trap.calls)
                progress(f"export: performing the {enqueued:,} export jobs")
                with measure.run(enqueued):
                    jobs = self.perform_all(trap)
            perform_figures = measure.figures
            by_endpoint = simulator.counters()
            single = self.single_export(simulator, partners[0])
            return {
                "single_seconds": single,
                "partners": EXPORT_PARTNERS,
                "writes": EXPORT_PARTNERS * EXPORT_WRITES,
                "enqueue_calls": calls,
                "jobs": enqueued,
                "jobs_performed": jobs,
                "jobs_per_record": round(enqueued / EXPORT_PARTNERS, 3),
                "http": perform_figures["http"],
                "http_per_record": round(perform_figures["http"] / EXPORT_PARTNERS, 3),
                "http_by_endpoint": {
                    key: value
                    for key, value in by_endpoint.items()
                    if key not in ("total", "pours", "connections")
                },
                "write_seconds": write_figures["seconds"],
                "write_sql": write_figures["sql"],
                "export_seconds": perform_figures["seconds"],
                "export_sql": perform_figures["sql"],
            }
        finally:
            simulator.stop()

    def single_export(self, simulator, partner):
        """Seconds from a single change of a partner to its user on the machine:
        its transaction, then its job run as the job runner runs it."""
        name = f"{partner.name} (single)"
        started = time.perf_counter()
        with trap_jobs() as trap:
            partner.write({"name": name})
            self.end_transaction()
            self.perform_all(trap)
        seconds = time.perf_counter() - started
        user = next(u for u in simulator.records("users") if u["name"] == name)
        check(user["ref"] == str(partner.id), "the single change did not arrive")
        return round(seconds, 4)

    # -- webhook ----------------------------------------------------------------

    def serve_odoo(self):
        """Odoo's HTTP server in this process, on a free port of 127.0.0.1.

        :return: its base URL
        """
        from odoo.service.server import ThreadedWSGIServerReloadable

        config["dbfilter"] = f"^{re.escape(self.dbname)}$"
        server = ThreadedWSGIServerReloadable("127.0.0.1", 0, odoo.http.root)
        threading.Thread(
            target=server.serve_forever, name="bench-odoo-http", daemon=True
        ).start()
        return f"http://127.0.0.1:{server.server_address[1]}"

    def run_stored_jobs(self, backend):
        """Run the backend's stored jobs as the job runner does: each in a
        transaction of its own, those they enqueue after them.

        :return: the number of jobs run
        """
        count = 0
        while True:
            self.end_transaction()
            jobs = self.env["queue.job"].search(
                [
                    ("coffee_backend_id", "=", backend.id),
                    ("state", "in", ("pending", "enqueued")),
                ],
                order="priority, id",
            )
            if not jobs:
                return count
            for job in jobs:
                helpers().run_stored_job(self.env, job)
                self.end_transaction()
                count += 1

    def post_events(self, session, url, brew_ids, burst):
        """POST ``brew.finished`` events of the brews, signed as the machine
        signs them: in bursts (as a machine set to deliver bursts does) or
        one by one.

        :return: the number of POSTs
        """
        from coffee_simulator import webhooks

        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        events = [
            {
                "event_id": uuid.uuid4().hex,
                "type": "brew.finished",
                "id": brew_id,
                "occurred_at": now,
            }
            for brew_id in brew_ids
        ]
        if burst:
            deliveries = [
                (uuid.uuid4().hex, body) for __, body in webhooks.burst_bodies(events)
            ]
        else:
            deliveries = [
                (event.pop("event_id"), json.dumps(event).encode()) for event in events
            ]
        for event_id, body in deliveries:
            timestamp = int(time.time())
            answer = session.post(
                url,
                data=body,
                headers={
                    "Content-Type": "application/json",
                    webhooks.EVENT_ID_HEADER: event_id,
                    webhooks.TIMESTAMP_HEADER: str(timestamp),
                    webhooks.SIGNATURE_HEADER: webhooks.sign(
                        WEBHOOK_SECRET, body, timestamp, event_id
                    ),
                },
                timeout=60,
            )
            check(answer.status_code == 202, f"the webhook answered {answer.text}")
        return len(deliveries)

    def measure_stored_batch(self, measure, backend, size):
        """The batch import with its jobs stored and run as the job runner
        runs them, as the events' jobs are: the same bookkeeping for both."""
        backend._coffee_import("brews").since = False
        self.env["queue.job"].search([("coffee_backend_id", "=", backend.id)]).unlink()
        self.end_transaction()
        with measure.run(size):
            backend._enqueue_imports("brews")
            jobs = self.run_stored_jobs(backend)
        measure.figures["jobs"] = jobs
        return measure.figures

    def measure_events(self, measure, backend, session, url, ids, burst=True):
        """The webhook's path: events POSTed, then the jobs they enqueued.

        The time runs from the first event to the last binding committed.
        """
        self.env["queue.job"].search([("coffee_backend_id", "=", backend.id)]).unlink()
        self.end_transaction()
        with measure.run(len(ids)):
            posts = self.post_events(session, url, ids, burst)
            jobs = self.run_stored_jobs(backend)
        measure.figures.update(posts=posts, jobs=jobs)
        return measure.figures

    def bench_events(self, options):
        """1,000 brew.finished events in one burst, against the batch import
        of the same brews, in turns (the order changing from turn to turn);
        single POSTs and a single event once.

        :return: the figures
        """
        simulator = self.start_simulator(brews=EVENT_BREWS, **DEPENDENCIES)
        try:
            backend = self.make_backend(simulator, "Bench events")
            backend.webhook_secret = WEBHOOK_SECRET
            self.import_dependencies(backend, "machines", "beverages", "users")
            ids = [record["id"] for record in simulator.records("brews")]
            url = f"{self.serve_odoo()}/connector_coffee/webhook/{backend.id}"
            measure = Measure(self.cr, simulator)
            runs = {"batch": [], "events": []}
            with requests.Session() as session:
                for turn in range(1, options.repeat + 1):
                    progress(
                        f"webhook, run {turn}/{options.repeat}: batch import and "
                        f"a burst of {EVENT_BREWS:,} events"
                    )
                    paths = {
                        "batch": lambda: self.measure_stored_batch(
                            measure, backend, EVENT_BREWS
                        ),
                        "events": lambda: self.measure_events(
                            measure, backend, session, url, ids
                        ),
                    }
                    # in turns first and second, as the import and its floor
                    for path in list(paths)[:: 1 if turn % 2 else -1]:
                        self.delete_brews(backend)
                        runs[path].append(paths[path]())
                        check(
                            self.brew_count(backend) == EVENT_BREWS,
                            f"{path} lost brews",
                        )
                result = {path: median_run(figures) for path, figures in runs.items()}
                progress(f"webhook: {EVENT_BREWS:,} events POSTed one by one")
                self.delete_brews(backend)
                result["single_posts"] = self.measure_events(
                    measure, backend, session, url, ids, burst=False
                )
                check(self.brew_count(backend) == EVENT_BREWS, "events lost brews")
                self.delete_brews(backend)
                result["single_event"] = self.measure_events(
                    measure, backend, session, url, ids[:1], burst=False
                )
                check(self.brew_count(backend) == 1, "the single event lost its brew")
                self.delete_brews(backend)
            return result
        finally:
            simulator.stop()


def check(condition, message):
    """Stop the bench when a measurement did not do what it measures."""
    if not condition:
        raise RuntimeError(f"bench: {message}")


def best_run(runs):
    """The fastest run, with the times of all and the highest memory peak.

    :param runs: the figures of each run
    """
    result = dict(min(runs, key=lambda figures: figures["seconds"]))
    result["runs_seconds"] = [figures["seconds"] for figures in runs]
    result["peak_mib"] = max(figures["peak_mib"] for figures in runs)
    return result


def median_run(runs):
    """The run of median time, with the times of all and the highest
    memory peak.

    The times of each turn stay in ``runs_seconds``, in the order of the
    turns, for the ratio of a path to its floor to be worked out turn by
    turn (``bench.py``). With an even number of runs, the faster of the two
    middle ones.

    :param runs: the figures of each run
    """
    ordered = sorted(runs, key=lambda figures: figures["seconds"])
    result = dict(ordered[(len(ordered) - 1) // 2])
    result["runs_seconds"] = [figures["seconds"] for figures in runs]
    result["peak_mib"] = max(figures["peak_mib"] for figures in runs)
    return result


def scale(figures, size):
    """Scale figures measured on a sample of the records up to ``size``."""
    factor = size / figures["records"]
    scaled = dict(figures, records=size, sampled=figures["records"])
    for key in ("seconds", "http", "sql"):
        scaled[key] = round(figures[key] * factor, 4)
    return scaled


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--database", required=True)
    parser.add_argument("--sizes", default="1000,10000", help="brews per run")
    parser.add_argument(
        "--per-record-limit",
        type=int,
        default=PER_RECORD_LIMIT,
        help="measure the per-record path on at most this many brews and scale "
        "its figures up (0: skip it)",
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write cProfile statistics of the batch "
        "imports there (the timing then includes the profiler's cost)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of the floor and the batch import and update; the best counts",
    )
    parser.add_argument("--no-export", action="store_true")
    parser.add_argument("--no-events", action="store_true")
    parser.add_argument("--output", required=True, help="JSON file of the figures")
    args = parser.parse_args(argv)

    config.parse_config(["-c", args.config, "--log-level=warn"])
    registry = Registry(args.database)
    bench = Bench(registry)
    result = {"page_size": PAGE_SIZE, "job_size": bench.job_size, "sizes": {}}
    try:
        for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
            result["sizes"][str(size)] = bench.bench_size(size, args)
        if args.no_export:
            result["export"] = {"skipped": "--no-export"}
        else:
            result["export"] = bench.bench_export()
        if args.no_events:
            result["events"] = {"skipped": "--no-events"}
        else:
            result["events"] = bench.bench_events(args)
    finally:
        bench.close()
    result["odoo"] = odoo.release.version
    result["python"] = platform.python_version()
    with open(args.output, "w") as handle:
        json.dump(result, handle, indent=2)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TZ", "UTC")
    sys.exit(main())
