/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * "Pour me a coffee" from the top bar, run by tests/test_systray.py: open
 * the menu, choose a beverage, pour, and see the coffee requested, then
 * ready, the menu kept open: the test runs the jobs meanwhile as the job
 * runner does, against a simulator whose brews take a few seconds.
 */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("connector_coffee_systray_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the coffee menu of the top bar",
            trigger: ".o_menu_systray .o_coffee_systray_toggler",
            run: "click",
        },
        {
            content: "Choose the beverage",
            trigger: ".o_coffee_systray_menu select.o_coffee_beverage",
            run: "selectByLabel Tour Cappuccino",
        },
        {
            content: "Pour",
            trigger: ".o_coffee_systray_menu button.o_coffee_pour:enabled",
            run: "click",
        },
        {
            content: "The coffee is requested",
            trigger:
                ".o_coffee_systray_menu .o_coffee_brew .o_coffee_brew_state:contains(Requested)",
        },
        {
            // the order is sent, the machine brews, and Odoo looks at the
            // brew again some seconds later: the menu reads its state anew
            content: "The coffee is ready, without reloading the page",
            trigger:
                ".o_coffee_systray_menu .o_coffee_brew.alert-success[data-state=done] .o_coffee_brew_state:contains(Ready)",
            timeout: 45000,
        },
    ],
});
