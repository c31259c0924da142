/* Copyright 2026 The connector_coffee authors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
/**
 * The sync health of a backend, on its card of the cockpit (the kanban of
 * the backends): per entity the records synced, failed and waiting and the
 * last import; the backend's jobs by state; its last errors; the webhook and
 * the last reconciliation. Every number comes from one call of
 * ``coffee.backend.get_sync_health()``, made again whenever the kanban
 * reloads the card's record; the counts and the errors open the records and
 * the jobs they tell of.
 */
import {Component, useState} from "@odoo/owl";
import {deserializeDateTime, formatDateTime} from "@web/core/l10n/dates";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {user} from "@web/core/user";
import {useService} from "@web/core/utils/hooks";
import {useRecordObserver} from "@web/model/relational_model/utils";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";

/** The machine's entities, in import order: resource and binding model. */
export const ENTITIES = [
    {resource: "machines", model: "coffee.machine"},
    {resource: "beverages", model: "coffee.product.product"},
    {resource: "users", model: "coffee.res.partner"},
    {resource: "brews", model: "coffee.brew"},
];

/** The states of the jobs still to do or to look at, in the card's order. */
export const BACKLOG_STATES = [
    "wait_dependencies",
    "pending",
    "enqueued",
    "started",
    "failed",
];

/** The errors the card lists at most. */
export const MAX_ERRORS = 5;

/** The group that may read the jobs (queue_job's job list). */
const JOB_MANAGER = "queue_job.group_queue_job_manager";

export class CoffeeSyncHealth extends Component {
    static template = "connector_coffee.CoffeeSyncHealth";
    static props = {...standardWidgetProps};

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({health: null, failed: false, canSeeJobs: false});
        // at first, and again each time the kanban reloads the record
        useRecordObserver((record) => this.load(record.resId));
    }

    async load(backendId) {
        if (!backendId) {
            this.state.health = null;
            return;
        }
        try {
            const [health, canSeeJobs] = await Promise.all([
                this.orm.call("coffee.backend", "get_sync_health", [[backendId]]),
                user.hasGroup(JOB_MANAGER),
            ]);
            Object.assign(this.state, {health, canSeeJobs, failed: false});
        } catch {
            // e.g. a user who sees the backend but is no coffee manager: the
            // card shows its header only
            Object.assign(this.state, {health: null, failed: true});
        }
    }

    get backendId() {
        return this.props.record.resId;
    }

    get entityLabels() {
        return {
            machines: _t("Machines"),
            beverages: _t("Beverages"),
            users: _t("Machine Users"),
            brews: _t("Brews"),
        };
    }

    get jobStateLabels() {
        return {
            wait_dependencies: _t("waiting for others"),
            pending: _t("pending"),
            enqueued: _t("enqueued"),
            started: _t("started"),
            failed: _t("failed"),
        };
    }

    get importStates() {
        return {
            never: {label: _t("Not run yet"), class: "text-bg-light"},
            running: {label: _t("Running"), class: "text-bg-info"},
            failed: {label: _t("Failed"), class: "text-bg-danger"},
            done: {label: _t("Done"), class: "text-bg-success"},
        };
    }

    /** One row per entity: its counts and its last import. */
    get entities() {
        const health = this.state.health;
        const labels = this.entityLabels;
        return ENTITIES.map((entity) => {
            const counts = health.entities?.[entity.resource] || {};
            const imp = health.imports?.[entity.resource] || null;
            return {
                ...entity,
                label: labels[entity.resource],
                synced: counts.synced || 0,
                failed: counts.failed || 0,
                waiting: counts.waiting || 0,
                import: imp && {
                    ...imp,
                    info: this.importStates[imp.state] || {
                        label: imp.state,
                        class: "text-bg-light",
                    },
                },
            };
        });
    }

    /** The jobs still to do or failed, by state: only the states with some. */
    get jobs() {
        const jobs = this.state.health.jobs || {};
        const labels = this.jobStateLabels;
        return BACKLOG_STATES.filter((state) => jobs[state]).map((state) => ({
            state,
            count: jobs[state],
            label: labels[state],
        }));
    }

    get errors() {
        return (this.state.health.errors || []).slice(0, MAX_ERRORS);
    }

    /**
     * What an error is about: its record's name, else the entity and the
     * record's id on the machine.
     *
     * @param {Object} error an entry of the health's errors
     * @returns {String}
     */
    errorName(error) {
        if (error.name) {
            return error.name;
        }
        const entity = ENTITIES.find((e) => e.model === error.model);
        const label = entity ? this.entityLabels[entity.resource] : error.model || "";
        return error.external_id ? `${label} ${error.external_id}` : label;
    }

    get webhook() {
        const webhook = this.state.health.webhook || {};
        const target = webhook.target;
        let check = {label: _t("not checked"), class: "text-bg-light"};
        if (target && target.ok === true) {
            check = {label: _t("this Odoo"), class: "text-bg-success"};
        } else if (target && target.ok === false) {
            check = {label: _t("mismatch"), class: "text-bg-danger"};
        }
        let title = "";
        if (target && target.ok === false) {
            title = _t("The machine sends its events to %(url)s, not to %(expected)s", {
                url: target.url || "?",
                expected: target.expected || "?",
            });
        } else if (target && target.url) {
            title = target.url;
        }
        return {
            lastEventAt: webhook.last_event_at,
            // before the accepted ones were told apart, all were counted
            accepted: webhook.accepted_24h ?? webhook.events_24h ?? 0,
            refused: webhook.refused_24h,
            check,
            title,
            lastDelivery: target?.last_delivery || null,
        };
    }

    get reconciliation() {
        return this.state.health.reconciliation || {};
    }

    /**
     * A date of the health (UTC, ``YYYY-MM-DD HH:MM:SS``) as how long ago.
     *
     * @param {String|null} value
     * @returns {String}
     */
    ago(value) {
        return value ? deserializeDateTime(value).toRelative() : "";
    }

    /**
     * The same date in full, for a title.
     *
     * @param {String|null} value
     * @returns {String}
     */
    fullDate(value) {
        return value ? formatDateTime(deserializeDateTime(value)) : "";
    }

    /** Open the entity's records of this backend whose sync failed. */
    openFailed(entity) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            name: _t("%(entity)s: failed", {entity: entity.label}),
            res_model: entity.model,
            domain: [["backend_id", "=", this.backendId]],
            context: {search_default_sync_failed: 1, active_test: false},
            views: [
                [false, "list"],
                [false, "form"],
            ],
        });
    }

    /** Open the backend's jobs, those of ``state`` only. */
    async openJobs(state) {
        const action = await this.orm.call("coffee.backend", "action_open_jobs", [
            [this.backendId],
        ]);
        action.context = {active_id: this.backendId, [`search_default_${state}`]: 1};
        return this.action.doAction(action);
    }

    /** Open the record an error is about. */
    async openRecord(error) {
        let id = error.binding_id;
        if (!id && error.external_id) {
            // before the health named the record by its id
            [id] = await this.orm.search(
                error.model,
                [
                    ["backend_id", "=", this.backendId],
                    ["coffee_id", "=", error.external_id],
                ],
                {limit: 1, context: {active_test: false}}
            );
        }
        if (id) {
            return this.openForm(error.model, id);
        }
    }

    /** Open the job that failed. */
    async openJob(error) {
        let id = error.job_id;
        if (!id && error.uuid) {
            // before the health named the job by its id
            [id] = await this.orm.search("queue.job", [["uuid", "=", error.uuid]], {
                limit: 1,
            });
        }
        if (id) {
            return this.openForm("queue.job", id);
        }
    }

    openForm(model, id) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: model,
            res_id: id,
            views: [[false, "form"]],
        });
    }
}

export const coffeeSyncHealth = {component: CoffeeSyncHealth};

registry.category("view_widgets").add("coffee_sync_health", coffeeSyncHealth);
