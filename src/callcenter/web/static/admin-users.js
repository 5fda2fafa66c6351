// Administration › Users: who may log in, with which role and password, as which agent
// (`/api/admin/users`). A change ends the user's logins; a supervisor's teams are set on
// the Teams section.
import { api } from "./common.js";
import { crud } from "./admin-crud.js";

const ROLES = [["agent", "Agent"], ["supervisor", "Supervisor"], ["admin", "Administrator"]];

export async function render(body, me) {
  let teamsOf = new Map();
  async function loadTeams() {
    const teams = await api("GET", "/api/admin/teams");
    teamsOf = new Map();
    for (const t of teams) {
      for (const s of t.supervisors) teamsOf.set(s, [...(teamsOf.get(s) || []), t.name]);
    }
  }
  await loadTeams();
  await crud(body, {
    title: "Users",
    path: "/api/admin/users",
    key: "username",
    noun: "user",
    auditEntity: "user",
    intro: "A change ends the user's sessions: the new role, password or agent applies at the "
      + "next login. A supervisor's teams are chosen on the Teams section. You cannot delete "
      + "yourself, nor leave no active administrator.",
    columns: [
      { field: "username", label: "Username" },
      { label: "Role", value: (u) => (ROLES.find(([r]) => r === u.role) || [0, u.role])[1] },
      { field: "active", label: "Active" },
      { field: "agent_id", label: "Agent" },
      { label: "Supervises", value: (u) => (u.role === "agent" ? "" : teamsOf.get(u.username) || []) },
      { label: "Created", value: (u) => new Date(u.created_at).toLocaleDateString() },
    ],
    defaults: { role: "agent", active: true, agent_id: null },
    fields: [
      { name: "username", label: "Username", required: true,
        hint: "Stored in lower case; up to 100 characters." },
      { name: "password", label: "Password", type: "password", required: true, edit: false,
        hint: "At least 10 characters, not a common password, not containing the username." },
      { name: "password", label: "New password", type: "password", create: false, omitEmpty: true,
        hint: "Leave empty to keep the current password." },
      { name: "role", label: "Role", type: "select", options: ROLES },
      { name: "agent_id", label: "Logs in as agent", type: "select", nullable: true,
        none: "(no agent)",
        options: async () => (await api("GET", "/api/admin/agents")).map((a) => a.id) },
      { name: "active", label: "Active (may log in)", type: "checkbox" },
    ],
    canDelete: (u) => u.username !== me.username,
  });
}
