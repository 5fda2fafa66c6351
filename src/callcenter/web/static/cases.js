// Cases: /cases (staff). The list with filters by status, type, assignee and breach;
// a case's detail (?id=N) with its targets, timeline, notes, links, status changes and
// assignment. Reads GET /api/cases, /api/cases/{id}, /api/case-types; changes through
// the case routes (api.md, "Cases").
import {
  ApiError, act, api, clearFormErrors, el, label, showError, showFormErrors,
} from "./common.js";
import { startPage } from "./nav.js";

const STATUSES = ["new", "open", "pending", "resolved", "closed"];
const enc = encodeURIComponent;
const when = (at) => (at === null || at === undefined ? "–"
  : new Date(at * 1000).toISOString().replace("T", " ").slice(0, 16));

/** A labelled control: <label>Text <control></label>. */
function field(text, control) {
  return el("label", { class: "field" }, `${text} `, control);
}

function select(name, options, value = "") {
  return el("select", { name }, options.map(([v, t]) =>
    el("option", { value: v, selected: v === value ? true : null }, t)));
}

/** A target's state as a badge: running, warning, breached, met, missed. */
function badge(target) {
  if (!target) return "–";
  return el("span", { class: `sla sla-${target.state}` },
            `${label(target.state)} · due ${when(target.due)}`);
}

async function showList(app, types) {
  const params = new URLSearchParams(window.location.search);
  const form = el("form", { class: "filters", "aria-label": "Filter cases" },
    field("Status", select("status", [["", "any"], ...STATUSES.map((s) => [s, s])],
                           params.get("status") || "")),
    field("Type", select("type_id", [["", "any"], ...types.types.map((t) => [t.id, t.label || t.id])],
                         params.get("type_id") || "")),
    field("Agent", el("input", { name: "agent", value: params.get("agent") || "", size: 10 })),
    field("Team", el("input", { name: "team", value: params.get("team") || "", size: 10 })),
    field("Breached only", el("input", { type: "checkbox", name: "breached",
                                         checked: params.get("breached") === "true" })),
    el("button", { type: "submit" }, "Filter"));
  const table = el("table", {},
    el("caption", {}, "Cases, newest first"),
    el("thead", {}, el("tr", {}, ["Case", "Subject", "Type", "Priority", "Status", "Assignee",
                                  "First response", "Resolution"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", { id: "case-rows" }));
  const status = el("p", { class: "case-count", role: "status", "aria-live": "polite" });
  app.replaceChildren(el("div", { class: "cases-page" },
    el("h2", {}, "Cases"), form, status,
    el("div", { class: "scroll", role: "region", tabindex: "0", "aria-label": "Cases" }, table)));

  async function load() {
    const data = new FormData(form);
    const q = new URLSearchParams();
    for (const key of ["status", "type_id", "agent", "team"]) {
      if (data.get(key)) q.set(key, data.get(key));
    }
    if (data.get("breached")) q.set("breached", "true");
    history.replaceState(null, "", `/cases${q.toString() ? `?${q}` : ""}`);
    const rows = await api("GET", `/api/cases?${q}`);
    document.getElementById("case-rows").replaceChildren(...rows.map((c) => el("tr", {},
      el("td", {}, el("a", { href: `/cases?id=${c.id}` }, `#${c.id}`)),
      el("td", {}, c.subject), el("td", {}, c.type_id + (c.category_id ? ` / ${c.category_id}` : "")),
      el("td", {}, c.priority), el("td", {}, c.status),
      el("td", {}, [c.agent_id, c.team].filter(Boolean).join(" · ") || "–"),
      el("td", {}, badge(c.first_response)), el("td", {}, badge(c.resolution)))));
    status.textContent = `${rows.length} case${rows.length === 1 ? "" : "s"}`;
  }
  form.addEventListener("submit", (e) => { e.preventDefault(); act(null, load); });
  await load();
}

async function showCase(app, id) {
  const c = await api("GET", `/api/cases/${enc(id)}`);
  const live = el("p", { class: "case-count", role: "status", "aria-live": "polite" });

  async function change(button, method, path, body, done) {
    await act(button, async () => {
      await api(method, path, body);
      if (done) done();
      live.textContent = "Saved.";
      await showCase(app, id);
    });
  }

  const actions = el("div", { class: "actions", role: "group", "aria-label": "Status" },
    c.actions.map((a) => el("button", { type: "button", onclick: (e) =>
      change(e.target, "POST", `/api/cases/${c.id}/actions`, { action: a }) }, label(a))));

  const note = el("form", { class: "note-form", "aria-label": "Add a note" },
    field("Note", el("textarea", { name: "body", rows: 3, required: true, maxlength: 10000 })),
    field("Visible to", select("visibility", [["internal", "staff only"], ["customer", "the customer"]])),
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("button", { type: "submit" }, "Add note"));
  note.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(note);
    const data = new FormData(note);
    try {
      await api("POST", `/api/cases/${c.id}/notes`,
                { body: data.get("body"), visibility: data.get("visibility") });
      await showCase(app, id);
    } catch (err) { showFormErrors(note, err); }
  });

  const assign = el("form", { class: "assign-form", "aria-label": "Assign" },
    field("Agent", el("input", { name: "agent_id", value: c.agent_id || "", size: 10 })),
    field("Team", el("input", { name: "team", value: c.team || "", size: 10 })),
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("button", { type: "submit" }, "Assign"));
  assign.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(assign);
    const data = new FormData(assign);
    try {
      await api("PUT", `/api/cases/${c.id}/assignee`,
                { agent_id: data.get("agent_id") || null, team: data.get("team") || null });
      await showCase(app, id);
    } catch (err) { showFormErrors(assign, err); }
  });

  const link = el("form", { class: "link-form", "aria-label": "Link an interaction" },
    field("Interaction id", el("input", { name: "interaction_id", required: true, size: 14 })),
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("button", { type: "submit" }, "Link"));
  link.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(link);
    try {
      await api("POST", `/api/cases/${c.id}/links`,
                { interaction_id: new FormData(link).get("interaction_id") });
      await showCase(app, id);
    } catch (err) { showFormErrors(link, err); }
  });

  const timeline = el("ol", { class: "timeline" }, c.timeline.map((t) => el("li", {},
    el("time", {}, when(t.at)), " ", el("strong", {}, label(t.kind)),
    t.visibility ? el("span", { class: `vis vis-${t.visibility}` }, ` (${t.visibility === "customer" ? "customer-visible" : "internal"})`) : null,
    ` · ${t.actor}: `,
    t.kind === "link" ? el("a", { href: `/reports/interactions/${enc(t.detail)}` }, t.detail) : t.detail)));

  app.replaceChildren(el("div", { class: "cases-page" },
    el("p", {}, el("a", { href: "/cases" }, "← All cases")),
    el("h2", {}, `Case #${c.id}: ${c.subject}`),
    el("dl", { class: "case-facts" },
      ...[["Type", c.type_id + (c.category_id ? ` / ${c.category_id}` : "")],
          ["Priority", c.priority], ["Status", c.status],
          ["Customer", c.customer_id === null ? "–" : `#${c.customer_id}`],
          ["Assignee", [c.agent_id, c.team].filter(Boolean).join(" · ") || "–"],
          ["Created", `${when(c.created_at)} by ${c.created_by}`]]
        .flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]),
      el("dt", {}, "First response"), el("dd", {}, badge(c.first_response)),
      el("dt", {}, "Resolution"), el("dd", {}, badge(c.resolution))),
    c.description ? el("p", { class: "description" }, c.description) : "",
    live, actions,
    el("h3", {}, "Timeline"), timeline,
    el("div", { class: "case-forms" }, note, assign, link)));
}

async function main() {
  await startPage();
  const app = document.getElementById("app");
  try {
    const id = new URLSearchParams(window.location.search).get("id");
    if (id) await showCase(app, id);
    else await showList(app, await api("GET", "/api/case-types"));
  } catch (err) {
    showError(err instanceof ApiError ? err.message : String(err));
  }
}

main();
