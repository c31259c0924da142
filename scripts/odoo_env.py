# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Find an installed Odoo 18 and give it a database to work on.

Shared by ``run_tests.py``, ``demo.py`` and ``bench.py``. Nothing here knows
a path of any one machine: Odoo is found through the interpreter named by
``PYTHON``, else the one behind an ``odoo`` command on PATH, else ``python3``;
PostgreSQL is the one named by ``ODOO_RC`` or the ``PG*`` settings, else a
private throwaway cluster made with Debian's PostgreSQL binaries.
"""

import configparser
import glob
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# where runs write their configuration, logs and reports
RUN_DIR = Path(os.environ.get("COFFEE_RUN_DIR") or ROOT / ".run")
VENV_DIR = ROOT / ".venv"
VENV_PYTHON = VENV_DIR / "bin" / "python"
# written by odoo_setup.py into a virtualenv where it installed Odoo
ODOO_MARKER = ".odoo-source"
# set for a command that run_in_venv runs again under .venv's interpreter
PREPARED = "CONNECTOR_COFFEE_PREPARED"
ODOO_SERIES = 18
OCA_ADDONS = [
    "odoo-addon-component==18.0.*",
    "odoo-addon-component_event==18.0.*",
    "odoo-addon-queue_job==18.0.*",
    "odoo-addon-connector==18.0.*",
]
# what the OCA wheels need besides Odoo itself (they are installed with
# --no-deps, so that pip never tries to fetch an ``odoo`` distribution)
OCA_ADDONS_DEPS = ["cachetools"]
# what Odoo's multi-process server needs besides: its websocket process
# (``gevent``) resolves gevent's plugins through ``pkg_resources``, and the one
# of the setuptools Python's venv brings cannot read the metadata of today's
# ``zope.interface`` ("The 'zope.interface' distribution was not found"); from
# setuptools 80.9 on, importing it warns, which Odoo's log would show
ODOO_SERVER_DEPS = ["setuptools>=76,<80"]
# what tier B needs besides: pytest-odoo, and the client Odoo drives Chromium
# with for the tour test
ODOO_TEST_DEPS = ["pytest-odoo", "websocket-client"]
PG_USER = "odoo"


def say(message):
    """Write a progress line, flushed so that it interleaves with children."""
    sys.stdout.write(f"==> {message}\n")
    sys.stdout.flush()


def _write_line(line):
    """Write a line as it is, flushed."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def warn(message):
    """Write a warning that cannot be missed."""
    bar = "!" * 72
    sys.stdout.write(f"\n{bar}\n!! WARNING: {message}\n{bar}\n\n")
    sys.stdout.flush()


def free_port():
    """Return a TCP port of 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------
# Odoo
# --------------------------------------------------------------------------


def _python_behind(command):
    """Return the interpreter named in the shebang of a script on PATH."""
    path = shutil.which(command)
    if not path:
        return None
    try:
        with open(path, "rb") as script:
            first = script.readline().decode(errors="replace").strip()
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    if words and os.path.basename(words[0]) == "env" and len(words) > 1:
        return shutil.which(words[1])
    return words[0] if words else None


def _odoo_major(python):
    """Return Odoo's major version importable by ``python``, or None."""
    try:
        out = subprocess.run(
            [python, "-c", "import odoo.release as r; print(r.version_info[0])"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    try:
        return int(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def find_odoo_python():
    """Find the interpreter to run Odoo with.

    Tried in order: ``PYTHON`` (an explicit choice, not second-guessed), the
    interpreter behind an ``odoo`` command on PATH, ``python3``, and the
    project's ``.venv`` when Odoo was set up there from source.

    :return: ``(python, reason)``: the interpreter that imports Odoo 18, or
        ``(None, why not)``.
    """
    candidates = []
    if os.environ.get("PYTHON"):
        candidates.append(("PYTHON", os.environ["PYTHON"]))
    behind = _python_behind("odoo")
    if behind:
        candidates.append(("the odoo command", behind))
    candidates.append(("python3", shutil.which("python3") or sys.executable))
    if (VENV_DIR / ODOO_MARKER).exists():
        candidates.append(("the Odoo set up in .venv", str(VENV_PYTHON)))
    tried = []
    for origin, python in candidates:
        major = _odoo_major(python)
        if major == ODOO_SERIES:
            return python, f"Odoo 18 found through {origin} ({python})"
        tried.append(
            f"{origin} ({python}): "
            + ("no importable odoo" if major is None else f"Odoo {major}")
        )
        if origin == "PYTHON":
            break  # an explicit choice is not second-guessed
    return None, "no Odoo 18 importable; tried " + "; ".join(tried)


def _requirements_digest(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
    for name in (
        "requirements.txt",
        "test-requirements.txt",
        "simulator/pyproject.toml",
    ):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _ask(python, code):
    """Run ``code`` with the interpreter ``python``; return what it printed
    last, as JSON."""
    out = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _site_dirs(python):
    """Return the folders of site-packages of the interpreter ``python``.

    Those of a virtualenv are its own (plus the system's when it was made
    with ``--system-site-packages``), not its base interpreter's.
    """
    code = (
        "import json, site\n"
        "dirs = list(site.getsitepackages())\n"
        "if site.ENABLE_USER_SITE:\n"
        "    dirs.append(site.getusersitepackages())\n"
        "print(json.dumps(dirs))\n"
    )
    return [path for path in _ask(python, code) if os.path.isdir(path)]


def _venv_site_packages():
    """Return the site-packages folder of ``.venv``."""
    code = "import json, sysconfig; print(json.dumps(sysconfig.get_paths()['purelib']))"
    return Path(_ask(str(VENV_PYTHON), code))


def ensure_venv(odoo_python=None):
    """Create or refresh ``.venv`` from the repository's requirement files.

    With an Odoo installed elsewhere (the system's interpreter, a virtualenv
    of the user's), ``.venv`` sees that interpreter's own site-packages
    through a ``.pth`` file, whatever kind of installation it is, and holds
    only the test tools. The OCA addons go into ``.venv/oca-addons`` (see
    :func:`addons_paths`), never into site-packages, where their ``odoo/``
    folder could shadow an editable Odoo. An Odoo set up in ``.venv`` itself
    from source is kept when the requirements change.

    :param odoo_python: the interpreter that imports Odoo 18, or None
    :return: path of the virtualenv's python
    """
    own_odoo = (VENV_DIR / ODOO_MARKER).exists()
    with_odoo = bool(odoo_python)
    outside = odoo_python if with_odoo and not own_odoo else None
    stamp = VENV_DIR / ".connector_coffee_stamp"
    wanted = _requirements_digest(
        os.path.abspath(outside or ""),
        str(with_odoo),
        *OCA_ADDONS,
        *ODOO_TEST_DEPS,
        *ODOO_SERVER_DEPS,
    )
    if VENV_PYTHON.exists() and stamp.exists() and stamp.read_text() == wanted:
        return str(VENV_PYTHON)
    say(f"setting up {VENV_DIR.name} from the repository's requirement files")
    if VENV_DIR.exists() and not own_odoo:
        shutil.rmtree(VENV_DIR)
    if not VENV_PYTHON.exists():
        subprocess.run(
            [outside or sys.executable, "-m", "venv", str(VENV_DIR)], check=True
        )
    if outside:
        lines = "".join(
            f"import site; site.addsitedir({path!r})\n" for path in _site_dirs(outside)
        )
        (_venv_site_packages() / "connector_coffee_odoo.pth").write_text(lines)
    pip = [str(VENV_PYTHON), "-m", "pip", "install", "--disable-pip-version-check"]
    pip += ["--quiet"]
    requirements = ["-r", "requirements.txt", "-r", "test-requirements.txt"]
    subprocess.run(pip + requirements, cwd=ROOT, check=True)
    if with_odoo:
        subprocess.run(
            pip + [*ODOO_TEST_DEPS, *OCA_ADDONS_DEPS, *ODOO_SERVER_DEPS],
            cwd=ROOT,
            check=True,
        )
        target = VENV_DIR / "oca-addons"
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(
            pip + ["--no-deps", "--target", str(target), *OCA_ADDONS],
            cwd=ROOT,
            check=True,
        )
    if with_odoo and _odoo_major(str(VENV_PYTHON)) != ODOO_SERIES:
        raise RuntimeError(
            f"{VENV_DIR.name} does not import the Odoo 18 of {odoo_python}"
        )
    stamp.write_text(wanted)
    return str(VENV_PYTHON)


def setup_odoo_from_source():
    """Set Odoo 18 up in ``.venv`` from its source (``ODOO_SRC`` or official).

    :return: ``(python, reason)`` as :func:`find_odoo_python`
    """
    import odoo_setup  # pylint: disable=import-outside-toplevel

    if not VENV_PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV_DIR)], check=True)
    ok, message = odoo_setup.setup_odoo(str(VENV_PYTHON), say=_write_line)
    if not ok:
        return None, message
    # the requirements go in again, now with the Odoo-side ones
    (VENV_DIR / ".connector_coffee_stamp").unlink(missing_ok=True)
    return str(VENV_PYTHON), f"Odoo 18 set up in .venv ({message})"


def prepare(setup=True):
    """Find Odoo 18 (or set it up from source) and make ``.venv`` for it.

    :param setup: set Odoo up in ``.venv`` when none is importable
    :return: ``(python, odoo_found, reason)``: the interpreter of ``.venv``
        to run everything with, whether it imports Odoo 18, and how it was
        found (or why not)
    """
    if os.environ.get(PREPARED) and Path(sys.executable) == VENV_PYTHON:
        # run again by run_in_venv: found and made already
        return str(VENV_PYTHON), True, os.environ[PREPARED]
    odoo_python, reason = find_odoo_python()
    if not odoo_python and setup and not os.environ.get("PYTHON"):
        say(f"{reason}: setting Odoo 18 up in .venv from its source")
        odoo_python, reason = setup_odoo_from_source()
    say(reason)
    return ensure_venv(odoo_python), bool(odoo_python), reason


def run_in_venv(python):
    """Run the calling script again under ``python`` unless it runs there.

    Every step of a command then uses the interpreter that runs Odoo (its
    psycopg2, its Odoo), whatever ``python3`` comes first on PATH.
    """
    if os.path.abspath(sys.executable) != os.path.abspath(python):
        sys.stdout.flush()
        os.environ[PREPARED] = "Odoo 18 found, .venv made"
        os.execv(python, [python, *sys.argv])


def addons_paths(python):
    """Return the addons folders of the Odoo importable by ``python``.

    Covers Odoo installed as a package (addons inside ``odoo/addons``), a
    source tree (``addons/`` beside ``odoo/``) and the OCA addons of
    ``.venv``.
    """
    code = (
        "import json, os, odoo, odoo.addons\n"
        "base = os.path.dirname(odoo.__file__ or '')\n"
        "found = [os.path.join(base, 'addons'),"
        " os.path.join(os.path.dirname(base), 'addons')]\n"
        "found += list(odoo.addons.__path__)\n"
        "print(json.dumps(found))\n"
    )
    found = _ask(python, code)
    found.append(str(VENV_DIR / "oca-addons" / "odoo" / "addons"))
    paths = []
    for path in found:
        path = os.path.realpath(path)
        if path in paths or not os.path.isdir(path):
            continue
        if glob.glob(os.path.join(path, "*", "__manifest__.py")):
            paths.append(path)
    return paths


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def _pg_bindir():
    """Return the folder of Debian's PostgreSQL server binaries, or None."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return os.path.dirname(os.path.realpath(on_path))
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0,
    )
    return os.path.dirname(found[-1]) if found else None


class PrivateCluster:
    """A throwaway PostgreSQL cluster in a temporary folder.

    It listens on 127.0.0.1 only, on a free port, trusts local connections
    of the ``odoo`` role and is deleted on :meth:`stop`. PostgreSQL refuses
    to run as root, so under root it runs as the unprivileged ``nobody``.
    """

    def __init__(self):
        self.bindir = _pg_bindir()
        self.folder = None
        self.port = None
        self._as_user = []

    def _run(self, *args, **kwargs):
        return subprocess.run(self._as_user + list(args), check=True, **kwargs)

    def start(self):
        """Create and start the cluster.

        :return: the connection settings ``{host, port, user, password}``
        """
        if not self.bindir:
            raise RuntimeError(
                "no PostgreSQL server binaries found (initdb, pg_ctl): install "
                "Debian's postgresql package or set ODOO_RC / PGHOST"
            )
        self.folder = tempfile.mkdtemp(prefix="coffee-pg-")
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.folder, nobody.pw_uid, nobody.pw_gid)
            runuser = shutil.which("runuser") or next(
                (
                    p
                    for p in ("/usr/sbin/runuser", "/sbin/runuser")
                    if os.path.exists(p)
                ),
                "runuser",
            )
            self._as_user = [runuser, "-u", "nobody", "--"]
        self.port = free_port()
        data = os.path.join(self.folder, "data")
        self._run(
            os.path.join(self.bindir, "initdb"),
            "-D", data, "-U", PG_USER, "--auth=trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=60"
        )
        self._run(
            os.path.join(self.bindir, "pg_ctl"),
            "-D", data, "-o", options, "-l", os.path.join(self.folder, "log"),
            "-w", "-s", "start",
        )  # fmt: skip
        return {"host": "127.0.0.1", "port": self.port, "user": PG_USER}

    def stop(self):
        """Stop the cluster and delete its folder."""
        if not self.folder:
            return
        data = os.path.join(self.folder, "data")
        if os.path.exists(os.path.join(data, "postmaster.pid")):
            subprocess.run(
                self._as_user
                + [os.path.join(self.bindir, "pg_ctl"), "-D", data]
                + ["-m", "fast", "-w", "-s", "stop"],
                check=False,
            )
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None


def open_database(stack):
    """The PostgreSQL to use: the one given, else a private cluster.

    :param stack: an ``ExitStack`` that stops the private cluster
    :return: the connection settings for :func:`write_config`
    :raise RuntimeError: when no PostgreSQL can be had
    """
    db = given_database_settings()
    if db is not None:
        say("using the PostgreSQL given by ODOO_RC / PG* settings")
        return db
    cluster = PrivateCluster()
    stack.callback(cluster.stop)
    try:
        db = cluster.start()
    except (OSError, subprocess.CalledProcessError) as err:
        raise RuntimeError(f"cannot start a private PostgreSQL cluster: {err}") from err
    say(f"private PostgreSQL cluster on 127.0.0.1:{db['port']}")
    return db


def given_database_settings():
    """Return the PostgreSQL settings given by ODOO_RC or PG*, or None."""
    rc = os.environ.get("ODOO_RC")
    if rc:
        parser = configparser.ConfigParser()
        parser.read(rc)
        options = dict(parser.items("options")) if parser.has_section("options") else {}
        settings = {
            key: options[f"db_{key}"]
            for key in ("host", "port", "user", "password")
            if options.get(f"db_{key}") not in (None, "", "False")
        }
        return settings or {"from": "ODOO_RC"}
    if any(os.environ.get(name) for name in ("PGHOST", "PGPORT", "PGUSER")):
        settings = {
            "host": os.environ.get("PGHOST"),
            "port": os.environ.get("PGPORT"),
            "user": os.environ.get("PGUSER"),
            "password": os.environ.get("PGPASSWORD"),
        }
        return {key: value for key, value in settings.items() if value}
    return None


def write_config(path, db, addons, http_port=None, extra=None):
    """Write the Odoo configuration file the scripts run with.

    Options of ``ODOO_RC``, when given, are kept; the repository is added to
    its addons path.

    :param path: where to write the file
    :param db: PostgreSQL settings (host, port, user, password)
    :param addons: addons folders of the installed Odoo
    :param http_port: port for Odoo's HTTP server on 127.0.0.1
    :param extra: further options
    """
    parser = configparser.ConfigParser(interpolation=None)
    rc = os.environ.get("ODOO_RC")
    if rc:
        parser.read(rc)
    if not parser.has_section("options"):
        parser.add_section("options")
    options = parser["options"]
    paths = [str(ROOT)] + [
        p for p in options.get("addons_path", "").split(",") if p.strip()
    ]
    paths += addons
    unique = []
    for entry in paths:
        entry = os.path.realpath(entry.strip())
        if entry not in unique:
            unique.append(entry)
    options["addons_path"] = ",".join(unique)
    for key in ("host", "port", "user", "password"):
        if db.get(key):
            options[f"db_{key}"] = str(db[key])
    options.setdefault("data_dir", str(RUN_DIR / "filestore"))
    options["http_interface"] = "127.0.0.1"
    if http_port:
        options["http_port"] = str(http_port)
        options["gevent_port"] = str(free_port())
    options.setdefault("list_db", "False")
    for key, value in (extra or {}).items():
        options[key] = str(value)
    with open(path, "w") as handle:
        parser.write(handle)


def _database_api(python, config, code, *args):
    """Run ``code`` with Odoo's database API (``db``) in a child process.

    The configuration's ``list_db = False`` would make that API refuse to
    drop anything: it is switched on in the child process only.

    :raise RuntimeError: with the child's error when it fails
    """
    prelude = (
        "import sys\n"
        "from odoo.tools import config\n"
        "config.parse_config(['-c', sys.argv[1]])\n"
        "config['list_db'] = True\n"
        "import odoo.service.db as db\n"
    )
    proc = subprocess.run(
        [python, "-c", prelude + code, config, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1:] or proc.returncode)
    return proc.stdout


def drop_database(python, config, database):
    """Drop ``database`` (and its filestore) when it exists.

    :raise RuntimeError: when it exists and cannot be dropped
    """
    _database_api(
        python,
        config,
        "if sys.argv[2] in db.list_dbs(True):\n    db.exp_drop(sys.argv[2])\n",
        database,
    )


def drop_stale_databases(python, config, prefix):
    """Drop the databases ``<prefix><pid>`` of runs that are over.

    A run killed before it could clean up leaves its database behind; the
    next run drops it, when the process that made it is gone.
    """
    code = (
        "import os\n"
        "for name in db.list_dbs(True):\n"
        "    pid = name[len(sys.argv[2]):]\n"
        "    if not name.startswith(sys.argv[2]) or not pid.isdigit():\n"
        "        continue\n"
        "    try:\n"
        "        os.kill(int(pid), 0)\n"
        "    except ProcessLookupError:\n"
        "        db.exp_drop(name)\n"
        "        print(name)\n"
    )
    for name in _database_api(python, config, code, prefix).split():
        say(f"dropped {name}, left behind by an earlier run")


def run_main(main):
    """Run a command's ``main``; a Ctrl-C ends it with a line, not a
    traceback (its clean-ups have run by then)."""
    try:
        return main()
    except KeyboardInterrupt:
        sys.stdout.write("\n==> interrupted\n")
        return 130


def exit_on_signals():
    """Turn SIGTERM and SIGHUP into ``SystemExit``, as Ctrl-C is turned into
    ``KeyboardInterrupt``, so that the clean-ups of a run (its database,
    its PostgreSQL, its simulator) happen when it is stopped."""

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)


if __name__ == "__main__":
    # ``make venv``: the project's .venv, with the Odoo found (none is set up)
    prepare(setup=False)
