// Administration › Case types: complaint, fault report, inquiry… (`/api/admin/case-types`).
import { crud } from "./admin-crud.js";

export async function render(body) {
  await crud(body, {
    title: "Case types",
    path: "/api/admin/case-types",
    key: "id",
    noun: "case type",
    auditEntity: "case_type",
    intro: "Agents and supervisors open cases of the active types; each type has its categories " +
      "and an SLA policy per priority. A type with cases cannot be deleted: make it inactive.",
    columns: [{ field: "id", label: "Id" }, { field: "label", label: "Label" },
              { field: "active", label: "Active" }],
    defaults: { active: true },
    fields: [
      { name: "id", label: "Id", required: true },
      { name: "label", label: "Label" },
      { name: "active", label: "Active (new cases may use it)", type: "checkbox" },
    ],
  });
}
