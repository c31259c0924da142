/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * The integrator's walk through the connector, run by tests/test_tour.py:
 * open the backend from the menu, check the connection, import the machines,
 * open the machines and the brew analysis, and pour a coffee for a contact.
 */
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

function coffeeMenu(xmlid, content) {
    return [
        {
            content,
            trigger: `.o_menu_sections [data-menu-xmlid="connector_coffee.${xmlid}"]`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("connector_coffee_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("connector_coffee.coffee_menu_root", "Open Coffee"),
        ...coffeeMenu("coffee_backend_menu", "Open the coffee backends"),
        {
            content: "Open the backend on the simulator",
            trigger: ".o_kanban_view .o_kanban_record:contains(Tour espresso)",
            run: "click",
        },
        {
            content: "Check the connection",
            trigger: ".o_form_view .o_statusbar_buttons button[name=check_connection]",
            run: "click",
        },
        {
            content: "The machine answers",
            trigger:
                ".o_notification:contains(Connection works):contains(API version 1)",
        },
        {
            content: "Import the machines",
            trigger:
                ".o_form_view .o_field_one2many[name=import_ids] .o_data_row:contains(Machines) button[name=action_import]",
            run: "click",
        },
        {
            content: "The import is a pending job of the backend",
            trigger:
                ".o_form_view button[name=action_open_jobs] .o_stat_value:contains(1)",
        },
        {
            content: "Open the machines",
            trigger:
                ".o_form_view .o_field_one2many[name=import_ids] .o_data_row:contains(Machines) button[name=action_open_records]",
            run: "click",
        },
        {
            content: "The imported machines are listed",
            trigger: ".o_list_view .o_data_row td[name=name]:contains(Lobby Espresso)",
        },
        ...coffeeMenu("coffee_brew_analysis_menu", "Open the brew analysis"),
        {
            content: "The brews per day are drawn",
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
        },
        {
            content: "Go to the contacts",
            trigger: "body",
            run: "goToUrl /odoo/action-base.action_partner_form?view_type=list",
            expectUnloadPage: true,
        },
        {
            content: "Select a contact",
            trigger: [
                ".o_list_view .o_data_row:contains(Tour drinker)",
                ".o_list_record_selector input",
            ].join(" "),
            run: "click",
        },
        {
            content: "Open the actions",
            trigger: ".o_control_panel .o_cp_action_menus button",
            run: "click",
        },
        {
            content: "Pour coffee",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Pour coffee)",
            run: "click",
        },
        {
            content: "The wizard pours for the selected contact",
            trigger: ".modal .o_field_many2many_tags .o_tag:contains(Tour drinker)",
        },
        {
            content: "Pour",
            trigger: ".modal .modal-footer button[name=action_pour]",
            run: "click",
        },
        {
            content: "The coffee is on its way",
            trigger: ".o_notification:contains(1 coffee is on its way)",
        },
    ],
});
