// Reports: /reports, /reports/{queues,agents,campaigns,csat,interactions,fcr} and one interaction's
// detail /reports/interactions/{id}. The filters live in the address's query string, so a
// drill-down is a link and the back button returns to the figure it came from.
import {
  api, ApiError, clockTime, download, duration, el, label, showError, clearError, LiveSocket,
} from "./common.js";
import { chart, STATE_COLOURS } from "./charts.js";
import { startPage } from "./nav.js";

export const SECTIONS = [
  ["queues", "Queues"], ["agents", "Agents"], ["campaigns", "Campaigns"],
  ["csat", "Satisfaction"], ["interactions", "Interactions"],
  ["fcr", "First-contact resolution"],
];
const PAGE = 50;
const OUTCOMES = ["completed", "abandoned", "lost", "timed_out", "rejected"];

// ---------------------------------------------------------------- helpers

/** A filter value of the address (or ""). */
function param(name) {
  return new URLSearchParams(window.location.search).get(name) || "";
}

/** Unix seconds as the value of a datetime-local control (the browser's zone). */
function localValue(at) {
  const d = new Date(at * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (or an ISO time) as ISO 8601 in UTC. */
function isoOf(value) {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** Unix seconds as a date and time for people. */
function when(at) {
  if (at === null || at === undefined) return "–";
  return new Date(at * 1000).toLocaleString([], { dateStyle: "short", timeStyle: "medium" });
}

function pct(x) {
  return x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)} %`;
}

function secs(x) {
  return x === null || x === undefined ? "–" : duration(x);
}

/** A query string from `params`, empty values left out. */
function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== "" && v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** The text of a GET (the reports' CSV), or an ApiError. */
async function fetchText(path) {
  const r = await fetch(path, { credentials: "same-origin" });
  const text = await r.text();
  if (!r.ok) {
    let detail = null;
    try { detail = JSON.parse(text).detail; } catch { detail = null; }
    throw new ApiError(r.status, typeof detail === "string" ? detail : `request failed (HTTP ${r.status})`, detail);
  }
  return text;
}

/** CSV text from a header and rows (quoted where needed; null is empty). */
export function toCsv(header, rows) {
  const cell = (v) => {
    if (v === null || v === undefined) return "";
    const s = typeof v === "object" ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

/** A table: `columns` [{key, title, num, cell(row) -> node|text}]. */
function table(caption, columns, rows, empty = "Nothing in this range.") {
  const head = el("tr", {}, columns.map((c) => el("th", { scope: "col", class: c.num ? "num" : null }, c.title)));
  const body = rows.length
    ? rows.map((row) => el("tr", {}, columns.map((c) => el("td", { class: c.num ? "num" : null },
      c.cell ? c.cell(row) : row[c.key]))))
    : [el("tr", {}, el("td", { colspan: columns.length, class: "empty" }, empty))];
  // Focusable and named, so that a keyboard can scroll a table wider than the screen.
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    el("table", { class: "data" }, el("caption", {}, caption), el("thead", {}, head), el("tbody", {}, body)));
}

/** A link to the interaction list behind a figure (the count as its text). */
function drill(count, filters, what) {
  if (!count) return String(count);
  return el("a", { href: `/reports/interactions${query(filters)}`, class: "drill",
                   "aria-label": `${count} ${what}: list them` }, String(count));
}

function chartBox(name, draw) {
  const canvas = el("canvas", { role: "img", "aria-label": name });
  const box = el("div", { class: "chart-box" }, canvas);
  return { box, draw: () => draw(canvas) };
}

function exportButton(text, action) {
  const b = el("button", { type: "button", class: "export" }, text);
  b.addEventListener("click", async () => {
    b.disabled = true;
    try { clearError(); await action(); } catch (err) { showError(err.message || String(err)); }
    finally { b.disabled = false; }
  });
  return b;
}

// ---------------------------------------------------------------- filters

/** The filter form: date range, interval, queue, team, agent, campaign (per section). */
async function filterForm(section, ctx) {
  const { engineNow } = ctx;
  const dayStart = new Date(engineNow * 1000);
  dayStart.setHours(0, 0, 0, 0);
  const defSince = localValue(dayStart.getTime() / 1000);
  const defUntil = localValue(dayStart.getTime() / 1000 + 86400);
  const field = (text, control) => {
    control.id = `filter-${control.name}`;
    return el("div", { class: "field" }, el("label", { for: control.id }, text), control);
  };
  const sel = (name, items, chosen, none = "All") => el("select", { name },
    el("option", { value: "" }, none),
    items.map(([v, t]) => el("option", { value: v, selected: v === chosen }, t)));
  const since = el("input", { type: "datetime-local", name: "since", required: true,
                              value: param("since") ? localValue(Date.parse(param("since")) / 1000) : defSince });
  const until = el("input", { type: "datetime-local", name: "until", required: true,
                              value: param("until") ? localValue(Date.parse(param("until")) / 1000) : defUntil });
  const controls = [field("From", since), field("Until", until)];
  if (section === "queues" || section === "agents") {
    controls.push(field("Interval", el("select", { name: "interval" },
      ["15", "30", "60"].map((v) => el("option", { value: v, selected: v === (param("interval") || "60") }, `${v} min`)))));
  }
  if (section === "queues" || section === "interactions" || section === "csat") {
    controls.push(field("Queue", sel("queue", ctx.queues.map((q) => [q, q]), param("queue"))));
  }
  if (section === "csat") {
    controls.push(field("Agent", sel("agent", ctx.agents.map((a) => [a, a]), param("agent"))));
  }
  if (section === "agents" || section === "interactions") {
    controls.push(field("Team", sel("team", ctx.teams.map((t) => [t.name, t.name]), param("team"))));
    controls.push(field("Agent", sel("agent", ctx.agents.map((a) => [a, a]), param("agent"))));
  }
  if (section === "interactions") {
    controls.push(field("Outcome", sel("outcome", OUTCOMES.map((o) => [o, label(o)]), param("outcome"))));
    controls.push(field("Caller number", el("input", { name: "number", value: param("number"), size: 14 })));
  }
  if (section === "fcr") {
    controls.push(field("By", el("select", { name: "by" },
      [["queue", "Queue"], ["agent", "Agent"], ["category", "Case category"]].map(([v, t]) =>
        el("option", { value: v, selected: v === (param("by") || "queue") }, t)))));
    controls.push(field("Window (days)", el("input", { type: "number", name: "window_days", min: 1,
      max: 90, step: 1, value: param("window_days") || "7" })));
  }
  if (section === "campaigns") {
    controls.push(field("Campaign", sel("campaign", ctx.campaigns.map((c) => [c, c]), param("campaign"))));
  }
  const form = el("form", { class: "toolbar report-filters", "aria-label": "Filters" }, controls,
    el("button", { type: "submit", class: "primary" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const values = {};
    for (const [k, v] of data.entries()) values[k] = (k === "since" || k === "until") && v ? isoOf(v) : v;
    window.history.pushState(null, "", `${window.location.pathname}${query(values)}`);
    ctx.refresh();
  });
  return form;
}

/** The current filters (since/until as ISO in UTC), with defaults from the form. */
function filters(form) {
  const data = new FormData(form);
  const out = {};
  for (const [k, v] of data.entries()) out[k] = (k === "since" || k === "until") && v ? isoOf(v) : v;
  return out;
}

/** The agents a filter means: one agent, a team's, or null (every agent in scope). */
function agentSet(f, ctx) {
  if (f.agent) return new Set([f.agent]);
  if (f.team) {
    const team = ctx.teams.find((t) => t.name === f.team);
    return new Set(team ? team.agents : []);
  }
  return null;
}

// ---------------------------------------------------------------- first-contact resolution

/** FCR and repeat contacts by queue, agent or case category (metrics.md): a contact is an
 * interaction linked to a case; repeated when the same customer contacts again within
 * the window about the same case or category. */
async function fcr(body, f) {
  const by = f.by || "queue";
  const rows = await api("GET", `/api/reports/fcr${query({ since: f.since, until: f.until, by,
                                                           window_days: f.window_days || 7 })}`);
  const what = { queue: "Queue", agent: "Agent", category: "Category" }[by];
  body.append(
    el("p", { class: "hint" }, "A contact is a call linked to a case. It is repeated when the " +
      "same customer contacts again within the window about the same case or category; FCR " +
      "is the share of contacts not repeated."),
    table(`First-contact resolution by ${what.toLowerCase()}`, [
      { key: "key", title: what },
      { key: "contacts", title: "Contacts", num: true },
      { key: "repeated", title: "Repeated", num: true },
      { title: "FCR", num: true, cell: (r) => pct(r.fcr === null ? null : r.fcr / 100) },
    ], rows, "No contacts about cases in this range."));
}

// ---------------------------------------------------------------- queues

async function queues(body, f, ctx) {
  const range = { since: f.since, until: f.until };
  const q = query({ ...range, interval: f.interval || 60, queue: f.queue });
  const rows = await api("GET", `/api/reports/queues${q}`);
  const byQueue = new Map();
  for (const r of rows) {
    const t = byQueue.get(r.queue_id) || { queue_id: r.queue_id, offered: 0, handled: 0, abandoned: 0 };
    t.offered += r.offered; t.handled += r.handled; t.abandoned += r.abandoned;
    byQueue.set(r.queue_id, t);
  }
  const totals = [...byQueue.values()].filter((t) => t.offered || f.queue);
  const busy = rows.filter((r) => r.offered > 0);
  const starts = [...new Set(rows.map((r) => r.start))].sort((a, b) => a - b);
  const sum = (key) => starts.map((s) => rows.filter((r) => r.start === s).reduce((n, r) => n + r[key], 0));
  const c = chartBox("Offered, handled and abandoned interactions per interval", (canvas) => chart(canvas, {
    labels: starts.map((s) => clockTime(s)), yTitle: "interactions",
    series: [{ label: "Handled", data: sum("handled"), colour: STATE_COLOURS.available },
             { label: "Abandoned", data: sum("abandoned"), colour: STATE_COLOURS.busy }],
    stacked: true,
  }));
  const totalTable = table("Per queue over the range", [
    { key: "queue_id", title: "Queue" },
    { title: "Offered", num: true, cell: (t) => drill(t.offered, { ...range, queue: t.queue_id }, `offered at ${t.queue_id}`) },
    { title: "Handled", num: true, cell: (t) => drill(t.handled, { ...range, queue: t.queue_id, outcome: "completed" }, `handled at ${t.queue_id}`) },
    { title: "Abandoned", num: true, cell: (t) => drill(t.abandoned, { ...range, queue: t.queue_id, outcome: "abandoned" }, `abandoned at ${t.queue_id}`) },
  ], totals);
  const intervalTable = table("Intervals with interactions (the CSV holds every interval)", [
    { key: "queue_id", title: "Queue" },
    { title: "From", cell: (r) => when(r.start) },
    { title: "Offered", num: true, cell: (r) => drill(r.offered, { since: isoFromEpoch(r.start), until: isoFromEpoch(r.end), queue: r.queue_id }, `offered at ${r.queue_id}`) },
    { title: "Handled", num: true, cell: (r) => drill(r.handled, { since: isoFromEpoch(r.start), until: isoFromEpoch(r.end), queue: r.queue_id, outcome: "completed" }, `handled at ${r.queue_id}`) },
    { title: "Abandoned", num: true, cell: (r) => drill(r.abandoned, { since: isoFromEpoch(r.start), until: isoFromEpoch(r.end), queue: r.queue_id, outcome: "abandoned" }, `abandoned at ${r.queue_id}`) },
    { title: "SL", num: true, cell: (r) => pct(r.service_level) },
    { title: "SL2", num: true, cell: (r) => pct(r.service_level_asterisk) },
    { title: "ASA", num: true, cell: (r) => secs(r.asa) },
    { title: "AHT", num: true, cell: (r) => secs(r.aht) },
    { title: "Abandon rate", num: true, cell: (r) => pct(r.abandon_rate) },
  ], busy);
  body.append(
    el("section", { class: "panel" }, el("h3", {}, "Queues"),
      el("div", { class: "toolbar" }, exportButton("Export queue CSV", async () =>
        download("queue-report.csv", await fetchText(`/api/reports/queues${q}&format=csv`)))),
      c.box, totalTable, intervalTable),
  );
  c.draw();
}

function isoFromEpoch(at) {
  return new Date(at * 1000).toISOString();
}

// ---------------------------------------------------------------- agents

const STATE_COLUMNS = [["login", "Logged in"], ["ready", "Ready"], ["ringing", "Ringing"], ["talk", "Talk"],
                       ["hold", "Hold"], ["wrap_up", "Wrap-up"], ["paused", "Paused"]];

async function agents(body, f, ctx) {
  const range = { since: f.since, until: f.until };
  const q = query({ ...range, interval: f.interval || 60, agent: f.agent });
  const sq = query({ ...range, agent: f.agent });
  const [intervals, states] = await Promise.all([
    api("GET", `/api/reports/agents${q}`), api("GET", `/api/reports/agent-states${sq}`)]);
  const only = agentSet(f, ctx);
  const keep = (id) => only === null || only.has(id);
  const per = new Map();
  for (const r of intervals.filter((x) => keep(x.agent_id))) {
    const t = per.get(r.agent_id) || { agent_id: r.agent_id, handled: 0, handle: 0 };
    t.handled += r.handled;
    t.handle += r.aht === null ? 0 : r.aht * r.handled;
    per.set(r.agent_id, t);
  }
  const handledRows = [...per.values()].map((t) => ({ ...t, aht: t.handled ? t.handle / t.handled : null }));
  const stateRows = states.filter((s) => keep(s.agent_id));
  const reasons = [...new Set(stateRows.flatMap((s) => Object.keys(s.pauses)))].sort();
  const c = chartBox("Time by state per agent, in minutes", (canvas) => chart(canvas, {
    labels: stateRows.map((s) => s.agent_id), stacked: true, yTitle: "minutes",
    series: [["ready", "available"], ["ringing", "reserved"], ["talk", "talk"], ["hold", "hold"],
             ["wrap_up", "wrap_up"], ["paused", "paused"]].map(([key, colour]) => ({
      label: label(key), colour: STATE_COLOURS[colour], data: stateRows.map((s) => +(s[key] / 60).toFixed(1)) })),
  }));
  const handledTable = table("Handled interactions and AHT per agent", [
    { key: "agent_id", title: "Agent" },
    { title: "Handled", num: true, cell: (t) => drill(t.handled, { ...range, agent: t.agent_id, outcome: "completed" }, `handled by ${t.agent_id}`) },
    { title: "AHT", num: true, cell: (t) => secs(t.aht) },
  ], handledRows);
  const stateTable = table("Time by state (h:mm:ss)", [
    { key: "agent_id", title: "Agent" },
    ...STATE_COLUMNS.map(([key, title]) => ({ title, num: true, cell: (s) => duration(s[key]) })),
  ], stateRows);
  const pauseTable = table("Paused time by reason (h:mm:ss)", [
    { key: "agent_id", title: "Agent" },
    ...reasons.map((r) => ({ title: r || "(no reason)", num: true, cell: (s) => duration(s.pauses[r] || 0) })),
  ], reasons.length ? stateRows : []);
  const intervalTable = table("Intervals (handled, AHT, occupancy)", [
    { key: "agent_id", title: "Agent" },
    { title: "From", cell: (r) => when(r.start) },
    { title: "Handled", num: true, cell: (r) => drill(r.handled, { since: isoFromEpoch(r.start), until: isoFromEpoch(r.end), agent: r.agent_id, outcome: "completed" }, `handled by ${r.agent_id}`) },
    { title: "AHT", num: true, cell: (r) => secs(r.aht) },
    { title: "Occupancy", num: true, cell: (r) => pct(r.occupancy) },
  ], intervals.filter((r) => keep(r.agent_id) && (r.handled || r.occupancy !== null)));
  const teamNote = f.team && !f.agent ? ` (team ${f.team})` : "";
  body.append(el("section", { class: "panel" }, el("h3", {}, `Agents${teamNote}`),
    el("div", { class: "toolbar" },
      exportButton("Export agent CSV", async () => download("agent-report.csv",
        keepCsv(await fetchText(`/api/reports/agents${q}&format=csv`), keep))),
      exportButton("Export state CSV", async () => download("agent-states.csv",
        keepCsv(await fetchText(`/api/reports/agent-states${sq}&format=csv`), keep)))),
    c.box, handledTable, stateTable, pauseTable, intervalTable));
  c.draw();
}

/** The server's CSV with only the lines of the agents kept (a team filter). */
function keepCsv(text, keep) {
  const [head, ...lines] = text.split("\n");
  return [head, ...lines.filter((l) => l && keep(l.split(",")[0]))].join("\n") + "\n";
}

// ---------------------------------------------------------------- campaigns

const CAMPAIGN_COLUMNS = [["leads", "Leads"], ["attempted", "Attempted"], ["contacted", "Contacted"],
  ["converted", "Converted"], ["converted_share", "Conversion"], ["attempts", "Attempts"], ["contacts", "Contacts"],
  ["drops", "Drops"], ["drop_rate_30d", "Drop rate 30 d"], ["outside_window", "Outside window"],
  ["dnc_blocked", "DNC blocked"], ["leads_over_cap", "Leads over cap"], ["info_late", "Info message late"]];

async function campaigns(body, f, ctx) {
  const names = f.campaign ? [f.campaign] : ctx.campaigns;
  const rows = await Promise.all(names.map(async (n) => {
    const path = `/api/campaigns/${encodeURIComponent(n)}`;
    const [compliance, penetration] = await Promise.all([
      api("GET", `${path}/compliance${query({ until: f.until })}`), api("GET", `${path}/penetration`)]);
    return { ...penetration, ...compliance };
  }));
  const c = chartBox("Attempts, contacts and drops per campaign", (canvas) => chart(canvas, {
    labels: rows.map((r) => r.campaign), yTitle: "calls",
    series: [{ label: "Attempts", data: rows.map((r) => r.attempts) },
             { label: "Contacts", data: rows.map((r) => r.contacts) },
             { label: "Drops", data: rows.map((r) => r.drops) }],
  }));
  const columns = [{ key: "campaign", title: "Campaign" },
    ...CAMPAIGN_COLUMNS.map(([key, title]) => ({ title, num: true,
      cell: (r) => (key.includes("rate") || key.endsWith("share") ? pct(r[key]) : r[key]) }))];
  const byDisposition = rows.flatMap((r) => r.dispositions.map((d) => ({ campaign: r.campaign, ...d })));
  const dispositionColumns = [["campaign", "Campaign"], ["code", "Code"], ["label", "Label"],
                              ["category", "Category"], ["leads", "Leads"], ["share", "Share"]];
  body.append(el("section", { class: "panel" }, el("h3", {}, "Campaigns"),
    el("p", { class: "hint" }, "Leads as they stand now; compliance figures up to the end of the range."),
    el("div", { class: "toolbar" },
      exportButton("Export campaign CSV", async () => download("campaign-report.csv",
        toCsv(["campaign", ...CAMPAIGN_COLUMNS.map(([k]) => k)], rows.map((r) => [r.campaign, ...CAMPAIGN_COLUMNS.map(([k]) => r[k])])))),
      exportButton("Export disposition CSV", async () => download("campaign-dispositions.csv",
        toCsv(dispositionColumns.map(([k]) => k), byDisposition.map((d) => dispositionColumns.map(([k]) => d[k])))))),
    c.box, table("Per campaign", columns, rows, "No campaign."),
    table("Leads by last disposition", dispositionColumns.map(([key, title]) => ({
      title, num: key === "leads" || key === "share", cell: (d) => (key === "share" ? pct(d.share) : d[key]) })),
    byDisposition, "No disposition.")));
  c.draw();
}

// ---------------------------------------------------------------- satisfaction (CSAT)

function mean(x) {
  return x === null || x === undefined ? "–" : x.toFixed(2);
}

/** The columns of a CSAT table; `first` names its rows. */
function csatColumns(first) {
  return [first,
    { key: "offered", title: "Offered", num: true },
    { key: "answered", title: "Answered", num: true },
    { title: "Response rate", num: true, cell: (r) => pct(r.response_rate) },
    { title: "CSAT (4–5)", num: true, cell: (r) => pct(r.csat) },
    { title: "Mean rating", num: true, cell: (r) => mean(r.mean) },
    ...[1, 2, 3, 4, 5].map((n) => ({ key: `rating_${n}`, title: `Rated ${n}`, num: true })),
    { key: "comments", title: "Voice comments", num: true }];
}

async function csat(body, f) {
  const base = { since: f.since, until: f.until, queue: f.queue, agent: f.agent };
  const [days, perQueue, perAgent] = await Promise.all(["day", "queue", "agent"].map(
    (group) => api("GET", `/api/reports/csat${query({ ...base, group })}`)));
  const dayName = (r) => new Date(r.start * 1000).toLocaleDateString([], { dateStyle: "medium" });
  const c = chartBox("Surveys answered and not answered per day, and CSAT in percent", (canvas) => chart(canvas, {
    labels: days.map(dayName), yTitle: "surveys", y2Title: "CSAT %", percent2: true, stacked: true,
    series: [{ label: "Answered", data: days.map((r) => r.answered), stack: "s", colour: STATE_COLOURS.available },
             { label: "Not answered", data: days.map((r) => r.offered - r.answered), stack: "s", colour: STATE_COLOURS.paused },
             { label: "CSAT %", type: "line", axis: 2, colour: STATE_COLOURS.login,
               data: days.map((r) => (r.csat === null ? null : Math.round(r.csat * 1000) / 10)) }],
  }));
  body.append(el("section", { class: "panel" }, el("h3", {}, "Satisfaction after the call"),
    el("p", { class: "hint" }, "Callers rate the call 1 to 5 after the agent hangs up. CSAT is the share of 4 and 5 among the surveys answered; the response rate is answered / offered."),
    el("div", { class: "toolbar" },
      exportButton("Export CSAT CSV per queue", async () => download("csat-queues.csv",
        await fetchText(`/api/reports/csat${query({ ...base, group: "queue", format: "csv" })}`))),
      exportButton("Export CSAT CSV per agent", async () => download("csat-agents.csv",
        await fetchText(`/api/reports/csat${query({ ...base, group: "agent", format: "csv" })}`)))),
    c.box,
    table("CSAT per queue", csatColumns({ key: "key", title: "Queue" }), perQueue, "No survey in this range."),
    table("CSAT per agent", csatColumns({ title: "Agent", cell: (r) => r.key || "(none)" }), perAgent, "No survey in this range."),
    table("CSAT per day", csatColumns({ title: "Day", cell: dayName }), days)));
  c.draw();
}

// ---------------------------------------------------------------- interactions

const INTERACTION_COLUMNS = ["interaction_id", "channel", "queue_id", "first_queue_id", "priority",
  "arrived_at", "answered_at", "ended_at", "completed_at", "outcome", "agent_id", "exit_reason",
  "exit_action", "offers", "transfers", "callback", "disposition", "first_offered_at",
  "talk_seconds", "wrap_seconds", "hold_seconds", "notes", "caller_number", "state", "open"];

function interactionQuery(f, extra) {
  return query({ since: f.since, until: f.until, queue: f.queue, agent: f.agent, team: f.team,
                 outcome: f.outcome, number: f.number, ...extra });
}

async function interactions(body, f, ctx) {
  const offset = Number(param("offset")) || 0;
  const page = await api("GET", `/api/interactions${interactionQuery(f, { offset, limit: PAGE })}`);
  const items = page.items;
  const status = el("p", { class: "hint", role: "status", "aria-live": "polite", id: "list-status", tabindex: "-1" },
    page.total ? `${offset + 1}–${offset + page.items.length} of ${page.total}` : "No interaction matches.");
  const move = (to) => {
    const q = new URLSearchParams(window.location.search);
    q.set("offset", String(to));
    window.history.pushState(null, "", `${window.location.pathname}?${q}`);
    ctx.refresh().then(() => document.getElementById("list-status")?.focus());  // the page's buttons are new
  };
  const pager = el("div", { class: "toolbar pager" },
    el("button", { type: "button", disabled: offset === 0, onclick: () => move(Math.max(0, offset - PAGE)) }, "Previous"),
    el("button", { type: "button", disabled: offset + PAGE >= page.total, onclick: () => move(offset + PAGE) }, "Next"));
  const list = table("Interactions, newest first", [
    { title: "Interaction", cell: (i) => el("a", { href: `/reports/interactions/${encodeURIComponent(i.interaction_id)}` }, i.interaction_id) },
    { title: "Arrived", cell: (i) => when(i.arrived_at) },
    { key: "queue_id", title: "Queue" },
    { title: "Agent", cell: (i) => i.agent_id || "–" },
    { title: "Outcome", cell: (i) => label(i.outcome || i.state) },
    { title: "Caller", cell: (i) => i.caller_number || "–" },
    { title: "Talk", num: true, cell: (i) => duration(i.talk_seconds) },
    { title: "Disposition", cell: (i) => i.disposition || "–" },
  ], items, "No interaction matches.");
  body.append(el("section", { class: "panel" }, el("h3", {}, "Interactions"),
    el("div", { class: "toolbar" }, exportButton("Export interactions CSV", async () => {
      const all = [];
      for (let at = 0; ; at += 1000) {
        const p = await api("GET", `/api/interactions${interactionQuery(f, { offset: at, limit: 1000 })}`);
        all.push(...p.items);
        if (at + 1000 >= p.total) break;
      }
      const columns = all.length ? Object.keys(all[0]) : INTERACTION_COLUMNS;  // the API's fields, in its order
      download("interactions.csv", toCsv(columns, all.map((i) => columns.map((k) => i[k]))));
    })),
    status, list, pager));
}

// ---------------------------------------------------------------- one interaction

async function detail(body, id) {
  document.title = `callcenter · Interaction ${id}`;
  let d;
  try {
    d = await api("GET", `/api/interactions/${encodeURIComponent(id)}`);
  } catch (err) {
    body.append(el("section", { class: "panel" }, el("h3", {}, `Interaction ${id}`),
      el("p", { role: "alert" }, err.message)));
    return;
  }
  const i = d.interaction;
  const fact = (k, v) => [el("dt", {}, k), el("dd", {}, v === null || v === undefined || v === "" ? "–" : v)];
  const facts = el("dl", { class: "facts" },
    fact("Channel", i.channel), fact("Caller", i.caller_number), fact("Queue", i.first_queue_id === i.queue_id ? i.queue_id : `${i.first_queue_id} → ${i.queue_id}`),
    fact("Agent", i.agent_id), fact("Outcome", label(i.outcome || i.state)), fact("Disposition", i.disposition),
    fact("Offers", i.offers), fact("Transfers", i.transfers), fact("Talk", duration(i.talk_seconds)),
    fact("Hold", duration(i.hold_seconds)), fact("Wrap-up", duration(i.wrap_seconds)),
    fact("Exit", [i.exit_reason, i.exit_action].filter(Boolean).join(": ")));
  const timeline = el("ol", { class: "timeline", id: "timeline" }, d.timeline.map((s) =>
    el("li", { dataset: { step: s.step } }, el("span", { class: "at" }, s.at === null ? "" : when(s.at)),
      el("strong", {}, s.step), " ", s.detail)));
  const parts = [el("h3", {}, `Interaction ${i.interaction_id}`), facts,
    el("h4", {}, "Timeline"), timeline];
  if (i.notes) parts.push(el("h4", {}, "Notes"), el("p", { class: "notes", id: "notes" }, i.notes));
  parts.push(el("h4", {}, "IVR path"), d.ivr
    ? el("div", {}, el("p", {}, `Flow ${d.ivr.flow_id}, ${d.ivr.outcome}`),
      el("ol", { class: "ivr-path" }, d.ivr.path.map((n) => el("li", {}, n))))
    : el("p", { class: "hint" }, "No IVR run for this interaction."));
  parts.push(el("h4", {}, "Recordings"), d.recordings.length
    ? el("ul", { class: "recordings" }, d.recordings.map((r) => el("li", {},
      el("span", {}, `${r.kind}, ${duration(r.seconds)}`),
      el("audio", { controls: true, preload: "none", src: `/api/recordings/${r.id}/audio`,
                    "aria-label": `Recording ${r.id}` }))))
    : el("p", { class: "hint" }, "No recording."));
  body.append(el("section", { class: "panel interaction-detail" }, parts),
    el("p", {}, el("a", { href: "/reports/interactions", class: "back" }, "All interactions")));
}

// ---------------------------------------------------------------- page

async function main() {
  const me = await startPage();
  const parts = window.location.pathname.split("/");
  const section = parts[2] || "queues";
  const app = document.getElementById("app");
  const menu = el("nav", { class: "sections", "aria-label": "Reports" },
    el("ul", {}, SECTIONS.map(([key, text]) => el("li", {},
      el("a", { href: `/reports/${key}`, "aria-current": key === section ? "page" : null }, text)))));
  const body = el("div", { class: "section-body", id: "report" });
  app.replaceChildren(menu, body);
  if (section === "interactions" && parts[3]) {
    await detail(body, decodeURIComponent(parts[3]));
    return;
  }
  const known = SECTIONS.find(([key]) => key === section);
  if (!known) {
    body.append(el("p", {}, `There is no report “${section}”.`));
    return;
  }
  document.title = `callcenter · Reports · ${known[1]}`;
  const [snapshot, queueList, teams, agentList, campaignList] = await Promise.all([
    api("GET", "/api/supervisor/snapshot"), api("GET", "/api/queues"), api("GET", "/api/reports/teams"),
    api("GET", "/api/supervisor/agents"), api("GET", "/api/campaigns")]);
  const ctx = {
    me, engineNow: snapshot.at, teams,
    queues: queueList.map((q) => q.queue_id),
    agents: agentList.map((a) => a.agent_id).sort(),
    campaigns: campaignList.map((c) => c.name),
  };
  const form = await filterForm(section, ctx);
  const out = el("div", { class: "report-out", "aria-live": "polite", "aria-busy": "false" });
  body.append(form, out);
  ctx.refresh = async () => {
    out.setAttribute("aria-busy", "true");
    const f = filters(form);
    try {
      clearError();
      out.replaceChildren();
      await { queues, agents, campaigns, csat, interactions, fcr }[section](out, f, ctx);
    } catch (err) {
      showError(err.message || String(err));
    } finally {
      out.setAttribute("aria-busy", "false");
    }
  };
  window.addEventListener("popstate", () => window.location.reload());
  await ctx.refresh();
  follow(ctx, form, out);
}

/** Draw the report again when an interaction row or an agent-state span is stored, if
 * the range reaches the engine's now: at most every few seconds, and not while the
 * person is working inside the report (focus there) — then once it leaves. */
function follow(ctx, form, out) {
  let timer = null;
  let pending = false;
  const live = () => {
    const f = filters(form);
    return Date.parse(f.until) / 1000 > ctx.engineNow && Date.parse(f.since) / 1000 <= ctx.engineNow;
  };
  const run = () => {
    timer = null;
    if (out.contains(document.activeElement)) { pending = true; return; }
    pending = false;
    ctx.refresh();
  };
  out.addEventListener("focusout", () => { if (pending && !timer) timer = setTimeout(run, 500); });
  new LiveSocket((msg) => {
    if (typeof msg.at === "number") ctx.engineNow = msg.at;
    else if (typeof msg.time === "number") ctx.engineNow = msg.time;
    if (msg.type !== "RecordInteraction" && msg.type !== "RecordAgentSpan") return;
    if (!live() || timer) return;
    timer = setTimeout(run, 3000);
  }).start();
}

main().catch((err) => showError(err.message || String(err)));
