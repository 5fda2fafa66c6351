// Administration › Skills: what agents can do and queues require (`/api/admin/skills`).
import { crud } from "./admin-crud.js";

export async function render(body) {
  await crud(body, {
    title: "Skills",
    path: "/api/admin/skills",
    key: "id",
    noun: "skill",
    auditEntity: "skill",
    intro: "A skill in use by an agent or a queue cannot be deleted.",
    columns: [{ field: "id", label: "Skill" }, { field: "description", label: "Description" }],
    fields: [
      { name: "id", label: "Skill id", required: true, hint: "Up to 100 characters, e.g. french." },
      { name: "description", label: "Description", type: "textarea" },
    ],
  });
}
