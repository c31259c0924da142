# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run both tiers of the tests: ``make test``.

Tier A needs no Odoo: pytest over ``tests/`` (REST client, simulator, static
checks of the addon, pylint-odoo). Tier B needs an importable Odoo 18: the
addon is installed into a fresh database (failing on any WARNING or ERROR in
the install log), then pytest-odoo runs ``connector_coffee/tests``.

The last lines are the summary, exactly ``tier-a: N passed, M failed`` and
``tier-b: N passed, M failed`` or ``tier-b: skipped (<why>)``, after the
lines of the ``*.summary`` files the tests of tier B wrote in the run folder
(such as the figures of the reliability suite).
"""

import argparse
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from contextlib import ExitStack

import odoo_env
from odoo_env import ROOT, RUN_DIR, say, warn

ADDON = "connector_coffee"
# an Odoo log line: "2026-01-01 10:00:00,000 1234 WARNING db logger: message"
LOG_LEVEL = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")
# warnings about the machine the tests run on, not about the addon
ENVIRONMENT_WARNINGS = re.compile(r"Running as user 'root' is a security risk")


class TierResult:
    """Outcome of one tier."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.skipped_reason = None
        self.problems = []

    @property
    def ok(self):
        return not self.failed and not self.problems

    def add_junit(self, path):
        """Count the test cases of a pytest junit XML report.

        Test cases are counted, not the suite's ``tests`` attribute, which
        also counts each ``subTest``.
        """
        if not os.path.exists(path):
            self.problems.append(f"pytest wrote no report ({path})")
            return
        for case in ET.parse(path).getroot().iter("testcase"):
            outcomes = {child.tag for child in case}
            if outcomes & {"failure", "error"}:
                self.failed += 1
            elif "skipped" in outcomes:
                self.skipped += 1
            else:
                self.passed += 1

    def summary(self):
        if self.skipped_reason:
            return f"{self.name}: skipped ({self.skipped_reason})"
        line = f"{self.name}: {self.passed} passed, {self.failed} failed"
        return line + (f", {self.skipped} skipped" if self.skipped else "")


def run_pytest(python, args, report, env=None):
    """Run pytest, streaming its output, and return its exit code."""
    if os.path.exists(report):
        os.remove(report)
    cmd = [python, "-m", "pytest", f"--junitxml={report}", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode


def tier_a(python, pytest_args):
    """Tier A: the tests that need no Odoo."""
    result = TierResult("tier-a")
    say("tier A: REST client, simulator and static checks (no Odoo)")
    code = run_pytest(
        python, ["tests", "-p", "no:odoo", *pytest_args], str(RUN_DIR / "tier-a.xml")
    )
    result.add_junit(str(RUN_DIR / "tier-a.xml"))
    if code not in (0, 1) and not result.failed:
        result.problems.append(f"pytest exited with {code}")
    return result


def install_addon(python, config, database):
    """Install the addon into a fresh database; return the log's bad lines."""
    say(f"installing {ADDON} into a fresh database {database!r}")
    cmd = [
        python, "-m", "odoo", "-c", config, "-d", database, "-i", ADDON,
        "--stop-after-init", "--log-level=info", "--max-cron-threads=0",
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    log_path = RUN_DIR / "install.log"
    log_path.write_text(proc.stdout + proc.stderr)
    bad = [
        line
        for line in (proc.stdout + proc.stderr).splitlines()
        if (LOG_LEVEL.match(line) and not ENVIRONMENT_WARNINGS.search(line))
        or line.startswith("Traceback")
    ]
    if proc.returncode != 0 and not bad:
        bad.append(f"odoo exited with {proc.returncode}, see {log_path}")
    return bad


def tier_b(python, pytest_args):
    """Tier B: install the addon in a real Odoo 18 and run its tests."""
    result = TierResult("tier-b")
    with ExitStack() as stack:
        try:
            db = odoo_env.open_database(stack)
        except RuntimeError as err:
            result.skipped_reason = f"no PostgreSQL to use: {err}"
            return result
        config = str(RUN_DIR / "odoo.conf")
        odoo_env.write_config(
            config,
            db,
            odoo_env.addons_paths(python),
            http_port=odoo_env.free_port(),
            extra={"without_demo": "all"},
        )
        database = f"coffee_test_{os.getpid()}"
        stack.callback(odoo_env.drop_database, python, config, database)
        bad = install_addon(python, config, database)
        if bad:
            result.problems.append("the install log has warnings or errors")
            sys.stdout.write("\n".join(bad[:50]) + "\n")
            return result
        say("install log is clean; running pytest-odoo on connector_coffee/tests")
        # the HTTP server of HttpCase tests would start queue_job's runner:
        # tests perform their jobs themselves
        env = dict(os.environ, ODOO_RC=config, ODOO_QUEUE_JOB_CHANNELS="root:0")
        code = run_pytest(
            python,
            [
                f"{ADDON}/tests",
                f"--odoo-config={config}",
                f"--odoo-database={database}",
                "--odoo-log-level=warn",
                "--odoo-http",
                *pytest_args,
            ],
            str(RUN_DIR / "tier-b.xml"),
            env=env,
        )
        result.add_junit(str(RUN_DIR / "tier-b.xml"))
        if code not in (0, 1) and not result.failed:
            result.problems.append(f"pytest-odoo exited with {code}")
    return result


def read_summaries():
    """The lines of the ``*.summary`` files the tests wrote in the run folder.

    Tests write their figures there (pytest captures their output); they are
    printed just before the tier lines.
    """
    return [
        line
        for path in sorted(RUN_DIR.glob("*.summary"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", choices=["a", "b", "both"], default="both")
    parser.add_argument("pytest_args", nargs="*", help="passed on to pytest")
    args = parser.parse_args(argv)
    RUN_DIR.mkdir(exist_ok=True)

    odoo_python, reason = odoo_env.find_odoo_python()
    say(reason)
    python = odoo_env.ensure_venv(
        odoo_python or sys.executable, with_odoo=bool(odoo_python)
    )
    results = []
    if args.tier in ("a", "both"):
        results.append(tier_a(python, args.pytest_args))
    if args.tier in ("b", "both"):
        for stale in RUN_DIR.glob("*.summary"):
            stale.unlink()
        if odoo_python:
            results.append(tier_b(python, args.pytest_args))
        else:
            skipped = TierResult("tier-b")
            skipped.skipped_reason = reason
            results.append(skipped)
    for result in results:
        if result.skipped_reason:
            warn(
                f"{result.name.upper()} DID NOT RUN: {result.skipped_reason}. "
                "The addon's Odoo tests were not executed; install Odoo 18.0 "
                "(see README.rst) to run them."
            )
        for problem in result.problems:
            sys.stdout.write(f"{result.name}: FAILED: {problem}\n")
    lines = [r.summary() for r in results]
    if args.tier in ("b", "both"):
        lines = read_summaries() + lines
    sys.stdout.write("\n" + "\n".join(lines) + "\n")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
