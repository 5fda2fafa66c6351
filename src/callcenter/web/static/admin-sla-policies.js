// Administration › SLA policies: first-response and resolution targets per case type and
// priority, in business time on a calendar (`/api/admin/sla-policies`).
import { api } from "./common.js";
import { crud } from "./admin-crud.js";

const types = async () => (await api("GET", "/api/admin/case-types")).map((t) => [t.id, t.label || t.id]);
const calendars = async () => (await api("GET", "/api/admin/calendars")).map((c) => [c.id, c.id]);
const hours = (s) => (s === null || s === undefined ? "–" : `${+(s / 3600).toFixed(2)} h`);

export async function render(body) {
  await crud(body, {
    title: "SLA policies",
    path: "/api/admin/sla-policies",
    key: "id",
    noun: "SLA policy",
    auditEntity: "sla_policy",
    intro: "Targets count seconds of business time on the calendar (its hours and holidays), " +
      "or every second without one. A target warns when the given share of it has passed. " +
      "A change applies to cases created afterwards.",
    columns: [{ field: "type_id", label: "Type" }, { field: "priority", label: "Priority" },
              { label: "First response", value: (r) => hours(r.first_response_seconds) },
              { label: "Resolution", value: (r) => hours(r.resolution_seconds) },
              { label: "Warns at", value: (r) => `${Math.round(r.warn_at * 100)} %` },
              { label: "Calendar", value: (r) => r.calendar_id || "every second" }],
    defaults: { priority: "normal", warn_at: 0.8 },
    fields: [
      { name: "type_id", label: "Case type", type: "select", options: types, required: true },
      { name: "priority", label: "Priority", type: "select",
        options: ["low", "normal", "high", "urgent"] },
      { name: "first_response_seconds", label: "First response (seconds)", type: "number",
        min: 1, hint: "3600 = 1 hour; empty: no target" },
      { name: "resolution_seconds", label: "Resolution (seconds)", type: "number", min: 1,
        hint: "86400 = 24 business hours; empty: no target" },
      { name: "warn_at", label: "Warn at (share of the target)", type: "number", min: 0.01,
        max: 1, step: 0.01 },
      { name: "calendar_id", label: "Calendar", type: "select", options: calendars,
        nullable: true },
    ],
  });
}
