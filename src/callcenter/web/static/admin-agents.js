// Administration › Agents: skills with levels, queues with tiers, capacity per channel
// (`/api/admin/agents`), and the teams an agent is in (`/api/admin/teams`). A saved agent
// is in the running engine at once; the API refuses (409) while the agent is logged in.
import { api, act, el, showFormErrors, clearFormErrors } from "./common.js";
import { field, number, text, select, valueOf, listEditor } from "./admin-form.js";

const CHANNELS = ["voice", "chat", "email"];

export async function render(body, _me) {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const listBox = el("div", { class: "panel" });
  const editBox = el("div", { class: "panel", id: "agent-editor", hidden: true });
  body.replaceChildren(el("h2", {}, "Agents"), status, listBox, editBox);
  let lookups = { skills: [], queues: [], teams: [], users: [] };

  async function reload() {
    const [agents, skills, queues, teams, users] = await Promise.all([
      api("GET", "/api/admin/agents"), api("GET", "/api/admin/skills"),
      api("GET", "/api/admin/queues"), api("GET", "/api/admin/teams"),
      api("GET", "/api/admin/users")]);
    lookups = { skills: skills.map((s) => s.id), queues: queues.map((q) => q.id), teams, users };
    drawList(agents);
  }

  const teamsOf = (id) => lookups.teams.filter((t) => t.agents.includes(id)).map((t) => t.name);
  // The user linked to the agent, else a user of the agent's name (who acts as it).
  const loginOf = (id) => (lookups.users.find((u) => u.agent_id === id)
    ?? lookups.users.find((u) => u.username === id && u.agent_id === null))?.username ?? null;

  function drawList(agents) {
    const table = el("table", { class: "data", id: "agent-list" },
      el("caption", { class: "visually-hidden" }, "Agents"),
      el("thead", {}, el("tr", {}, ["Agent", "Login", "Teams", "Skills", "Queues (tier)",
        "Capacity", ""].map((h) => el("th", { scope: "col" },
          h || el("span", { class: "visually-hidden" }, "Actions"))))),
      el("tbody", {}, agents.map((a) => el("tr", { dataset: { agent: a.id } },
        el("th", { scope: "row" }, a.id),
        el("td", {}, loginOf(a.id) ?? "–"),
        el("td", {}, teamsOf(a.id).join(", ") || "–"),
        el("td", {}, a.skills.map((s) => `${s.skill} ${s.level}`).join(", ") || "–"),
        el("td", {}, a.queues.map((m) => `${m.queue_id} (${m.tier})`).join(", ") || "–"),
        el("td", {}, a.capacity.map((c) => `${c.channel} ${c.slots}`).join(", ")),
        el("td", { class: "actions" },
          el("button", { type: "button", onclick: () => edit(a) }, `Edit ${a.id}`),
          el("button", { type: "button", class: "danger", onclick: (e) => remove(e.target, a) },
            `Delete ${a.id}`))))));
    listBox.replaceChildren(
      el("div", { class: "toolbar" },
        el("button", { type: "button", id: "new-agent", onclick: () => edit(null) }, "New agent")),
      agents.length ? el("div", { class: "table-wrap" }, table) : el("p", { class: "empty" }, "No agent yet."));
  }

  async function remove(button, a) {
    if (!window.confirm(`Delete agent ${a.id}? Its history stays.`)) return;
    await act(button, async () => {
      await api("DELETE", `/api/admin/agents/${encodeURIComponent(a.id)}`);
      status.textContent = `Agent ${a.id} deleted.`;
      editBox.hidden = true;
      await reload();
    });
  }

  function edit(agent) {
    const creating = agent === null;
    const a = agent ?? { id: "", skills: [], queues: [],
      capacity: CHANNELS.map((c) => ({ channel: c, slots: 1 })) };
    const form = el("form", { class: "edit", id: "agent-form", novalidate: true });
    const skillsList = listEditor(form, {
      legend: "Skills", name: "skills", items: a.skills, addText: "Add a skill",
      blank: () => ({ skill: "", level: 1 }), hint: "Levels 1 (basic) to 10 (expert).",
      row: (s, i) => [
        field("Skill", text(`skills.${i}.skill`, s.skill, { list: "agent-skill-names" })),
        field("Level", number(`skills.${i}.level`, s.level, { min: 1, max: 10, step: 1 }))],
      read: (f, i) => ({ skill: valueOf(f, `skills.${i}.skill`),
        level: valueOf(f, `skills.${i}.level`, { asNumber: true }) }),
    });
    const queuesList = listEditor(form, {
      legend: "Queues", name: "queues", items: a.queues, addText: "Add a queue",
      blank: () => ({ queue_id: lookups.queues[0] ?? "", tier: 1 }),
      hint: "Tier 1 is offered calls first; higher tiers when a queue's escalation widens.",
      row: (m, i) => [
        field("Queue", select(`queues.${i}.queue_id`, lookups.queues.includes(m.queue_id) || !m.queue_id
          ? lookups.queues : [m.queue_id, ...lookups.queues], m.queue_id)),
        field("Tier", number(`queues.${i}.tier`, m.tier, { min: 1, step: 1 }))],
      read: (f, i) => ({ queue_id: valueOf(f, `queues.${i}.queue_id`),
        tier: valueOf(f, `queues.${i}.tier`, { asNumber: true }) }),
    });
    const slots = (channel) => a.capacity.find((c) => c.channel === channel)?.slots ?? 0;
    const current = creating ? [] : teamsOf(a.id);
    const errorBox = el("p", { class: "form-error", role: "alert", hidden: true });
    const login = creating ? null : loginOf(a.id);
    form.append(
      el("h3", {}, creating ? "New agent" : `Agent ${a.id}`),
      errorBox,
      el("datalist", { id: "agent-skill-names" }, lookups.skills.map((s) => el("option", { value: s }))),
      creating ? field("Agent id", text("id", "", { required: true, autocomplete: "off" }),
        "The agent's name in the engine, reports and the desktop.")
        : el("p", { class: "hint" }, login ? `Logs in as user ${login} (change it under Users).`
          : "No user logs in as this agent (link one under Users)."),
      skillsList.node, queuesList.node,
      el("fieldset", { name: "capacity" }, el("legend", {}, "Capacity per channel"),
        el("p", { class: "hint" }, "How many interactions of each channel at once (0: none)."),
        el("div", { class: "row" }, CHANNELS.map((c, i) =>
          field(c[0].toUpperCase() + c.slice(1), number(`capacity.${i}.slots`, slots(c), { min: 0, step: 1 }))))),
      el("fieldset", { name: "teams", class: "checks" }, el("legend", {}, "Teams"),
        lookups.teams.length ? lookups.teams.map((t) => el("label", { class: "check" },
          el("input", { type: "checkbox", name: "team", value: t.name, checked: current.includes(t.name) }),
          ` ${t.name}`)) : el("p", { class: "hint" }, "No team yet (create one under Teams).")),
      el("div", { class: "actions" },
        el("button", { type: "submit", class: "primary" }, creating ? "Create agent" : "Save agent"),
        el("button", { type: "button", onclick: () => { editBox.hidden = true; } }, "Cancel")));

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFormErrors(form);
      const settings = {
        skills: skillsList.items(), queues: queuesList.items(),
        capacity: CHANNELS.map((c, i) => ({ channel: c,
          slots: valueOf(form, `capacity.${i}.slots`, { asNumber: true }) })),
      };
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      try {
        const saved = creating
          ? await api("POST", "/api/admin/agents", { id: valueOf(form, "id"), ...settings })
          : await api("PUT", `/api/admin/agents/${encodeURIComponent(a.id)}`, settings);
        const wanted = [...form.querySelectorAll('input[name="team"]:checked')].map((x) => x.value);
        for (const team of lookups.teams) {
          const was = team.agents.includes(saved.id);
          const now = wanted.includes(team.name);
          if (was === now) continue;
          const agents = now ? [...team.agents, saved.id] : team.agents.filter((x) => x !== saved.id);
          await api("PUT", `/api/admin/teams/${encodeURIComponent(team.name)}`,
            { supervisors: team.supervisors, agents });
        }
        status.textContent = `Agent ${saved.id} ${creating ? "created" : "saved"}.`;
        editBox.hidden = true;
        await reload();
        listBox.querySelector(`tr[data-agent="${CSS.escape(saved.id)}"] button`)?.focus();
      } catch (err) {
        showFormErrors(form, err);
      } finally {
        submit.disabled = false;
      }
    });
    editBox.replaceChildren(form);
    editBox.hidden = false;
    form.querySelector("input, select").focus();
  }

  await reload();
}
