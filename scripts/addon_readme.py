# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Build the addon's README.rst and index.html from its readme/ fragments.

``make readme``. The OCA's generator lays out the same sections; this one
needs nothing but docutils, which Odoo already requires.
"""

import ast
import re
import sys
from pathlib import Path

from docutils.core import publish_string

ADDON = Path(__file__).resolve().parent.parent / "connector_coffee"
SECTIONS = [
    ("DESCRIPTION", None),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Known issues / Roadmap"),
]
MATURITY_COLOURS = {"Alpha": "red", "Beta": "yellow"}


def markdown_to_rst(text):
    """The little Markdown the fragments use: ``code`` and lists as they are."""
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text.strip())


def title(text, underline="="):
    return [text, underline * len(text), ""]


def build_rst():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text())
    status = manifest.get("development_status", "Alpha")
    colour = MATURITY_COLOURS.get(status, "green")
    lines = ["=" * len(manifest["name"]), manifest["name"], "=" * len(manifest["name"])]
    lines += [
        "",
        f".. |badge1| image:: https://img.shields.io/badge/maturity-{status}-"
        f"{colour}.png",
        "    :target: https://odoo-community.org/page/development-status",
        f"    :alt: {status}",
        ".. |badge2| image:: https://img.shields.io/badge/licence-LGPL--3-blue.png",
        "    :target: http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
        "    :alt: License: LGPL-3",
        "",
        "|badge1| |badge2|",
        "",
    ]
    for name, heading in SECTIONS:
        if heading:
            lines += title(heading)
        lines += [markdown_to_rst((ADDON / "readme" / f"{name}.md").read_text()), ""]
        if name == "DESCRIPTION":
            lines += ["**Table of contents**", "", ".. contents::", "   :local:", ""]
    lines += title("Credits") + title("Authors", "-")
    lines += [f"* {manifest['author']}", ""] + title("Contributors", "-")
    lines += [markdown_to_rst((ADDON / "readme" / "CONTRIBUTORS.md").read_text()), ""]
    return "\n".join(lines)


def build_html(rst):
    html = publish_string(
        rst,
        writer_name="html4css1",
        settings_overrides={
            "embed_stylesheet": True,
            "doctitle_xform": False,
            "raw_enabled": False,
            "file_insertion_enabled": False,
            "report_level": 3,
            "output_encoding": "utf-8",
        },
    ).decode()
    # Odoo 17+ warns about an XML declaration in a module description
    return re.sub(r"^<\?xml[^>]*>\n", "", html)


def main():
    rst = build_rst()
    (ADDON / "README.rst").write_text(rst)
    (ADDON / "static" / "description" / "index.html").write_text(build_html(rst))
    sys.stdout.write("wrote connector_coffee/README.rst and its index.html\n")


if __name__ == "__main__":
    main()
