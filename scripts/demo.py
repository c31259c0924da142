# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo: ``make demo`` (``make demo SERVE=1`` keeps Odoo serving).

Starts PostgreSQL (as ``make test`` does) and the coffee machine simulator on
127.0.0.1 (its brews spread over the past weeks, each new one brewed in 30
seconds), creates a fresh database with the addon and Contacts, and a backend
pointing at the simulator, runs a full synchronisation through real
queue_job jobs (Odoo's HTTP server with queue_job's job runner), shows the
progress, prints what was imported, and stops.

Odoo then runs as in production: the crons run (the scheduled
synchronisation), and the machine sends its webhook events to Odoo, signed
with the backend's webhook secret, so that a coffee poured from Odoo is done
in Odoo as soon as the machine finished it.

``make demo WORKERS=2 MACHINES=3`` runs a deployment instead: Odoo's
multi-process server (2 HTTP workers, queue_job's job runner in a process of
its own, ``server_wide_modules = base,web,queue_job``), three machines (three
simulators, each failing some requests on purpose: 503, 429 and dropped
connections; ``FAULTS=none`` for none) with one backend each, synchronised
through the cron's entry point (the cron ``coffee.backend._scheduler_sync``
run once, as Odoo's scheduler would), and prints what each backend imported.

The steps (simulators, configuration, database, backends, server, cron,
progress read from the database) are functions that ``bench_e2e.py`` runs too.
"""

import argparse
import base64
import configparser
import json
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import odoo_env
from odoo_env import ROOT, RUN_DIR, say, warn

DATABASE = "coffee_demo"
SIM_USER, SIM_PASSWORD = "demo", "demo"
SIM_SIZES = {"machines": 6, "beverages": 10, "users": 25, "brews": 2000}
SYNC_TIMEOUT = 600
PAGE_SIZE = 200
#: the simulator's brews spread over this many past days
HISTORY_DAYS = 42
#: what the machines of a multi-process run fail on purpose (shares of the
#: requests): transient faults, which every job must come through
DEPLOY_FAULTS = "503:0.1,429:0.1,drop:0.05"
#: the modules Odoo loads before any database: queue_job's runner starts with
#: the server only when queue_job is one of them
SERVER_WIDE_MODULES = "base,web,queue_job"
#: multi-process Odoo kills a request (hence a job) past these seconds of
#: wall and CPU time: far above what a page of 500 records takes
LIMIT_TIME_REAL = 300
LIMIT_TIME_CPU = 120
#: the cron synchronising every backend (``coffee.backend._scheduler_sync``)
SYNC_CRON = "connector_coffee.coffee_backend_cron_sync"
#: queue_job's runner holds this PostgreSQL advisory lock on the database it
#: serves (``PG_ADVISORY_LOCK_ID`` of ``queue_job/jobrunner/runner.py``)
RUNNER_LOCK = 2293787760715711918
RUNNER_TIMEOUT = 120

HOW_TO_INSTALL_ODOO = """\
The demo needs Odoo 18.0. It looks for it through:
  - the interpreter named by PYTHON (make demo PYTHON=/path/to/python), else
  - the interpreter behind an `odoo` command on PATH, else
  - python3, else
  - the project's .venv, where it sets Odoo 18.0 up from its source: the
    official one, or ODOO_SRC=<folder, git URL or archive>.
See README.rst, "Installing Odoo 18.0 beside the project".
"""

SETUP_SCRIPT = """
import json
from datetime import timedelta
from odoo import fields
from odoo.exceptions import UserError
from odoo.addons.connector_coffee.entities import ENTITIES
params = env["ir.config_parameter"]
params.set_param("connector_coffee.allow_local_locations", "True")
# where the machines send their events: Odoo as the demo serves it
params.set_param("web.base.url", %(base_url)r)
params.set_param("web.base.url.freeze", "True")
backends = env["coffee.backend"]
for name, location in %(machines)r:
    backend = env["coffee.backend"].create({
        "name": name,
        "location": location,
        "username": %(username)r,
        "password": %(password)r,
        "page_size": %(page_size)r,
        # so that the demo's machines show a supply alert or two
        "milk_alert_level": 25,
    })
    # as the first-run assistant does: a secret Odoo makes, the machine
    # told where to send its events, and asked back (again, should the
    # machine fail the request on purpose: FAULTS=)
    for attempt in range(5):
        try:
            with env.cr.savepoint():
                backend._register_webhook()
            break
        except UserError:
            if attempt == 4:
                raise
    backends |= backend
if %(sync)r:
    backends._sync_all()
# the scheduled synchronisation starts once this one is over
cron = env.ref("connector_coffee.coffee_backend_cron_sync")
cron.nextcall = fields.Datetime.now() + timedelta(minutes=15)
env.cr.commit()
tables = {entity.resource: env[entity.model]._table for entity in ENTITIES}
print("entities", json.dumps(tables))
print("backends", json.dumps(
    [[b.id, b.name, b.location, b.webhook_url] for b in backends]
))
"""

#: what ``odoo-bin`` runs
ODOO_LAUNCHER = """\
import os
os.environ["TZ"] = "UTC"
import odoo
odoo.cli.main()
"""

CRON_SCRIPT = """
import time
cron = env.ref(%(cron)r)
print("cron_started", repr(time.time()))
cron.method_direct_trigger()
env.cr.commit()
print("cron_committed", repr(time.time()))
"""


@dataclass
class Deployment:
    """What a run sets up: machines, Odoo's server, how the sync starts."""

    #: simulated machines, with one backend each
    machines: int = 1
    #: Odoo's HTTP workers; 0 is the single process (threads)
    workers: int = 0
    #: the simulators' fault spec, e.g. ``503:0.1,drop:0.05`` ("" for none)
    faults: str = ""
    #: the records of each simulator
    sizes: dict = field(default_factory=lambda: dict(SIM_SIZES))
    page_size: int = PAGE_SIZE
    #: start the sync through the cron's entry point once Odoo serves, rather
    #: than with the backends' ``sync_all()`` before it starts
    cron: bool = False
    database: str = DATABASE
    config_name: str = "demo.conf"
    #: seconds between two looks at the sync's progress
    poll: float = 1.0
    #: drop the database at the end (the demo's stays, to be looked at)
    drop_database: bool = False


def start_simulator(seed=1, faults="", sizes=None):
    """Start the simulator on a free port; return (process, url).

    :param seed: seed of its records (and of its faults)
    :param faults: fault spec (``--faults`` of the simulator), "" for none
    :param sizes: its records, ``{resource: count}`` (default the demo's)
    """
    port = odoo_env.free_port()
    cmd = [
        sys.executable, "-m", "coffee_simulator", "--host", "127.0.0.1",
        "--port", str(port), "--username", SIM_USER, "--password", SIM_PASSWORD,
        "--seed", str(seed), "--brew-seconds", "30",
        "--history-days", str(HISTORY_DAYS),
    ] + [f"--{key}={value}" for key, value in (sizes or SIM_SIZES).items()]  # fmt: skip
    if faults:
        cmd.append(f"--faults={faults}")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("Coffee machine simulator serving on "):
        proc.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[-1]


def machine_counters(location):
    """The simulator's request counters (``GET /admin/counters``), or {}."""
    request = urllib.request.Request(f"{location}/admin/counters")
    token = base64.b64encode(f"{SIM_USER}:{SIM_PASSWORD}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)
    except (OSError, ValueError):
        return {}


def stop_process(proc):
    """Stop a child process, politely first."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def odoo(python, config, *args, **kwargs):
    """Run an Odoo command and return the finished process."""
    return subprocess.run(
        [python, "-m", "odoo", *args, "-c", config],
        cwd=ROOT,
        text=True,
        check=False,
        **kwargs,
    )


def odoo_shell(python, config, database, script):
    """Run ``script`` in ``odoo shell``; return ``{key: value}`` of the lines
    it printed as ``key value``, and the finished process."""
    proc = odoo(
        python, config, "shell", "-d", database, "--no-http",
        "--log-level=warn", input=script, capture_output=True,
    )  # fmt: skip
    printed = {}
    for line in proc.stdout.splitlines():
        key, __, value = line.partition(" ")
        printed[key] = value
    return printed, proc


def write_demo_config(python, db, http_port, deployment):
    """Write the Odoo configuration of a run; return its path.

    With workers, it is the configuration of a multi-process deployment:
    queue_job loaded server-wide (its runner then starts with the server, in
    a process of its own), time limits above what a page of records takes,
    and no cron worker (the run starts the cron itself).
    """
    config = str(RUN_DIR / deployment.config_name)
    database = deployment.database
    extra = {
        "db_name": database,
        "dbfilter": f"^{database}$",
        "without_demo": "all",
        # the single-process demo runs its crons, as production does; a
        # deployment run starts the sync's cron itself
        "max_cron_threads": 0 if deployment.cron else 1,
        "workers": deployment.workers,
    }
    if deployment.workers:
        extra.update(
            server_wide_modules=SERVER_WIDE_MODULES,
            limit_time_real=LIMIT_TIME_REAL,
            limit_time_cpu=LIMIT_TIME_CPU,
        )
    odoo_env.write_config(
        config, db, odoo_env.addons_paths(python), http_port=http_port, extra=extra
    )
    # as many jobs at once as there are workers to perform them
    capacity = deployment.workers or 2
    with open(config, "a") as handle:
        handle.write(f"\n[queue_job]\nchannels = root:{capacity},root.coffee.pour:1\n")
    return config


def create_database(python, config, database):
    """Drop ``database`` if it exists and make it again with the addon."""
    say(f"creating a fresh database {database!r} with connector_coffee, contacts")
    odoo_env.drop_database(python, config, database)
    install = odoo(
        python, config, "-d", database, "-i", "connector_coffee,contacts",
        "--stop-after-init", "--log-level=warn",
    )  # fmt: skip
    if install.returncode:
        raise RuntimeError("installing connector_coffee failed")


def create_backends(python, config, database, machines, page_size, sync, base_url):
    """Create one backend per machine, each with a webhook secret, and have
    each machine send its events to its backend's webhook.

    :param machines: ``[(name, location)]``
    :param sync: enqueue their full sync at once
    :param base_url: where Odoo serves, for the webhooks
    :return: ``(tables, backends)``: ``{resource: table of its bindings}``
        and ``[(id, name, location)]``
    """
    script = SETUP_SCRIPT % {
        "machines": machines,
        "username": SIM_USER,
        "password": SIM_PASSWORD,
        "page_size": page_size,
        "sync": sync,
        "base_url": base_url,
    }
    printed, proc = odoo_shell(python, config, database, script)
    if "entities" not in printed or "backends" not in printed:
        sys.stdout.write(proc.stdout + proc.stderr)
        raise RuntimeError("creating the demo backend failed")
    backends = json.loads(printed["backends"])
    return json.loads(printed["entities"]), [tuple(b[:3]) for b in backends]


def odoo_launcher():
    """Write a script starting Odoo, as ``odoo-bin`` does; return its path.

    Odoo's multi-process server starts its websocket (gevent) process with
    the command it was started with: ``python -m odoo`` cannot be started
    again that way, a script can.
    """
    path = RUN_DIR / "odoo-server"
    path.write_text(ODOO_LAUNCHER)
    return str(path)


def start_server(python, config, database, workers):
    """Start Odoo's server with queue_job's job runner; return the process.

    Single process: queue_job loaded by ``--load``, its runner a thread of
    the server. Workers: queue_job is in the configuration's
    ``server_wide_modules``, its runner a process of the server's own.
    """
    if workers:
        cmd = [python, odoo_launcher(), "-c", config, "-d", database]
    else:
        cmd = [python, "-m", "odoo", "-c", config, "-d", database]
        cmd.append(f"--load={SERVER_WIDE_MODULES}")
    cmd.append("--log-level=warn")
    return subprocess.Popen(cmd, cwd=ROOT)


def run_cron(python, config, database):
    """Run the sync's cron once, as Odoo's scheduler would.

    :return: the time (``time.time()``) the cron was called at
    """
    printed, proc = odoo_shell(
        python, config, database, CRON_SCRIPT % {"cron": SYNC_CRON}
    )
    if "cron_committed" not in printed:
        sys.stdout.write(proc.stdout + proc.stderr)
        raise RuntimeError("running the sync's cron failed")
    return float(printed["cron_started"])


class Progress:
    """Reads the demo database to show how the sync goes."""

    def __init__(self, config, tables, database=DATABASE):
        import psycopg2  # from the Odoo installation

        self.tables = tables  # {resource: table of its bindings}
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(config)
        options = parser["options"]
        params = {"dbname": database}
        for key in ("host", "port", "user", "password"):
            value = options.get(f"db_{key}")
            if value and value != "False":
                params[key] = value
        self.conn = psycopg2.connect(**params)
        self.conn.autocommit = True

    def close(self):
        self.conn.close()

    def jobs(self):
        with self.conn.cursor() as cr:
            cr.execute(
                "SELECT state, count(*) FROM queue_job "
                "WHERE channel LIKE 'root.coffee%%' GROUP BY state"
            )
            return dict(cr.fetchall())

    def counts(self):
        result = {}
        with self.conn.cursor() as cr:
            for what, table in self.tables.items():
                cr.execute(f"SELECT count(*) FROM {table}")
                result[what] = cr.fetchone()[0]
        return result

    def failures(self):
        """The failed coffee jobs: ``[(uuid, name, message)]``."""
        with self.conn.cursor() as cr:
            cr.execute(
                "SELECT uuid, name, exc_message FROM queue_job "
                "WHERE channel LIKE 'root.coffee%%' AND state = 'failed' "
                "ORDER BY date_created"
            )
            return cr.fetchall()

    def by_backend(self):
        """What each backend imported and its jobs.

        :return: ``{backend id: {"counts": {resource: n}, "jobs": {state: n},
            "retries": n}}``
        """
        result = {}

        def of(backend_id):
            return result.setdefault(
                backend_id,
                {"counts": dict.fromkeys(self.tables, 0), "jobs": {}, "retries": 0},
            )

        with self.conn.cursor() as cr:
            for what, table in self.tables.items():
                cr.execute(
                    f"SELECT backend_id, count(*) FROM {table} GROUP BY backend_id"
                )
                for backend_id, count in cr.fetchall():
                    of(backend_id)["counts"][what] = count
            cr.execute(
                "SELECT coffee_backend_id, state, count(*), "
                # queue_job counts the attempts of a job in ``retry``
                "sum(greatest(retry - 1, 0)) FROM queue_job "
                "WHERE channel LIKE 'root.coffee%%' GROUP BY coffee_backend_id, state"
            )
            for backend_id, state, count, retries in cr.fetchall():
                of(backend_id)["jobs"][state] = count
                of(backend_id)["retries"] += retries or 0
        return result

    def runner_ready(self):
        """Whether queue_job's job runner serves the database."""
        with self.conn.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = "
                "l.database WHERE d.datname = current_database() AND l.granted "
                "AND l.locktype = 'advisory' AND l.objsubid = 1 "
                "AND (l.classid::bigint << 32) + l.objid::bigint = %s",
                [RUNNER_LOCK],
            )
            return cr.fetchone()[0] > 0


def wait_for_runner(progress, server):
    """Wait until queue_job's job runner serves the database.

    :param server: the Odoo process running the runner
    """
    started = time.monotonic()
    while time.monotonic() - started < RUNNER_TIMEOUT:
        if server.poll() is not None:
            raise RuntimeError(f"Odoo stopped (exit code {server.returncode})")
        if progress.runner_ready():
            return
        time.sleep(0.2)
    raise RuntimeError(f"queue_job's job runner did not start in {RUNNER_TIMEOUT} s")


def wait_for_sync(progress, server, interval=1.0):
    """Show progress until no coffee job can run any more; return job counts.

    A job that fails is reported at once, with its reason. The wait ends
    when nothing is pending, enqueued or started, and no job waits for
    another unless one failed: every job is done, or the rest waits for a
    job that failed and will not run. (A job waits for a moment after the
    last one it depends on is done: that is not the end.)

    :param server: the Odoo process running the jobs
    :param interval: seconds between two looks
    :return: ``(jobs, at)``: ``{state: count}`` of the coffee jobs, and the
        time (``time.time()``) the sync was seen over at
    """
    started = time.monotonic()
    last = None
    shown = 0.0
    reported = set()
    while time.monotonic() - started < SYNC_TIMEOUT:
        if server.poll() is not None:
            raise RuntimeError(f"Odoo stopped (exit code {server.returncode})")
        jobs, at = progress.jobs(), time.time()
        running = sum(
            jobs.get(state, 0) for state in ("pending", "enqueued", "started")
        )
        over = (
            jobs
            and not running
            and (not jobs.get("wait_dependencies") or jobs.get("failed"))
        )
        if over or time.monotonic() - shown >= 1:
            counts = progress.counts()
            line = "jobs " + ", ".join(f"{k}={v}" for k, v in sorted(jobs.items()))
            line += " | " + ", ".join(f"{k}={v}" for k, v in counts.items())
            if line != last:
                say(line)
                last, shown = line, time.monotonic()
        for uuid, name, message in progress.failures():
            if uuid not in reported:
                reported.add(uuid)
                say(f"job failed: {name}: {(message or '').strip()}")
        if over:
            return jobs, at
        time.sleep(interval)
    raise RuntimeError(f"the sync did not finish within {SYNC_TIMEOUT} s")


class DemoRun:
    """A demo whose sync is over, with Odoo still serving it."""

    def __init__(self, server, url, jobs, counts, failures, **more):
        self.server = server  # the Odoo process
        self.url = url  # where Odoo serves, e.g. http://127.0.0.1:8069
        self.jobs = jobs  # {state: count} of the coffee jobs
        self.counts = counts  # {what: count} of what was imported
        self.failures = failures  # [(uuid, job name, message)] of failed jobs
        self.deployment = more.get("deployment") or Deployment()
        self.config = more.get("config")  # Odoo's configuration file
        self.backends = more.get("backends", [])  # [(id, name, location)]
        # {backend id: {"counts", "jobs", "retries"}}
        self.by_backend = more.get("by_backend", {})
        # {backend id: the simulator's request counters}
        self.machine_counters = more.get("machine_counters", {})
        self.started = more.get("started")  # time.time() the sync started at
        self.finished = more.get("finished")  # time.time() it was seen over at

    @property
    def sizes(self):
        """The records of each machine."""
        return self.deployment.sizes

    def backend_complete(self, backend_id):
        """Whether every record of the backend's machine is in Odoo."""
        counts = self.by_backend.get(backend_id, {}).get("counts", {})
        return all(counts.get(w, 0) >= n for w, n in self.sizes.items())

    @property
    def complete(self):
        if not self.backends:
            return all(self.counts[w] >= self.sizes[w] for w in ("machines", "brews"))
        return all(self.backend_complete(b[0]) for b in self.backends)


@contextmanager
def running_demo(python, http_port, deployment=None):
    """Run the demo up to the end of its sync; Odoo serves while in the block.

    PostgreSQL, the simulators and Odoo are stopped when the block ends.

    :param python: the interpreter with Odoo 18 (and the OCA addons)
    :param http_port: port of Odoo's HTTP server on 127.0.0.1
    :param deployment: what to run (default: the demo, one machine, one
        Odoo process)
    :return: a context manager giving a :class:`DemoRun`
    """
    deployment = deployment or Deployment()
    database = deployment.database
    with ExitStack() as stack:
        db = odoo_env.open_database(stack)
        machines = []
        for number in range(1, deployment.machines + 1):
            sim, location = start_simulator(
                seed=number, faults=deployment.faults, sizes=deployment.sizes
            )
            stack.callback(stop_process, sim)
            name = "Demo coffee machine"
            if deployment.machines > 1:
                name += f" {number}"
            machines.append((name, location))
            say(
                f"coffee machine simulator on {location}"
                + (f" (faults {deployment.faults})" if deployment.faults else "")
            )

        config = write_demo_config(python, db, http_port, deployment)
        create_database(python, config, database)
        if deployment.drop_database:
            stack.callback(odoo_env.drop_database, python, config, database)

        count = f"{len(machines)} backends" if len(machines) > 1 else "a backend"
        sims = "simulators" if len(machines) > 1 else "simulator"
        if deployment.cron:
            say(f"creating {count} on the {sims}")
        else:
            say(f"creating {count} on the {sims} and enqueuing a full sync")
        tables, backends = create_backends(
            python, config, database, machines, deployment.page_size,
            sync=not deployment.cron, base_url=f"http://127.0.0.1:{http_port}",
        )  # fmt: skip
        say("the machines send their events to the backends' webhooks")

        if deployment.workers:
            say(
                f"starting Odoo: {deployment.workers} HTTP workers and queue_job's "
                "job runner in a process of its own"
            )
        else:
            say("starting Odoo with queue_job's job runner")
        server = start_server(python, config, database, deployment.workers)
        stack.callback(stop_process, server)
        progress = Progress(config, tables, database)
        stack.callback(progress.close)
        started = None
        if deployment.cron:
            wait_for_runner(progress, server)
            say(f"the job runner is up: running the cron {SYNC_CRON} once")
            started = run_cron(python, config, database)
        jobs, finished = wait_for_sync(progress, server, deployment.poll)
        yield DemoRun(
            server,
            f"http://127.0.0.1:{http_port}",
            jobs,
            progress.counts(),
            progress.failures(),
            deployment=deployment,
            config=config,
            backends=backends,
            by_backend=progress.by_backend(),
            machine_counters={b[0]: machine_counters(b[2]) for b in backends},
            started=started,
            finished=finished,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--serve", action="store_true", help="keep Odoo serving on 127.0.0.1:8069"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="Odoo's multi-process server with this many HTTP workers and "
        "queue_job's runner in a process of its own (default 0: one process)",
    )
    parser.add_argument(
        "--machines",
        type=int,
        default=1,
        help="simulated machines, one backend each (default 1)",
    )
    parser.add_argument(
        "--faults",
        help="the machines' fault spec, 'none' for none (default: "
        f"{DEPLOY_FAULTS} with --workers, else none)",
    )
    args = parser.parse_args(argv)
    if args.workers < 0 or args.machines < 1:
        parser.error("--workers must be 0 or more and --machines 1 or more")
    faults = DEPLOY_FAULTS if args.workers else ""
    if args.faults is not None:
        faults = "" if args.faults.lower() in ("", "none") else args.faults
    deployment = Deployment(
        machines=args.machines,
        workers=args.workers,
        faults=faults,
        cron=bool(args.workers or args.machines > 1),
    )
    RUN_DIR.mkdir(exist_ok=True)
    odoo_env.exit_on_signals()

    python, odoo_found, reason = odoo_env.prepare()
    if not odoo_found:
        warn(f"no Odoo 18 to run the demo with: {reason}")
        sys.stdout.write(HOW_TO_INSTALL_ODOO)
        return 2
    odoo_env.run_in_venv(python)

    http_port = 8069 if args.serve else odoo_env.free_port()
    try:
        return show(running_demo(python, http_port, deployment), args.serve)
    except RuntimeError as err:
        warn(f"the demo stopped: {err}")
        return 1


def jobs_line(jobs):
    """``Jobs: N done, M failed`` (and those that never ran)."""
    waiting = jobs.get("wait_dependencies", 0)
    return f"Jobs: {jobs.get('done', 0)} done, {jobs.get('failed', 0)} failed" + (
        f", {waiting} never ran (they wait for a failed job)" if waiting else ""
    )


def show_backend(run, backend):
    """Print what one backend of several imported."""
    backend_id, name, location = backend
    figures = run.by_backend.get(backend_id, {})
    counts = figures.get("counts", {})
    sys.stdout.write(f"\nImported from {name} ({location}):\n")
    for what, size in run.sizes.items():
        sys.stdout.write(
            f"  {what:<10} {counts.get(what, 0):>6} (machine has {size})\n"
        )
    sys.stdout.write(f"  {jobs_line(figures.get('jobs', {}))}\n")
    counters = run.machine_counters.get(backend_id) or {}
    faults = {
        key.split(" ", 1)[1]: value
        for key, value in sorted(counters.items())
        if key.startswith("fault ")
    }
    if faults:
        sys.stdout.write(
            f"  the machine failed {sum(faults.values())} of "
            f"{counters.get('total', 0)} requests on purpose ("
            + ", ".join(f"{kind}: {n}" for kind, n in faults.items())
            + f"); jobs retried {figures.get('retries', 0)} times\n"
        )


def show(demo, serve):
    """Print what the demo imported; keep Odoo serving when asked."""
    with demo as run:
        if len(run.backends) > 1 or run.deployment.faults:
            for backend in run.backends:
                show_backend(run, backend)
            sys.stdout.write("\nAll backends:\n")
        else:
            sys.stdout.write("\nImported from the coffee machine:\n")
            for what, count in run.counts.items():
                sys.stdout.write(
                    f"  {what:<10} {count:>6} (machine has {run.sizes[what]})\n"
                )
        sys.stdout.write(jobs_line(run.jobs) + "\n")
        for __, name, message in run.failures:
            sys.stdout.write(f"  failed: {name}: {(message or '').strip()}\n")
        if serve:
            sys.stdout.write(
                f"\nOdoo serves the demo on {run.url} "
                "(login admin, password admin). Ctrl-C stops it.\n"
            )
            sys.stdout.flush()
            try:
                run.server.wait()
            except KeyboardInterrupt:
                pass
        waiting = run.jobs.get("wait_dependencies", 0)
        ok = run.complete and not run.jobs.get("failed") and not waiting
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(odoo_env.run_main(main))
