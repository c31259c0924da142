# Copyright 2026 The connector_coffee authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Coffee Connector",
    "summary": "Synchronise Odoo with a coffee machine over its REST API",
    "version": "18.0.1.0.0",
    "category": "Connector",
    "website": "https://github.com/OCA",
    "author": "The connector_coffee authors, Odoo Community Association (OCA)",
    "license": "LGPL-3",
    "development_status": "Alpha",
    "external_dependencies": {"python": ["requests"]},
    "depends": ["connector", "mail", "product"],
    "data": [
        "security/coffee_connector_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_channel_data.xml",
        "data/queue_job_function_data.xml",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "data/coffee_cockpit_data.xml",
        "views/coffee_backend_views.xml",
        "views/coffee_machine_views.xml",
        "views/coffee_machine_kanban_views.xml",
        "views/coffee_beverage_views.xml",
        "views/coffee_user_views.xml",
        "views/coffee_brew_views.xml",
        "views/coffee_pour_wizard_views.xml",
        "views/coffee_alert_views.xml",
        "views/coffee_backend_cockpit_views.xml",
        "views/coffee_binding_state_views.xml",
        "views/coffee_menus.xml",
        "views/coffee_setup_wizard_views.xml",
    ],
    "demo": ["demo/coffee_backend_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "connector_coffee/static/src/systray/*",
        ],
        "web.assets_tests": [
            "connector_coffee/static/tests/tours/*.js",
        ],
    },
}
