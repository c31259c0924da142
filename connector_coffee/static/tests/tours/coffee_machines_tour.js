/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * The machines' dashboard, run by tests/test_machines_tour.py: the kanban
 * shows each machine's levels and its open supply alert, and its "Pour"
 * button opens the pour wizard on that machine.
 */
import {registry} from "@web/core/registry";

const LOBBY = ".o_kanban_view .o_kanban_record:contains(Lobby Espresso)";

registry.category("web_tour.tours").add("connector_coffee_machines_tour", {
    url: "/odoo/action-connector_coffee.coffee_machine_action",
    steps: () => [
        {
            content: "The machines are cards, with their levels",
            trigger: `${LOBBY} .o_field_widget[name=milk_level] .o_progressbar`,
        },
        {
            content: "Its milk is low: the card shows an alert",
            trigger: `${LOBBY} .o-mail-ActivityButton`,
            run: "click",
        },
        {
            content: "The alert says what to refill, and where",
            trigger: ".o-mail-ActivityListPopover:contains(Refill milk: Lobby Espresso)",
        },
        {
            content: "Pour, from the card",
            trigger: `${LOBBY} button[name=action_pour_here]`,
            run: "click",
        },
        {
            content: "The wizard pours on that machine",
            trigger: ".modal .o_field_widget[name=machine_id] input:value(Lobby Espresso)",
        },
        {
            content: "Pour",
            trigger: ".modal .modal-footer button[name=action_pour]",
            run: "click",
        },
        {
            content: "The coffee is on its way",
            trigger: ".o_notification:contains(Coffee on its way)",
        },
    ],
});
