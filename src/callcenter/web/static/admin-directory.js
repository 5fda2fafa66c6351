// Administration › Directory: people, departments and numbers agents transfer calls to
// (`/api/admin/directory-entries`): exactly one of an E.164 number, a queue, an agent.
import { api } from "./common.js";
import { crud } from "./admin-crud.js";

const queues = async () => (await api("GET", "/api/admin/queues")).map((q) => [q.id, q.id]);
const agents = async () => (await api("GET", "/api/admin/agents")).map((a) => [a.id, a.id]);
const target = (r) => r.number || (r.queue_id ? `queue ${r.queue_id}` : `agent ${r.agent_id}`);

export async function render(body) {
  await crud(body, {
    title: "Switchboard directory",
    path: "/api/admin/directory-entries",
    key: "id",
    noun: "directory entry",
    auditEntity: "directory_entry",
    intro: "Agents find these entries on the desktop and transfer a call to one: give " +
      "exactly one of a number, a queue and an agent.",
    columns: [{ field: "name", label: "Name" }, { field: "department", label: "Department" },
              { field: "role", label: "Role" }, { label: "Transfers to", value: target }],
    fields: [
      { name: "name", label: "Name", required: true },
      { name: "department", label: "Department" },
      { name: "role", label: "Role" },
      { name: "number", label: "Number (E.164)", nullable: true, placeholder: "+4930123456" },
      { name: "queue_id", label: "Queue", type: "select", options: queues, nullable: true },
      { name: "agent_id", label: "Agent", type: "select", options: agents, nullable: true },
    ],
    toBody: (values) => ({ name: values.name, department: values.department || "",
                           role: values.role || "", number: values.number || null,
                           queue_id: values.queue_id || null, agent_id: values.agent_id || null }),
  });
}
