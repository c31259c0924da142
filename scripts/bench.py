# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The import benchmark: ``make bench`` (``make bench BENCH_ARGS=--big``).

Measures, in one run and on the same data, how close the import of brews
comes to the ORM's floor:

* the floor: one ``create()`` of the values the import writes, mapped
  beforehand;
* our batch import (pages of 500, as many a job as a new backend's
  records per job allow, performed in process);
* the batch update: the same import when every brew changed on the machine;
* the write floor: ``write()`` of the values the batch update writes, on the
  same bindings;
* the per-record import of the webhook (one GET and one job per brew);

for 1,000 and 10,000 brews (and 100,000 with ``--big``): wall time, HTTP
requests, SQL queries and memory peak. Then the export of 1,000 partner
changes: export jobs enqueued and HTTP requests per exported record. Then
1,000 webhook events POSTed in one burst to the addon's controller (Odoo's
HTTP server in the worker): jobs, requests to the machine, and the time to
the last binding over the batch import of the same brews.

Like ``make test``, it finds Odoo 18, sets up ``.venv``, and uses the
PostgreSQL of ``ODOO_RC`` / ``PG*`` or a private throwaway cluster, in a
throwaway database. The measuring runs in ``bench_worker.py`` under the
interpreter that imports Odoo.

It prints a table, compares it with the previous run, writes the figures to
``bench/results/latest.json`` and ends with the line ``bench:
ratio_to_floor=<x> http_per_record=<y> sql_per_record=<z>
per_record_ratio=<w>`` (on one line), for the import of 10,000 brews: our
import's time over the floor's, HTTP requests and SQL queries per brew, and
the per-record path's time over the floor's; then ``bench-update:
ratio_to_write_floor=<x>`` (10,000 brews), ``bench-events: jobs=<n>
http=<n> ratio_to_batch=<x>`` and ``bench-export: jobs_per_record=<x>
http_per_record=<x>``. The exit code is 1 when a target is missed: the
import of 10,000 brews within 1.5 times the floor, at most one request per
page plus one, and at most 5 SQL queries per brew, not growing from 1,000 to
10,000 brews; the import of 10,000 brews or more within 1.15 times the
floor, the update within 1.20 times the write floor, a burst of 1,000 events
in at most 5 jobs and 5 requests to the machine and within 1.5 times the
batch import, at most 0.02 export jobs and requests per changed partner, a
single event or change through within 5 seconds.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack

import odoo_env
from odoo_env import ROOT, RUN_DIR, say, warn

ADDON = "connector_coffee"
RESULTS = ROOT / "bench" / "results"
SIZES = [1000, 10000]
BIG_SIZE = 100000
#: the size the last line and the targets are about
HEADLINE_SIZE = 10000
PAGE_SIZE = 500
PATHS = {
    "floor": "floor",
    "batch": "batch import",
    "update": "batch update",
    "write_floor": "write floor",
    "per_record": "per record",
}

#: targets of the import (issue 6)
MAX_RATIO_TO_FLOOR = 1.5
MAX_SQL_PER_RECORD = 5
#: "not growing with N": the larger run may cost this much more per record
SQL_GROWTH_TOLERANCE = 1.1

#: targets of the busy paths (issue "Performance, round two"): the batch
#: import of this many brews or more within this much of the floor
STRICT_SIZE = 10000
MAX_IMPORT_RATIO = 1.15
#: the batch update within this much of the write floor
MAX_UPDATE_RATIO = 1.20
#: a burst of 1,000 webhook events: jobs, requests to the machine, and the
#: time to the last binding over the batch import of the same brews
MAX_EVENT_JOBS = 5
MAX_EVENT_HTTP = 5
MAX_EVENT_RATIO = 1.5
#: 1,000 partners changed at once: export jobs and requests per partner
MAX_EXPORT_PER_RECORD = 0.02
#: seconds for a single event, or a single change, to get through
MAX_SINGLE_SECONDS = 5.0


# --------------------------------------------------------------------------
# Running the worker
# --------------------------------------------------------------------------


def install_addon(python, config, database):
    """Install the addon into a fresh database; raise with the log if it fails."""
    say(f"installing {ADDON} into a throwaway database {database!r}")
    proc = subprocess.run(
        [
            python, "-m", "odoo", "-c", config, "-d", database, "-i", ADDON,
            "--stop-after-init", "--log-level=warn", "--max-cron-threads=0",
        ],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode:
        log = (proc.stdout + proc.stderr).strip().splitlines()
        raise RuntimeError(f"installing {ADDON} failed:\n" + "\n".join(log[-40:]))


def run_worker(python, config, database, args):
    """Measure in ``bench_worker.py``; return its figures."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        output = handle.name
    try:
        sizes = list(args.sizes) + ([BIG_SIZE] * args.big)
        cmd = [
            python, str(ROOT / "scripts" / "bench_worker.py"),
            "--config", config, "--database", database,
            "--sizes", ",".join(str(size) for size in sorted(set(sizes))),
            "--repeat", str(args.repeat),
            "--per-record-limit", str(args.per_record_limit),
            "--output", output,
        ]  # fmt: skip
        if args.no_export:
            cmd.append("--no-export")
        if args.profile:
            os.makedirs(args.profile, exist_ok=True)
            cmd += ["--profile", os.path.abspath(args.profile)]
        if args.no_events:
            cmd.append("--no-events")
        proc = subprocess.run(cmd, cwd=ROOT, check=False)
        if proc.returncode:
            raise RuntimeError(f"the bench worker failed (exit {proc.returncode})")
        with open(output) as figures:
            return json.load(figures)
    finally:
        os.unlink(output)


def measure(args):
    """Set up Odoo and PostgreSQL, measure, clean up; return the figures."""
    python, odoo_found, reason = odoo_env.prepare()
    if not odoo_found:
        raise RuntimeError(f"the bench needs Odoo 18: {reason}")
    with ExitStack() as stack:
        db = odoo_env.open_database(stack)
        config = str(RUN_DIR / "bench.conf")
        odoo_env.write_config(
            config,
            db,
            odoo_env.addons_paths(python),
            extra={"without_demo": "all", "max_cron_threads": 0},
        )
        database = f"coffee_bench_{os.getpid()}"
        odoo_env.drop_database(python, config, database)
        stack.callback(odoo_env.drop_database, python, config, database)
        install_addon(python, config, database)
        say("measuring (the simulator runs in the worker, on 127.0.0.1)")
        return run_worker(python, config, database, args)


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def paired_ratio(figures, base):
    """How long a path took over its floor (or another base path).

    Measured in the same turns, the ratio is worked out turn by turn, each
    run over the run of its base in that turn, and the median of those
    counts: what the machine did in a turn weighs on both, not on one; else
    (a path measured once), its time over the base's median time.

    :param figures: the path's figures, with ``runs_seconds`` when measured
        in turns
    :param base: the base's figures, likewise
    """
    runs, base_runs = figures.get("runs_seconds"), base.get("runs_seconds")
    if runs and base_runs and len(runs) == len(base_runs):
        ratios = [run / base_run for run, base_run in zip(runs, base_runs, strict=True)]
        return round(statistics.median(ratios), 3)
    return round(figures["seconds"] / base["seconds"], 3)


def derive(result):
    """Add the ratios and per-record figures; return the headline summary."""
    for size, paths in result["sizes"].items():
        for figures in paths.values():
            records = figures["records"]
            figures["ratio_to_floor"] = paired_ratio(figures, paths["floor"])
            figures["http_per_record"] = round(figures["http"] / records, 5)
            figures["sql_per_record"] = round(figures["sql"] / records, 5)
        paths["batch"]["pages"] = -(-int(size) // result["page_size"])
    sizes = sorted(result["sizes"], key=int)
    headline = str(HEADLINE_SIZE) if str(HEADLINE_SIZE) in sizes else sizes[-1]
    paths = result["sizes"][headline]
    summary = {
        "size": int(headline),
        "ratio_to_floor": paths["batch"]["ratio_to_floor"],
        "http_per_record": paths["batch"]["http_per_record"],
        "sql_per_record": paths["batch"]["sql_per_record"],
        "per_record_ratio": (
            paths["per_record"]["ratio_to_floor"] if "per_record" in paths else None
        ),
    }
    result["summary"] = summary
    result["targets"] = check_targets(result)
    return summary


def check_targets(result):
    """Check the import against the targets of issue 6.

    :return: ``[(target, met, what was measured)]``
    """
    checks = []
    sizes = sorted(result["sizes"], key=int)
    headline = result["summary"]["size"]
    ratio = result["summary"]["ratio_to_floor"]
    checks.append(
        (
            f"import of {headline:,} brews <= {MAX_RATIO_TO_FLOOR} x floor",
            ratio <= MAX_RATIO_TO_FLOOR,
            f"{ratio:.3f} x",
        )
    )
    for size in sizes:
        batch = result["sizes"][size]["batch"]
        checks.append(
            (
                f"HTTP requests <= pages + 1 ({int(size):,} brews)",
                batch["http"] <= batch["pages"] + 1,
                f"{batch['http']} requests, {batch['pages']} pages",
            )
        )
        checks.append(
            (
                f"SQL queries per brew <= {MAX_SQL_PER_RECORD} ({int(size):,} brews)",
                batch["sql_per_record"] <= MAX_SQL_PER_RECORD,
                f"{batch['sql_per_record']:.3f}",
            )
        )
    for small, large in zip(sizes, sizes[1:], strict=False):
        before = result["sizes"][small]["batch"]["sql_per_record"]
        after = result["sizes"][large]["batch"]["sql_per_record"]
        checks.append(
            (
                f"SQL per brew not growing ({int(small):,} -> {int(large):,} brews)",
                after <= before * SQL_GROWTH_TOLERANCE,
                f"{before:.3f} -> {after:.3f}",
            )
        )
    return [{"target": t, "met": met, "measured": m} for t, met, m in checks]


def table(result):
    """The figures as text, as the README shows them."""
    lines = [
        f"Import of brews, page size {result['page_size']}, "
        f"{result.get('job_size', result['page_size']):,} brews per job; floor "
        f"and batch import and update: median of {result.get('repeat', 1)} runs, "
        "ratios worked out run by run",
        "",
        f"{'brews':>7}  {'path':<12} {'wall s':>8} {'x floor':>8} {'HTTP':>6} "
        f"{'HTTP/rec':>9} {'SQL':>7} {'SQL/rec':>8} {'peak MiB':>9}",
    ]
    for size in sorted(result["sizes"], key=int):
        for path, label in PATHS.items():
            figures = result["sizes"][size].get(path)
            if not figures:
                continue
            note = (
                f"  (scaled from {figures['sampled']:,})"
                if "sampled" in figures
                else ""
            )
            lines.append(
                f"{int(size):>7,}  {label:<12} {figures['seconds']:>8.3f} "
                f"{figures['ratio_to_floor']:>8.2f} {round(figures['http']):>6} "
                f"{figures['http_per_record']:>9.4f} {round(figures['sql']):>7} "
                f"{figures['sql_per_record']:>8.3f} {figures['peak_mib']:>9.1f}{note}"
            )
    lines.append("")
    export = result.get("export") or {"skipped": "not measured"}
    if "skipped" in export:
        lines.append(f"Export of partner changes: skipped ({export['skipped']})")
    else:
        endpoints = ", ".join(
            f"{key} {value}"
            for key, value in sorted(export["http_by_endpoint"].items())
        )
        lines += [
            f"Export of {export['partners']:,} partners written "
            f"{export['writes'] // export['partners']} times each:",
            f"  jobs enqueued   {export['jobs']:>6,}  "
            f"({export['jobs_per_record']:.3f} per partner, "
            f"{export['enqueue_calls']:,} with_delay calls)",
            f"  HTTP requests   {export['http']:>6,}  "
            f"({export['http_per_record']:.3f} per exported record: {endpoints})",
            f"  time            {export['write_seconds']:>6.2f} s writing, "
            f"{export['export_seconds']:.2f} s performing the jobs",
        ]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The busy paths: update, webhook events, exports
# --------------------------------------------------------------------------


def derive_busy_paths(result):
    """Add the ratios of the update, the events and the export."""
    for paths in result["sizes"].values():
        if "write_floor" in paths:
            paths["update"]["ratio_to_write_floor"] = paired_ratio(
                paths["update"], paths["write_floor"]
            )
    events = result.get("events") or {}
    if "events" in events:
        for key in ("events", "single_posts"):
            events[key]["ratio_to_batch"] = paired_ratio(events[key], events["batch"])
    result["targets"] += busy_path_targets(result)


def busy_path_targets(result):
    """Check the busy paths against their targets.

    :return: ``[{target, met, measured}]``
    """
    checks = []
    sizes = sorted(result["sizes"], key=int)
    for size in sizes:
        paths = result["sizes"][size]
        if int(size) >= STRICT_SIZE:
            ratio = paths["batch"]["ratio_to_floor"]
            checks.append(
                (
                    f"import of {int(size):,} brews <= {MAX_IMPORT_RATIO} x floor",
                    ratio <= MAX_IMPORT_RATIO,
                    f"{ratio:.3f} x",
                )
            )
    headline = str(result["summary"]["size"])
    update = result["sizes"][headline]["update"]
    if "ratio_to_write_floor" in update:
        ratio = update["ratio_to_write_floor"]
        checks.append(
            (
                f"update of {int(headline):,} brews <= {MAX_UPDATE_RATIO} x the "
                "write floor",
                ratio <= MAX_UPDATE_RATIO,
                f"{ratio:.3f} x",
            )
        )
    events = result.get("events") or {}
    if "events" in events:
        burst = events["events"]
        checks += [
            (
                f"burst of {burst['records']:,} events: jobs <= {MAX_EVENT_JOBS}",
                burst["jobs"] <= MAX_EVENT_JOBS,
                str(burst["jobs"]),
            ),
            (
                f"burst of {burst['records']:,} events: requests to the machine "
                f"<= {MAX_EVENT_HTTP}",
                burst["http"] <= MAX_EVENT_HTTP,
                str(burst["http"]),
            ),
            (
                f"burst of {burst['records']:,} events: first event to last binding "
                f"<= {MAX_EVENT_RATIO} x batch import",
                burst["ratio_to_batch"] <= MAX_EVENT_RATIO,
                f"{burst['ratio_to_batch']:.3f} x",
            ),
            (
                f"a single event imported within {MAX_SINGLE_SECONDS:g} s",
                events["single_event"]["seconds"] <= MAX_SINGLE_SECONDS,
                f"{events['single_event']['seconds']:.3f} s",
            ),
        ]
    export = result.get("export") or {}
    if "jobs" in export:
        checks += [
            (
                f"export jobs per partner <= {MAX_EXPORT_PER_RECORD}",
                export["jobs_per_record"] <= MAX_EXPORT_PER_RECORD,
                f"{export['jobs_per_record']:.3f}",
            ),
            (
                f"export requests per partner <= {MAX_EXPORT_PER_RECORD}",
                export["http_per_record"] <= MAX_EXPORT_PER_RECORD,
                f"{export['http_per_record']:.3f}",
            ),
        ]
        if "single_seconds" in export:
            checks.append(
                (
                    f"a single change on the machine within {MAX_SINGLE_SECONDS:g} s",
                    export["single_seconds"] <= MAX_SINGLE_SECONDS,
                    f"{export['single_seconds']:.3f} s",
                )
            )
    return [{"target": t, "met": met, "measured": m} for t, met, m in checks]


def busy_path_table(result):
    """The figures of the update, the events and the export, as text."""
    lines = []
    updates = [
        f"{int(size):,} brews {paths['update']['ratio_to_write_floor']:.2f} x"
        for size, paths in sorted(result["sizes"].items(), key=lambda i: int(i[0]))
        if "ratio_to_write_floor" in paths["update"]
    ]
    if updates:
        lines += ["Batch update over the write floor: " + ", ".join(updates), ""]
    events = result.get("events") or {"skipped": "not measured"}
    if "skipped" in events:
        lines.append(f"Webhook events: skipped ({events['skipped']})")
    else:
        batch, burst = events["batch"], events["events"]
        singles, single = events["single_posts"], events["single_event"]
        lines += [
            f"Webhook: {burst['records']:,} brew.finished events in one burst "
            f"({burst['posts']} deliveries), then the jobs they enqueued, against "
            "the batch import of the same brews (jobs stored and run alike); median "
            f"of {len(burst['runs_seconds'])} runs:",
            f"  batch import   {batch['seconds']:>7.3f} s  {batch['jobs']:>4} jobs "
            f"{batch['http']:>5} requests",
            f"  burst          {burst['seconds']:>7.3f} s  {burst['jobs']:>4} jobs "
            f"{burst['http']:>5} requests  {burst['ratio_to_batch']:.2f} x batch",
            f"  single POSTs   {singles['seconds']:>7.3f} s  {singles['jobs']:>4} jobs "
            f"{singles['http']:>5} requests  {singles['ratio_to_batch']:.2f} x batch "
            f"({singles['posts']:,} POSTs)",
            f"  single event   {single['seconds']:>7.3f} s  {single['jobs']:>4} jobs "
            f"{single['http']:>5} requests",
        ]
    export = result.get("export") or {}
    if "single_seconds" in export:
        lines.append(
            f"A single partner change reaches the machine in "
            f"{export['single_seconds']:.3f} s (its transaction and its job)."
        )
    return "\n".join(lines)


def busy_path_lines(result):
    """The lines of the update, the events and the export, after ``bench:``."""
    lines = []
    headline = str(result["summary"]["size"])
    update = result["sizes"][headline]["update"]
    if "ratio_to_write_floor" in update:
        lines.append(
            f"bench-update: ratio_to_write_floor={update['ratio_to_write_floor']:.2f}"
        )
    events = result.get("events") or {}
    if "events" in events:
        burst = events["events"]
        lines.append(
            f"bench-events: jobs={burst['jobs']} http={burst['http']} "
            f"ratio_to_batch={burst['ratio_to_batch']:.2f}"
        )
    export = result.get("export") or {}
    if "jobs" in export:
        lines.append(
            f"bench-export: jobs_per_record={export['jobs_per_record']:.3f} "
            f"http_per_record={export['http_per_record']:.3f}"
        )
    return lines


def compare(previous, result):
    """Lines comparing the times with those of the previous run."""
    lines = []
    for size in sorted(result["sizes"], key=int):
        for path, label in PATHS.items():
            now = result["sizes"][size].get(path)
            before = previous.get("sizes", {}).get(size, {}).get(path)
            if not now or not before:
                continue
            change = (now["seconds"] - before["seconds"]) / before["seconds"]
            lines.append(
                f"  {int(size):>7,} {label:<12} {before['seconds']:>8.3f} s -> "
                f"{now['seconds']:>8.3f} s ({change:+.0%}), x floor "
                f"{before.get('ratio_to_floor', 0):.2f} -> {now['ratio_to_floor']:.2f}"
            )
    if not lines:
        return ""
    when = previous.get("finished_at", "an earlier run")
    return f"Compared with the previous run ({when}):\n" + "\n".join(lines)


def bench_line(summary):
    """The last line of the bench."""
    per_record = summary["per_record_ratio"]
    return (
        f"bench: ratio_to_floor={summary['ratio_to_floor']:.2f} "
        f"http_per_record={summary['http_per_record']:.4f} "
        f"sql_per_record={summary['sql_per_record']:.3f} "
        f"per_record_ratio=" + ("n/a" if per_record is None else f"{per_record:.1f}")
    )


def git_revision():
    """The commit measured, marked ``+dirty`` with uncommitted changes."""
    if not shutil.which("git"):
        return None
    run = {"cwd": ROOT, "capture_output": True, "text": True, "check": False}
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], **run)
    if head.returncode:
        return None
    dirty = subprocess.run(["git", "status", "--porcelain", "--", ADDON], **run)
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def save(result):
    """Write latest.json, keeping the run before as previous.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    previous = None
    if latest.exists():
        try:
            previous = json.loads(latest.read_text())
        except ValueError:
            previous = None
        shutil.copyfile(latest, RESULTS / "previous.json")
    latest.write_text(json.dumps(result, indent=2) + "\n")
    return previous


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--big", action="store_true", help=f"also import {BIG_SIZE:,} brews"
    )
    parser.add_argument(
        "--sizes",
        type=lambda text: [int(size) for size in text.split(",")],
        default=SIZES,
        help="numbers of brews, comma separated (default: 1000,10000)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="runs of the floor and the batch import and update (default 5): "
        "the median counts",
    )
    parser.add_argument(
        "--per-record-limit",
        type=int,
        default=10000,
        help="time the per-record path on at most this many brews and scale "
        "the figures up (0: skip it)",
    )
    parser.add_argument(
        "--no-export", action="store_true", help="skip the export figures"
    )
    parser.add_argument(
        "--no-events", action="store_true", help="skip the webhook figures"
    )
    parser.add_argument(
        "--profile",
        metavar="DIR",
        help="write cProfile statistics of the first batch import of each size",
    )
    args = parser.parse_args(argv)
    odoo_env.exit_on_signals()
    RUN_DIR.mkdir(exist_ok=True)

    started = time.time()
    try:
        result = measure(args)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as err:
        warn(f"the bench did not run: {err}")
        return 2
    result.update(
        repeat=args.repeat,
        revision=git_revision(),
        machine=f"{platform.machine()}, {os.cpu_count()} CPUs",
        finished_at=time.strftime("%Y-%m-%d %H:%M:%S"),
        bench_seconds=round(time.time() - started, 1),
    )
    summary = derive(result)
    derive_busy_paths(result)
    previous = save(result)

    out = ["", table(result), "", busy_path_table(result), ""]
    if previous:
        comparison = compare(previous, result)
        if comparison:
            out += [comparison, ""]
    out.append("Targets:")
    for target in result["targets"]:
        mark = "ok  " if target["met"] else "MISS"
        out.append(f"  {mark} {target['target']}: {target['measured']}")
    out += [
        "",
        f"Figures written to {(RESULTS / 'latest.json').relative_to(ROOT)} "
        f"({result['bench_seconds']:.0f} s in all)",
        bench_line(summary),
        *busy_path_lines(result),
    ]
    sys.stdout.write("\n".join(out) + "\n")
    return 0 if all(target["met"] for target in result["targets"]) else 1


if __name__ == "__main__":
    sys.exit(odoo_env.run_main(main))
