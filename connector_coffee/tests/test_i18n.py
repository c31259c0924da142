# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The committed translation template knows every translatable term.

The terms are exported in memory from the test database, with the machinery
behind Odoo's ``--i18n-export``, and compared with ``i18n/*.pot``: a term
added to the code or the views without ``make pot`` fails here, by name.
"""

import io
import re
from pathlib import Path

import polib

from odoo.tests import TransactionCase
from odoo.tools.translate import trans_export

ADDON = "connector_coffee"
I18N = Path(__file__).resolve().parent.parent / "i18n"
POT = I18N / f"{ADDON}.pot"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdifr]")


class TestI18n(TransactionCase):
    def exported_terms(self):
        """The addon's terms as Odoo exports them now: ``{msgid: where}``."""
        with io.BytesIO() as buffer:
            trans_export(None, [ADDON], buffer, "po", self.env.cr)
            exported = polib.pofile(buffer.getvalue().decode())
        return {
            entry.msgid: ", ".join(name for name, __ in entry.occurrences)
            for entry in exported
        }

    def test_pot_has_every_translatable_term(self):
        committed = {entry.msgid for entry in polib.pofile(str(POT))}
        exported = self.exported_terms()
        self.assertGreater(len(exported), 100, "the export found almost no term")
        missing = sorted(set(exported) - committed)
        if missing:
            self.fail(
                f"{len(missing)} translatable terms are missing from "
                f"{POT.relative_to(I18N.parent.parent)}; run `make pot`:\n"
                + "\n".join(f"  {msgid!r} ({exported[msgid]})" for msgid in missing)
            )

    def test_translations_keep_the_placeholders(self):
        wrong = [
            f"  {path.name}: {entry.msgid!r} -> {entry.msgstr!r}"
            for path in sorted(I18N.glob("*.po"))
            for entry in polib.pofile(str(path))
            if entry.msgstr
            and sorted(PLACEHOLDER.findall(entry.msgstr))
            != sorted(PLACEHOLDER.findall(entry.msgid))
        ]
        if wrong:
            self.fail(
                "translations that lose or add placeholders:\n" + "\n".join(wrong)
            )

    def test_french_translation_loads(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms([ADDON], ["fr_FR"])
        menu = self.env.ref("connector_coffee.coffee_brew_analysis_menu")
        self.assertEqual(
            menu.with_context(lang="fr_FR").name, "Analyse des préparations"
        )
        backend = self.env["coffee.backend"].with_context(lang="fr_FR")
        self.assertEqual(
            backend.fields_get(["location"])["location"]["string"],
            "Adresse de l'API",
        )
