# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Regenerate the addon's translation template: ``make pot``.

Installs ``connector_coffee`` into a fresh database (PostgreSQL found as
``make test`` finds it), exports its terms with Odoo's own
``--i18n-export`` into ``connector_coffee/i18n/connector_coffee.pot`` and
drops the database. The translations (``i18n/*.po``) are then brought in line
with the new template, as ``msgmerge`` would: new terms are added
untranslated, terms gone from the template are dropped, and the existing
translations are kept.

The template carries no creation date, so that running this again without a
new term changes nothing.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from contextlib import ExitStack

import odoo_env
from odoo_env import ROOT, RUN_DIR, say, warn

ADDON = "connector_coffee"
I18N = ROOT / ADDON / "i18n"
POT = I18N / f"{ADDON}.pot"
#: header lines that change on every export and mean nothing in a template
VOLATILE_HEADERS = ("POT-Creation-Date", "PO-Revision-Date")


def odoo(python, config, *args):
    """Run an Odoo command quietly; return the finished process."""
    return subprocess.run(
        [python, "-m", "odoo", "-c", config, *args, "--log-level=warn"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def export(python, pot):
    """Install the addon in a fresh database and export its terms to ``pot``."""
    with ExitStack() as stack:
        db = odoo_env.open_database(stack)
        config = str(RUN_DIR / "export_pot.conf")
        odoo_env.write_config(
            config, db, odoo_env.addons_paths(python), extra={"without_demo": "all"}
        )
        database = f"coffee_pot_{os.getpid()}"
        stack.callback(odoo_env.drop_database, python, config, database)
        say(f"installing {ADDON} into a fresh database {database!r}")
        install = odoo(
            python, config, "-d", database, "-i", ADDON, "--stop-after-init",
            "--max-cron-threads=0",
        )  # fmt: skip
        if install.returncode:
            sys.stdout.write(install.stdout + install.stderr)
            raise RuntimeError(f"installing {ADDON} failed")
        say(f"exporting the terms of {ADDON}")
        with tempfile.TemporaryDirectory() as folder:
            out = os.path.join(folder, f"{ADDON}.pot")
            run = odoo(
                python, config, "-d", database, f"--i18n-export={out}",
                f"--modules={ADDON}", "--stop-after-init",
            )  # fmt: skip
            if run.returncode or not os.path.exists(out):
                sys.stdout.write(run.stdout + run.stderr)
                raise RuntimeError("Odoo's --i18n-export failed")
            with open(out, encoding="utf-8") as handle:
                lines = handle.read().splitlines(keepends=True)
    stable = [line for line in lines if not line.startswith(VOLATILE_HEADERS, 1)]
    pot.parent.mkdir(exist_ok=True)
    pot.write_text("".join(stable), encoding="utf-8")


def merge(pot_path, po_paths):
    """Bring translations in line with the template (run by Odoo's Python).

    :param pot_path: the translation template
    :param po_paths: the ``.po`` files to update in place
    """
    import polib  # a dependency of Odoo

    template = polib.pofile(pot_path, wrapwidth=78)
    for path in po_paths:
        old = polib.pofile(path, wrapwidth=78)
        known = {entry.msgid: entry for entry in old if not entry.obsolete}
        new = polib.POFile(wrapwidth=78)
        new.header = old.header
        new.metadata = old.metadata
        added = kept = 0
        for entry in template:
            before = known.get(entry.msgid)
            new.append(
                polib.POEntry(
                    msgid=entry.msgid,
                    msgstr=before.msgstr if before else "",
                    comment=entry.comment,
                    occurrences=entry.occurrences,
                    flags=before.flags if before else [],
                    tcomment=before.tcomment if before else "",
                )
            )
            kept += bool(before and before.msgstr)
            added += not before
        dropped = len(set(known) - {entry.msgid for entry in template})
        untranslated = sum(not entry.msgstr for entry in new)
        new.save(path)
        print(
            f"==> {os.path.basename(path)}: {kept} translated, {added} new, "
            f"{dropped} dropped, {untranslated} to translate"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    RUN_DIR.mkdir(exist_ok=True)
    odoo_env.exit_on_signals()
    python, odoo_found, reason = odoo_env.prepare()
    if not odoo_found:
        warn(f"no Odoo 18 to export the terms with: {reason}")
        return 2
    odoo_env.run_in_venv(python)
    export(python, POT)
    say(f"wrote {POT.relative_to(ROOT)}")
    translations = sorted(str(path) for path in I18N.glob("*.po"))
    if translations:
        merge(str(POT), translations)
    return 0


if __name__ == "__main__":
    sys.exit(odoo_env.run_main(main))
