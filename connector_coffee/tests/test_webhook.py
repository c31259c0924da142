# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The webhook receiver over real HTTP: signatures, replays, limits, jobs."""

import json
import resource
import select
import socket
import threading
import time
import uuid
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from ..coffee_api import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE,
    sign,
)
from ..controllers import main
from .common import (
    allow_local_locations,
    backend_on,
    perform_jobs,
    run_stored_jobs,
    start_simulator,
)

SECRET = "webhook-secret-of-the-machine"
CONTROLLER_LOGGER = "odoo.addons.connector_coffee.controllers.main"
SIMULATOR_LOGGER = "coffee_simulator.webhooks"
OCCURRED_AT = "2026-11-30T10:00:00.000000+00:00"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@tagged("post_install", "-at_install")
class TestWebhook(HttpCase):
    def setUp(self):
        super().setUp()
        self.simulator = start_simulator(brews=5, seed=3)
        self.addCleanup(self.simulator.stop)
        allow_local_locations(self.env)
        self.backend = backend_on(
            self.env, self.simulator, name="Webhook machine", webhook_secret=SECRET
        )
        self.url = f"/connector_coffee/webhook/{self.backend.id}"
        # each test counts its own refusals, on a clock of its own
        self.clock = FakeClock()
        patcher = patch.object(main, "REFUSALS", main.RefusalLog(clock=self.clock))
        self.refusals = patcher.start()
        self.addCleanup(patcher.stop)

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    @staticmethod
    def event(event_type="brew.finished", record_id=1, **extra):
        return {
            "type": event_type,
            "id": record_id,
            "occurred_at": OCCURRED_AT,
            **extra,
        }

    def post(
        self,
        event=None,
        secret=SECRET,
        url=None,
        body=None,
        timestamp=None,
        event_id=None,
        signed_timestamp=None,
        signed_event_id=None,
    ):
        """POST an event signed as the machine does, or as the test says."""
        if body is None:
            body = json.dumps(event if event is not None else self.event()).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        event_id = event_id or str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            EVENT_ID_HEADER: event_id,
        }
        if secret:
            headers[SIGNATURE_HEADER] = sign(
                secret,
                body,
                signed_timestamp or timestamp,
                signed_event_id or event_id,
            )
        # url_open would GET an empty body
        return self.opener.post(
            self.base_url() + (url or self.url), data=body, headers=headers, timeout=12
        )

    def import_jobs(self, backend=None):
        return self.env["queue.job"].search(
            [
                ("method_name", "=", "_import_events"),
                ("coffee_backend_id", "=", (backend or self.backend).id),
            ]
        )

    def raw_post(self, headers, body=b"", timeout=4.0):
        """Send a request by hand; return the status of its answer.

        :raise socket.timeout: when no answer comes in ``timeout`` seconds
        """
        port = int(self.base_url().rsplit(":", 1)[1])
        head = [f"POST {self.url} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(data)
            answer = b""
            while b"\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        return int(answer.split(b" ", 2)[1])

    # ------------------------------------------------------------------
    # accepted events
    # ------------------------------------------------------------------

    def test_good_signature_enqueues_one_import(self):
        machine = self.simulator.records("machines")[0]
        response = self.post(self.event("machine.state_changed", machine["id"]))
        self.assertEqual(response.status_code, 202)
        self.assertEqual(response.json(), {"status": "accepted"})
        jobs = self.import_jobs()
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.model_name, "coffee.machine")
        self.assertEqual(jobs.channel, "root.coffee.import")
        # the job imports the machine
        Job.load(self.env, jobs.uuid).perform()
        binding = self.env["coffee.machine"].search(
            [("backend_id", "=", self.backend.id), ("coffee_id", "=", machine["id"])]
        )
        self.assertEqual(binding.name, machine["name"])

    def test_simulator_webhook_reaches_odoo(self):
        """The simulator's own signed events are accepted end to end."""
        base = self.base_url()
        self.simulator.set_webhook(f"{base}{self.url}", SECRET)
        machine = self.simulator.records("machines")[0]
        self.simulator.update_record("machines", machine["id"], state="error")
        for __ in range(50):
            if self.simulator.webhook_deliveries():
                break
            time.sleep(0.1)
        deliveries = self.simulator.webhook_deliveries()
        self.assertTrue(deliveries, "the simulator sent no event")
        self.assertEqual(deliveries[0]["status"], 202)
        self.assertEqual(len(self.import_jobs()), 1)
        received = self.env["coffee.webhook.event"].search(
            [("backend_id", "=", self.backend.id)]
        )
        self.assertEqual(received.event_id, deliveries[0]["event_id"])
        self.assertEqual(received.event_type, "machine.state_changed")
        self.assertEqual(received.external_id, machine["id"])

    def test_chunked_event_is_read(self):
        body = json.dumps(self.event()).encode()
        timestamp, event_id = int(time.time()), "chunked-1"
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            EVENT_ID_HEADER: event_id,
            SIGNATURE_HEADER: sign(SECRET, body, timestamp, event_id),
        }
        parts = iter([body[:10], body[10:]])
        response = self.url_open(self.url, data=parts, headers=headers)
        self.assertEqual(response.status_code, 202)
        self.assertEqual(len(self.import_jobs()), 1)

    # ------------------------------------------------------------------
    # bursts: a job per page of events, not per event
    # ------------------------------------------------------------------

    def burst_machine(self, brews, page_size=50):
        """Point the backend at a machine of ``brews`` brews, whose machines,
        beverages and users are imported; return the brews' ids."""
        self.simulator = start_simulator(brews=brews, seed=3)
        self.addCleanup(self.simulator.stop)
        self.backend.write({"location": self.simulator.url, "page_size": page_size})
        with trap_jobs() as trap:
            self.backend._enqueue_imports("machines", "beverages", "users")
            perform_jobs(self.env, trap)
        self.simulator.reset_counters()
        return [brew["id"] for brew in self.simulator.records("brews")]

    def brews(self):
        return self.env["coffee.brew"].search([("backend_id", "=", self.backend.id)])

    def pending_events(self):
        return self.env["coffee.webhook.event"].search(
            [("backend_id", "=", self.backend.id), ("pending", "=", True)]
        )

    def test_burst_of_events_is_one_job_and_one_request(self):
        ids = self.burst_machine(25)
        for brew_id in ids + ids[:3]:
            self.assertEqual(self.post(self.event(record_id=brew_id)).status_code, 202)
        job = self.import_jobs()
        self.assertEqual(len(job), 1)
        self.assertEqual(job.model_name, "coffee.brew")
        self.assertEqual(len(self.pending_events()), 28)
        run_stored_jobs(self.env, self.backend)
        self.assertEqual(job.state, "done")
        self.assertEqual(sorted(self.brews().mapped("coffee_id")), ids)
        self.assertFalse(self.pending_events())
        counters = self.simulator.counters()
        self.assertEqual(counters["total"], 1)
        self.assertEqual(counters["GET /brews"], 1)

    def test_events_beyond_a_page_go_to_the_next_job(self):
        ids = self.burst_machine(25, page_size=10)
        for brew_id in ids:
            self.post(self.event(record_id=brew_id))
        self.assertEqual(len(self.import_jobs()), 1)
        ran = run_stored_jobs(self.env, self.backend)
        self.assertEqual(len(ran), 3)
        self.assertEqual(set(ran.mapped("state")), {"done"})
        self.assertEqual(len(self.brews()), 25)
        self.assertEqual(self.simulator.counters()["GET /brews"], 3)

    def test_a_job_takes_the_events_of_its_records_per_job(self):
        """25 events, pages of 10, 20 records a job: two jobs, the first of
        two requests, and each page of ids is one request."""
        ids = self.burst_machine(25, page_size=10)
        self.backend.job_size = 20
        for brew_id in ids:
            self.post(self.event(record_id=brew_id))
        ran = run_stored_jobs(self.env, self.backend)
        self.assertEqual(len(ran), 2)
        self.assertEqual(set(ran.mapped("state")), {"done"})
        self.assertTrue(ran[0].result.startswith("20 events, 20 records"))
        self.assertEqual(len(self.brews()), 25)
        self.assertEqual(self.simulator.counters()["GET /brews"], 3)

    def burst(self, events):
        """The body of a burst delivery of ``(event id, record id)``."""
        return json.dumps(
            {
                "events": [
                    {"event_id": event_id, **self.event(record_id=record_id)}
                    for event_id, record_id in events
                ]
            }
        ).encode()

    def test_burst_delivery_is_one_request_and_one_job(self):
        ids = self.burst_machine(30)
        body = self.burst([(f"evt-{brew_id}", brew_id) for brew_id in ids])
        response = self.post(body=body, event_id="delivery-1")
        self.assertEqual(response.status_code, 202)
        self.assertEqual(response.json(), {"status": "accepted"})
        self.assertEqual(len(self.import_jobs()), 1)
        self.assertEqual(len(self.pending_events()), 30)
        # the same events again, in another delivery: nothing more
        again = self.burst([(f"evt-{brew_id}", brew_id) for brew_id in ids[:5]])
        response = self.post(body=again, event_id="delivery-2")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "already received"})
        run_stored_jobs(self.env, self.backend)
        self.assertEqual(len(self.brews()), 30)
        self.assertEqual(self.simulator.counters()["total"], 1)
        # the delivery replayed once its job is done enqueues nothing
        self.assertEqual(self.post(body=body, event_id="delivery-1").status_code, 200)
        self.assertEqual(len(self.import_jobs()), 1)

    def test_burst_with_new_events_enqueues_only_their_import(self):
        ids = self.burst_machine(6)
        self.post(body=self.burst([("evt-1", ids[0])]), event_id="delivery-1")
        run_stored_jobs(self.env, self.backend)
        body = self.burst([("evt-1", ids[0]), ("evt-2", ids[1])])
        self.assertEqual(self.post(body=body, event_id="delivery-2").status_code, 202)
        self.assertEqual(len(self.pending_events()), 1)
        run_stored_jobs(self.env, self.backend)
        self.assertEqual(sorted(self.brews().mapped("coffee_id")), ids[:2])

    @mute_logger(CONTROLLER_LOGGER)
    def test_odd_bursts_are_400_and_store_nothing(self):
        good = {"event_id": "evt-1", **self.event()}
        bodies = {
            "no events": {"events": []},
            "too many": {"events": [dict(good, event_id=f"e{n}") for n in range(501)]},
            "not a list": {"events": good},
            "no event id": {"events": [self.event()]},
            "bad event id": {"events": [dict(good, event_id="a.b")]},
            "event id a number": {"events": [dict(good, event_id=7)]},
            "one bad event": {"events": [good, dict(good, event_id="e2", id=0)]},
            "extra field": {"events": [good], "more": 1},
        }
        for name, body in bodies.items():
            with self.subTest(name):
                response = self.post(body=json.dumps(body).encode())
                self.assertEqual(response.status_code, 400)
        self.assertFalse(self.import_jobs())
        self.assertFalse(
            self.env["coffee.webhook.event"].search(
                [("backend_id", "=", self.backend.id)]
            )
        )

    # ------------------------------------------------------------------
    # replays
    # ------------------------------------------------------------------

    def test_replayed_event_id_enqueues_nothing_even_after_its_job_is_done(self):
        event = self.event("machine.state_changed", 1)
        self.assertEqual(self.post(event, event_id="evt-1").status_code, 202)
        job = Job.load(self.env, self.import_jobs().uuid)
        job.perform()
        job.set_done()
        job.store()
        self.assertEqual(self.import_jobs().state, "done")
        # the same event again, even signed anew, does nothing more
        for __ in range(2):
            response = self.post(event, event_id="evt-1")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json(), {"status": "already received"})
        self.assertEqual(len(self.import_jobs()), 1)
        # a new event about the same record imports it again
        self.assertEqual(self.post(event, event_id="evt-2").status_code, 202)
        self.assertEqual(len(self.import_jobs()), 2)

    def test_events_of_a_pending_import_make_one_job(self):
        """Distinct events about one record share its pending job."""
        for __ in range(3):
            self.assertEqual(self.post(self.event()).status_code, 202)
        self.assertEqual(len(self.import_jobs()), 1)
        self.assertEqual(
            self.env["coffee.webhook.event"].search_count(
                [("backend_id", "=", self.backend.id)]
            ),
            3,
        )

    def test_event_ids_are_per_backend(self):
        other = self.backend.copy({"name": "Other machine", "webhook_secret": SECRET})
        self.assertEqual(self.post(event_id="evt-1").status_code, 202)
        url = f"/connector_coffee/webhook/{other.id}"
        self.assertEqual(self.post(url=url, event_id="evt-1").status_code, 202)
        self.assertEqual(len(self.import_jobs(other)), 1)

    @mute_logger(CONTROLLER_LOGGER)
    def test_timestamp_out_of_tolerance_is_refused(self):
        now = int(time.time())
        for timestamp in (now - TOLERANCE - 5, now + TOLERANCE + 5, 0):
            with self.subTest(timestamp=timestamp):
                response = self.post(timestamp=timestamp)
                self.assertEqual(response.status_code, 403)
        self.assertFalse(self.import_jobs())
        self.assertEqual(self.post(timestamp=now - TOLERANCE + 30).status_code, 202)

    def test_received_events_are_forgotten_once_replays_are_refused(self):
        Event = self.env["coffee.webhook.event"]
        now = int(time.time())
        old = now - 2 * TOLERANCE - 60
        self.assertTrue(Event._receive(self.backend, "old", old, "brew.finished", 1))
        self.assertTrue(Event._receive(self.backend, "new", now, "brew.finished", 1))
        self.assertFalse(Event._receive(self.backend, "new", now, "brew.finished", 1))
        self.assertTrue(Event._receive(self.backend, "stuck", old, "brew.finished", 2))
        received = Event.search([("backend_id", "=", self.backend.id)])
        Event._imported(received.filtered(lambda e: e.event_id != "stuck").ids)
        Event._gc_received_events()
        # an event whose record is not imported yet is kept, whatever its age
        kept = Event.search([("backend_id", "=", self.backend.id)])
        self.assertEqual(sorted(kept.mapped("event_id")), ["new", "stuck"])
        self.assertEqual(kept.company_id, self.backend.company_id)
        self.assertLess(
            max(kept.mapped("signed_at")),
            fields.Datetime.now() + timedelta(seconds=TOLERANCE),
        )

    # ------------------------------------------------------------------
    # refusals
    # ------------------------------------------------------------------

    @mute_logger(CONTROLLER_LOGGER)
    def test_bad_or_missing_signature_is_refused(self):
        cases = {
            "other secret": {"secret": "not-the-secret"},
            "no signature": {"secret": None},
            "changed timestamp": {"signed_timestamp": int(time.time()) - 1},
            "changed event id": {"event_id": "evt-2", "signed_event_id": "evt-1"},
        }
        for name, kwargs in cases.items():
            with self.subTest(name):
                response = self.post(**kwargs)
                self.assertEqual(response.status_code, 403)
                self.assertEqual(response.json(), {"error": "refused"})
        body = json.dumps(self.event()).encode()
        zeros = {SIGNATURE_HEADER: "sha256=" + "0" * 64}
        for headers in (
            zeros,
            {**zeros, TIMESTAMP_HEADER: str(int(time.time()))},
            {**zeros, EVENT_ID_HEADER: "evt-3"},
        ):
            response = self.url_open(self.url, data=body, headers=headers)
            self.assertEqual(response.status_code, 403)
        self.assertFalse(self.import_jobs())
        self.assertFalse(
            self.env["coffee.webhook.event"].search(
                [("backend_id", "=", self.backend.id)]
            )
        )

    @mute_logger(CONTROLLER_LOGGER)
    def test_unknown_archived_and_unsigned_backends_answer_alike(self):
        """Nobody can tell which backend ids exist."""
        answers = set()

        def answer(response):
            answers.add((response.status_code, response.content))

        answer(self.post(url="/connector_coffee/webhook/999999"))
        answer(self.post(url="/connector_coffee/webhook/0"))
        answer(self.post(url=f"/connector_coffee/webhook/{10**20}"))
        answer(self.post(secret="not-the-secret"))
        answer(self.post(secret=None))
        self.backend.webhook_secret = False
        answer(self.post())
        self.backend.write({"webhook_secret": SECRET, "active": False})
        answer(self.post())
        self.assertEqual(answers, {(403, b'{"error": "refused"}')})
        self.assertFalse(self.import_jobs())

    @mute_logger(CONTROLLER_LOGGER)
    def test_odd_events_are_400_never_500(self):
        deep = b"[" * 30000 + b"]" * 30000
        bodies = {
            "nested id": self.event(record_id={"id": 1}),
            "array": [self.event()],
            "id 0": self.event(record_id=0),
            "id -5": self.event(record_id=-5),
            "id 10**30": self.event(record_id=10**30),
            "id 2**31": self.event(record_id=2**31),
            "id fullwidth digits": self.event(record_id="\uff11\uff12"),
            "id as a string": self.event(record_id="12"),
            "id true": self.event(record_id=True),
            "id 1.0": self.event(record_id=1.0),
            "id null": self.event(record_id=None),
            "extra field": self.event(event_id="evt-1"),
            "no occurred_at": {"type": "brew.finished", "id": 1},
            "occurred_at a number": self.event(occurred_at=1),
            "unknown type": self.event("kettle.boiled"),
            "type a list": self.event(["brew.finished"]),
            "string": "brew.finished",
            "null": None,
        }
        raw = {
            "not JSON": b"{type: brew.finished}",
            "empty": b"",
            "not UTF-8": b'{"type": "\xff"}',
            "NaN id": b'{"type": "brew.finished", "id": NaN, "occurred_at": "x"}',
            "huge id": b'{"type": "brew.finished", "id": 1e400, "occurred_at": "x"}',
            "long id": b'{"type": "brew.finished", "id": '
            + b"9" * 5000
            + b', "occurred_at": "x"}',
            "duplicate id": b'{"type": "brew.finished", "id": 1, "id": 2, '
            b'"occurred_at": "x"}',
            "deeply nested": deep,
        }
        cases = {name: json.dumps(body).encode() for name, body in bodies.items()}
        cases.update(raw)
        for name, body in cases.items():
            with self.subTest(name):
                self.assertLessEqual(len(body), main.MAX_BODY)
                response = self.post(body=body)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json(), {"error": "event not understood"})
        self.assertFalse(self.import_jobs())

    @mute_logger(CONTROLLER_LOGGER)
    def test_content_length_over_the_limit_is_413_without_reading(self):
        """The answer comes at once, while the body is never sent."""
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(10 * 1024 * 1024),
            "Connection": "close",
        }
        self.assertEqual(self.raw_post(headers), 413)
        headers["Content-Length"] = str(main.MAX_BODY + 1)
        self.assertEqual(self.raw_post(headers), 413)
        # by headers, whatever the backend: unknown ones too
        self.url = "/connector_coffee/webhook/999999"
        self.assertEqual(self.raw_post(headers), 413)
        self.assertFalse(self.import_jobs())

    @mute_logger(CONTROLLER_LOGGER)
    def test_chunked_body_over_the_limit_is_413(self):
        body = json.dumps(self.event(occurred_at="x" * main.MAX_BODY)).encode()
        timestamp, event_id = int(time.time()), "chunked-2"
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            EVENT_ID_HEADER: event_id,
            SIGNATURE_HEADER: sign(SECRET, body, timestamp, event_id),
        }
        parts = iter([body[i : i + 8192] for i in range(0, len(body), 8192)])
        response = self.url_open(self.url, data=parts, headers=headers)
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json(), {"error": "event too large"})
        self.assertFalse(self.import_jobs())

    def test_refusals_are_logged_once_a_minute(self):
        """50 unsigned requests make one line, and the next one the count."""
        with self.assertLogs(CONTROLLER_LOGGER, "INFO") as logs:
            for __ in range(50):
                self.assertEqual(self.post(secret=None).status_code, 403)
        self.assertEqual(len(logs.records), 1)
        self.assertIn(f"backend {self.backend.id}", logs.output[0])
        # unknown backends, whichever the id, share one line a minute
        with self.assertLogs(CONTROLLER_LOGGER, "INFO") as logs:
            for backend_id in range(900000, 900020):
                url = f"/connector_coffee/webhook/{backend_id}"
                self.assertEqual(self.post(url=url).status_code, 403)
        self.assertEqual(len(logs.records), 1)
        self.assertIn("unknown or archived backends", logs.output[0])
        # a minute later, the next refusal reports the ones in between
        self.clock.now += 61
        with self.assertLogs(CONTROLLER_LOGGER, "INFO") as logs:
            self.post(secret=None)
        self.assertEqual(len(logs.records), 1)
        self.assertIn("50 request(s)", logs.output[0])
        self.assertIn("no signature: 50", logs.output[0])

    def refused_24h(self, backend=None):
        health = (backend or self.backend).get_sync_health()
        return health["webhook"]["refused_24h"]

    def test_refusals_are_counted_in_the_cockpit(self):
        """The count of each log line is stored, the backend's only."""
        other = backend_on(
            self.env, self.simulator, name="Other", webhook_secret=SECRET
        )
        archived = backend_on(
            self.env, self.simulator, name="Gone", webhook_secret=SECRET, active=False
        )
        with mute_logger(CONTROLLER_LOGGER):
            # the first refusal is logged, and counted, at once
            self.assertEqual(self.post(secret=None).status_code, 403)
            self.assertEqual(self.refused_24h(), 1)
            # the next ones wait for the next line, a minute later
            self.assertEqual(self.post(secret="not-the-secret").status_code, 403)
            self.assertEqual(self.post(timestamp=1).status_code, 403)
            self.assertEqual(self.refused_24h(), 1)
            self.clock.now += 61
            self.assertEqual(self.post(secret=None).status_code, 403)
            self.assertEqual(self.refused_24h(), 4)
            # unknown and archived backends: logged, never stored
            for url in (
                "/connector_coffee/webhook/900000",
                f"/connector_coffee/webhook/{archived.id}",
            ):
                self.clock.now += 61
                self.assertEqual(self.post(url=url).status_code, 403)
        self.assertEqual(self.post().status_code, 202)
        webhook = self.backend.get_sync_health()["webhook"]
        self.assertEqual(
            (webhook["refused_24h"], webhook["accepted_24h"], webhook["events_24h"]),
            (4, 1, 1),
        )
        self.assertEqual(self.refused_24h(other), 0)
        counts = self.env["coffee.webhook.event.count"].search([])
        self.assertEqual(counts.backend_id, self.backend)
        self.assertEqual(sum(counts.mapped("refused_count")), 4)

    def test_last_delivery_to_odoo_is_checked(self):
        """The machine's last delivery here, as the machine tells it."""
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", self.base_url()
        )
        self.simulator.set_webhook(self.backend.webhook_url, SECRET)
        machine = self.simulator.records("machines")[0]
        self.simulator.update_record("machines", machine["id"], state="error")
        for __ in range(50):
            if self.simulator.webhook_target()["last_delivery"]:
                break
            time.sleep(0.1)
        self.backend._check_webhook_target()
        target = self.backend.get_sync_health()["webhook"]["target"]
        self.assertIs(target["ok"], True)
        self.assertEqual(target["url"], f"{self.base_url()}{self.url}")
        self.assertEqual(target["last_delivery"]["status"], 202)
        self.assertIsNone(target["last_delivery"]["error"])
        self.assertEqual(len(self.import_jobs()), 1)
        # a delivery Odoo refuses is told as well
        self.backend.sudo().webhook_secret = "another-secret-of-odoo"
        self.env.flush_all()
        first = self.simulator.webhook_target()["last_delivery"]
        with mute_logger(CONTROLLER_LOGGER, SIMULATOR_LOGGER):
            self.simulator.update_record("machines", machine["id"], state="idle")
            for __ in range(50):
                if self.simulator.webhook_target()["last_delivery"] != first:
                    break
                time.sleep(0.1)
        self.backend._check_webhook_target()
        target = self.backend.get_sync_health()["webhook"]["target"]
        self.assertEqual(target["last_delivery"]["status"], 403)
        self.assertEqual(self.backend.get_sync_health()["webhook"]["refused_24h"], 1)

    # ------------------------------------------------------------------
    # who the jobs belong to
    # ------------------------------------------------------------------

    def test_job_runs_as_the_webhook_user_in_the_backend_company(self):
        company = self.env["res.company"].create({"name": "Coffee Branch"})
        user = new_test_user(
            self.env,
            login="webhook-runner",
            groups="base.group_user,connector_coffee.coffee_connector_group_manager",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        self.backend.write({"company_id": company.id, "webhook_user_id": user.id})
        machine = self.simulator.records("machines")[0]
        event = self.event("machine.state_changed", machine["id"])
        self.assertEqual(self.post(event).status_code, 202)
        job_record = self.import_jobs()
        self.assertEqual(job_record.user_id, user)
        self.assertEqual(job_record.company_id, company)
        job = Job.load(self.env, job_record.uuid)
        self.assertEqual(job.recordset.env.uid, user.id)
        self.assertEqual(job.recordset.env.company, company)
        job.perform()
        binding = self.env["coffee.machine"].search(
            [("backend_id", "=", self.backend.id), ("coffee_id", "=", machine["id"])]
        )
        self.assertEqual(binding.create_uid, user)

    def test_webhook_user_defaults_and_company(self):
        self.assertEqual(self.backend.webhook_user_id, self.env.user)
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        user = new_test_user(
            self.env,
            login="webhook-elsewhere",
            groups="base.group_user",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        with self.assertRaises(ValidationError):
            self.backend.webhook_user_id = user
        with self.assertRaises(ValidationError):
            self.backend.webhook_user_id = False
        # without a secret, no user is needed
        self.backend.write({"webhook_secret": False, "webhook_user_id": False})

    def test_received_events_are_read_only_for_managers_of_their_company(self):
        Event = self.env["coffee.webhook.event"]
        Event._receive(self.backend, "evt-1", int(time.time()), "brew.finished", 1)
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        manager = new_test_user(
            self.env,
            login="coffee-manager-elsewhere",
            groups="base.group_user,connector_coffee.coffee_connector_group_manager",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        user = new_test_user(self.env, login="coffee-drinker", groups="base.group_user")
        self.assertFalse(
            Event.with_user(manager).search([("backend_id", "=", self.backend.id)])
        )
        received = Event.search([("backend_id", "=", self.backend.id)])
        with self.assertRaises(AccessError):
            received.with_user(manager).write({"event_type": "x"})
        with self.assertRaises(AccessError):
            Event.with_user(user).search([])

    @mute_logger(CONTROLLER_LOGGER)
    def test_flood_of_huge_posts_costs_the_server_no_memory(self):
        """Eight 120 MiB posts at once: each answered 413 from its headers,
        while its body is still coming, and the server's peak memory (this
        process: the test server runs in it) does not grow with them."""
        port = int(self.base_url().rsplit(":", 1)[1])
        size, chunk = 120 * 1024 * 1024, b"x" * (1024 * 1024)
        head = (
            f"POST {self.url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
        ).encode()
        answers, sent = [], []

        def post():
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(head)
                answer, count = b"", 0
                while count < size and not answer:
                    readable, __, __ = select.select([sock], [], [], 0)
                    if readable:
                        answer = sock.recv(4096)
                        break
                    try:
                        sock.sendall(chunk)
                    except OSError:
                        break  # the server closed: its answer is waiting
                    count += len(chunk)
                if not answer:
                    answer = sock.recv(4096)
            answers.append(answer.split(b"\r\n", 1)[0])
            sent.append(count)

        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        threads = [threading.Thread(target=post) for __ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        self.assertEqual(len(answers), 8)
        for answer in answers:
            self.assertIn(b" 413 ", answer + b" ")
        self.assertLess(sum(sent), 8 * size, "a body was read to its end")
        self.assertLess(peak_after - peak_before, 50, "MiB of peak memory")
        self.assertFalse(self.import_jobs())
