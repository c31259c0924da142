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
"""

import argparse
import base64
import configparser
import json
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager

import odoo_env
from odoo_env import ROOT, RUN_DIR, say, warn

DATABASE = "coffee_demo"
SIM_USER, SIM_PASSWORD = "demo", "demo"
SIM_SIZES = {"machines": 6, "beverages": 10, "users": 25, "brews": 2000}
#: the simulator's brews spread over these past days (weeks on the charts)
HISTORY_DAYS = 42
SYNC_TIMEOUT = 600

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
from odoo.addons.connector_coffee.entities import ENTITIES
params = env["ir.config_parameter"]
params.set_param("connector_coffee.allow_local_locations", "True")
# where the machine sends its events: Odoo as the demo serves it
params.set_param("web.base.url", %(base_url)r)
params.set_param("web.base.url.freeze", "True")
backend = env["coffee.backend"].create({
    "name": "Demo coffee machine",
    "location": %(location)r,
    "username": %(username)r,
    "password": %(password)r,
    "webhook_secret": %(webhook_secret)r,
    "page_size": 200,
})
backend._sync_all()
# the scheduled synchronisation starts once this one is over
cron = env.ref("connector_coffee.coffee_backend_cron_sync")
cron.nextcall = fields.Datetime.now() + timedelta(minutes=15)
env.cr.commit()
tables = {entity.resource: env[entity.model]._table for entity in ENTITIES}
print("entities", json.dumps(tables))
print("webhook", backend.webhook_url)
"""


def start_simulator():
    """Start the simulator on a free port; return (process, url)."""
    port = odoo_env.free_port()
    cmd = [
        sys.executable, "-m", "coffee_simulator", "--host", "127.0.0.1",
        "--port", str(port), "--username", SIM_USER, "--password", SIM_PASSWORD,
        "--seed", "1", "--brew-seconds", "30", "--history-days", str(HISTORY_DAYS),
    ] + [f"--{key}={value}" for key, value in SIM_SIZES.items()]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if not line.startswith("Coffee machine simulator serving on "):
        proc.kill()
        raise RuntimeError(f"the simulator did not start: {line!r}")
    return proc, line.rsplit(" ", 1)[-1]


def register_webhook(location, url, secret):
    """Have the simulator send its events to ``url``, signed with ``secret``.

    The machine's side of the backend's webhook settings (its control
    endpoint ``PUT /admin/webhook``).
    """
    token = base64.b64encode(f"{SIM_USER}:{SIM_PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        f"{location}/admin/webhook",
        data=json.dumps({"url": url, "secret": secret}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Basic {token}"},
        method="PUT",
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as answer:
        answer.read()


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


class Progress:
    """Reads the demo database to show how the sync goes."""

    def __init__(self, config, tables):
        import psycopg2  # from the Odoo installation

        self.tables = tables  # {resource: table of its bindings}
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(config)
        options = parser["options"]
        params = {"dbname": DATABASE}
        for key in ("host", "port", "user", "password"):
            value = options.get(f"db_{key}")
            if value and value != "False":
                params[key] = value
        self.conn = psycopg2.connect(**params)
        self.conn.autocommit = True

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


def wait_for_sync(progress, server):
    """Show progress until no coffee job can run any more; return job counts.

    A job that fails is reported at once, with its reason. The wait ends
    when nothing is pending, enqueued or started: every job is done, or the
    rest waits for a job that failed and will not run.

    :param server: the Odoo process running the jobs
    """
    started = time.monotonic()
    last = None
    reported = set()
    while time.monotonic() - started < SYNC_TIMEOUT:
        if server.poll() is not None:
            raise RuntimeError(f"Odoo stopped (exit code {server.returncode})")
        jobs, counts = progress.jobs(), progress.counts()
        line = "jobs " + ", ".join(f"{k}={v}" for k, v in sorted(jobs.items()))
        line += " | " + ", ".join(f"{k}={v}" for k, v in counts.items())
        if line != last:
            say(line)
            last = line
        for uuid, name, message in progress.failures():
            if uuid not in reported:
                reported.add(uuid)
                say(f"job failed: {name}: {(message or '').strip()}")
        running = sum(
            jobs.get(state, 0) for state in ("pending", "enqueued", "started")
        )
        if jobs and not running:
            return jobs
        time.sleep(1)
    raise RuntimeError(f"the sync did not finish within {SYNC_TIMEOUT} s")


class DemoRun:
    """A demo whose sync is over, with Odoo still serving it."""

    def __init__(self, server, url, jobs, counts, failures):
        self.server = server  # the Odoo process
        self.url = url  # where Odoo serves, e.g. http://127.0.0.1:8069
        self.jobs = jobs  # {state: count} of the coffee jobs
        self.counts = counts  # {what: count} of what was imported
        self.failures = failures  # [(uuid, job name, message)] of failed jobs

    @property
    def complete(self):
        return all(self.counts[w] >= SIM_SIZES[w] for w in ("machines", "brews"))


@contextmanager
def running_demo(python, http_port):
    """Run the demo up to the end of its sync; Odoo serves while in the block.

    PostgreSQL, the simulator and Odoo are stopped when the block ends.

    :param python: the interpreter with Odoo 18 (and the OCA addons)
    :param http_port: port of Odoo's HTTP server on 127.0.0.1
    :return: a context manager giving a :class:`DemoRun`
    """
    with ExitStack() as stack:
        db = odoo_env.open_database(stack)
        sim, location = start_simulator()
        stack.callback(stop_process, sim)
        say(f"coffee machine simulator on {location}")

        config = str(RUN_DIR / "demo.conf")
        odoo_env.write_config(
            config,
            db,
            odoo_env.addons_paths(python),
            http_port=http_port,
            extra={
                "db_name": DATABASE,
                "dbfilter": f"^{DATABASE}$",
                "without_demo": "all",
                "max_cron_threads": 1,
                "workers": 0,
            },
        )
        with open(config, "a") as handle:
            handle.write("\n[queue_job]\nchannels = root:2,root.coffee.pour:1\n")

        say(f"creating a fresh database {DATABASE!r} with connector_coffee, contacts")
        odoo_env.drop_database(python, config, DATABASE)
        install = odoo(
            python, config, "-d", DATABASE, "-i", "connector_coffee,contacts",
            "--stop-after-init", "--log-level=warn",
        )  # fmt: skip
        if install.returncode:
            raise RuntimeError("installing connector_coffee failed")

        say("creating a backend on the simulator and enqueuing a full sync")
        webhook_secret = secrets.token_urlsafe(24)
        script = SETUP_SCRIPT % {
            "location": location,
            "username": SIM_USER,
            "password": SIM_PASSWORD,
            "webhook_secret": webhook_secret,
            "base_url": f"http://127.0.0.1:{http_port}",
        }
        setup = odoo(
            python, config, "shell", "-d", DATABASE, "--no-http",
            "--log-level=warn", input=script, capture_output=True,
        )  # fmt: skip
        printed = [
            line for line in setup.stdout.splitlines() if line.startswith("entities ")
        ]
        if not printed:
            sys.stdout.write(setup.stdout + setup.stderr)
            raise RuntimeError("creating the demo backend failed")
        tables = json.loads(printed[-1].split(" ", 1)[1])
        webhook_url = setup.stdout.split("webhook ", 1)[1].split()[0]
        register_webhook(location, webhook_url, webhook_secret)
        say(f"the machine sends its events to {webhook_url}")

        say("starting Odoo with queue_job's job runner")
        server = subprocess.Popen(
            [
                python, "-m", "odoo", "-c", config, "-d", DATABASE,
                "--load=base,web,queue_job", "--log-level=warn",
            ],
            cwd=ROOT,
        )  # fmt: skip
        stack.callback(stop_process, server)
        progress = Progress(config, tables)
        jobs = wait_for_sync(progress, server)
        yield DemoRun(
            server,
            f"http://127.0.0.1:{http_port}",
            jobs,
            progress.counts(),
            progress.failures(),
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--serve", action="store_true", help="keep Odoo serving on 127.0.0.1:8069"
    )
    args = parser.parse_args(argv)
    RUN_DIR.mkdir(exist_ok=True)
    odoo_env.exit_on_signals()

    python, odoo_found, reason = odoo_env.prepare()
    if not odoo_found:
        warn(f"no Odoo 18 to run the demo with: {reason}")
        sys.stdout.write(HOW_TO_INSTALL_ODOO)
        return 2
    odoo_env.run_in_venv(python)

    http_port = 8069 if args.serve else odoo_env.free_port()
    with running_demo(python, http_port) as run:
        sys.stdout.write("\nImported from the coffee machine:\n")
        for what, count in run.counts.items():
            sys.stdout.write(
                f"  {what:<10} {count:>6} (machine has {SIM_SIZES[what]})\n"
            )
        waiting = run.jobs.get("wait_dependencies", 0)
        sys.stdout.write(
            f"Jobs: {run.jobs.get('done', 0)} done, "
            f"{run.jobs.get('failed', 0)} failed"
            + (f", {waiting} never ran (they wait for a failed job)" if waiting else "")
            + "\n"
        )
        for __, name, message in run.failures:
            sys.stdout.write(f"  failed: {name}: {(message or '').strip()}\n")
        if args.serve:
            sys.stdout.write(
                f"\nOdoo serves the demo on {run.url} "
                "(login admin, password admin). Ctrl-C stops it.\n"
            )
            sys.stdout.flush()
            try:
                run.server.wait()
            except KeyboardInterrupt:
                pass
        ok = run.complete and not run.jobs.get("failed") and not waiting
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
