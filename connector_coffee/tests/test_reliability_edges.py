# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""No record lost at the edges of an import.

An import reads the machine's records changed since the previous import
minus the backend's overlap: what changes while an import pages through, or
just before it started without being seen, comes with the next one; and a
record changed exactly at the asked date is not skipped.
"""

from datetime import timedelta

from ..components.mapper import format_datetime, parse_datetime
from .common import CoffeeCase


class TestReliabilityEdges(CoffeeCase):
    simulator_options = {"machines": 3, "beverages": 3, "users": 4, "brews": 30}

    def brew_ids(self):
        ids = self.bindings("coffee.brew").mapped("coffee_id")
        self.assertEqual(len(ids), len(set(ids)), "a brew is bound twice")
        return set(ids)

    def machine_brew_ids(self):
        return {r["id"] for r in self.simulator.records("brews")}

    def test_brews_poured_while_paging_come_with_the_next_run(self):
        self.sync("machines", "beverages", "users")
        with self.trap() as trap:
            self.backend._enqueue_imports("brews")
            trap.enqueued_jobs.pop().perform()
            # page 1 is imported and the other pages enqueued: meanwhile the
            # machine pours new brews and finishes one of page 1
            new = {
                self.simulator.add_record("brews", machine_id=1, beverage_id=2)["id"]
                for __ in range(5)
            }
            self.simulator.update_record("brews", 3, state="failed")
            self.perform_jobs(trap)
        self.assertFalse(new <= self.brew_ids(), "no brew came in while paging")
        self.sync("brews")
        self.assertEqual(self.brew_ids(), self.machine_brew_ids())
        brew = self.bindings("coffee.brew").filtered(lambda b: b.coffee_id == 3)
        self.assertEqual(brew.state, "failed")

    def test_change_unseen_by_the_last_import_comes_within_the_overlap(self):
        """A brew dated shortly before the last import, which it did not see
        (the machine's clock behind Odoo's, or its write still in flight)."""
        self.sync("machines", "beverages", "users", "brews")
        last = self.backend._coffee_import("brews").since
        late = self.simulator.add_record(
            "brews",
            machine_id=1,
            beverage_id=1,
            updated_at=format_datetime(last - timedelta(seconds=60)),
        )
        self.assertNotIn(late["id"], self.brew_ids())
        self.sync("brews")
        self.assertIn(late["id"], self.brew_ids())
        self.assertEqual(self.brew_ids(), self.machine_brew_ids())

    def test_change_at_the_edge_of_the_overlap_is_included(self):
        self.sync("machines", "beverages", "users", "brews")
        last = self.backend._coffee_import("brews").since
        edge = self.simulator.add_record(
            "brews",
            machine_id=1,
            beverage_id=1,
            updated_at=format_datetime(
                last - timedelta(seconds=self.backend.import_overlap)
            ),
        )
        self.sync("brews")
        self.assertIn(edge["id"], self.brew_ids())

    def test_updated_since_equal_to_a_timestamp_does_not_skip_it(self):
        records = self.simulator.records("brews")
        record = records[12]
        with self.backend.work_on("coffee.brew") as work:
            adapter = work.component(usage="backend.adapter")
            for since in (
                record["updated_at"],
                format_datetime(parse_datetime(record["updated_at"])),
            ):
                page = adapter.search_page(per_page=500, updated_since=since)
                ids = [item["id"] for item in page["items"]]
                self.assertIn(record["id"], ids, since)
        # through the backend: the next import asks from exactly that date
        self.sync("machines", "beverages", "users")
        self.backend.import_overlap = 0
        self.backend._coffee_import("brews").since = parse_datetime(
            record["updated_at"]
        )
        self.sync("brews")
        expected = {r["id"] for r in records if r["updated_at"] >= record["updated_at"]}
        self.assertIn(record["id"], expected)
        self.assertEqual(self.brew_ids(), expected)
