# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Run both tiers of the tests: ``make test``.

Tier A needs no Odoo: pytest over ``tests/`` (REST client, simulator, static
checks of the addon, pylint-odoo). Tier B needs Odoo 18 (found, or set up in
``.venv`` from its source): Odoo's own runner installs the addon into a fresh
database with ``--test-enable``, as OCA CI and runbot do, failing on any
WARNING or ERROR in its log; then pytest-odoo runs the same
``connector_coffee/tests`` on that database. The database is dropped at the
end, also when the run fails or is stopped, and the next run drops those of
runs that were killed.

The last lines are the summary: the lines of the ``*.summary`` files the
tests of tier B wrote in the run folder (such as the figures of the
reliability suite), then ``tier-a: N passed, M failed``,
``tier-b-odoo: N passed, M failed`` (Odoo's runner) and
``tier-b: N passed, M failed`` (pytest-odoo), or ``tier-b: skipped (<why>)``.
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
# the last line of Odoo's test runner: "0 failed, 0 error(s) of 104 tests"
ODOO_REPORT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")
# tier B's databases are named after the process that made them
DATABASE_PREFIX = "coffee_test_"


class TierResult:
    """Outcome of one tier."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.skipped_reason = None
        self.problems = []
        self.ran = False  # for Odoo's runner: the addon got installed

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


def bad_log_lines(text):
    """The lines of an Odoo log that are WARNINGs, ERRORs or tracebacks."""
    return [
        line
        for line in text.splitlines()
        if (LOG_LEVEL.match(line) and not ENVIRONMENT_WARNINGS.search(line))
        or line.startswith("Traceback")
    ]


def odoo_runner(python, config, database, env, with_tests=True):
    """Install the addon with Odoo's own test runner, as OCA CI and runbot do.

    ``odoo -i connector_coffee --test-enable --test-tags /connector_coffee``:
    its at_install tests run while it installs, its post_install tests once
    every module is loaded. Any WARNING or ERROR in the log, besides those of
    failing tests, fails the tier too.

    :param with_tests: run the tests; else only install the addon
    """
    result = TierResult("tier-b-odoo")
    say(
        f"Odoo's runner: installing {ADDON} into {database!r}"
        + (" and running its tests" if with_tests else "")
    )
    cmd = [
        python, "-m", "odoo", "-c", config, "-d", database, "-i", ADDON,
        "--stop-after-init", "--log-level=info", "--max-cron-threads=0",
    ]  # fmt: skip
    if with_tests:
        cmd += ["--test-enable", f"--test-tags=/{ADDON}"]
    log_path = RUN_DIR / "odoo-runner.log"
    with open(log_path, "w") as log:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False
        )
    text = log_path.read_text()
    report = ODOO_REPORT.findall(text)
    if with_tests and not report:
        result.problems.append(f"Odoo's runner printed no test report, see {log_path}")
    elif report:
        result.ran = True
        failed, errors, total = (int(n) for n in report[-1])
        result.failed = failed + errors
        result.passed = total - result.failed
    bad = [line for line in bad_log_lines(text) if not ODOO_REPORT.search(line)]
    if bad and not result.failed:
        result.problems.append(f"the log has warnings or errors, see {log_path}")
    if bad:
        sys.stdout.write("\n".join(bad[:40]) + "\n")
    if proc.returncode and not result.failed:
        result.problems.append(f"odoo exited with {proc.returncode}, see {log_path}")
    elif not with_tests:
        result.ran = not proc.returncode
    return result


def pytest_odoo(python, config, database, env, pytest_args):
    """Run the same tests with pytest-odoo on the database they installed in."""
    result = TierResult("tier-b")
    say(f"pytest-odoo: running {ADDON}/tests on {database!r}")
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


def tier_b(python, pytest_args, runners):
    """Tier B: the addon's tests in a real Odoo 18, under the chosen runners.

    :return: a list of :class:`TierResult`, one per runner
    """
    results = []
    with ExitStack() as stack:
        try:
            db = odoo_env.open_database(stack)
        except RuntimeError as err:
            skipped = TierResult("tier-b")
            skipped.skipped_reason = f"no PostgreSQL to use: {err}"
            return [skipped]
        config = str(RUN_DIR / "odoo.conf")
        odoo_env.write_config(
            config,
            db,
            odoo_env.addons_paths(python),
            http_port=odoo_env.free_port(),
            extra={"without_demo": "all"},
        )
        odoo_env.drop_stale_databases(python, config, DATABASE_PREFIX)
        database = f"{DATABASE_PREFIX}{os.getpid()}"
        stack.callback(odoo_env.drop_database, python, config, database)
        # the HTTP server of HttpCase tests would start queue_job's runner:
        # tests perform their jobs themselves
        env = dict(
            os.environ,
            ODOO_RC=config,
            ODOO_QUEUE_JOB_CHANNELS="root:0",
            COFFEE_RUN_DIR=str(RUN_DIR),
        )
        installed = odoo_runner(python, config, database, env, "odoo" in runners)
        if "odoo" in runners or not installed.ok:
            results.append(installed)
        if "pytest" in runners and installed.ran:
            results.append(pytest_odoo(python, config, database, env, pytest_args))
    return results


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
    parser.add_argument(
        "--runner",
        choices=["odoo", "pytest", "both"],
        default="both",
        help="tier B under Odoo's own test runner, pytest-odoo, or both",
    )
    parser.add_argument("pytest_args", nargs="*", help="passed on to pytest")
    args = parser.parse_args(argv)
    RUN_DIR.mkdir(exist_ok=True)

    odoo_env.exit_on_signals()
    python, odoo_found, reason = odoo_env.prepare(setup=args.tier != "a")
    runners = {"odoo", "pytest"} if args.runner == "both" else {args.runner}
    results = []
    if args.tier in ("a", "both"):
        results.append(tier_a(python, args.pytest_args))
    if args.tier in ("b", "both"):
        for stale in RUN_DIR.glob("*.summary"):
            stale.unlink()
        if odoo_found:
            results += tier_b(python, args.pytest_args, runners)
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
    sys.exit(odoo_env.run_main(main))
