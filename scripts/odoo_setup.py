# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Install Odoo 18.0 from source into a virtualenv.

``setup_odoo(venv_python)`` makes the virtualenv of ``venv_python`` import
Odoo 18.0. The source comes from ``ODOO_SRC`` when it is set:

- a folder holding an Odoo 18 source tree (``setup.py`` or ``odoo-bin``, and
  ``odoo/release.py``), used in place;
- a git URL (anything ``git clone`` takes, a local ``*.git`` repository too),
  cloned shallow and sparse into ``.odoo-src/`` of the repository;
- an archive (``.tar.gz``, ``.tgz`` or ``.zip``, a file or an URL), unpacked
  into ``.odoo-src/``.

Without ``ODOO_SRC`` it is Odoo's official repository, branch 18.0, cloned
shallow, without blobs and sparse: the files at its root, ``setup/``,
``odoo/`` (which holds the ``base`` addon) and, under ``addons/``, the
dependency closure of what the connector stack needs, read from the
manifests round after round.

Then Odoo's ``requirements.txt`` (with the pins that no longer build
replaced) and Odoo itself (editable, in setuptools' ``compat`` mode) are
installed with the virtualenv's pip, and ``<venv>/.odoo-source`` records
where this Odoo came from.

Only the standard library is used: this runs before anything is installed.
"""

import argparse
import ast
import collections
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# where clones and unpacked archives go (ignored by git)
SRC_DIR = ROOT / ".odoo-src"
ODOO_SERIES = "18.0"
ODOO_MAJOR = 18
ODOO_GIT_URL = "https://github.com/odoo/odoo"
MARKER = ".odoo-source"
SOURCE_HINT = "set ODOO_SRC=<folder|git URL|archive>"
# seconds to learn whether a source answers at all
REACH_TIMEOUT = 15
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".zip")
# folders of Odoo's repository always checked out (its root files come with
# any sparse checkout in cone mode)
SPARSE_ROOT_DIRS = ("odoo", "setup")
# Odoo addons the connector stack needs: the closure of their ``depends`` is
# checked out. The tests of connector_coffee use products, contacts, the
# chatter and a web tour. The OCA addons come from PyPI, not from Odoo's
# repository; the Odoo addons they depend on are those of the ``depends`` in
# the manifests of their 18.0 wheels (odoo-addon-queue_job 18.0.4.1.2.2:
# mail, base_sparse_field, web; odoo-addon-component 18.0.1.0.5.1: base;
# odoo-addon-component_event 18.0.1.0.0.4: component; odoo-addon-connector
# 18.0.1.0.2: mail, queue_job, component, component_event). The ``depends``
# of the repository's own addons are added to these at run time.
SEED_ADDONS = (
    "product",
    "contacts",
    "mail",
    "web_tour",
    "base_sparse_field",
    "web",
    "base",
)
# pins of Odoo's requirements.txt that no longer install: cbor2 5.4.2 (for
# Python < 3.12) has no wheel and its sdist no longer builds with current
# setuptools (no setuptools_scm in the isolated build: version 0.0.0)
REQUIREMENT_FIXES = {"cbor2": {"5.4.2": "5.4.6"}}
# Debian packages needed to build python-ldap and psycopg2 (no wheels)
DEBIAN_BUILD_DEPS = ("gcc", "libldap2-dev", "libsasl2-dev", "libpq-dev")
# pip older than that ignores --config-settings for editable installs
MIN_PIP = (23, 1)
# pip's lines worth showing while it works: about one a package
_PIP_SHOWN = re.compile(
    r"^(Collecting|Requirement already satisfied|Building wheels? for|"
    r"\s+Building wheel for|Successfully|Installing collected|Obtaining|"
    r"ERROR)"
)
_REQUIREMENT = re.compile(
    r"^(?P<head>\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*)"
    r"(?P<version>[^\s;#]+)(?P<tail>.*)$",
    re.DOTALL,
)
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")
_VERSION_INFO = re.compile(r"^version_info\s*=\s*\(\s*(\d+)\s*,\s*(\d+)", re.M)


class SetupError(Exception):
    """A step failed; the message says why and what to do."""


# --------------------------------------------------------------------------
# pure helpers (tested without Odoo)
# --------------------------------------------------------------------------


def rewrite_requirements(text):
    """Replace the pins of ``requirements.txt`` that no longer install.

    Every other line, environment markers and comments are kept as they are.

    :param text: the content of Odoo's ``requirements.txt``
    :return: the content to give pip instead
    """
    lines = []
    for line in text.splitlines(keepends=True):
        match = _REQUIREMENT.match(line)
        if match:
            name = re.sub(r"[-_.]+", "-", match["name"]).lower()
            fixed = REQUIREMENT_FIXES.get(name, {}).get(match["version"])
            if fixed:
                line = match["head"] + fixed + match["tail"]
        lines.append(line)
    return "".join(lines)


def is_odoo_tree(path):
    """Tell whether a folder is an Odoo source tree.

    :param path: a folder
    :return: True when it has ``odoo/release.py`` and ``setup.py`` or
        ``odoo-bin``
    """
    path = Path(path)
    return (path / "odoo" / "release.py").is_file() and (
        (path / "setup.py").is_file() or (path / "odoo-bin").is_file()
    )


def _is_git_repository(path):
    """Tell whether a folder is a git repository, bare or not."""
    return (path / ".git").exists() or (
        (path / "HEAD").is_file() and (path / "objects").is_dir()
    )


def classify_source(source):
    """Tell what kind of Odoo source ``source`` names.

    :param source: the value of ``ODOO_SRC``
    :return: ``(kind, detail)``: kind is ``folder``, ``git``, ``archive`` or
        ``invalid``; detail is the absolute path or the URL, or why the
        source is invalid
    """
    source = (source or "").strip()
    if not source:
        return "invalid", "empty"
    is_url = "://" in source
    if source.lower().endswith(ARCHIVE_SUFFIXES):
        if is_url:
            scheme = urllib.parse.urlsplit(source).scheme.lower()
            if scheme in ("http", "https", "file"):
                return "archive", source
            return "invalid", f"cannot download an archive over {scheme}"
        path = Path(source).expanduser()
        if path.is_file():
            return "archive", str(path.resolve())
        return "invalid", f"no such archive: {path}"
    if is_url or _SCP_LIKE.match(source):
        return "git", source
    path = Path(source).expanduser()
    if path.is_dir():
        if is_odoo_tree(path):
            return "folder", str(path.resolve())
        if _is_git_repository(path):
            return "git", str(path.resolve())
        return "invalid", (
            f"{path} is neither an Odoo source tree (setup.py or odoo-bin, "
            "and odoo/release.py) nor a git repository"
        )
    if source.endswith(".git"):
        return "invalid", f"no such git repository: {path}"
    return "invalid", f"no such folder: {path}"


def manifest_depends(manifest):
    """Read the ``depends`` of an addon's manifest.

    :param manifest: path of a ``__manifest__.py``
    :return: the list of addon names, empty when there is no such file
    """
    try:
        data = ast.literal_eval(Path(manifest).read_text(encoding="utf-8"))
    except (OSError, ValueError, SyntaxError):
        return []
    depends = data.get("depends", []) if isinstance(data, dict) else []
    return [name for name in depends if isinstance(name, str)]


def addon_closure(seed, addons_dirs, fetch=None):
    """Compute the dependency closure of ``seed`` from the manifests.

    :param seed: names of the addons needed
    :param addons_dirs: folders whose subfolders are addons; an addon's
        manifest is read from the first folder that has it. Names found in
        none (addons from elsewhere) have no dependencies here.
    :param fetch: called with the sorted list of the names of each round
        before their manifests are read (to check them out), or None
    :return: the set of all the names reached, ``seed`` included
    """
    addons_dirs = [Path(folder) for folder in addons_dirs]
    reached = set()
    todo = set(seed)
    while todo:
        if fetch:
            fetch(sorted(todo))
        reached |= todo
        found = set()
        for name in todo:
            for folder in addons_dirs:
                manifest = folder / name / "__manifest__.py"
                if manifest.is_file():
                    found.update(manifest_depends(manifest))
                    break
        todo = found - reached
    return reached


def stack_seed(root=ROOT):
    """Return the Odoo addons that the connector stack needs.

    :param root: the repository whose addons' ``depends`` are added
    :return: sorted names: ``SEED_ADDONS`` and the ``depends`` of the
        repository's addons
    """
    names = set(SEED_ADDONS)
    for manifest in Path(root).glob("*/__manifest__.py"):
        names.update(manifest_depends(manifest))
    return sorted(names)


def odoo_tree_major(tree):
    """Read the major version of an Odoo source tree.

    :param tree: an Odoo source tree
    :return: the major version as an int, or None
    """
    try:
        text = (Path(tree) / "odoo" / "release.py").read_text(encoding="utf-8")
    except OSError:
        return None
    match = _VERSION_INFO.search(text)
    return int(match[1]) if match else None


def read_marker(venv_dir):
    """Read the record that ``setup_odoo`` left in a virtualenv.

    :param venv_dir: the virtualenv's folder
    :return: a dict (``source``, ``kind``, ``tree``, ``version``), or None
        when this virtualenv's Odoo was not installed by ``setup_odoo``
    """
    try:
        return json.loads((Path(venv_dir) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------


def _run_limited(cmd, timeout, env=None, cwd=None):
    """Run a command with a time limit, killing its whole process group.

    :return: ``(returncode, output)``; returncode is None on timeout
    """
    try:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as exc:
        return 127, str(exc)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out or ""
    return proc.returncode, out or ""


def _stream(cmd, say, show=None, env=None, cwd=None):
    """Run a command, passing the lines that ``show`` matches to ``say``.

    :return: ``(returncode, the last lines of its output)``
    """
    tail = collections.deque(maxlen=30)
    with subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        env=env,
        cwd=cwd,
    ) as proc:
        for line in proc.stdout:
            line = line.rstrip()
            tail.append(line)
            if show is None or show.match(line):
                say(f"    {line}")
    return proc.returncode, list(tail)


def _git_env():
    """Return the environment for git: never a prompt, never a hang."""
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes -o ConnectTimeout=10")
    return env


def _git(args, cwd=None, check=True):
    """Run git in the foreground, its output going to ours."""
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=_git_env(), stdin=subprocess.DEVNULL
    )
    if check and result.returncode:
        raise SetupError(f"git {' '.join(args[:2])} failed (exit {result.returncode})")
    return result.returncode


def _interpreter(venv_python):
    """Learn what the virtualenv's interpreter is.

    :return: dict ``prefix``, ``version`` (tuple), ``include`` (folder of
        Python.h), ``odoo`` (major version of the importable Odoo, or None)
        and ``odoo_version`` (its version string)
    """
    code = (
        "import json, sys, sysconfig\n"
        "facts = {'prefix': sys.prefix, 'version': sys.version_info[:2],"
        " 'include': sysconfig.get_paths()['include'], 'odoo': None,"
        " 'odoo_version': None}\n"
        "try:\n"
        "    import odoo.release as r\n"
        "    facts['odoo'] = r.version_info[0]\n"
        "    facts['odoo_version'] = r.version\n"
        "except Exception:\n"
        "    pass\n"
        "print(json.dumps(facts))\n"
    )
    code_rc, out = _run_limited(
        [str(venv_python), "-c", code], timeout=180, cwd=tempfile.gettempdir()
    )
    if code_rc != 0:
        raise SetupError(f"{venv_python} does not run: {out.strip()[-300:]}")
    try:
        facts = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise SetupError(f"{venv_python} said: {out.strip()[-300:]}") from exc
    facts["version"] = tuple(facts["version"])
    return facts


# --------------------------------------------------------------------------
# Debian packages
# --------------------------------------------------------------------------


def _dpkg_installed(package):
    """Tell whether dpkg has a package installed."""
    code, out = _run_limited(["dpkg-query", "-W", "-f=${Status}", package], timeout=30)
    return code == 0 and out.strip().endswith(" installed")


def missing_debian_packages(facts):
    """List the Debian packages missing to build Odoo's requirements.

    :param facts: what ``_interpreter`` learnt of the virtualenv's Python
    :return: package names; empty where dpkg is not the package manager
    """
    if not shutil.which("dpkg-query"):
        return []
    needed = list(DEBIAN_BUILD_DEPS)
    if not (Path(facts["include"]) / "Python.h").is_file():
        needed.append("python{}.{}-dev".format(*facts["version"]))
    return [package for package in needed if not _dpkg_installed(package)]


def _ensure_debian_packages(facts, say):
    """Install or name the missing Debian packages.

    They are installed only as root, with apt-get, and where
    ``COFFEE_INSTALL_DEBIAN=1`` (as on CI).
    """
    missing = missing_debian_packages(facts)
    if not missing:
        return
    names = " ".join(missing)
    allowed = (
        os.environ.get("COFFEE_INSTALL_DEBIAN") == "1"
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and shutil.which("apt-get")
    )
    if not allowed:
        raise SetupError(
            "Odoo's requirements (psycopg2, python-ldap) are built from "
            f"source and need these Debian packages: {names}; install them "
            f"with: sudo apt-get install {names}"
        )
    say(f"==> Installing Debian packages: {names}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    result = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
        env=env,
        check=False,
    )
    if result.returncode:
        raise SetupError(f"apt-get install {names} failed")


# --------------------------------------------------------------------------
# getting the source
# --------------------------------------------------------------------------


def _short_hash(text):
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _slug(text):
    name = re.sub(r"\.git$|\.tar\.gz$|\.tgz$|\.zip$", "", text.rstrip("/"))
    name = re.split(r"[/:]", name)[-1] or "odoo"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)[:40]


def _git_url(source):
    """Return the URL to clone: a local repository becomes a file:// URL.

    (git ignores --depth and --filter in a clone of a local path.)
    """
    if "://" in source or _SCP_LIKE.match(source):
        return source
    return Path(source).resolve().as_uri()


def probe_git(url, default=False):
    """Ask a git remote for its branches, within ``REACH_TIMEOUT`` seconds.

    :param url: what to clone
    :param default: whether this is the default source (for the message)
    :return: the branch to clone: ``18.0`` where the remote has it, else
        its default branch (None when it does not say which)
    :raise SetupError: when the remote does not answer
    """
    code, out = _run_limited(
        ["git", "ls-remote", "--symref", url, "HEAD", f"refs/heads/{ODOO_SERIES}"],
        timeout=REACH_TIMEOUT,
        env=_git_env(),
    )
    if code != 0:
        why = f"no answer in {REACH_TIMEOUT} s" if code is None else ""
        lines = [line for line in out.strip().splitlines() if line.strip()]
        why = why or (lines[-1].strip() if lines else f"git exit {code}")
        if default:
            host = urllib.parse.urlsplit(url).hostname
            raise SetupError(
                f"no Odoo {ODOO_SERIES} source: no ODOO_SRC and {host} is "
                f"unreachable ({why}); {SOURCE_HINT}"
            )
        raise SetupError(
            f"no Odoo {ODOO_SERIES} source: {url} is unreachable ({why}); {SOURCE_HINT}"
        )
    head = None
    for line in out.splitlines():
        if line.endswith(f"\trefs/heads/{ODOO_SERIES}"):
            return ODOO_SERIES
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            head = line[len("ref: refs/heads/") : -len("\tHEAD")]
    return head


def _git_checkout_addons(tree, seed, say):
    """Check out, round after round, the closure of ``seed`` under addons/.

    :return: ``(names checked out, names that are not Odoo's)``
    """
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", "HEAD", "addons/"],
        cwd=tree,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    available = {name.split("/", 1)[1] for name in listing if "/" in name}
    rounds = []

    def fetch(names):
        paths = [f"addons/{name}" for name in names if name in available]
        if not paths:
            return
        rounds.append(paths)
        shown = " ".join(path.split("/", 1)[1] for path in paths)
        say(f"==> Sparse checkout, round {len(rounds)}: {shown}")
        _git(["sparse-checkout", "add", *paths], cwd=tree)

    reached = addon_closure(seed, [tree / "addons", tree / "odoo" / "addons"], fetch)
    return sorted(reached & available), sorted(reached - available)


def clone_git(url, branch, say, default=False):
    """Clone Odoo shallow and sparse into ``SRC_DIR`` (or reuse the clone).

    :param url: what to clone
    :param branch: the branch to clone, None for the remote's default
    :param say: where progress lines go
    :param default: whether this is Odoo's official repository
    :return: the source tree
    """
    name = f"odoo-{ODOO_SERIES}" if default else f"git-{_slug(url)}-{_short_hash(url)}"
    dest = SRC_DIR / name
    if is_odoo_tree(dest) and (dest / ".git").is_dir():
        say(f"==> Reusing the clone of {url} in {dest}")
    else:
        partial = dest.with_name(dest.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        SRC_DIR.mkdir(parents=True, exist_ok=True)
        say(
            f"==> Cloning {url}"
            + (f" (branch {branch})" if branch else "")
            + f" into {dest}: shallow, without blobs, sparse"
        )
        args = ["clone", "--depth", "1", "--filter=blob:none", "--sparse"]
        args += ["--progress", *(["--branch", branch] if branch else [])]
        if url.startswith("file://"):
            # a local upload-pack serves --filter only when allowed to; kept
            # in the clone's configuration for the blobs fetched later
            upload_pack = "git -c uploadpack.allowFilter=true upload-pack"
            args += ["--upload-pack", upload_pack]
            args += ["--config", f"remote.origin.uploadpack={upload_pack}"]
        slow = ["-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=60"]
        _git([*slow, *args, url, str(partial)])
        _git(["sparse-checkout", "set", "--cone", *SPARSE_ROOT_DIRS], cwd=partial)
        os.replace(partial, dest)
    checked, elsewhere = _git_checkout_addons(dest, stack_seed(), say)
    say(f"==> Odoo addons checked out: {len(checked)} ({' '.join(checked)})")
    say(f"    not in Odoo's repository (odoo/addons or PyPI): {' '.join(elsewhere)}")
    return dest


def _download(url, dest, say):
    """Download an archive, failing within ``REACH_TIMEOUT`` if unreachable."""
    try:
        response = urllib.request.urlopen(url, timeout=REACH_TIMEOUT)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SetupError(
            f"no Odoo {ODOO_SERIES} source: {url} is unreachable ({exc}); {SOURCE_HINT}"
        ) from exc
    say(f"==> Downloading {url}")
    done = 0
    step = 20 * 1024 * 1024
    with response, open(dest, "wb") as out:
        while chunk := response.read(1024 * 1024):
            out.write(chunk)
            if (done + len(chunk)) // step > done // step:
                say(f"    {(done + len(chunk)) // (1024 * 1024)} MiB")
            done += len(chunk)


def _find_tree(folder):
    """Find the Odoo tree at the top of an unpacked archive, or one below."""
    if is_odoo_tree(folder):
        return folder
    for child in sorted(folder.iterdir()):
        if child.is_dir() and is_odoo_tree(child):
            return child
    return None


def unpack_archive(archive, say):
    """Unpack an Odoo archive into ``SRC_DIR`` (or reuse it).

    :param archive: a path or an URL of a .tar.gz, .tgz or .zip
    :param say: where progress lines go
    :return: the source tree
    """
    name = f"archive-{_slug(archive)}-{_short_hash(archive)}"
    dest = SRC_DIR / name
    tree = _find_tree(dest) if dest.is_dir() else None
    if tree:
        say(f"==> Reusing the unpacked {archive} in {dest}")
        return tree
    SRC_DIR.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    download = None
    if "://" in archive:
        suffix = ".zip" if archive.lower().endswith(".zip") else ".tar.gz"
        download = SRC_DIR / f"{name}.download{suffix}"
        _download(archive, download, say)
    path = download or Path(archive)
    say(f"==> Unpacking {path} into {dest}")
    try:
        if path.name.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as zipped:
                zipped.extractall(partial)
        else:
            with tarfile.open(path, "r:*") as tar:
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(partial, filter="data")
                else:  # a Python without extraction filters
                    tar.extractall(partial)
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise SetupError(f"cannot unpack {archive}: {exc}") from exc
    finally:
        if download:
            download.unlink(missing_ok=True)
    if not _find_tree(partial):
        shutil.rmtree(partial, ignore_errors=True)
        raise SetupError(f"{archive} holds no Odoo source tree")
    os.replace(partial, dest)
    return _find_tree(dest)


def resolve_source(source):
    """Tell where the Odoo source is to come from.

    :param source: the value of ``ODOO_SRC``, or None for Odoo's repository
    :return: ``(kind, where)``: ``folder``, ``git`` or ``archive``, and the
        absolute path or the URL
    :raise SetupError: when ``source`` names nothing usable
    """
    if not source:
        return "git", ODOO_GIT_URL
    kind, detail = classify_source(source)
    if kind == "invalid":
        raise SetupError(
            f"no Odoo {ODOO_SERIES} source: ODOO_SRC={source}: {detail}; {SOURCE_HINT}"
        )
    if kind == "git":
        detail = _git_url(detail)
    return kind, detail


# --------------------------------------------------------------------------
# installing
# --------------------------------------------------------------------------


def _pip(venv_python, args, say, env=None, show=_PIP_SHOWN):
    """Run the virtualenv's pip; raise SetupError with its last lines."""
    cmd = [str(venv_python), "-m", "pip", *args]
    cmd += ["--no-input", "--progress-bar", "off", "--disable-pip-version-check"]
    code, tail = _stream(cmd, say, show=show, env=env, cwd=tempfile.gettempdir())
    if code:
        for line in tail:
            say(f"    | {line}")
        raise SetupError(f"pip {args[0]} failed (exit {code}); its last lines above")


def _ensure_pip(venv_python, say):
    """Give the virtualenv a pip that passes --config-settings on."""
    code, out = _run_limited([str(venv_python), "-m", "pip", "--version"], 120)
    if code != 0:
        say("==> Installing pip into the virtualenv")
        subprocess.run([str(venv_python), "-m", "ensurepip", "--upgrade"], check=False)
        code, out = _run_limited([str(venv_python), "-m", "pip", "--version"], 120)
    match = re.match(r"pip (\d+)\.(\d+)", out.strip())
    if code == 0 and match and tuple(map(int, match.groups())) >= MIN_PIP:
        return
    least = ".".join(map(str, MIN_PIP))
    say(f"==> Upgrading pip (editable installs need pip >= {least})")
    _pip(venv_python, ["install", "--upgrade", f"pip>={least}"], say)


def install_odoo(venv_python, tree, say):
    """Install Odoo's requirements, then Odoo itself (editable, compat).

    :param venv_python: the virtualenv's interpreter
    :param tree: the Odoo source tree
    :param say: where progress lines go
    """
    _ensure_pip(venv_python, say)
    text = (tree / "requirements.txt").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="odoo-setup-") as tmp:
        requirements = Path(tmp) / "requirements.txt"
        requirements.write_text(rewrite_requirements(text), encoding="utf-8")
        say("==> Installing Odoo's requirements (a few minutes the first time)")
        _pip(venv_python, ["install", "-r", str(requirements)], say)
        # compat mode: a .pth naming the tree, so that the odoo/ folder that
        # OCA wheels put into site-packages cannot shadow this Odoo; the
        # egg-info goes to a temporary folder, leaving the tree untouched
        egg_base = Path(tmp) / "egg-info"
        egg_base.mkdir()
        config = Path(tmp) / "setup.cfg"
        config.write_text(f"[egg_info]\negg_base = {egg_base}\n", encoding="utf-8")
        env = dict(os.environ, DIST_EXTRA_CONFIG=str(config))
        say(f"==> Installing Odoo from {tree} (editable, compat mode)")
        _pip(
            venv_python,
            ["install", "--no-deps", "-e", str(tree)]
            + ["--config-settings", "editable_mode=compat"],
            say,
            env=env,
        )


def setup_odoo(venv_python, source=None, say=print):
    """Make the virtualenv of ``venv_python`` import Odoo 18.0.

    Returns at once where it already does. Otherwise the source is had
    (see the module's docstring), the Debian packages that Odoo's
    requirements build with are checked, the requirements and Odoo are
    installed with the virtualenv's pip, and ``<venv>/.odoo-source`` records
    the source.

    :param venv_python: the interpreter of an existing virtualenv
    :param source: a folder, git URL or archive; defaults to ``ODOO_SRC``,
        and without it to Odoo's official repository
    :param say: called with each progress line, ready to print (``==> …``
        for steps, indented for what pip says)
    :return: ``(ok, message)``
    """
    if source is None:
        source = os.environ.get("ODOO_SRC") or None
    try:
        facts = _interpreter(venv_python)
        if facts["odoo"] == ODOO_MAJOR:
            return True, (
                f"Odoo {facts['odoo_version']} is already importable by {venv_python}"
            )
        if facts["version"] < (3, 10):
            raise SetupError(
                f"Odoo {ODOO_SERIES} needs Python >= 3.10; {venv_python} is "
                "{}.{}".format(*facts["version"])
            )
        kind, where = resolve_source(source)
        default = not source
        # fail fast where the source does not answer
        branch = probe_git(where, default=default) if kind == "git" else None
        # before the long steps: what the build of the requirements needs
        _ensure_debian_packages(facts, say)
        if kind == "folder":
            say(f"==> Using the Odoo source tree {where} in place")
            tree = Path(where)
        elif kind == "git":
            tree = clone_git(where, branch, say, default=default)
        else:
            tree = unpack_archive(where, say)
        what = where
        major = odoo_tree_major(tree)
        if major != ODOO_MAJOR:
            raise SetupError(
                f"{what} is Odoo {major or '?'}, not Odoo {ODOO_SERIES}; {SOURCE_HINT}"
            )
        install_odoo(venv_python, tree, say)
        facts = _interpreter(venv_python)
        if facts["odoo"] != ODOO_MAJOR:
            raise SetupError(f"Odoo was installed but {venv_python} cannot import it")
        record = {
            "source": what,
            "kind": kind,
            "tree": str(tree),
            "version": facts["odoo_version"],
        }
        marker = Path(facts["prefix"]) / MARKER
        marker.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    except SetupError as exc:
        return False, str(exc)
    return True, f"Odoo {facts['odoo_version']} installed from {what} ({tree})"


def main(argv=None):
    """Command line: install Odoo 18.0 into a virtualenv, made if missing.

    :param argv: the arguments, ``sys.argv[1:]`` when None
    :return: the exit status
    """
    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument(
        "--source",
        help="an Odoo 18 folder, git URL or archive (default: $ODOO_SRC, "
        "else Odoo's official repository)",
    )
    parser.add_argument(
        "--venv",
        default=str(ROOT / ".venv"),
        help="the virtualenv (default: .venv of the repository)",
    )
    args = parser.parse_args(argv)
    venv = Path(args.venv)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"==> Creating the virtualenv {venv}", flush=True)
        if subprocess.run([sys.executable, "-m", "venv", str(venv)]).returncode:
            print(f"==> FAILED: cannot create the virtualenv {venv}", flush=True)
            return 1

    def say(line):
        print(line, flush=True)

    ok, message = setup_odoo(str(python), source=args.source, say=say)
    print(("==> " if ok else "==> FAILED: ") + message, flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
