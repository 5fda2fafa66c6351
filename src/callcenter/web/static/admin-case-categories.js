// Administration › Case categories: the categories of each case type
// (`/api/admin/case-categories`); repeat contacts count by category.
import { api } from "./common.js";
import { crud } from "./admin-crud.js";

const types = async () => (await api("GET", "/api/admin/case-types")).map((t) => [t.id, t.label || t.id]);

export async function render(body) {
  await crud(body, {
    title: "Case categories",
    path: "/api/admin/case-categories",
    key: "id",
    noun: "category",
    auditEntity: "case_category",
    intro: "A category belongs to one case type. First-contact resolution treats a new " +
      "contact about the same category as a repeat.",
    columns: [{ field: "id", label: "Id" }, { field: "type_id", label: "Type" },
              { field: "label", label: "Label" }, { field: "active", label: "Active" }],
    defaults: { active: true },
    fields: [
      { name: "id", label: "Id", required: true },
      { name: "type_id", label: "Case type", type: "select", options: types, required: true },
      { name: "label", label: "Label" },
      { name: "active", label: "Active (new cases may use it)", type: "checkbox" },
    ],
  });
}
