/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * The operator's first run, run by tests/test_setup_tour.py: from a
 * database without a backend, Coffee > Set Up a Machine, the location and
 * credentials of the machine, then the backend's form follows the first
 * imports (the test runs the jobs meanwhile as the job runner does) until
 * every one is done; the webhook is registered and the brews are in.
 *
 * The machine is a simulator on a free port: the test gives its location in
 * the system parameter connector_coffee.setup_tour_location.
 */
import {rpc} from "@web/core/network/rpc";
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

const IMPORTS = ".o_form_view .o_field_one2many[name=import_ids]";

registry.category("web_tour.tours").add("connector_coffee_setup_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("connector_coffee.coffee_menu_root", "Open Coffee"),
        {
            content: "No machine is connected yet",
            trigger: ".o_kanban_view .o_view_nocontent:contains(Connect a coffee machine)",
        },
        {
            content: "Set up a machine",
            trigger:
                '.o_menu_sections [data-menu-xmlid="connector_coffee.coffee_setup_wizard_menu"]',
            run: "click",
        },
        {
            content: "Name the machine",
            trigger: ".modal .o_field_widget[name=name] input",
            run: "edit Lobby espresso",
        },
        {
            content: "Where its API answers",
            trigger: ".modal .o_field_widget[name=location] input",
            async run(helpers) {
                const location = await rpc(
                    "/web/dataset/call_kw/ir.config_parameter/get_param",
                    {
                        model: "ir.config_parameter",
                        method: "get_param",
                        args: ["connector_coffee.setup_tour_location"],
                        kwargs: {},
                    }
                );
                await helpers.edit(location);
            },
        },
        {
            content: "The user name",
            trigger: ".modal .o_field_widget[name=username] input",
            run: "edit barista",
        },
        {
            content: "The password",
            trigger: ".modal .o_field_widget[name=password] input",
            run: "edit s3cret-beans",
        },
        {
            content: "The machine is to send its events to Odoo",
            trigger: ".modal .o_field_widget[name=register_webhook] input:checked",
        },
        {
            content: "Connect and synchronise",
            trigger: ".modal .modal-footer button[name=action_setup]",
            run: "click",
        },
        {
            content: "The backend is made, its form open",
            trigger: ".o_breadcrumb .active:contains(Lobby espresso)",
        },
        {
            // the form reads the backend again until the imports are over
            content: "Every import is done, the brews too",
            trigger: [
                `${IMPORTS}:not(:has(.o_data_row:not(:contains(Done))))`,
                ".o_data_row:contains(Brews):contains(Done)",
            ].join(" "),
            timeout: 45000,
        },
        {
            content: "No import is under way any more",
            trigger: ".o_form_view:not(:has(.o_coffee_import_progress))",
        },
        {
            content: "Open the webhook",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Webhook)",
            run: "click",
        },
        {
            content: "The machine sends its events to this database",
            trigger:
                ".o_form_view .o_field_widget[name=webhook_url]:contains(/connector_coffee/webhook/)",
        },
        {
            content: "Back to the imports",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Import)",
            run: "click",
        },
        {
            content: "Open the imported brews",
            trigger: `${IMPORTS} .o_data_row:contains(Brews) button[name=action_open_records]`,
            run: "click",
        },
        {
            content: "The brews of the machine are listed",
            trigger: ".o_list_view .o_data_row",
        },
    ],
});
