/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * "Pour me a coffee" in the top bar: pick a beverage (the last one is
 * remembered) and a machine (or the default), pour, and watch the coffee
 * go from requested to ready. The brew's state is read every few seconds
 * while the menu is open; the notification on the bus tells the rest.
 */
import {Component, onWillDestroy, useState} from "@odoo/owl";
import {Dropdown} from "@web/core/dropdown/dropdown";
import {useDropdownState} from "@web/core/dropdown/dropdown_hooks";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

/** How often the state of the brew is read while the menu is open (ms). */
export const POLL_DELAY = 2500;

/** The states a brew ends in: no more reading after them. */
const ENDED = ["done", "failed", "cancelled"];

export class CoffeeSystray extends Component {
    static components = {Dropdown};
    static props = {};
    static template = "connector_coffee.CoffeeSystray";

    setup() {
        this.orm = useService("orm");
        this.notification = useService("notification");
        this.dropdown = useDropdownState();
        this.state = useState({
            backends: [],
            backendId: false,
            machineId: 0,
            beverageId: 0,
            lastBeverageId: false,
            brew: null,
            pouring: false,
        });
        this.timer = null;
        onWillDestroy(() => this.stopPolling());
        // not awaited: the top bar does not wait for the coffee
        this.loadMenu();
    }

    get backend() {
        return this.state.backends.find((b) => b.id === this.state.backendId);
    }

    get stateLabels() {
        return {
            requested: _t("Requested"),
            queued: _t("Queued"),
            brewing: _t("Brewing"),
            done: _t("Ready"),
            failed: _t("Failed"),
            cancelled: _t("Cancelled"),
        };
    }

    get brewLabel() {
        const brew = this.state.brew;
        return brew ? this.stateLabels[brew.state] || brew.state : "";
    }

    get brewClass() {
        const state = this.state.brew?.state;
        if (state === "done") {
            return "alert-success";
        }
        return ["failed", "cancelled"].includes(state) ? "alert-warning" : "alert-info";
    }

    machineLabel(machine) {
        return machine.idle ? machine.name : `${machine.name} (${machine.state_label})`;
    }

    async loadMenu() {
        const menu = await this.orm.call("coffee.backend", "get_pour_menu", []);
        this.state.backends = menu.backends;
        this.state.lastBeverageId = menu.last_beverage_id;
        if (!this.backend) {
            const last = menu.backends.find((b) =>
                b.beverages.some((bev) => bev.id === menu.last_beverage_id)
            );
            this.selectBackend((last || menu.backends[0])?.id || false);
        } else if (!this.backend.beverages.some((b) => b.id === this.state.beverageId)) {
            this.selectBackend(this.state.backendId);
        }
    }

    selectBackend(backendId) {
        this.state.backendId = backendId;
        const backend = this.backend;
        this.state.machineId = 0;
        if (!backend) {
            this.state.beverageId = 0;
            return;
        }
        const remembered = backend.beverages.find(
            (b) => b.id === this.state.lastBeverageId
        );
        this.state.beverageId =
            (remembered && remembered.id) ||
            backend.default_beverage_id ||
            backend.beverages[0]?.id ||
            0;
    }

    onBackendChange(ev) {
        this.selectBackend(parseInt(ev.target.value, 10));
    }

    onStateChanged(isOpen) {
        if (isOpen) {
            this.refreshBrew();
            this.startPolling();
        } else {
            this.stopPolling();
        }
    }

    startPolling() {
        this.stopPolling();
        if (this.state.brew && !ENDED.includes(this.state.brew.state)) {
            this.timer = setInterval(() => this.refreshBrew(), POLL_DELAY);
        }
    }

    stopPolling() {
        if (this.timer) {
            clearInterval(this.timer);
            this.timer = null;
        }
    }

    async refreshBrew() {
        const brew = this.state.brew;
        if (!brew || ENDED.includes(brew.state)) {
            this.stopPolling();
            return;
        }
        const [values] = await this.orm.read(
            "coffee.brew",
            [brew.id],
            ["state", "failure_reason"]
        );
        if (!values) {
            this.stopPolling();
            return;
        }
        Object.assign(brew, values);
        if (ENDED.includes(values.state)) {
            this.stopPolling();
        }
    }

    async pour() {
        this.state.pouring = true;
        try {
            const brew = await this.orm.call("coffee.backend", "pour_for_me", [
                this.state.backendId,
                this.state.machineId || false,
                this.state.beverageId || false,
            ]);
            this.state.brew = {...brew, failure_reason: false};
            this.state.lastBeverageId = this.state.beverageId;
            this.startPolling();
        } finally {
            this.state.pouring = false;
        }
    }
}

export const coffeeSystrayItem = {Component: CoffeeSystray};

registry
    .category("systray")
    .add("connector_coffee.coffee_systray", coffeeSystrayItem, {sequence: 30});
