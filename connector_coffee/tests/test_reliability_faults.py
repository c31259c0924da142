# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reliability under faults: a full sync against a misbehaving machine.

Each scenario starts a simulator with one fault mode, runs a full sync of
machines, beverages, users and brews over several pages, performs the jobs
with their retries as the job runner would, and checks the end state: every
record of the machine imported exactly once, no duplicate, nothing lost, and
no failed job, since every fault here is transient. Permanent faults (bad
credentials, values the machine refuses) and poison records fail their own
job only, with a message naming the backend, the record and the cause.

:class:`TestReliabilityFaults` adds up the figures of the scenarios and of the
pour part it ran and, once its tests are done, writes them on one line to
``<run dir>/reliability.summary`` for ``make test`` to print.
"""

import os
import time
from pathlib import Path

from odoo.tools import mute_logger

from ..entities import BY_MODEL, ENTITIES
from ..exception import CoffeeSyncError
from .common import SIM_PASSWORD, CoffeeCase, backend_on

#: records per page: every resource spans several pages
PAGE_SIZE = 4

#: seconds a slow request takes, past the backend's timeout of 1 s
SLOW = 1.6

#: the fault scenarios: a random fault spec (seeded: deterministic) and
#: deterministic one-shot faults ``(kind, count, path, method, delay)``
SCENARIOS = {
    "500": {"spec": "500:0.3"},
    "503": {"spec": "503:0.3"},
    "429": {"spec": "429:0.3"},
    "drop": {"spec": "drop:0.25"},
    "malformed": {"spec": "malformed:0.25"},
    "duplicate": {"spec": "duplicate:0.5"},
    "latency": {
        "timeout": 1,
        "fail_next": [
            ("latency", 1, "/users", "GET", SLOW),
            ("latency", 1, "/brews", "GET", SLOW),
        ],
    },
    "mixed": {
        "spec": "500:0.08,503:0.08,429:0.08,drop:0.05,malformed:0.05,duplicate:0.3"
    },
}

#: faults of the pour part: a busy machine, dropped connections, and one
#: order whose answer is lost (the machine pours after the client gave up)
POUR_FAULTS = {
    "spec": "503:0.25,drop:0.2",
    "timeout": 1,
    "fail_next": [("latency", 1, "/brews", "POST", SLOW)],
}


def run_dir():
    """Folder of the run's files (``COFFEE_RUN_DIR``, default ``<repo>/.run``)."""
    default = Path(__file__).resolve().parents[2] / ".run"
    return Path(os.environ.get("COFFEE_RUN_DIR") or default)


class FaultCase(CoffeeCase):
    """Scenarios of faults on a fresh simulator and backend each."""

    simulator_options = {"machines": 6, "beverages": 7, "users": 10, "brews": 40}

    def run_jobs(self, trap, on_retry=None):
        """Perform the trapped jobs, collecting failures instead of raising."""
        return self.perform_jobs(trap, raise_failures=False, on_retry=on_retry)

    def new_machine(self, name, faults=None):
        """A simulator with ``faults`` and a backend on it.

        :return: (simulator, backend)
        """
        faults = faults or {}
        simulator = self.start_simulator(**self.simulator_options)
        backend = backend_on(
            self.env,
            simulator,
            name=f"Faulty machine {name}",
            timeout=faults.get("timeout", 5),
            page_size=PAGE_SIZE,
        )
        simulator.set_faults(faults.get("spec"))
        for kind, count, path, method, delay in faults.get("fail_next", ()):
            simulator.fail_next(
                kind, count=count, path=path, method=method, delay=delay
            )
        return simulator, backend

    def bindings_of(self, backend, model):
        return (
            self.env[model]
            .with_context(active_test=False)
            .search([("backend_id", "=", backend.id)])
        )

    def odoo_counts(self):
        """Partners and products in Odoo (to find records made twice)."""
        return {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in ("res.partner", "product.product")
        }

    def full_sync(self, backend):
        """Enqueue every import of the backend and perform the jobs."""
        with self.trap() as trap:
            backend.sync_all()
            return self.run_jobs(trap)

    def figures(self, simulator, backend, run, before):
        """Measure a scenario's end state.

        :param before: :meth:`odoo_counts` before the scenario
        :return: dict of figures
        """
        counters = simulator.counters()
        records = duplicates = lost = 0
        for resource, model, *__ in ENTITIES:
            bindings = self.bindings_of(backend, model)
            ids = bindings.mapped("coffee_id")
            records += len(bindings)
            duplicates += len(ids) - len(set(ids))
            lost += len({r["id"] for r in simulator.records(resource)} - set(ids))
        after = self.odoo_counts()
        # a partner or product made twice for one machine record
        duplicates += after["res.partner"] - before["res.partner"]
        duplicates -= len(self.bindings_of(backend, "coffee.res.partner"))
        duplicates += after["product.product"] - before["product.product"]
        duplicates -= len(self.bindings_of(backend, "coffee.product.product"))
        return {
            "faults": sum(v for k, v in counters.items() if k.startswith("fault ")),
            "jobs": len(run.performed),
            "retries": len(run.retried),
            "records": records,
            "duplicates": duplicates,
            "lost": lost,
            "failed": len(run.failed),
        }

    def run_scenario(self, name):
        """Run the full sync of one scenario of :data:`SCENARIOS`.

        :return: (figures, simulator, backend, run)
        """
        before = self.odoo_counts()
        simulator, backend = self.new_machine(name, SCENARIOS[name])
        run = self.full_sync(backend)
        simulator.set_faults(None)
        return self.figures(simulator, backend, run, before), simulator, backend, run

    def assert_synced(self, figures, simulator, backend, run):
        """Everything imported once, nothing lost, no failed job."""
        self.assertEqual(
            [(job.func_string, str(err)) for job, err in run.failed],
            [],
            "a transient fault failed a job",
        )
        self.assertEqual(figures["lost"], 0, "records of the machine are missing")
        self.assertEqual(figures["duplicates"], 0, "records were imported twice")
        brews = {b.coffee_id: b for b in self.bindings_of(backend, "coffee.brew")}
        for record in simulator.records("brews"):
            self.assertEqual(brews[record["id"]].state, record["state"])
        for __, err in run.retried:
            self.assertIn(backend.name, str(err), "a retry message misses the backend")

    def pour_part(self):
        """Pour coffees under faults.

        :return: (figures, brews, run)
        """
        simulator, backend = self.new_machine("pour", {})
        with self.trap() as trap:
            backend._enqueue_imports("machines")
            backend._enqueue_imports("beverages")
            self.run_jobs(trap)
        partners = self.env["res.partner"].create(
            [{"name": f"Thirsty {n}"} for n in range(4)]
        )
        simulator.reset_counters()
        simulator.set_faults(POUR_FAULTS["spec"])
        backend.timeout = POUR_FAULTS["timeout"]
        for kind, count, path, method, delay in POUR_FAULTS["fail_next"]:
            simulator.fail_next(
                kind, count=count, path=path, method=method, delay=delay
            )
        started = time.monotonic()
        with self.trap() as trap:
            brews = backend.pour_coffee(partners)
            run = self.run_jobs(trap, on_retry=simulator.advance_brews)
        # the order whose answer was lost reaches the machine late: wait for it
        time.sleep(max(0.0, started + SLOW + 0.3 - time.monotonic()))
        simulator.set_faults(None)
        counters = simulator.counters()
        keys = [r["idempotency_key"] for r in simulator.records("brews")]
        poured = [key for key in keys if key in set(brews.mapped("idempotency_key"))]
        figures = {
            "faults": sum(v for k, v in counters.items() if k.startswith("fault ")),
            "jobs": len(run.performed),
            "retries": len(run.retried),
            "records": 0,
            "duplicates": len(poured) - len(set(poured)),
            "lost": len(brews.filtered(lambda b: not b.coffee_id)),
            "failed": len(run.failed),
            "double_pours": counters["pours"] - len(set(poured)),
        }
        return figures, brews, run


class TestReliabilityFaults(FaultCase):
    #: the figures of the scenarios run so far, added up
    totals = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.totals = {}

    @classmethod
    def tearDownClass(cls):
        cls.write_summary()
        super().tearDownClass()

    @classmethod
    def tally(cls, figures):
        """Add a scenario's figures to the class's totals."""
        for key in ("faults", "jobs", "retries", "records", "duplicates", "lost"):
            cls.totals[key] = cls.totals.get(key, 0) + figures[key]
        if "double_pours" in figures:
            cls.totals["double_pours"] = figures["double_pours"]

    @classmethod
    def write_summary(cls):
        """Write the totals on one line to ``<run dir>/reliability.summary``."""
        if not cls.totals:
            return
        line = "reliability: " + " ".join(f"{k}={v}" for k, v in cls.totals.items())
        folder = run_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "reliability.summary").write_text(line + "\n")

    def check_scenario(self, name):
        figures, simulator, backend, run = self.run_scenario(name)
        self.tally(figures)
        self.assert_synced(figures, simulator, backend, run)
        self.assertGreater(figures["faults"], 0, "the simulator injected no fault")
        return figures, simulator, backend, run

    def test_server_errors_500(self):
        figures, *__ = self.check_scenario("500")
        self.assertGreater(figures["retries"], 0)

    def test_machine_unavailable_503(self):
        figures, *__ = self.check_scenario("503")
        self.assertGreater(figures["retries"], 0)

    def test_rate_limit_429_retries_after_retry_after(self):
        figures, __, __, run = self.check_scenario("429")
        rate_limited = [err for __, err in run.retried if "429" in str(err)]
        self.assertTrue(rate_limited)
        # the simulator answers Retry-After: 1
        self.assertEqual({err.seconds for err in rate_limited}, {1})

    def test_dropped_connections(self):
        figures, __, __, run = self.check_scenario("drop")
        self.assertTrue(
            any("connection closed" in str(err) for __, err in run.retried),
            [str(err) for __, err in run.retried],
        )

    def test_malformed_json(self):
        figures, __, __, run = self.check_scenario("malformed")
        self.assertTrue(any("not valid JSON" in str(err) for __, err in run.retried))

    def test_duplicate_items_across_pages(self):
        figures, simulator, *__ = self.check_scenario("duplicate")
        self.assertGreater(simulator.counters().get("fault duplicate", 0), 0)
        self.assertEqual(figures["retries"], 0)

    def test_latency_past_the_timeout(self):
        started = time.monotonic()
        figures, __, backend, run = self.check_scenario("latency")
        timeouts = [err for __, err in run.retried if "did not answer" in str(err)]
        self.assertEqual(len(timeouts), 2)
        self.assertIn("within 1 seconds", str(timeouts[0]))
        # the client gave up after the backend's timeout, not the machine's delay
        self.assertLess(time.monotonic() - started, 2 * SLOW + 2)

    def test_mixed_faults(self):
        self.check_scenario("mixed")

    def test_bad_credentials_fail_without_retry_then_requeue(self):
        """401 is permanent: the page jobs fail at once, clearly; requeued, they
        import what they missed."""
        simulator, backend = self.new_machine("401")
        with self.trap() as trap:
            backend._enqueue_imports("brews")
            first = trap.enqueued_jobs.pop()
            first.perform()
            # the machine's password changes while the pages are pending
            simulator.password = "changed-on-the-machine"
            pending = [j for j in trap.enqueued_jobs if j.method_name == "_import_page"]
            run = self.run_jobs(trap)
        self.assertEqual(run.retried, [])
        self.assertEqual(len(run.failed), len(pending))
        # the import is not over: its date waits for the failed pages
        self.assertEqual(len(run.blocked), 1)
        self.assertGreater(len(pending), 2)
        for job, err in run.failed:
            self.assertIsInstance(err, CoffeeSyncError)
            message = str(err)
            self.assertIn(backend.name, message)
            self.assertIn(f"list page {job.args[1]} of brews", message)
            self.assertIn("401", message)
            self.assertNotIn(SIM_PASSWORD, message)
        # the password is fixed on the machine; the failed jobs are requeued
        simulator.password = SIM_PASSWORD
        with self.trap() as trap:
            trap.enqueued_jobs = [job for job, __ in run.failed]
            rerun = self.run_jobs(trap)
        self.assertEqual(rerun.failed, [])
        brews = self.bindings_of(backend, "coffee.brew")
        self.assertEqual(
            sorted(brews.mapped("coffee_id")),
            [r["id"] for r in simulator.records("brews")],
        )

    def test_value_refused_by_the_machine_fails_clearly(self):
        """422 is permanent: the export fails at once, naming the record."""
        simulator, backend = self.new_machine("422")
        partner = self.env["res.partner"].create(
            {"name": "Typo Tom", "email": "tom-at-example"}
        )
        with self.trap() as trap:
            partner.coffee_backend_ids = backend
            run = self.run_jobs(trap)
        self.assertEqual(run.retried, [])
        self.assertEqual(len(run.failed), 1)
        message = str(run.failed[0][1])
        self.assertIsInstance(run.failed[0][1], CoffeeSyncError)
        self.assertIn(backend.name, message)
        self.assertIn("Typo Tom", message)
        self.assertIn("422", message)
        self.assertIn("email", message)
        self.assertFalse(partner.coffee_bind_ids.coffee_id)
        self.assertFalse(
            [u for u in simulator.records("users") if u["name"] == "Typo Tom"]
        )

    def test_pour_under_faults_pours_once_per_brew(self):
        figures, brews, run = self.pour_part()
        self.tally(figures)
        self.assertEqual(run.failed, [])
        self.assertGreater(figures["faults"], 0)
        self.assertEqual(figures["lost"], 0)
        self.assertEqual(figures["double_pours"], 0)
        self.assertEqual(len(set(brews.mapped("coffee_id"))), len(brews))
        # the order's job says it in plain words, the machine's error below
        self.assertTrue(
            any("did not answer" in str(err.__cause__) for __, err in run.retried),
            "no order lost its answer",
        )


class TestReliabilityPoison(FaultCase):
    """A record Odoo refuses fails alone; its page is imported."""

    simulator_options = {"machines": 4, "beverages": 5, "users": 6, "brews": 30}

    def sync_with_poison(self):
        """Full sync of the test's backend; return the run."""
        self.backend.page_size = 10
        with self.trap() as trap:
            self.backend.sync_all()
            return self.run_jobs(trap)

    def assert_poison_failed_alone(self, run, model, poison_id, cause):
        self.assertEqual(run.retried, [])
        self.assertEqual(len(run.failed), 1, [str(e) for __, e in run.failed])
        job, err = run.failed[0]
        # the poison record ends as its own job, which fails
        self.assertEqual(job.method_name, "_import_record")
        self.assertEqual(job.model_name, model)
        self.assertEqual(job.args[1], poison_id)
        self.assertIsInstance(err, CoffeeSyncError)
        message = str(err)
        self.assertIn(self.backend.name, message)
        self.assertIn(f"{model} {poison_id}", message)
        self.assertIn(cause, message)
        self.assertIn(cause, job.description)
        # nothing half-written
        bindings = self.bindings(model)
        self.assertNotIn(poison_id, bindings.mapped("coffee_id"))
        resource = BY_MODEL[model].resource
        valid = {r["id"] for r in self.simulator.records(resource)} - {poison_id}
        self.assertEqual(set(bindings.mapped("coffee_id")), valid)

    def test_brew_in_a_state_odoo_does_not_know(self):
        poison = self.simulator.update_record("brews", 15, state="exploded")
        with self.assertLogs(
            "odoo.addons.connector_coffee.components.importer", "WARNING"
        ) as logs:
            run = self.sync_with_poison()
        self.assertIn("coffee.brew 15 cannot be imported", logs.output[0])
        self.assert_poison_failed_alone(run, "coffee.brew", poison["id"], "exploded")

    def test_poison_change_of_an_imported_brew(self):
        """A change Odoo refuses fails alone; the brew keeps its last state."""
        self.sync_with_poison()
        before = self.bindings("coffee.brew").filtered(lambda b: b.coffee_id == 15)
        state = before.state
        self.simulator.update_record("brews", 15, state="exploded")
        self.simulator.update_record("brews", 16, state="cancelled")
        with self.assertLogs(
            "odoo.addons.connector_coffee.components.importer", "WARNING"
        ):
            run = self.sync_with_poison()
        self.assertEqual(len(run.failed), 1)
        job, err = run.failed[0]
        self.assertEqual((job.method_name, job.args[1]), ("_import_record", 15))
        self.assertIn(self.backend.name, str(err))
        self.assertIn("coffee.brew 15 cannot be imported", str(err))
        self.env.invalidate_all()
        brews = {b.coffee_id: b for b in self.bindings("coffee.brew")}
        self.assertEqual(brews[16].state, "cancelled")
        self.assertEqual(brews[15], before)
        self.assertEqual(brews[15].state, state)

    def test_beverage_the_database_refuses_leaves_no_product(self):
        products = self.env["product.product"].with_context(active_test=False)
        before = products.search_count([])
        poison = self.simulator.add_record("beverages", name=None, code="NAMELESS")
        with (
            mute_logger("odoo.sql_db"),
            self.assertLogs("odoo.addons.connector_coffee.components.importer", "INFO"),
        ):
            run = self.sync_with_poison()
        self.assert_poison_failed_alone(
            run, "coffee.product.product", poison["id"], "not-null"
        )
        self.assertEqual(
            products.search_count([]) - before,
            len(self.bindings("coffee.product.product")),
            "a product was created for the refused beverage",
        )
        self.assertFalse(products.search([("default_code", "=", "NAMELESS")]))

    def test_a_refused_record_is_found_by_halves(self):
        """One beverage the database refuses among 64 of a page: the page is
        saved again in halves down to it, in a seventh of the queries that
        one savepoint per beverage took."""
        for number in range(58):
            self.simulator.add_record("beverages", name=f"Blend {number}")
        poison = self.simulator.add_record("beverages", name=None, code="NAMELESS")
        records = self.simulator.records("beverages")
        self.assertEqual(len(records), 64)
        with self.backend.work_on("coffee.product.product") as work:
            importer = work.component(usage="record.importer")
            with (
                self.trap() as trap,
                mute_logger("odoo.sql_db"),
                self.assertLogs(
                    "odoo.addons.connector_coffee.components.importer", "WARNING"
                ),
            ):
                queries = self.env.cr.sql_log_count
                result = importer.import_records(records)
                queries = self.env.cr.sql_log_count - queries
        self.assertEqual(result["created"], 63)
        self.assertEqual(result["deferred"], 1)
        self.assertEqual(trap.enqueued_jobs[0].args[1], poison["id"])
        self.assertEqual(len(self.bindings("coffee.product.product")), 63)
        # one savepoint a beverage took 1,101 queries
        self.assertLess(queries, 3 * len(records), f"{queries} queries")

    def test_poison_record_on_two_pages_gets_one_job(self):
        """Served twice (the duplicate fault), a poison record is handed over
        to one job: the identity key of its job."""
        self.backend.page_size = 10
        self.sync("machines", "beverages", "users")
        poison = self.simulator.update_record("brews", 10, state="exploded")
        self.simulator.fail_next("duplicate", path="/brews")
        with (
            self.trap() as trap,
            self.assertLogs(
                "odoo.addons.connector_coffee.components.importer", "WARNING"
            ) as logs,
        ):
            self.backend._enqueue_imports("brews")
            trap.enqueued_jobs.pop().perform()
            # page 2 begins with the last brew of page 1: the poison one
            page_2 = next(j for j in trap.enqueued_jobs if j.args[1:2] == (2,))
            page_2.perform()
            self.assertEqual(self.simulator.counters().get("fault duplicate"), 1)
            self.assertEqual(len(logs.output), 2, "not refused on both pages")
            deferred = [
                job for job in trap.enqueued_jobs if job.method_name == "_import_record"
            ]
            self.assertEqual(len(deferred), 1)
            trap.enqueued_jobs.remove(page_2)
            run = self.run_jobs(trap)
        self.assert_poison_failed_alone(run, "coffee.brew", poison["id"], "exploded")

    def test_brew_of_a_machine_missing_on_the_machine(self):
        """A brew whose machine is gone fails alone, not its whole page."""
        poison = self.simulator.update_record("brews", 15, machine_id=999)
        with self.assertLogs(
            "odoo.addons.connector_coffee.components.importer", "WARNING"
        ):
            run = self.sync_with_poison()
        failures = [
            (job.func_string, type(err).__name__, str(err)) for job, err in run.failed
        ]
        self.assertFalse(
            [f for f in failures if "_import_page" in f[0]],
            f"the page of a poison brew failed whole: {failures}",
        )
        self.assert_poison_failed_alone(run, "coffee.brew", poison["id"], "999")

    def test_brew_of_a_poison_beverage(self):
        """Brews of a beverage Odoo refuses fail alone, not their pages."""
        poison = self.simulator.add_record("beverages", name=None, code="NAMELESS")
        brew = self.simulator.update_record("brews", 15, beverage_id=poison["id"])
        with (
            mute_logger("odoo.sql_db"),
            self.assertLogs("odoo.addons.connector_coffee.components.importer", "INFO"),
        ):
            run = self.sync_with_poison()
        pages = [
            (job.func_string, str(err))
            for job, err in run.failed
            if job.method_name in ("_import_page", "_import_batch")
        ]
        self.assertEqual(pages, [], "a poison beverage sank a page of brews")
        valid = {r["id"] for r in self.simulator.records("brews")} - {brew["id"]}
        self.assertEqual(set(self.bindings("coffee.brew").mapped("coffee_id")), valid)
        # the beverage and its brew fail in jobs of their own
        self.assertEqual(
            sorted((job.model_name, job.args[1]) for job, __ in run.failed),
            [("coffee.brew", brew["id"]), ("coffee.product.product", poison["id"])],
        )
        for __, err in run.failed:
            self.assertIn(self.backend.name, str(err))
            self.assertIn("cannot be imported", str(err))
