# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The installer of Odoo 18 (``scripts/odoo_setup.py``), without Odoo.

Nothing here reaches the network: the sources are fake trees, archives and
git repositories made in a temporary folder, and the unreachable ones are
ports of 127.0.0.1.
"""

import shutil
import socket
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import odoo_setup  # noqa: E402

REQUIREMENTS = """\
# The officially supported versions of the following packages
Babel==2.10.3 ; python_version >= '3.11' and python_version < '3.13'
cbor2==5.4.2 ; python_version < '3.12'
cbor2==5.6.2 ; python_version >= '3.12'
cbor2 == 5.4.2  # spaced
lxml==4.9.3 ; python_version > '3.10' and python_version < '3.12' # min 4.9.2
pytz  # no version pinning
"""

RELEASE = "version_info = (18, 0, 0, FINAL, 0, '')\nversion = '18.0'\n"


def manifest(depends):
    return repr({"name": "x", "depends": list(depends)}) + "\n"


def fake_odoo_tree(path, addons=None):
    """Write a tiny Odoo 18 source tree: root files, odoo/, addons/."""
    (path / "odoo" / "addons" / "base").mkdir(parents=True)
    (path / "odoo" / "release.py").write_text(RELEASE)
    (path / "odoo" / "addons" / "base" / "__manifest__.py").write_text(manifest([]))
    (path / "setup").mkdir()
    (path / "setup" / "odoo").write_text("#!/usr/bin/env python3\n")
    (path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    (path / "requirements.txt").write_text(REQUIREMENTS)
    for name, depends in (addons or {}).items():
        (path / "addons" / name).mkdir(parents=True)
        (path / "addons" / name / "__manifest__.py").write_text(manifest(depends))
    return path


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """Clones go to tmp_path; the virtualenv "imports no Odoo"."""
    monkeypatch.setattr(odoo_setup, "SRC_DIR", tmp_path / ".odoo-src")
    monkeypatch.delenv("ODOO_SRC", raising=False)
    facts = {
        "prefix": str(tmp_path / "venv"),
        "version": (3, 11),
        "include": str(tmp_path),
        "odoo": None,
        "odoo_version": None,
    }
    monkeypatch.setattr(odoo_setup, "_interpreter", lambda python: dict(facts))
    monkeypatch.setattr(odoo_setup, "missing_debian_packages", lambda facts: [])
    return facts


# --------------------------------------------------------------------------
# requirements
# --------------------------------------------------------------------------


def test_cbor2_pin_rewritten_markers_kept():
    out = odoo_setup.rewrite_requirements(REQUIREMENTS).splitlines()
    old = REQUIREMENTS.splitlines()
    assert len(out) == len(old)
    assert out[2] == "cbor2==5.4.6 ; python_version < '3.12'"
    assert out[4] == "cbor2 == 5.4.6  # spaced"
    # every other line as it was
    for index in (0, 1, 3, 5, 6):
        assert out[index] == old[index]


def test_rewrite_keeps_the_last_newline():
    assert odoo_setup.rewrite_requirements("cbor2==5.4.2\n") == "cbor2==5.4.6\n"
    assert odoo_setup.rewrite_requirements("cbor3==5.4.2\n") == "cbor3==5.4.2\n"


# --------------------------------------------------------------------------
# kinds of source
# --------------------------------------------------------------------------


def test_source_folder(tmp_path):
    tree = fake_odoo_tree(tmp_path / "odoo18")
    assert odoo_setup.classify_source(str(tree)) == ("folder", str(tree))


def test_source_git(tmp_path):
    bare = tmp_path / "odoo.git"
    (bare / "objects").mkdir(parents=True)
    (bare / "HEAD").write_text("ref: refs/heads/18.0\n")
    clone = tmp_path / "clone"
    (clone / ".git").mkdir(parents=True)
    for source, expected in (
        ("https://github.com/odoo/odoo", "https://github.com/odoo/odoo"),
        ("file:///srv/git/odoo.git", "file:///srv/git/odoo.git"),
        ("git@github.com:odoo/odoo.git", "git@github.com:odoo/odoo.git"),
        ("ssh://git@example.org/odoo", "ssh://git@example.org/odoo"),
        (str(bare), str(bare)),
        (str(clone), str(clone)),
    ):
        assert odoo_setup.classify_source(source) == ("git", expected), source
    assert odoo_setup.resolve_source(str(bare)) == ("git", bare.as_uri())


def test_source_archive(tmp_path):
    for name in ("odoo.tar.gz", "odoo.tgz", "odoo.zip"):
        (tmp_path / name).write_bytes(b"")
        kind, detail = odoo_setup.classify_source(str(tmp_path / name))
        assert (kind, detail) == ("archive", str(tmp_path / name))
    url = "https://example.org/odoo-18.0.tar.gz"
    assert odoo_setup.classify_source(url) == ("archive", url)


def test_source_invalid(tmp_path):
    (tmp_path / "empty").mkdir()
    for source, why in (
        ("", "empty"),
        (str(tmp_path / "missing"), "no such folder"),
        (str(tmp_path / "missing.tar.gz"), "no such archive"),
        (str(tmp_path / "missing.git"), "no such git repository"),
        (str(tmp_path / "empty"), "neither an Odoo source tree"),
        ("ftp://example.org/odoo.zip", "cannot download"),
    ):
        kind, detail = odoo_setup.classify_source(source)
        assert kind == "invalid", source
        assert why in detail


# --------------------------------------------------------------------------
# what to check out
# --------------------------------------------------------------------------

ADDONS = {
    "a": ["b", "c"],
    "b": ["d"],
    "c": ["base", "oca_thing"],
    "d": [],
    "unused": ["a"],
}


def test_addon_closure_round_by_round(tmp_path):
    tree = fake_odoo_tree(tmp_path, ADDONS)
    rounds = []
    reached = odoo_setup.addon_closure(
        ["a"], [tree / "addons", tree / "odoo" / "addons"], rounds.append
    )
    assert reached == {"a", "b", "c", "d", "base", "oca_thing"}
    assert rounds == [["a"], ["b", "c"], ["base", "d", "oca_thing"]]


def test_manifest_depends_unreadable(tmp_path):
    (tmp_path / "__manifest__.py").write_text("{'depends': [")
    assert odoo_setup.manifest_depends(tmp_path / "__manifest__.py") == []
    assert odoo_setup.manifest_depends(tmp_path / "missing.py") == []


def test_stack_seed_has_the_repository_addons_depends():
    seed = odoo_setup.stack_seed()
    assert set(odoo_setup.SEED_ADDONS) <= set(seed)
    assert {"connector", "product"} <= set(seed)


def test_release_major(tmp_path):
    assert odoo_setup.odoo_tree_major(fake_odoo_tree(tmp_path)) == 18
    assert odoo_setup.odoo_tree_major(tmp_path / "nowhere") is None


@pytest.mark.skipif(not shutil.which("git"), reason="needs git")
def test_sparse_clone_checks_out_the_closure(tmp_path, isolated):
    """A local repository with an 18.0 branch: only the closure comes."""
    addons = {
        "web": ["base"],
        "bus": ["web"],
        "mail": ["bus", "web_tour"],
        "web_tour": ["web"],
        "product": ["mail"],
        "contacts": ["mail"],
        "base_sparse_field": ["base"],
        "unused": ["web"],
    }
    work = fake_odoo_tree(tmp_path / "work", addons)

    def git(*args, cwd=work):
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)

    git("init", "-q", "-b", "18.0")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "odoo")
    git("clone", "-q", "--bare", str(work), str(tmp_path / "odoo.git"), cwd=tmp_path)
    url = (tmp_path / "odoo.git").as_uri()
    assert odoo_setup.probe_git(url) == "18.0"
    lines = []
    tree = odoo_setup.clone_git(url, "18.0", lines.append)
    assert tree.parent == odoo_setup.SRC_DIR
    assert odoo_setup.is_odoo_tree(tree)
    assert (tree / "setup" / "odoo").is_file()
    assert (tree / "odoo" / "addons" / "base" / "__manifest__.py").is_file()
    present = {path.name for path in (tree / "addons").iterdir()}
    assert present == set(addons) - {"unused"}
    # a second run reuses the clone
    assert odoo_setup.clone_git(url, "18.0", lines.append) == tree
    assert any("Reusing" in line for line in lines)


# --------------------------------------------------------------------------
# archives
# --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".tar.gz", ".zip"])
def test_unpack_archive(tmp_path, isolated, suffix):
    tree = fake_odoo_tree(tmp_path / "odoo-18.0", {"web": ["base"]})
    archive = tmp_path / f"odoo{suffix}"
    if suffix == ".zip":
        with zipfile.ZipFile(archive, "w") as zipped:
            for path in tree.rglob("*"):
                zipped.write(path, path.relative_to(tmp_path))
    else:
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(tree, arcname="odoo-18.0")
    unpacked = odoo_setup.unpack_archive(str(archive), lambda line: None)
    assert unpacked.name == "odoo-18.0"
    assert odoo_setup.odoo_tree_major(unpacked) == 18
    assert (unpacked / "addons" / "web" / "__manifest__.py").is_file()


# --------------------------------------------------------------------------
# failing fast, and returning at once
# --------------------------------------------------------------------------


def test_already_importable_returns_at_once(isolated, monkeypatch):
    isolated.update(odoo=18, odoo_version="18.0")
    monkeypatch.setenv("ODOO_SRC", "/nowhere")
    ok, message = odoo_setup.setup_odoo(sys.executable, say=pytest.fail)
    assert ok and "already importable" in message


def test_missing_folder_fails_fast(tmp_path, isolated, monkeypatch):
    monkeypatch.setenv("ODOO_SRC", str(tmp_path / "missing"))
    start = time.monotonic()
    ok, message = odoo_setup.setup_odoo(sys.executable, say=lambda line: None)
    assert not ok
    assert "no such folder" in message and "set ODOO_SRC=" in message
    assert time.monotonic() - start < 5


def test_closed_port_fails_fast(isolated):
    url = f"http://127.0.0.1:{closed_port()}/odoo.git"
    start = time.monotonic()
    ok, message = odoo_setup.setup_odoo(sys.executable, url, say=lambda line: None)
    assert not ok
    assert message.startswith(f"no Odoo 18.0 source: {url} is unreachable")
    assert time.monotonic() - start < 10


def test_default_source_unreachable(isolated, monkeypatch):
    url = f"http://127.0.0.1:{closed_port()}/odoo/odoo"
    monkeypatch.setattr(odoo_setup, "ODOO_GIT_URL", url)
    ok, message = odoo_setup.setup_odoo(sys.executable, say=lambda line: None)
    assert not ok
    assert message.startswith(
        "no Odoo 18.0 source: no ODOO_SRC and 127.0.0.1 is unreachable"
    )
    assert message.endswith("set ODOO_SRC=<folder|git URL|archive>")


def test_silent_server_does_not_hang(isolated, monkeypatch):
    """A port that takes the connection and never answers: cut short."""
    monkeypatch.setattr(odoo_setup, "REACH_TIMEOUT", 2)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(4)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/odoo.git"
        start = time.monotonic()
        ok, message = odoo_setup.setup_odoo(sys.executable, url, say=print)
    assert not ok and "no answer in 2 s" in message
    assert time.monotonic() - start < 8


def test_missing_debian_packages_are_named(monkeypatch, isolated):
    monkeypatch.setattr(
        odoo_setup, "missing_debian_packages", lambda facts: ["libpq-dev", "gcc"]
    )
    monkeypatch.delenv("COFFEE_INSTALL_DEBIAN", raising=False)
    with pytest.raises(odoo_setup.SetupError, match="apt-get install libpq-dev gcc"):
        odoo_setup._ensure_debian_packages(isolated, print)


def test_no_marker(tmp_path):
    assert odoo_setup.read_marker(tmp_path) is None
