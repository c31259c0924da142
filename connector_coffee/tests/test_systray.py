# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""'Pour me a coffee' in the top bar: the menu of an internal user shows
the machines and beverages of their company's backends, the pour for
oneself orders a brew through ``pour_coffee`` and remembers the beverage;
another company's user sees and pours nothing."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from . import test_tour
from .common import CoffeeCase, jobs_in_background


class TestSystray(CoffeeCase):
    simulator_options = {"machines": 3, "beverages": 3, "users": 2, "brews": 0}

    def setUp(self):
        super().setUp()
        self.sync("machines", "beverages")
        self.drinker = new_test_user(self.env, "systray_drinker", "base.group_user")
        self.register_drinker(self.drinker.partner_id)
        company_b = self.env["res.company"].create({"name": "Coffee-free Company"})
        self.stranger = new_test_user(
            self.env,
            "systray_stranger",
            "base.group_user",
            company_id=company_b.id,
            company_ids=[(6, 0, company_b.ids)],
        )
        self.machines = self.bindings("coffee.machine")
        self.beverages = self.bindings("coffee.product.product").filtered("active")

    def menu(self, user):
        return self.env["coffee.backend"].with_user(user).get_pour_menu()

    def test_menu_of_an_internal_user(self):
        menu = self.menu(self.drinker)
        self.assertFalse(menu["last_beverage_id"])
        (backend,) = menu["backends"]
        self.assertEqual(backend["id"], self.backend.id)
        self.assertEqual(backend["name"], self.backend.name)
        self.assertEqual({m["id"] for m in backend["machines"]}, set(self.machines.ids))
        for machine in backend["machines"]:
            record = self.machines.browse(machine["id"])
            self.assertEqual(machine["name"], record.name)
            self.assertEqual(machine["state"], record.state)
            self.assertEqual(machine["idle"], record.state == "idle")
            self.assertTrue(machine["state_label"])
        self.assertEqual(
            [b["id"] for b in backend["beverages"]], self.beverages.sorted("id").ids
        )
        self.assertEqual(backend["default_machine_id"], self.backend._pour_machine().id)
        self.assertEqual(
            backend["default_beverage_id"], self.backend._pour_beverage().id
        )
        # the menu reaches no machine
        self.assertFalse(self.simulator.counters().get("pours", 0))

    def test_menu_shows_nothing_to_another_company(self):
        self.assertEqual(
            self.menu(self.stranger), {"backends": [], "last_beverage_id": False}
        )
        portal = new_test_user(self.env, "systray_portal", "base.group_portal")
        self.assertEqual(self.menu(portal)["backends"], [])

    def test_pour_for_me_remembers_the_beverage(self):
        beverage = self.beverages.sorted("id")[-1]
        machine = self.machines.filtered(lambda m: m.state == "idle")[:1]
        backends = self.env["coffee.backend"].with_user(self.drinker)
        with self.trap() as trap:
            answer = backends.pour_for_me(self.backend.id, machine.id, beverage.id)
            trap.assert_jobs_count(1)
        brew = self.env["coffee.brew"].browse(answer["id"])
        self.assertEqual(answer["state"], "requested")
        self.assertEqual(brew.ordered_by_id, self.drinker)
        self.assertEqual(brew.partner_id, self.drinker.partner_id)
        self.assertEqual(brew.machine_id, machine)
        self.assertEqual(brew.beverage_id, beverage.odoo_id)
        self.assertEqual(self.drinker.coffee_last_beverage_id, beverage)
        self.assertEqual(self.menu(self.drinker)["last_beverage_id"], beverage.id)
        # the next pour without a choice: the remembered beverage, the
        # backend's default machine
        with self.trap():
            again = backends.pour_for_me(self.backend.id)
        again = self.env["coffee.brew"].browse(again["id"])
        self.assertEqual(again.beverage_id, beverage.odoo_id)
        self.assertEqual(again.machine_id, self.backend._pour_machine())
        # the user reads and writes the field on their own record
        me = self.drinker.with_user(self.drinker)
        self.assertEqual(
            me.read(["coffee_last_beverage_id"])[0]["coffee_last_beverage_id"][0],
            beverage.id,
        )
        me.write({"coffee_last_beverage_id": False})
        self.assertFalse(self.drinker.coffee_last_beverage_id)

    def test_another_company_may_not_pour(self):
        backends = self.env["coffee.backend"].with_user(self.stranger)
        with self.trap() as trap, self.assertRaises(AccessError):
            backends.pour_for_me(
                self.backend.id, self.machines[0].id, self.beverages[0].id
            )
        trap.assert_jobs_count(0)
        self.assertFalse(self.stranger.coffee_last_beverage_id)
        self.assertFalse(
            self.env["coffee.brew"].search(
                [("partner_id", "=", self.stranger.partner_id.id)]
            )
        )


class TestSystrayTour(test_tour.TestTour):
    """The top bar's menu in a real browser, on the tour's backend: the
    coffee poured is followed live until it is ready."""

    #: brews take 2 seconds on the simulator's clock
    simulator_options = {**test_tour.TestTour.simulator_options, "brew_seconds": 2}

    def test_tour(self):
        beverage = self.env["coffee.product.product"].search(
            [("backend_id", "=", self.backend.id)], order="id desc", limit=1
        )
        beverage.with_context(connector_no_export=True).name = "Tour Cappuccino"
        admin = self.env.ref("base.user_admin")
        self.assertFalse(self.backend.webhook_secret)
        self.assertFalse(self.simulator.counters().get("pours"))
        # the jobs run meanwhile as under the job runner: the order, then the
        # follow-up a few seconds later (no webhook tells Odoo of the brew)
        with jobs_in_background(self.registry, self.backend) as runner:
            self.start_tour("/odoo", "connector_coffee_systray_tour", login="admin")
        self.env.invalidate_all()
        brew = self.env["coffee.brew"].search(
            [("partner_id", "=", admin.partner_id.id), ("ordered_by_id", "=", admin.id)]
        )
        self.assertEqual(len(brew), 1, self.jobs_report())
        self.assertEqual(brew.state, "done", self.jobs_report())
        self.assertEqual(brew.beverage_id, beverage.odoo_id)
        self.assertEqual(admin.coffee_last_beverage_id, beverage)
        # poured once on the machine, which finished it
        self.assertEqual(self.simulator.counters()["pours"], 1)
        self.assertEqual(
            self.simulator.store.get("brews", brew.coffee_id)["state"], "done"
        )
        # brought to done by the follow-up of the order
        ran = self.env["queue.job"].browse(runner.ran)
        self.assertIn("_follow_up", ran.mapped("method_name"))
        self.assertEqual(set(ran.mapped("state")), {"done"}, self.jobs_report())
