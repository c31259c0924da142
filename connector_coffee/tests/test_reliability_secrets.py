# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The backend's secrets stay secret.

The password, the API key and the webhook secret are read by the coffee
connector managers only, and never show in a log line, in a job (arguments,
result, error, traceback), in an exception message or in what "Check
connection" answers, even when the machine refuses them, or echoes them
back, whatever their length. They are saved without the blanks and line
breaks pasted around them.
"""

import base64
import json
import logging
import threading
import traceback
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, quote_plus

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.job import Job

from .common import SIM_API_KEY, SIM_PASSWORD, SIM_USER, CoffeeCase

#: the backend's secrets, all wrong for the machine (it answers 401)
SECRETS = {
    "password": "Pa55word-of-the-espresso",
    "api_key": "api-key-of-the-espresso-0123",
    "webhook_secret": "whsec-of-the-espresso-4567",
}

#: loggers lowered to DEBUG while the logs are captured
LOGGERS = (
    "odoo",
    "odoo.addons",
    "odoo.addons.connector_coffee",
    "odoo.addons.connector",
    "odoo.addons.queue_job",
    "odoo.sql_db",
    "urllib3",
    "requests",
)


#: a short password: too short to be masked in place, it must not show either
SHORT_PASSWORD = "Zx9Qw"


def secret_texts(secrets=None):
    """The forms a secret could leak in: as is, escaped, URL-encoded, and in a
    Basic header."""
    secrets = dict(secrets or SECRETS)
    texts = set()
    for secret in secrets.values():
        texts |= {
            secret,
            repr(secret)[1:-1],
            quote(secret, safe=""),
            quote_plus(secret),
        }
    basic = f"{SIM_USER}:{secrets['password']}".encode()
    texts.add(base64.b64encode(basic).decode())
    return texts


class _EchoHandler(BaseHTTPRequestHandler):
    """A machine that quotes the request's headers in its errors."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        decoded = ""
        if auth.startswith("Basic "):
            decoded = base64.b64decode(auth[6:]).decode("utf-8", "replace")
        self.server.received.append(auth)
        if self.server.answer == "garbled":
            self.wfile.write(f"HTTP/1.1 OOPS {auth} {decoded!r}\r\n\r\n".encode())
            self.close_connection = True
            return
        echo = f"{self.headers}\n{decoded}\n{decoded!r}\n{quote(decoded)}"
        body = json.dumps({"error": {"code": auth, "message": echo}}).encode()
        self.send_response(int(self.server.answer), f"Denied {auth}")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Stay quiet."""


class TestReliabilitySecrets(CoffeeCase):
    simulator_options = {"machines": 3, "beverages": 3, "users": 3, "brews": 12}

    def assert_no_secret(self, text, where, secrets=None):
        for secret in secret_texts(secrets):
            self.assertNotIn(secret, text, f"a secret shows in {where}")

    def start_echo_machine(self, answer="401"):
        """A machine on 127.0.0.1 quoting the request headers in its errors.

        :param answer: the HTTP status it answers, or "garbled" (a status
            line quoting the Authorization header)
        :return: the server, with ``url``, ``answer`` and ``received``
        """
        server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
        server.daemon_threads = True
        server.received = []
        server.answer = answer
        thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), daemon=True
        )
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        server.url = f"http://127.0.0.1:{server.server_address[1]}"
        return server

    def set_secrets(self, mode):
        """Give the backend the secrets; ``mode``: how it authenticates."""
        values = dict(SECRETS)
        if mode == "basic":
            values["api_key"] = False
        self.backend.write(values)

    @contextmanager
    def all_logs(self):
        """Capture every log record, down to DEBUG."""
        levels = {name: logging.getLogger(name).level for name in LOGGERS}
        try:
            for name in LOGGERS:
                logging.getLogger(name).setLevel(logging.DEBUG)
            with self.assertLogs(level=logging.DEBUG) as logs:
                yield logs
        finally:
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)

    def non_managers(self):
        return {
            "employee": new_test_user(self.env, "coffee_drinker", "base.group_user"),
            "portal": new_test_user(self.env, "coffee_portal", "base.group_portal"),
            "job queue manager": new_test_user(
                self.env,
                "queue_boss",
                "base.group_user,queue_job.group_queue_job_manager,"
                "connector.group_connector_manager",
            ),
        }

    def test_secrets_readable_by_coffee_managers_only(self):
        self.sync("machines")
        machine = self.bindings("coffee.machine")[0]
        self.backend.write(SECRETS)
        groups = "base.group_user,connector_coffee.coffee_connector_group_manager"
        manager = new_test_user(self.env, "coffee manager", groups)
        as_manager = self.backend.with_user(manager)
        for field, value in SECRETS.items():
            self.assertEqual(as_manager[field], value)
        users = self.non_managers()
        for kind, user in users.items():
            backend = self.backend.with_user(user)
            for field in SECRETS:
                with self.subTest(user=kind, field=field):
                    self.assertNotIn(field, backend.fields_get())
                    for read in (
                        lambda b, f=field: b.read([f]),
                        lambda b, f=field: b.search_read([], [f]),
                        lambda b, f=field: b.search([(f, "=like", "P%")]),
                        lambda b, f=field: b.read_group([], [f], [f]),
                        lambda b, f=field: b[f],
                    ):
                        with self.assertRaises(AccessError):
                            read(backend)
                        self.env.invalidate_all()
        employee = users["employee"]
        # the employee sees the backend, through its machines too, not the secrets
        self.assertEqual(machine.with_user(employee).backend_id.name, self.backend.name)
        with self.assertRaises(AccessError):
            machine.with_user(employee).backend_id.password  # noqa: B018
        with self.assertRaises(AccessError):
            self.backend.with_user(users["portal"]).read(["name"])

    def test_secret_changes_leave_no_trace_in_the_chatter(self):
        # the backend is not new any more: its changes are tracked
        self.env.flush_all()
        self.env.cr.precommit.run()
        backend = self.backend.with_context(tracking_disable=False)
        backend.write(dict(SECRETS, username="new-barista"))
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written when committing
        messages = self.env["mail.message"].search(
            [("model", "=", "coffee.backend"), ("res_id", "=", self.backend.id)]
        )
        self.assertTrue(messages.tracking_value_ids, "the username change is tracked")
        text = " ".join(
            str(value)
            for tracking in messages.tracking_value_ids
            for value in tracking.read()[0].values()
        ) + " ".join(str(body) for body in messages.mapped("body"))
        self.assertIn("new-barista", text)
        self.assert_no_secret(text, "the chatter")

    def run_failing_auth(self):
        """Sync and check the connection with refused secrets."""
        with self.trap() as trap:
            self.backend.sync_all()
            run = self.perform_jobs(trap, raise_failures=False)
        # the brews wait for the imports they depend on, which all failed
        self.assertEqual([job.recordset._name for job in run.blocked], ["coffee.brew"])
        with self.assertRaises(UserError) as caught:
            self.backend.check_connection()
        return [err for __, err in run.failed] + [caught.exception]

    def test_secrets_never_logged_by_a_failing_auth_run(self):
        for mode in ("basic", "bearer"):
            self.set_secrets(mode)
            self.env.flush_all()  # the secrets are written before the run
            with self.subTest(mode=mode), self.all_logs() as logs:
                errors = self.run_failing_auth()
            # machines, beverages and users failed; check connection refused
            self.assertEqual(len(errors), 4)
            formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
            lines = [formatter.format(record) for record in logs.records]
            # the capture sees the client's requests and their answers
            self.assertTrue([line for line in lines if "-> 401" in line])
            self.assert_no_secret("\n".join(lines), f"the logs ({mode})")
            for err in errors:
                self.assertIn("401", str(err))
                self.assert_no_secret(
                    "".join(traceback.format_exception(err)), "an exception"
                )

    def run_stored_jobs(self):
        """Perform the backend's stored jobs as the job runner does."""
        jobs = self.env["queue.job"].search(
            [("coffee_backend_id", "=", self.backend.id), ("state", "=", "pending")]
        )
        for stored in jobs:
            job = Job.load(self.env, stored.uuid)
            try:
                with self.env.cr.savepoint():
                    job.perform()
            except Exception as err:  # pylint: disable=broad-except
                values = RunJobController._get_failure_values(
                    job, traceback.format_exc(), err
                )
                job.set_failed(**values)
                job.store()
        return jobs

    def test_secrets_never_in_jobs(self):
        self.sync("machines", "beverages")
        partner = self.env["res.partner"].create({"name": "Secretive Sam"})
        # a user of the machine already: the pour's job goes to the machine
        with self.trap() as trap:
            partner.coffee_backend_ids = self.backend
            self.perform_jobs(trap)
        for mode in ("basic", "bearer"):
            self.set_secrets(mode)
            # stored jobs, not trapped ones: what the database keeps
            for what in ("users", "brews"):
                self.backend._coffee_import(what).since = False
            self.backend._enqueue_imports("users")
            self.backend._enqueue_imports("brews")
            self.backend.pour_coffee(partner)
            jobs = self.run_stored_jobs()
            self.assertEqual(set(jobs.mapped("state")), {"failed"})
            for job in jobs:
                self.assertIn(self.backend.name, job.exc_message)
                # the pour's says it in plain words, the machine's answer below
                self.assertIn(
                    "401",
                    job.exc_info
                    if job.model_name == "coffee.brew"
                    else job.exc_message,
                )
                self.assertIn("Traceback", job.exc_info)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT row_to_json(job)::text FROM queue_job job "
            "WHERE coffee_backend_id = %s",
            (self.backend.id,),
        )
        rows = [row for (row,) in self.env.cr.fetchall()]
        self.assertEqual(len(rows), 6)
        self.assert_no_secret("\n".join(rows), "a stored job")
        self.env.cr.execute("SELECT row_to_json(t)::text FROM mail_tracking_value t")
        self.assert_no_secret(str(self.env.cr.fetchall()), "a job's chatter")

    def test_check_connection_never_echoes_secrets(self):
        self.backend.write(dict(SECRETS, password=SIM_PASSWORD, api_key=False))
        action = self.backend.check_connection()
        self.assertEqual(action["params"]["type"], "success")
        text = str(action)
        self.assertNotIn(SIM_PASSWORD, text)
        self.assert_no_secret(text, "a successful check")
        for mode in ("basic", "bearer"):
            self.set_secrets(mode)
            for fault in (None, "500", "malformed", "drop"):
                with self.subTest(mode=mode, fault=fault):
                    if fault:
                        self.simulator.fail_next(fault, path="/status")
                    with self.assertRaises(UserError) as caught:
                        self.backend.check_connection()
                    self.assertIn(self.backend.name, str(caught.exception))
                    self.assert_no_secret(
                        "".join(traceback.format_exception(caught.exception)),
                        "a failed check",
                    )

    def test_credentials_saved_without_surrounding_blanks(self):
        pasted = {
            "username": "  barista\t",
            "password": " Pa55word \n",
            "api_key": "api-key-from-a-file\n",
            "webhook_secret": "\r\nwhsec-from-a-file\r\n",
        }
        backend = self.env["coffee.backend"].create(
            dict(pasted, name="Pasted", location=self.simulator.url)
        )
        self.backend.write(pasted)
        for record in (backend, self.backend):
            self.assertEqual(record.username, "barista")
            self.assertEqual(record.password, "Pa55word")  # inner blanks kept
            self.assertEqual(record.api_key, "api-key-from-a-file")
            self.assertEqual(record.webhook_secret, "whsec-from-a-file")
        self.backend.api_key = "k3y-of-the-machine\n"
        self.assertEqual(self.backend.api_key, "k3y-of-the-machine")
        self.backend.api_key = " \n"
        self.assertFalse(self.backend.api_key)
        # the stripped key authenticates: nothing else was sent
        self.backend.api_key = SIM_API_KEY + "\n"
        self.assertEqual(self.backend.check_connection()["params"]["type"], "success")

    def test_control_characters_in_credentials_refused(self):
        for field in ("username", "password", "api_key", "webhook_secret"):
            for value in ("Pa55\nword-in-two-lines", "Pa55\tword-tabbed", "Pa55\x00x"):
                with self.subTest(field=field, value=value):
                    with self.assertRaises(ValidationError) as caught:
                        self.backend.write({field: value})
                    message = str(caught.exception)
                    self.assertIn("control character", message)
                    self.assertNotIn("Pa55", message)
                    with self.assertRaises(ValidationError):
                        self.env["coffee.backend"].create(
                            {
                                "name": "Pasted",
                                "location": self.simulator.url,
                                field: value,
                            }
                        )
        self.assertEqual(self.backend.password, SIM_PASSWORD)

    def echoing_credentials(self):
        """(mode, secrets) tried against the echoing machine."""
        short = dict(SECRETS, password=SHORT_PASSWORD)
        return [("basic", SECRETS), ("basic", short), ("bearer", SECRETS)]

    def use_secrets(self, mode, secrets):
        values = dict(secrets)
        if mode == "basic":
            values["api_key"] = False
        self.backend.write(values)
        # written now: the SQL log at DEBUG would show them in the capture
        self.env.flush_all()

    def test_check_connection_to_an_echoing_machine(self):
        echo = self.start_echo_machine()
        self.backend.location = echo.url
        for mode, secrets in self.echoing_credentials():
            self.use_secrets(mode, secrets)
            for answer in ("401", "500", "garbled"):
                echo.answer = answer
                with self.subTest(mode=mode, answer=answer), self.all_logs() as logs:
                    received = len(echo.received)
                    with self.assertRaises(UserError) as caught:
                        self.backend.check_connection()
                    self.assertEqual(len(echo.received), received + 1)
                    self.assertIn(self.backend.name, str(caught.exception))
                    if answer != "garbled":
                        self.assertIn(answer, str(caught.exception))
                    self.assert_no_secret(
                        "".join(traceback.format_exception(caught.exception))
                        + repr(caught.exception)
                        + "\n".join(logs.output),
                        f"a check of an echoing machine ({mode}, {answer})",
                        secrets,
                    )

    def test_failed_jobs_on_an_echoing_machine(self):
        echo = self.start_echo_machine()
        self.backend.location = echo.url
        for mode, secrets in self.echoing_credentials():
            self.use_secrets(mode, secrets)
            self.backend._coffee_import("machines").since = False
            self.backend._enqueue_imports("machines")
            jobs = self.run_stored_jobs()
            self.assertEqual(jobs.mapped("state"), ["failed"])
            self.assertIn("401", jobs.exc_message)
            self.assertIn("Traceback", jobs.exc_info)
            self.env.flush_all()
            self.env.cr.execute(
                "SELECT row_to_json(job)::text FROM queue_job job WHERE id = %s",
                (jobs.id,),
            )
            self.assert_no_secret(
                self.env.cr.fetchone()[0], f"a failed job ({mode})", secrets
            )
        self.assertEqual(len(echo.received), 3)

    def test_unreachable_machine_does_not_tell_why(self):
        """Refused or not accepted in time read alike: no port scanning."""
        self.simulator.stop()
        self.backend.timeout = 1
        with self.assertRaises(UserError) as caught:
            self.backend.check_connection()
        message = str(caught.exception)
        self.assertIn("could not connect to the machine", message)
        for detail in ("refused", "Errno", "111", "timed out"):
            self.assertNotIn(detail, message)
