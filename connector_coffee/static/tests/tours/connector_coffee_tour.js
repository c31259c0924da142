/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * The integrator's walk through the connector, run by tests/test_tour.py:
 * open the backend from the menu, check the connection, import the machines,
 * open the machines and the brew analysis, and pour a coffee for a contact
 * on a machine in maintenance, warned before pouring. Between the tours, the
 * test runs the jobs as the job runner would: the pour fails, and
 * connector_coffee_retry_tour finds the brew failed with its reason and
 * retries it; connector_coffee_done_tour finds it done.
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
            content: "The brews per week and beverage are drawn",
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
            content: "Who is not a user of the machine yet is registered by the pour",
            trigger: ".modal .alert-warning:contains(registered on it by this pour)",
        },
        {
            content: "Choose the machine in maintenance",
            trigger: ".modal .o_field_widget[name=machine_id] input",
            run: "edit Kitchen",
        },
        {
            content: "Kitchen Bean-to-Cup",
            trigger: ".ui-autocomplete .ui-menu-item a:contains(Kitchen Bean-to-Cup)",
            run: "click",
        },
        {
            content: "The wizard warns that the machine is not idle, and why",
            trigger:
                ".modal .alert-warning:contains(Kitchen Bean-to-Cup is not idle):contains(Maintenance)",
        },
        {
            content: "Pour all the same",
            trigger: ".modal .modal-footer button[name=action_pour]",
            run: "click",
        },
        {
            content: "The coffee is on its way",
            trigger: ".o_notification:contains(Coffee on its way):contains(Tour drinker)",
        },
    ],
});

function openTourBrew(stateLabel) {
    return [
        ...stepUtils.goToAppSteps("connector_coffee.coffee_menu_root", "Open Coffee"),
        ...coffeeMenu("coffee_brew_menu", "Open the brews"),
        {
            content: `The contact's brew is ${stateLabel}`,
            trigger: `.o_list_view .o_data_row:contains(Tour drinker):contains(${stateLabel}) td[name=name]`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("connector_coffee_retry_tour", {
    url: "/odoo",
    steps: () => [
        ...openTourBrew("Failed"),
        {
            content: "The brew says why it failed, in plain words",
            trigger:
                ".o_form_view .alert-danger:contains(Kitchen Bean-to-Cup is in maintenance):contains(Odoo stopped trying)",
        },
        {
            content: "Retry, the machine being back",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_retry]",
            run: "click",
        },
        {
            content: "The brew is ordered again",
            trigger: ".o_notification:contains(Ordered again)",
        },
        {
            content: "The brew waits for its order to be sent",
            trigger:
                ".o_form_view .alert-info:contains(Waiting to be sent to the machine)",
        },
        {
            content: "Requested again, with no Retry button any more",
            trigger:
                ".o_form_view:not(:has(button[name=action_retry])) .o_statusbar_status button.o_arrow_button_current:contains(Requested)",
        },
    ],
});

registry.category("web_tour.tours").add("connector_coffee_done_tour", {
    url: "/odoo",
    steps: () => [
        ...openTourBrew("Done"),
        {
            content: "The brew is done, its failure gone",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
        {
            content: "Its chatter keeps the history",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Failed)",
        },
    ],
});
