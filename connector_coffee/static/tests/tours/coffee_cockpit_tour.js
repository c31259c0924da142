/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * The cockpit, run by tests/test_cockpit_tour.py once brew #15 of the
 * machine failed to import: the Coffee menu opens on the backends' cards;
 * the tour's card counts the failed brew and lists its error, and its count
 * opens the brews whose sync failed: that one.
 */
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

const CARD = ".o_kanban_view .o_kanban_record:contains(Tour espresso)";
const HEALTH = `${CARD} .o_widget_coffee_sync_health .o_coffee_sync_health`;
const BREWS = `${HEALTH} tr[data-entity=brews]`;

registry.category("web_tour.tours").add("connector_coffee_cockpit_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("connector_coffee.coffee_menu_root", "Open Coffee"),
        {
            content: "Its first screen is the cockpit: the backend's card fails",
            trigger: `${CARD} .badge.text-bg-danger:contains(Failures)`,
        },
        {
            content: "The machines are all synced",
            trigger: `${HEALTH} tr[data-entity=machines] .o_coffee_failed span:contains(/^0$/)`,
        },
        {
            content: "The card lists the error, naming the brew",
            trigger: `${HEALTH} .o_coffee_errors .o_coffee_error_record:contains(#15)`,
        },
        {
            content: "... and saying why it failed",
            trigger: `${HEALTH} .o_coffee_errors .o_coffee_error_message:contains(exploded)`,
        },
        {
            content: "One brew failed: open it from its count",
            trigger: `${BREWS} .o_coffee_failed a:contains(/^1$/)`,
            run: "click",
        },
        {
            content: "The brews whose sync failed, by the list's own filter",
            trigger: ".o_list_view .o_searchview .o_facet_values:contains(Failed)",
        },
        {
            content: "Brew #15 is the one",
            trigger: ".o_list_view .o_data_row:contains(#15)",
        },
        {
            content: "... and the only one",
            trigger: ".o_list_view .o_data_row:only",
        },
    ],
});
