# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two transactions synchronising the same record at once.

Each test opens two real transactions on their own database connections, as
two job runner workers would, on a backend committed for them (and removed
at the end). Whatever the interleaving, one binding comes out, and the job
that loses the race asks to be retried instead of failing.
"""

import threading
import time
from contextlib import ExitStack, contextmanager
from unittest import mock

import psycopg2.errors

import odoo
from odoo.tools import mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from .common import CoffeeCase, backend_on

#: seconds a transaction may wait for a lock before the test gives up (only
#: reached when a guarantee is broken: the test then fails, it does not hang)
LOCK_TIMEOUT = "3s"


class TestReliabilityConcurrency(CoffeeCase):
    simulator_options = {"machines": 6, "beverages": 3, "users": 3, "brews": 0}

    def setUp(self):
        super().setUp()
        self.dbname = self.env.cr.dbname
        # this transaction does not see the test's uncommitted system
        # parameter allowing the simulator's 127.0.0.1 (nor may it write it:
        # its key is unique, the test's transaction holds it)
        with (
            self.transaction() as env,
            mock.patch.object(
                type(env["coffee.backend"]),
                "_local_locations_allowed",
                return_value=True,
            ),
        ):
            backend = backend_on(env, self.simulator, name="Shared machine")
            env.cr.commit()
        self.shared_backend_id = backend.id
        self.addCleanup(self.remove_committed)

    @contextmanager
    def transaction(self):
        """A transaction on a connection of its own (rolled back unless
        committed in the block)."""
        cr = odoo.sql_db.db_connect(self.dbname).cursor()
        try:
            yield odoo.api.Environment(
                cr,
                odoo.SUPERUSER_ID,
                {"tracking_disable": True, "mail_create_nolog": True},
            )
        finally:
            cr.close()

    def remove_committed(self):
        """Delete everything the tests committed."""
        with self.transaction() as env:
            backend = env["coffee.backend"].browse(self.shared_backend_id)
            for model in ("coffee.brew", "coffee.machine"):
                env[model].search([("backend_id", "=", backend.id)]).unlink()
            for model in ("coffee.res.partner", "coffee.product.product"):
                bindings = (
                    env[model]
                    .with_context(active_test=False)
                    .search([("backend_id", "=", backend.id)])
                )
                odoo_records = bindings.odoo_id
                bindings.unlink()
                odoo_records.unlink()
            env["queue.job"].search([("coffee_backend_id", "=", backend.id)]).unlink()
            backend.unlink()
            env.cr.commit()

    def workers(self, count=2):
        """``count`` transactions, each bounded by :data:`LOCK_TIMEOUT`."""
        stack = ExitStack()
        envs = [stack.enter_context(self.transaction()) for __ in range(count)]
        for env in envs:
            env.cr.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
            stack.callback(self._reset_lock_timeout, env.cr)
        return stack, envs

    @staticmethod
    def _reset_lock_timeout(cr):
        cr.rollback()
        cr.execute("RESET lock_timeout")
        cr.commit()  # pylint: disable=invalid-commit

    def backend_in(self, env):
        return env["coffee.backend"].browse(self.shared_backend_id)

    def committed_bindings(self, model):
        """``{machine id: count of bindings}`` as committed."""
        with self.transaction() as env:
            env.cr.execute(
                f"SELECT coffee_id, count(*) FROM {env[model]._table} "
                "WHERE backend_id = %s GROUP BY coffee_id",
                (self.shared_backend_id,),
            )
            return dict(env.cr.fetchall())

    @staticmethod
    def backend_pid(env):
        """Process id of the connection of ``env`` in PostgreSQL."""
        env.cr.execute("SELECT pg_backend_pid()")
        return env.cr.fetchone()[0]

    def wait_until_blocked(self, pid, timeout=5.0):
        """Wait until the PostgreSQL connection ``pid`` waits for a lock."""
        deadline = time.monotonic() + timeout
        with self.transaction() as watcher:
            while time.monotonic() < deadline:
                watcher.cr.execute(
                    "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted",
                    (pid,),
                )
                if watcher.cr.fetchone()[0]:
                    return
                watcher.cr.rollback()
                time.sleep(0.02)
        self.fail("the second transaction never waited for the first one")

    def in_thread(self, function):
        """Run ``function`` in a thread; return (thread, outcome dict)."""
        outcome = {}

        def target():
            try:
                outcome["result"] = function()
            except Exception as err:  # pylint: disable=broad-except
                outcome["error"] = err

        thread = threading.Thread(target=target, name="coffee-second-worker")
        thread.start()
        return thread, outcome

    def test_same_record_imported_twice_at_once(self):
        """The advisory lock turns the second import away at once."""
        machine_id = self.simulator.records("machines")[0]["id"]
        stack, (env1, env2) = self.workers()
        with stack:
            env1["coffee.machine"]._import_record(self.backend_in(env1), machine_id)
            started = time.monotonic()
            with self.assertRaises(RetryableJobError) as caught:
                env2["coffee.machine"]._import_record(self.backend_in(env2), machine_id)
            # turned away, not blocked behind the first transaction
            self.assertLess(time.monotonic() - started, 1.0)
            self.assertTrue(caught.exception.ignore_retry)
            env2.cr.rollback()
            env1.cr.commit()
            # the job runner retries the second job
            env2["coffee.machine"]._import_record(self.backend_in(env2), machine_id)
            env2.cr.commit()
        self.assertEqual(self.committed_bindings("coffee.machine"), {machine_id: 1})

    def test_record_imported_while_its_page_is_imported(self):
        """An insert blocked by a concurrent one retries, it does not fail."""
        machines = self.simulator.records("machines")
        machine_id = machines[2]["id"]
        stack, (env1, env2) = self.workers()
        with stack:
            # a page job (no advisory lock on its records) binds the machine
            env1["coffee.machine"]._import_page(
                self.backend_in(env1), 1, filters={"per_page": 10}
            )
            pid = self.backend_pid(env2)
            thread, outcome = self.in_thread(
                lambda: env2["coffee.machine"]._import_record(
                    self.backend_in(env2), machine_id
                )
            )
            self.wait_until_blocked(pid)
            env1.cr.commit()
            thread.join(10)
            self.assertFalse(thread.is_alive())
            error = outcome.get("error")
            self.assertIsInstance(error, RetryableJobError, repr(error))
            self.assertIn("concurrent", str(error))
            env2.cr.rollback()
            self.assertIn("skipped", self.retry_import(env2, machine_id))
        self.assertEqual(
            self.committed_bindings("coffee.machine"),
            dict.fromkeys((m["id"] for m in machines), 1),
        )

    def retry_import(self, env, machine_id):
        result = env["coffee.machine"]._import_record(self.backend_in(env), machine_id)
        env.cr.commit()
        return result

    def test_overlapping_pages_imported_at_once(self):
        """Two page jobs sharing records (the duplicate fault, two workers)."""
        machines = self.simulator.records("machines")
        stack, (env1, env2) = self.workers()
        with stack:
            env1["coffee.machine"]._import_page(
                self.backend_in(env1), 1, filters={"per_page": 4}
            )
            pid = self.backend_pid(env2)
            thread, outcome = self.in_thread(
                lambda: env2["coffee.machine"]._import_page(
                    self.backend_in(env2), 1, filters={"per_page": 6}
                )
            )
            self.wait_until_blocked(pid)
            env1.cr.commit()
            thread.join(10)
            self.assertIsInstance(outcome.get("error"), RetryableJobError)
            env2.cr.rollback()
            # retried, the second page job imports what the first did not
            result = env2["coffee.machine"]._import_page(
                self.backend_in(env2), 1, filters={"per_page": 6}
            )
            env2.cr.commit()
        self.assertIn("2 created, 0 updated, 4 skipped", result)
        self.assertEqual(
            self.committed_bindings("coffee.machine"),
            dict.fromkeys((m["id"] for m in machines), 1),
        )

    def test_record_refused_by_two_imports_at_once_gets_one_job(self):
        """A poison record in two imports at once (a page and the webhook's
        events): one job of its own, not one per import."""
        poison = self.simulator.records("machines")[0]["id"]
        self.simulator.update_record("machines", poison, state="exploded")
        stack, (env1, env2) = self.workers()
        with stack, mute_logger("odoo.addons.connector_coffee.components.importer"):
            env1["coffee.machine"]._import_page(
                self.backend_in(env1), 1, filters={"per_page": 1}
            )
            with self.assertRaises(RetryableJobError) as caught:
                env2["coffee.machine"]._import_page(
                    self.backend_in(env2), 1, filters={"per_page": 1}
                )
            self.assertTrue(caught.exception.ignore_retry)
            env2.cr.rollback()
            env1.cr.commit()
            # retried, the second import finds the record's job on its way
            env2["coffee.machine"]._import_page(
                self.backend_in(env2), 1, filters={"per_page": 1}
            )
            env2.cr.commit()
        with self.transaction() as env:
            jobs = env["queue.job"].search(
                [
                    ("coffee_backend_id", "=", self.shared_backend_id),
                    ("coffee_external_id", "=", poison),
                ]
            )
            self.assertEqual(jobs.mapped("method_name"), ["_import_record"])
            self.assertEqual(jobs.state, "pending")

    def make_user_binding(self):
        """A committed partner flagged as drinker, not exported yet."""
        with self.transaction() as env:
            partner = (
                env["res.partner"]
                .with_context(connector_no_export=True)
                .create({"name": "Grace Concurrent", "email": "grace@example.com"})
            )
            binding = (
                env["coffee.res.partner"]
                .with_context(connector_no_export=True)
                .create({"odoo_id": partner.id, "backend_id": self.shared_backend_id})
            )
            env.cr.commit()
            return partner.id, binding.id

    def test_same_record_exported_twice_at_once(self):
        """The binding row lock: one user on the machine, one binding."""
        partner_id, binding_id = self.make_user_binding()
        stack, (env1, env2) = self.workers()
        with stack:
            env1["coffee.res.partner"].browse(binding_id)._export_record()
            started = time.monotonic()
            with (
                mute_logger("odoo.addons.connector.components.synchronizer"),
                self.assertRaises(RetryableJobError) as caught,
            ):
                env2["coffee.res.partner"].browse(binding_id)._export_record()
            self.assertLess(time.monotonic() - started, 1.0)
            self.assertIn("concurrent job", str(caught.exception))
            env2.cr.rollback()
            env1.cr.commit()
            # the retry updates the user the first export created
            env2["coffee.res.partner"].browse(binding_id)._export_record()
            env2.cr.commit()
        users = [u for u in self.simulator.records("users") if u["ref"]]
        self.assertEqual([u["ref"] for u in users], [str(partner_id)])
        self.assertEqual(self.simulator.counters().get("POST /users"), 1)
        self.assertEqual(self.simulator.counters().get("PUT /users/{id}"), 1)
        self.assertEqual(
            self.committed_bindings("coffee.res.partner"), {users[0]["id"]: 1}
        )

    def export_jobs(self, env):
        """The batch export jobs of the shared backend, as committed."""
        env.cr.rollback()
        return env["queue.job"].search(
            [
                ("coffee_backend_id", "=", self.shared_backend_id),
                ("method_name", "=", "_export_batch"),
            ],
            order="id",
        )

    def test_a_waiting_batch_job_cannot_start_before_the_change_it_carries(self):
        """A change that finds the backend's export job waiting locks it until
        the change is committed, so that the job sees it; a change that found
        it waiting before it started is served again, and enqueues anew."""
        partner_id, binding_id = self.make_user_binding()
        stack, (user, runner) = self.workers()
        with stack:
            user["coffee.res.partner"].browse(binding_id)._mark_for_export()
            user.cr.commit()
            job = self.export_jobs(runner)
            self.assertEqual(job.state, "pending")
            # a second change finds it waiting, and holds it
            user["res.partner"].browse(partner_id).name = "Grace Again"
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.LockNotAvailable),
            ):
                runner.cr.execute(
                    "SELECT id FROM queue_job WHERE id = %s FOR UPDATE NOWAIT",
                    (job.id,),
                )
            runner.cr.rollback()
            user.cr.commit()
            self.assertEqual(self.export_jobs(runner), job)
            # a change that saw it waiting, while the job runner started it
            self.assertTrue(user["coffee.res.partner"].browse(binding_id).exists())
            runner.cr.execute(
                "UPDATE queue_job SET state = 'started' WHERE id = %s", (job.id,)
            )
            runner.cr.commit()
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(psycopg2.errors.SerializationFailure),
            ):
                user["res.partner"].browse(partner_id).name = "Grace Later"
            user.cr.rollback()
            # served again, it enqueues a job of its own
            user["res.partner"].browse(partner_id).name = "Grace Later"
            user.cr.commit()
            jobs = self.export_jobs(runner)
            self.assertEqual(len(jobs), 2)
            self.assertEqual(jobs[1].state, "pending")
            binding = runner["coffee.res.partner"].browse(binding_id)
            self.assertTrue(binding.export_pending)
