# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Static checks of the addon: what an OCA reviewer checks by eye."""

import ast
import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
ADDON = ROOT / "connector_coffee"
# models and groups that the addon's dependencies define and it may name
DEPENDENCY_GROUPS = {
    "base.group_user",
    "base.group_portal",
    "base.group_system",
    "base.group_multi_company",
    "connector.group_connector_manager",
    "queue_job.group_queue_job_manager",
}


def manifest():
    return ast.literal_eval((ADDON / "__manifest__.py").read_text())


def addon_models():
    """Models the addon defines: ``{_name: base class}``.

    The base class is ``Model``, ``TransientModel`` or ``AbstractModel``.
    """
    models = {}
    for path in ADDON.rglob("*.py"):
        if "tests" in path.relative_to(ADDON).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef) or not node.bases:
                continue
            base = node.bases[0]
            kind = base.attr if isinstance(base, ast.Attribute) else None
            for stmt in node.body:
                if (
                    isinstance(stmt, ast.Assign)
                    and isinstance(stmt.value, ast.Constant)
                    and any(
                        isinstance(t, ast.Name) and t.id == "_name"
                        for t in stmt.targets
                    )
                ):
                    models[stmt.value.value] = kind
    return models


def addon_xml_ids(model):
    """XML ids of the records of ``model`` the addon's data files define."""
    ids = set()
    for path in ADDON.rglob("*.xml"):
        tree = etree.parse(str(path))
        for record in tree.iter("record"):
            if record.get("model") == model:
                ids.add(record.get("id"))
    return ids


def test_manifest_keys_and_version():
    data = manifest()
    for key in ("name", "version", "category", "license", "author", "website"):
        assert data.get(key), f"manifest lacks {key}"
    assert data["name"] == "Coffee Connector"
    assert re.fullmatch(r"18\.0\.\d+\.\d+\.\d+", data["version"])
    assert data["category"] == "Connector"
    assert data["license"] == "LGPL-3"
    assert "Odoo Community Association (OCA)" in data["author"]
    assert "description" not in data
    assert "connector" in data["depends"]
    assert "requests" in data["external_dependencies"]["python"]
    assert data["development_status"] in (
        "Alpha",
        "Beta",
        "Production/Stable",
        "Mature",
    )


def test_manifest_files_exist():
    data = manifest()
    for key in ("data", "demo"):
        for name in data.get(key, []):
            assert (ADDON / name).is_file(), f"{key} names missing file {name}"


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ADDON).as_posix() for p in ADDON.rglob("*.xml")),
)
def test_xml_parses_and_is_listed(path):
    etree.parse(str(ADDON / path))  # raises on a syntax error
    data = manifest()
    listed = set(data.get("data", [])) | set(data.get("demo", []))
    if path.startswith(("data/", "views/", "security/", "demo/", "wizards/")):
        assert path in listed, f"{path} is not listed in the manifest"


def test_views_use_odoo18_syntax():
    for path in ADDON.rglob("*.xml"):
        text = path.read_text()
        assert "<tree" not in text, f"{path.name}: use <list>, not <tree>"
        assert " attrs=" not in text, f"{path.name}: attrs is gone in 17+"
        assert " states=" not in text, f"{path.name}: states is gone in 17+"


def test_access_csv_names_existing_models_and_groups():
    models = addon_models()
    groups = {f"connector_coffee.{i}" for i in addon_xml_ids("res.groups")}
    groups |= {i.split(".", 1)[1] for i in groups} | DEPENDENCY_GROUPS
    xml_models = {"model_" + name.replace(".", "_"): name for name in models}
    with open(ADDON / "security" / "ir.model.access.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "duplicate access ids"
    for row in rows:
        assert row["model_id:id"] in xml_models, f"{row['id']}: unknown model"
        assert models[xml_models[row["model_id:id"]]] != "AbstractModel"
        if row["group_id:id"]:
            assert row["group_id:id"] in groups, f"unknown group {row['group_id:id']}"
    covered = {xml_models[row["model_id:id"]] for row in rows}
    for name, kind in models.items():
        if kind in ("Model", "TransientModel"):
            assert name in covered, f"model {name} has no access rule"


def test_pylint_odoo_mandatory_checks_pass():
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            f"--rcfile={ROOT / '.pylintrc-mandatory'}",
            "connector_coffee",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_oca_module_checks_pass():
    """XML, CSV and manifest checks of oca-odoo-pre-commit-hooks."""
    checker = Path(sys.executable).with_name("oca-checks-odoo-module")
    proc = subprocess.run(
        [str(checker), "--no-verbose", str(ADDON)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_test_module_is_imported_by_the_tests_package():
    """Odoo's own runner (``--test-enable``) runs only the test modules that
    ``tests/__init__.py`` imports."""
    tests = ADDON / "tests"
    imported = {
        alias.name
        for node in ast.walk(ast.parse((tests / "__init__.py").read_text()))
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
        for alias in node.names
    }
    modules = {path.stem for path in tests.glob("test_*.py")}
    assert modules, "no test module found"
    assert sorted(modules - imported) == []
