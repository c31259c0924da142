# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The whole pipeline measured: ``make bench-e2e``.

The deployment of ``make demo WORKERS=2 MACHINES=3`` (``demo.py``'s steps),
sized for a measure and without faults: Odoo's multi-process server (2 HTTP
workers, queue_job's job runner in a process of its own, ``[queue_job]
channels = root:2``), three simulated machines with 10,000 brews each (and the
6 machines, 12 beverages and 50 users of ``make bench``), one backend each
reading pages of 500, and the sync started by running the sync's cron once
(``coffee.backend._scheduler_sync``) once the job runner serves. The wall time
runs from the cron's call to the moment the database shows every coffee job
done (read every 0.1 s).

Then, Odoo stopped, on the same database and machines: the floor, the ORM's
``create()`` of the values the import writes for the same 30,000 brews, one
call per machine (3 x 10,000, as ``make bench`` measures 10,000), by
``bench_worker.py``'s code (``bench_e2e_floor.py``), best of 3.

It ends with exactly one line, ``bench-e2e: records=<n> seconds=<s>
records_per_s=<n> ratio_to_floor=<x>``, writes the figures to
``bench/results/e2e-latest.json``, and exits with 1 when the goal is missed:
every brew in, no failed job, within 2 times the floor.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import demo
import odoo_env
from odoo_env import ROOT, RUN_DIR, say, warn

RESULTS = ROOT / "bench" / "results"
MACHINES = 3
BREWS = 10000
WORKERS = 2
PAGE_SIZE = 500
#: the records each machine refers its brews to, as in ``bench_worker.py``
DEPENDENCIES = {"machines": 6, "beverages": 12, "users": 50}
#: the goal: the whole pipeline within this many times the floor
MAX_RATIO_TO_FLOOR = 2.0


def run_floor(python, config, database, repeat):
    """Measure the floor in ``bench_e2e_floor.py``; return its figures."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        output = handle.name
    try:
        cmd = [
            python, str(ROOT / "scripts" / "bench_e2e_floor.py"),
            "--config", config, "--database", database,
            "--repeat", str(repeat), "--output", output,
        ]  # fmt: skip
        proc = subprocess.run(cmd, cwd=ROOT, check=False)
        if proc.returncode:
            raise RuntimeError(f"measuring the floor failed (exit {proc.returncode})")
        with open(output) as figures:
            return json.load(figures)
    finally:
        os.unlink(output)


def job_figures(config, database):
    """The coffee jobs: how many, the seconds the workers spent in them, and
    the same by job method."""
    progress = demo.Progress(config, {}, database)
    try:
        with progress.conn.cursor() as cr:
            cr.execute(
                "SELECT method_name, count(*), coalesce(sum(exec_time), 0), "
                "coalesce(max(exec_time), 0) FROM queue_job "
                "WHERE channel LIKE 'root.coffee%%' GROUP BY method_name "
                "ORDER BY 3 DESC"
            )
            rows = cr.fetchall()
    finally:
        progress.close()
    return {
        "jobs": sum(row[1] for row in rows),
        "job_seconds": round(sum(row[2] for row in rows), 3),
        "longest_job_seconds": round(max((row[3] for row in rows), default=0), 3),
        "by_method": {
            name: {"jobs": count, "seconds": round(total, 3)}
            for name, count, total, __ in rows
        },
    }


def measure(args):
    """Run the deployment, sync, measure the floor; return the figures."""
    python, odoo_found, reason = odoo_env.prepare()
    if not odoo_found:
        raise RuntimeError(f"the bench needs Odoo 18: {reason}")
    odoo_env.run_in_venv(python)
    deployment = demo.Deployment(
        machines=args.machines,
        workers=args.workers,
        faults="",
        sizes={**DEPENDENCIES, "brews": args.brews},
        page_size=PAGE_SIZE,
        cron=True,
        database=f"coffee_bench_e2e_{os.getpid()}",
        config_name="bench-e2e.conf",
        poll=0.1,
        drop_database=True,
    )
    records = args.machines * args.brews
    with demo.running_demo(python, odoo_env.free_port(), deployment) as run:
        seconds = run.finished - run.started
        brews = sum(
            figures["counts"].get("brews", 0) for figures in run.by_backend.values()
        )
        result = {
            "machines": args.machines,
            "workers": args.workers,
            "page_size": PAGE_SIZE,
            "records": records,
            "imported": brews,
            "complete": run.complete,
            "failed_jobs": run.jobs.get("failed", 0),
            "seconds": round(seconds, 3),
            "http": sum(c.get("total", 0) for c in run.machine_counters.values()),
            **job_figures(run.config, deployment.database),
        }
        say("stopping Odoo; measuring the floor on the same brews")
        demo.stop_process(run.server)
        result["floor"] = run_floor(
            python, run.config, deployment.database, args.repeat
        )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--machines", type=int, default=MACHINES)
    parser.add_argument("--brews", type=int, default=BREWS, help="per machine")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the floor; the best counts"
    )
    args = parser.parse_args(argv)
    if args.machines < 1 or args.workers < 1 or args.brews < 1:
        parser.error("--machines, --workers and --brews must be 1 or more")
    odoo_env.exit_on_signals()
    RUN_DIR.mkdir(exist_ok=True)
    started, load_before = time.time(), os.getloadavg()[0]
    try:
        result = measure(args)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as err:
        warn(f"the bench did not run: {err}")
        return 2
    floor = result["floor"]["seconds"]
    result.update(
        records_per_s=round(result["imported"] / result["seconds"]),
        ratio_to_floor=round(result["seconds"] / floor, 3),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs",
        # the machine's load average (1 minute) before and after: what else ran
        load_average=[round(load_before, 2), round(os.getloadavg()[0], 2)],
        finished_at=time.strftime("%Y-%m-%d %H:%M:%S"),
        bench_seconds=round(time.time() - started, 1),
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "e2e-latest.json").write_text(json.dumps(result, indent=2) + "\n")

    ok = (
        result["complete"]
        and not result["failed_jobs"]
        and result["ratio_to_floor"] <= MAX_RATIO_TO_FLOOR
    )
    busy = result["job_seconds"] / (result["seconds"] * args.workers)
    sys.stdout.write(
        "\n".join(
            [
                "",
                f"Sync of {args.machines} machines x {args.brews:,} brews, "
                f"{args.workers} workers, pages of {PAGE_SIZE}:",
                f"  cron call to last job done  {result['seconds']:>8.2f} s  "
                f"({result['imported']:,} brews in, {result['failed_jobs']} "
                "failed jobs)",
                f"  jobs                        {result['jobs']:>8}    "
                f"({result['job_seconds']:.2f} s in jobs: the workers busy "
                f"{busy:.0%} of the time; longest "
                f"{result['longest_job_seconds']:.2f} s)",
                *(
                    f"    {name:<26}{figures['jobs']:>6} jobs  "
                    f"{figures['seconds']:>7.2f} s"
                    for name, figures in result["by_method"].items()
                ),
                f"  HTTP requests to machines   {result['http']:>8}",
                f"  floor: create() of {args.machines} x {args.brews:,} brews "
                f"{floor:>6.2f} s  (best of {args.repeat})",
                f"  goal: within {MAX_RATIO_TO_FLOOR} x the floor, every brew in, "
                f"no failed job: {'met' if ok else 'MISSED'}",
                f"  load average of the machine: {result['load_average'][0]:.1f}"
                f" before, {result['load_average'][1]:.1f} after "
                f"({os.cpu_count()} CPUs)",
                f"Figures written to {(RESULTS / 'e2e-latest.json').relative_to(ROOT)}"
                f" ({result['bench_seconds']:.0f} s in all)",
                f"bench-e2e: records={result['imported']} "
                f"seconds={result['seconds']:.2f} "
                f"records_per_s={result['records_per_s']} "
                f"ratio_to_floor={result['ratio_to_floor']:.2f}",
                "",
            ]
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
