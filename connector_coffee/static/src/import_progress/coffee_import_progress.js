/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * The imports of a backend under way, on its form: a line says so, and the
 * form reads the backend again every few seconds until every import is
 * done or failed, unless it has unsaved changes. The operator who has just
 * set up a machine sees its records come in without reloading the page.
 */
import {Component, onMounted, onWillUnmount} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";

/** How often the backend is read again while an import runs (ms). */
export const REFRESH_DELAY = 3000;

export class CoffeeImportProgress extends Component {
    static props = {...standardWidgetProps};
    static template = "connector_coffee.CoffeeImportProgress";

    setup() {
        this.timer = null;
        onMounted(() => {
            this.timer = setInterval(() => this.refresh(), REFRESH_DELAY);
        });
        onWillUnmount(() => clearInterval(this.timer));
    }

    get running() {
        const imports = this.props.record.data.import_ids;
        return Boolean(imports?.records.some((i) => i.data.state === "running"));
    }

    async refresh() {
        const record = this.props.record;
        if (!this.running || record.isNew || record.dirty) {
            return;
        }
        await record.load();
    }
}

export const coffeeImportProgress = {component: CoffeeImportProgress};

registry.category("view_widgets").add("coffee_import_progress", coffeeImportProgress);
