// Administration › Dispositions: the codes agents pick at wrap-up (`/api/admin/dispositions`).
import { crud } from "./admin-crud.js";

export async function render(body) {
  await crud(body, {
    title: "Disposition codes",
    path: "/api/admin/dispositions",
    key: "code",
    noun: "disposition",
    auditEntity: "disposition",
    intro: "Agents pick an active code at wrap-up; stored interactions keep the code they were given.",
    columns: [{ field: "code", label: "Code" }, { field: "label", label: "Label" },
              { field: "active", label: "Active" }],
    defaults: { active: true },
    fields: [
      { name: "code", label: "Code", required: true },
      { name: "label", label: "Label" },
      { name: "active", label: "Active (agents may pick it)", type: "checkbox" },
    ],
  });
}
