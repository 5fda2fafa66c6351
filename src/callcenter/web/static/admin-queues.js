// Administration › Queues: every routing setting of `/api/admin/queues`, with the
// escalation steps. A saved queue is routable at once (the API applies it to the engine).
import { api, act, el, showFormErrors, clearFormErrors } from "./common.js";
import { field, number, text, select, checkbox, valueOf, listEditor } from "./admin-form.js";

const STRATEGIES = [
  ["longest-idle", "Longest idle agent"], ["round-robin", "Round robin"],
  ["fewest-calls", "Fewest calls"], ["least-talk-time", "Least talk time"],
  ["linear", "Linear (top-down)"], ["random", "Random"], ["ring-all", "Ring all"],
  ["best-skill-match", "Best skill match"],
];
const CHANNELS = ["voice", "chat", "email"];
const EXITS = [["hangup", "Hang up"], ["voicemail", "Voicemail"], ["callback", "Callback"],
  ["queue", "Another queue"]];

/** The settings of a new queue: the API's defaults (from one GET of a stored queue would
 * need one; these mirror `core.config.QueueConfig`). */
function blankQueue() {
  const exit = { kind: "hangup", queue_id: null };
  return {
    id: "", strategy: "longest-idle", channel: "voice", required_skills: [],
    initial_max_tier: null, escalation: [], max_length: null, max_wait: null,
    timeout_action: { ...exit }, full_action: { ...exit }, reject_when_no_agents: false,
    no_agents_action: { ...exit }, calendar_id: null, closed_action: { ...exit },
    wrap_up: 0, offer_timeout: 20, retry_after: 10, aging_rate: 0.1,
    service_level_threshold: 20, short_abandon: 5, default_handle_time: 180,
    require_disposition: false,
  };
}

export async function render(body, _me) {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const listBox = el("div", { class: "panel" });
  const editBox = el("div", { class: "panel", id: "queue-editor", hidden: true });
  body.replaceChildren(el("h2", {}, "Queues"), status, listBox, editBox);
  let lookups = { skills: [], calendars: [], queues: [] };

  async function reload() {
    const [queues, skills, calendars] = await Promise.all([
      api("GET", "/api/admin/queues"), api("GET", "/api/admin/skills"),
      api("GET", "/api/admin/calendars")]);
    lookups = { queues, skills: skills.map((s) => s.id), calendars: calendars.map((c) => c.id) };
    drawList(queues);
    return queues;
  }

  function drawList(queues) {
    const table = el("table", { class: "data", id: "queue-list" },
      el("caption", { class: "visually-hidden" }, "Queues"),
      el("thead", {}, el("tr", {}, ["Queue", "Channel", "Strategy", "Skills", "Escalation",
        "Max wait", "SL target", ""].map((h) => el("th", { scope: "col" },
          h || el("span", { class: "visually-hidden" }, "Actions"))))),
      el("tbody", {}, queues.map((q) => el("tr", { dataset: { queue: q.id } },
        el("th", { scope: "row" }, q.id), el("td", {}, q.channel), el("td", {}, q.strategy),
        el("td", {}, q.required_skills.map((r) => `${r.skill} ≥ ${r.min_level}`).join(", ") || "–"),
        el("td", { class: "num" }, q.escalation.length ? `${q.escalation.length} steps` : "–"),
        el("td", { class: "num" }, q.max_wait === null ? "–" : `${q.max_wait} s`),
        el("td", { class: "num" }, `${q.service_level_threshold} s`),
        el("td", { class: "actions" },
          el("button", { type: "button", onclick: () => edit(q) }, `Edit ${q.id}`),
          el("button", { type: "button", class: "danger", onclick: (e) => remove(e.target, q) },
            `Delete ${q.id}`))))));
    listBox.replaceChildren(
      el("div", { class: "toolbar" },
        el("button", { type: "button", id: "new-queue", onclick: () => edit(null) }, "New queue")),
      queues.length ? el("div", { class: "table-wrap" }, table) : el("p", { class: "empty" }, "No queue yet."));
  }

  async function remove(button, q) {
    if (!window.confirm(`Delete queue ${q.id}?`)) return;
    await act(button, async () => {
      await api("DELETE", `/api/admin/queues/${encodeURIComponent(q.id)}`);
      status.textContent = `Queue ${q.id} deleted.`;
      editBox.hidden = true;
      await reload();
    });
  }

  function exitControls(form, name, value, legend) {
    const others = lookups.queues.map((q) => q.id);
    return el("fieldset", { name, class: "exit" }, el("legend", {}, legend),
      el("div", { class: "row" },
        field("Action", select(`${name}.kind`, EXITS, value.kind)),
        field("To queue", select(`${name}.queue_id`, [["", "–"], ...others], value.queue_id ?? ""),
          "only for “Another queue”")));
  }

  function edit(queue) {
    const creating = queue === null;
    const q = queue ?? blankQueue();
    const form = el("form", { class: "edit", id: "queue-form", novalidate: true });
    const skillsList = listEditor(form, {
      legend: "Required skills", name: "required_skills", items: q.required_skills,
      addText: "Add a skill", blank: () => ({ skill: "", min_level: 1 }),
      hint: "An agent needs every skill at this level or better (1..10).",
      row: (r, i) => [
        field("Skill", text(`required_skills.${i}.skill`, r.skill, { list: "skill-names" })),
        field("Minimum level", number(`required_skills.${i}.min_level`, r.min_level, { min: 1, max: 10, step: 1 }))],
      read: (f, i) => ({ skill: valueOf(f, `required_skills.${i}.skill`),
        min_level: valueOf(f, `required_skills.${i}.min_level`, { asNumber: true }) }),
    });
    const stepsList = listEditor(form, {
      legend: "Escalation steps", name: "escalation", items: q.escalation, ordered: true,
      addText: "Add a step", blank: () => ({ after: null, relax_levels: 0, max_tier: null, overflow_to: [] }),
      hint: "After a call waited this long: lower the required levels, admit agents of higher "
        + "tiers, let other queues' agents take it. Steps run in increasing time.",
      row: (s, i) => [
        field("After (seconds)", number(`escalation.${i}.after`, s.after, { min: 0 })),
        field("Relax levels by", number(`escalation.${i}.relax_levels`, s.relax_levels, { min: 0, step: 1 })),
        field("Widen to tier", number(`escalation.${i}.max_tier`, s.max_tier, { min: 1, step: 1, placeholder: "all" })),
        field("Overflow to queues", el("select", { name: `escalation.${i}.overflow_to`, multiple: true, size: 3 },
          lookups.queues.map((o) => o.id).filter((id) => id !== q.id || creating)
            .map((id) => el("option", { value: id, selected: s.overflow_to.includes(id) }, id))))],
      read: (f, i) => ({ after: valueOf(f, `escalation.${i}.after`, { asNumber: true }),
        relax_levels: valueOf(f, `escalation.${i}.relax_levels`, { asNumber: true }) ?? 0,
        max_tier: valueOf(f, `escalation.${i}.max_tier`, { asNumber: true }),
        overflow_to: valueOf(f, `escalation.${i}.overflow_to`) }),
    });
    const errorBox = el("p", { class: "form-error", role: "alert", hidden: true });
    form.append(
      el("h3", {}, creating ? "New queue" : `Queue ${q.id}`),
      errorBox,
      el("datalist", { id: "skill-names" }, lookups.skills.map((s) => el("option", { value: s }))),
      el("div", { class: "row" },
        creating ? field("Queue id", text("id", "", { required: true, autocomplete: "off" })) : null,
        field("Channel", select("channel", CHANNELS, q.channel)),
        field("Strategy", select("strategy", STRATEGIES, q.strategy))),
      skillsList.node,
      el("fieldset", { name: "tiers" }, el("legend", {}, "Tiers"),
        field("Offer first to tiers up to", number("initial_max_tier", q.initial_max_tier, { min: 1, step: 1, placeholder: "all" }),
          "Empty: every tier at once. Escalation steps widen it.")),
      stepsList.node,
      el("fieldset", {}, el("legend", {}, "Service and priority"),
        el("div", { class: "row" },
          field("Service level target (s)", number("service_level_threshold", q.service_level_threshold, { min: 0 })),
          field("Short abandon (s)", number("short_abandon", q.short_abandon, { min: 0 }),
            "Abandons before this do not count against the service level."),
          field("Priority aging (per s)", number("aging_rate", q.aging_rate, { min: 0 }),
            "Priority a waiting call gains per second."))),
      el("fieldset", {}, el("legend", {}, "Waiting"),
        el("div", { class: "row" },
          field("Max wait (s)", number("max_wait", q.max_wait, { min: 0, placeholder: "none" }),
            "Empty: a call waits until answered or abandoned."),
          field("Max calls waiting", number("max_length", q.max_length, { min: 0, step: 1, placeholder: "no limit" }))),
        exitControls(form, "timeout_action", q.timeout_action, "When the max wait is reached"),
        exitControls(form, "full_action", q.full_action, "When the queue is full")),
      el("fieldset", {}, el("legend", {}, "Admission"),
        el("label", { class: "check" }, checkbox("reject_when_no_agents", q.reject_when_no_agents),
          " Turn calls away when no agent is logged in"),
        exitControls(form, "no_agents_action", q.no_agents_action, "When no agent is logged in"),
        field("Calendar", select("calendar_id", [["", "Always open"], ...lookups.calendars], q.calendar_id ?? "")),
        exitControls(form, "closed_action", q.closed_action, "When the calendar is closed")),
      el("fieldset", {}, el("legend", {}, "Offers and wrap-up"),
        el("div", { class: "row" },
          field("Offer timeout (s)", number("offer_timeout", q.offer_timeout, { min: 0 })),
          field("Retry after (s)", number("retry_after", q.retry_after, { min: 0 }),
            "Wait before offering to the same agent again."),
          field("Wrap-up (s)", number("wrap_up", q.wrap_up, { min: 0 })),
          field("Default handle time (s)", number("default_handle_time", q.default_handle_time, { min: 0 }),
            "Used for expected-wait estimates until calls are measured.")),
        el("label", { class: "check" }, checkbox("require_disposition", q.require_disposition),
          " Agents must choose a disposition code at wrap-up")),
      el("div", { class: "actions" },
        el("button", { type: "submit", class: "primary" }, creating ? "Create queue" : "Save queue"),
        el("button", { type: "button", onclick: () => { editBox.hidden = true; } }, "Cancel")));

    const exitOf = (name) => {
      const kind = valueOf(form, `${name}.kind`);
      const target = valueOf(form, `${name}.queue_id`);
      return { kind, queue_id: target === "" ? null : target };
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFormErrors(form);
      const settings = {
        strategy: valueOf(form, "strategy"), channel: valueOf(form, "channel"),
        required_skills: skillsList.items(),
        initial_max_tier: valueOf(form, "initial_max_tier", { asNumber: true }),
        escalation: stepsList.items(),
        max_length: valueOf(form, "max_length", { asNumber: true }),
        max_wait: valueOf(form, "max_wait", { asNumber: true }),
        timeout_action: exitOf("timeout_action"), full_action: exitOf("full_action"),
        reject_when_no_agents: valueOf(form, "reject_when_no_agents"),
        no_agents_action: exitOf("no_agents_action"),
        calendar_id: valueOf(form, "calendar_id") || null,
        closed_action: exitOf("closed_action"),
        require_disposition: valueOf(form, "require_disposition"),
      };
      for (const key of ["wrap_up", "offer_timeout", "retry_after", "aging_rate",
        "service_level_threshold", "short_abandon", "default_handle_time"]) {
        settings[key] = valueOf(form, key, { asNumber: true });
      }
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      try {
        const saved = creating
          ? await api("POST", "/api/admin/queues", { id: valueOf(form, "id"), ...settings })
          : await api("PUT", `/api/admin/queues/${encodeURIComponent(q.id)}`, settings);
        status.textContent = `Queue ${saved.id} ${creating ? "created" : "saved"}: it routes calls now.`;
        editBox.hidden = true;
        await reload();
        listBox.querySelector(`tr[data-queue="${CSS.escape(saved.id)}"] button`)?.focus();
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
