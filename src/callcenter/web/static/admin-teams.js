// Administration › Teams: supervisors and the agents they see (`/api/admin/teams`).
import { api } from "./common.js";
import { crud } from "./admin-crud.js";

export async function render(body) {
  await crud(body, {
    title: "Teams",
    path: "/api/admin/teams",
    key: "name",
    noun: "team",
    auditEntity: "team",
    intro: "A supervisor sees and acts on the agents of its teams only.",
    columns: [
      { field: "name", label: "Team" },
      { field: "supervisors", label: "Supervisors" },
      { field: "agents", label: "Agents" },
    ],
    defaults: { supervisors: [], agents: [] },
    fields: [
      { name: "name", label: "Team name", required: true },
      { name: "supervisors", label: "Supervisors", type: "checks",
        empty: "No user has the supervisor or administrator role.",
        options: async () => (await api("GET", "/api/admin/users"))
          .filter((u) => u.role !== "agent")
          .map((u) => [u.username, u.role === "admin" ? `${u.username} (admin)` : u.username]) },
      { name: "agents", label: "Agents", type: "checks", empty: "No agent is stored yet.",
        options: async () => (await api("GET", "/api/admin/agents")).map((a) => a.id) },
    ],
  });
}
