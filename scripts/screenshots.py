# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The README's screenshots, taken from the demo: ``make screenshots``.

Runs the demo (``scripts/demo.py``: PostgreSQL, the simulator, a fresh
database and a full sync) with Odoo serving on a free port, logs in as
``admin``/``admin`` and has a headless Chromium capture, into
``docs/screenshots/``, each page as its menu opens it: the cockpit, the
backend form, the machines' dashboard, the brews list and the brew analysis
graph; then the top bar's "Pour me a coffee" menu once the coffee it poured
is ready; last, the cockpit again, once the machine has a record that
Odoo refuses (a poison record) and the import of it has failed.

Chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``): nothing but the standard library and a
``chromium`` (Debian: ``apt-get install chromium``) on PATH.
"""

import argparse
import base64
import fcntl
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import demo
import odoo_env
from odoo_env import ROOT, RUN_DIR, say, warn

OUT_DIR = ROOT / "docs" / "screenshots"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WIDTH, HEIGHT = 1280, 800
#: the seconds a coffee poured from the top bar may take to be ready: the
#: pour's jobs, the machine's brew (30 seconds in the demo), its webhook event
#: and the menu's next look at the brew
POUR_TIMEOUT = 180
#: the seconds the import of the poison record may take to fail
IMPORT_TIMEOUT = 180
#: the brew of the machine made a poison record, and what makes it one: a
#: state Odoo does not know, which the database refuses
POISON = ("brews", 15, {"state": "exploded"})
#: the states of the jobs that are not over yet
RUNNING_JOBS = ("wait_dependencies", "pending", "enqueued", "started")


@dataclass
class DemoSite:
    """The demo as the screenshots see it: Odoo, its backend, its machine."""

    url: str  # where Odoo serves
    opener: urllib.request.OpenerDirector  # logged in as admin
    backend_id: int
    location: str  # the machine (simulator) of the backend

    def call_kw(self, model, method, *args):
        """Call ``model.method(*args)`` in Odoo as admin; return its result."""
        return call(
            self.opener,
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": {}},
        )

    def speak(self, lang):
        """Install the language ``lang`` (e.g. ``fr_FR``), with the addon's
        translations, and make it admin's."""
        (language,) = self.call_kw(
            "res.lang", "search", [("code", "=", lang), ("active", "in", (True, False))]
        )
        wizard = self.call_kw(
            "base.language.install", "create", {"lang_ids": [(6, 0, [language])]}
        )
        self.call_kw("base.language.install", "lang_install", [wizard])
        (admin,) = self.call_kw("res.users", "search", [("login", "=", "admin")])
        self.call_kw("res.users", "write", [admin], {"lang": lang})


def machine_admin(location, method, path, body):
    """Call the control API of the demo's machine (the simulator's
    ``/admin/...``); return its answer."""
    token = base64.b64encode(f"{demo.SIM_USER}:{demo.SIM_PASSWORD}".encode())
    request = urllib.request.Request(
        location + path,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Basic {token.decode()}",
        },
        method=method,
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as answer:
        return json.load(answer)


def poison_a_record(site):
    """Make a record of the machine a poison record, and wait until its
    import failed.

    The machine sends the change to Odoo's webhook, which imports the record:
    the database refuses it, and the job importing it alone fails, saying
    why. (Not ``sync_all()`` as well: its import would meet the record at the
    same moment as the webhook's, and each would leave a failed job of its
    own.)
    """
    resource, record_id, values = POISON
    path = f"/admin/records/{resource}/{record_id}"
    machine_admin(site.location, "PUT", path, values)
    deadline = time.monotonic() + IMPORT_TIMEOUT
    while True:
        health = site.call_kw("coffee.backend", "get_sync_health", [site.backend_id])
        running = sum(health["jobs"][state] for state in RUNNING_JOBS)
        if not running and health["entities"][resource]["failed"]:
            say(f"the import of {resource} {record_id} failed, as it should")
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"no failed import of {resource} {record_id} in {IMPORT_TIMEOUT} s"
            )
        time.sleep(1)


@dataclass(frozen=True)
class Shot:
    """A screenshot: a page of the demo, and what it must show first."""

    name: str  # the PNG's file name
    path: str  # the page; ``{backend_id}`` is the demo backend's id
    selector: str  # CSS selector of what the page shows once loaded
    #: the elements clicked in turn once it is loaded, as (CSS selector,
    #: text the element contains)
    clicks: tuple = ()
    #: what shows once the clicks are done, as (CSS selector, text);
    #: default: ``selector``
    shows: tuple = None
    timeout: float = 60  # the seconds ``shows`` may take
    #: what is done to the demo before the page opens: a function of the
    #: :class:`DemoSite`
    prepare: Callable = None


SYSTRAY_MENU = ".o_coffee_systray_menu"
#: what is captured, in this order
SHOTS = [
    Shot(
        "cockpit.png",
        "/odoo/action-connector_coffee.coffee_backend_action",
        ".o_kanban_view .o_kanban_record .o_coffee_sync_health .o_coffee_entities",
    ),
    Shot(
        "backend_form.png",
        "/odoo/action-connector_coffee.coffee_backend_action/{backend_id}",
        ".o_form_view .o_field_one2many[name=import_ids] .o_data_row",
    ),
    Shot(
        "machines_dashboard.png",
        "/odoo/action-connector_coffee.coffee_machine_action",
        ".o_kanban_view .o_kanban_record",
    ),
    Shot(
        "brews_list.png",
        "/odoo/action-connector_coffee.coffee_brew_action",
        ".o_list_view .o_data_row",
    ),
    Shot(
        "brew_analysis.png",
        "/odoo/action-connector_coffee.coffee_brew_action_analysis",
        ".o_graph_view .o_graph_canvas_container canvas",
    ),
    # after the others, which would show the coffee it pours
    Shot(
        "systray.png",
        "/odoo/action-connector_coffee.coffee_machine_action",
        ".o_kanban_view .o_kanban_record",
        clicks=(
            (".o_menu_systray .o_coffee_systray_toggler", ""),
            (f"{SYSTRAY_MENU} button.o_coffee_pour", ""),
        ),
        # ready (in any language): the brew's box turns green
        shows=(f"{SYSTRAY_MENU} .o_coffee_brew.alert-success .o_coffee_brew_state",),
        timeout=POUR_TIMEOUT,
    ),
    # last: the others would show the failed import
    Shot(
        "cockpit_errors.png",
        "/odoo/action-connector_coffee.coffee_backend_action",
        ".o_kanban_view .o_kanban_record .o_coffee_sync_health .o_coffee_error",
        prepare=poison_a_record,
    ),
]


class Chromium:
    """A headless Chromium driven over the DevTools protocol on a pipe.

    With ``--remote-debugging-pipe`` Chromium reads commands from its file
    descriptor 3 and writes answers and events to its descriptor 4, as JSON
    messages ended by a NUL byte.
    """

    def __init__(self, executable, width=WIDTH, height=HEIGHT):
        self.profile = tempfile.mkdtemp(prefix="coffee-chromium-")
        to_chrome_read, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_write = os.pipe()

        def plug_pipes():  # in the child, before exec: the pipes as fds 3, 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in plug]
            for fd, target in zip(high, (3, 4), strict=True):
                os.dup2(fd, target)  # inheritable, unlike the originals

        plug = (to_chrome_read, from_chrome_write)

        self.proc = subprocess.Popen(
            [
                executable, "--headless=new", "--remote-debugging-pipe",
                "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--no-first-run", "--hide-scrollbars",
                "--force-device-scale-factor=1", f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}", "about:blank",
            ],
            preexec_fn=plug_pipes,
            close_fds=False,  # our other descriptors are not inheritable anyway
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self._ids = itertools.count(1)
        self._buffer = b""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send(
            "Target.attachToTarget", targetId=target, flatten=True
        )["sessionId"]
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
            session=True,
        )

    def send(self, method, session=False, **params):
        """Send a command and return its result (events are ignored)."""
        message = {"id": next(self._ids), "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == message["id"]:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def _read(self):
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def evaluate(self, expression):
        """Evaluate JavaScript in the page and return its value."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, session=True
        )
        return result.get("result", {}).get("value")

    def wait_for(self, selector, text="", timeout=60):
        """Wait for an element matching ``selector`` that contains ``text``."""
        find = (
            f"[...document.querySelectorAll({json.dumps(selector)})]"
            f".find((e) => e.textContent.includes({json.dumps(text)}))"
        )
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"!!{find}"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {selector} {text!r} within {timeout} s")
            time.sleep(0.25)
        return find

    def open(self, url, shot, settle=2.0):
        """Open ``url``, wait for the page of ``shot``, click, wait for what
        the clicks show, let the page settle.

        :param shot: the :class:`Shot`
        :param settle: seconds for animations (the graph's) and fonts
        """
        self.send("Page.navigate", url=url, session=True)
        self.wait_for(shot.selector)
        for click, text in shot.clicks:
            self.evaluate(f"{self.wait_for(click, text)}.click()")
            time.sleep(0.5)
        self.wait_for(*(shot.shows or (shot.selector,)), timeout=shot.timeout)
        time.sleep(settle)

    def screenshot(self, path):
        """Write a PNG of the viewport to ``path``."""
        data = self.send("Page.captureScreenshot", format="png", session=True)
        path.write_bytes(base64.b64decode(data["data"]))

    def set_cookie(self, name, value, url):
        self.send("Network.setCookie", name=name, value=value, url=url, session=True)

    def close(self):
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(url):
    """Log in as admin; return an opener holding the session and its cookie."""
    jar = CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    call(
        opener,
        f"{url}/web/session/authenticate",
        {"db": demo.DATABASE, "login": "admin", "password": "admin"},
    )
    session = next((c.value for c in jar if c.name == "session_id"), None)
    if not session:
        raise RuntimeError("logging in as admin gave no session")
    return opener, session


def call(opener, url, params):
    """A JSON-RPC call to Odoo; return its result."""
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with opener.open(request, timeout=60) as response:
        answer = json.load(response)
    if answer.get("error"):
        raise RuntimeError(f"{url}: {answer['error']}")
    return answer["result"]


def take_screenshots(executable, run, out_dir, lang=None):
    """Capture :data:`SHOTS` from the demo ``run`` (a ``demo.DemoRun``).

    :param lang: the language of the screens (default: English)
    """
    opener, session = login(run.url)
    backend_id, __, location = run.backends[0]
    site = DemoSite(run.url, opener, backend_id, location)
    if lang:
        say(f"installing {lang} for admin")
        site.speak(lang)
    out_dir.mkdir(parents=True, exist_ok=True)
    browser = Chromium(executable)
    try:
        browser.set_cookie("session_id", session, run.url)
        for shot in SHOTS:
            if shot.prepare:
                shot.prepare(site)
            browser.open(run.url + shot.path.format(backend_id=backend_id), shot)
            browser.screenshot(out_dir / shot.name)
            path = (out_dir / shot.name).resolve()
            say(
                f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
            )
    finally:
        browser.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(OUT_DIR), help="folder of the PNGs")
    parser.add_argument(
        "--lang",
        help="the screens in this language, e.g. fr_FR (to look at a "
        "translation; the README's are in English)",
    )
    args = parser.parse_args(argv)
    executable = next(filter(None, map(shutil.which, BROWSERS)), None)
    if not executable:
        warn("no Chromium on PATH: install it (Debian: apt-get install chromium)")
        return 2
    RUN_DIR.mkdir(exist_ok=True)
    odoo_env.exit_on_signals()
    python, odoo_found, reason = odoo_env.prepare()
    if not odoo_found:
        warn(f"no Odoo 18 to run the demo with: {reason}")
        sys.stdout.write(demo.HOW_TO_INSTALL_ODOO)
        return 2
    odoo_env.run_in_venv(python)
    with demo.running_demo(python, odoo_env.free_port()) as run:
        if not run.complete or run.jobs.get("failed"):
            warn("the demo's sync did not complete: the screenshots show that")
        say(f"taking the screenshots with {executable}")
        take_screenshots(executable, run, Path(args.out), args.lang)
    return 0


if __name__ == "__main__":
    sys.exit(odoo_env.run_main(main))
