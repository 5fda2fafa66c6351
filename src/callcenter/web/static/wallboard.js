// The supervisor wallboard. /api/ws gives a Snapshot, then deltas; GET /api/supervisor/snapshot
// adds what the socket lacks (oldest waits, time in state, agents' teams and calls) and
// corrects the waiting counts. Today's and the current interval's figures come from
// GET /api/supervisor/figures (the stored interactions, so a reload shows the same
// numbers), fetched again when an interaction ends (throttled) and every 30 s.
import {
  ApiError, EngineClock, LiveSocket, act, api, clearFormErrors, clockTime, duration, el, label,
  showError, showFormErrors, wireLogout,
} from "./common.js";
import { chart } from "./charts.js";
import { drawNav } from "./nav.js";

const STATES = ["available", "reserved", "busy", "wrap_up", "paused", "logged_out"];
const WAITING = new Set(["queued", "callback_requested"]);
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const TV = new URLSearchParams(window.location.search).get("tv") === "1";
const LEVELS = ["service_level", "longest_wait", "waiting"];

const clock = new EngineClock();
const queues = new Map(); // queue_id -> {queue_id, channel, waiting, oldestArrival, agents}
const agents = new Map(); // agent_id -> {agent_id, state, reason, since, teams, queues, work}
const interactions = new Map(); // interaction_id -> {state, queue} (seen on this socket)
const listens = new Map(); // interaction_id -> listen_id (started from this page)
let figures = null; // the last GET /api/supervisor/figures
const shownLevels = new Map(); // queue_id -> "red" | "amber" | "" (as last drawn)
let refreshSeq = 0; // the last snapshot refresh started
let refreshTimer = null;
let figuresSeq = 0;
let figuresTimer = null;
let figuresLast = 0;
let intradayLast = -Infinity;
let sort = { key: "agent_id", dir: 1 };

function applySnapshot(message) {
  clock.sync(message.at, message.speed);
  interactions.clear();
  for (const q of message.queues) {
    const known = queues.get(q.queue_id) || { oldestArrival: null, agents: null };
    queues.set(q.queue_id, { ...known, ...q });
  }
  for (const id of [...queues.keys()]) {
    if (!message.queues.some((q) => q.queue_id === id)) queues.delete(id);
  }
  for (const a of message.agents) {
    const known = agents.get(a.agent_id);
    agents.set(a.agent_id, { teams: [], queues: [], work: [], ...known,
      agent_id: a.agent_id, state: a.state, reason: a.reason, since: known ? known.since : null });
  }
}

/** The supervisor snapshot: exact waiting counts, oldest waits, states since, the agents
 * this user supervises with their teams and calls. */
async function refresh() {
  // Only the refresh started last applies: an earlier one still in flight answers with
  // counts from before the deltas that started the later one, and would undo them.
  const seq = ++refreshSeq;
  let snap;
  try {
    snap = await api("GET", "/api/supervisor/snapshot");
  } catch (err) {
    if (seq === refreshSeq) showError(err.message);
    return;
  }
  if (seq !== refreshSeq) return;
  clock.sync(snap.at);
  for (const q of snap.queues) {
    const known = queues.get(q.queue_id) || {};
    queues.set(q.queue_id, {
      ...known, queue_id: q.queue_id, channel: q.channel, waiting: q.waiting, agents: q.agents,
      oldestArrival: q.oldest_wait === null ? null : snap.at - q.oldest_wait,
    });
  }
  const visible = new Set(snap.agents.map((a) => a.agent_id));
  for (const id of [...agents.keys()]) if (!visible.has(id)) agents.delete(id);
  for (const a of snap.agents) {
    const mine = agents.get(a.agent_id);
    // A delta newer than this snapshot wins for the state; the rest is the snapshot's.
    if (!mine || mine.since === null || a.since === null || a.since >= mine.since) {
      agents.set(a.agent_id, { ...a });
    } else {
      Object.assign(mine, { teams: a.teams, queues: a.queues, work: a.work });
    }
  }
  render();
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 250);
}

/** Today's and the current interval's figures, and the thresholds, from the server. */
async function loadFigures() {
  const seq = ++figuresSeq;
  figuresLast = performance.now();
  let body;
  try {
    body = await api("GET", `/api/supervisor/figures?tz=${encodeURIComponent(TZ)}`);
  } catch (err) {
    if (seq === figuresSeq) showError(err.message);
    return;
  }
  if (seq !== figuresSeq) return;
  figures = body;
  clock.sync(body.at);
  fillThresholdForm(false);
  render();
  if (performance.now() - intradayLast > 15000) loadIntraday();
}

/** Figures again: at once when the last fetch is a while ago, else once 2 s after it. */
function figuresSoon() {
  if (figuresTimer !== null) return;
  const wait = Math.max(300, 2000 - (performance.now() - figuresLast));
  figuresTimer = setTimeout(() => { figuresTimer = null; loadFigures(); }, wait);
}

function onInteraction(m) {
  const before = interactions.get(m.interaction_id);
  if (before && WAITING.has(before.state)) {
    const q = queues.get(before.queue);
    if (q) q.waiting = Math.max(0, q.waiting - 1);
  }
  if (WAITING.has(m.state)) {
    const q = queues.get(m.queue_id);
    if (q) {
      q.waiting += 1;
      if (q.oldestArrival === null) q.oldestArrival = m.at;
    }
  }
  interactions.set(m.interaction_id, { state: m.state, queue: m.queue_id });
  refreshSoon(); // exact counts and oldest waits (interactions older than this socket)
}

/** The server's health: while changes wait for the database, a banner says so. */
function showHealth(h) {
  const banner = document.getElementById("degraded");
  if (!h || !h.degraded) {
    banner.hidden = true;
    return;
  }
  banner.textContent = "Degraded: the database is not taking writes. The changes of " +
    "calls in progress are kept and retried; new calls and agent actions are refused " +
    "until they are stored.";
  banner.hidden = false;
}

function onMessage(m) {
  switch (m.type) {
    case "Snapshot":
      applySnapshot(m);
      showHealth(m.health);
      loadCaseAlerts();
      refresh();
      loadFigures();
      break;
    case "Health":
      showHealth(m);
      return;
    case "CaseAlert":
      showCaseAlert(m.case_id, m.target, m.level, m.subject, m.priority, m.due);
      return;
    case "AgentStateChanged": {
      clock.sync(m.at);
      const a = agents.get(m.agent_id);
      if (a) Object.assign(a, { state: m.state, reason: m.reason, since: m.at });
      refreshSoon(); // the queues' agents by state, the agents' calls
      break;
    }
    case "InteractionStateChanged":
      clock.sync(m.at);
      onInteraction(m);
      break;
    case "RecordInteraction":
      interactions.delete(m.record.interaction_id);
      figuresSoon();
      break;
    default:
      return;
  }
  render();
}

// ------------------------------------------------------------------ case SLA alerts

/** Show (or update) the alert line of one case target in the alert box: a warning or
 * breach of its first response or resolution (a `CaseAlert`, or GET /api/cases/sla). */
function showCaseAlert(caseId, target, level, subject, priority, due) {
  const box = document.getElementById("alerts");
  const key = `${caseId}-${target}`;
  const what = target === "first_response" ? "first response" : "resolution";
  const line = box.querySelector(`[data-case="${CSS.escape(key)}"]`)
    || el("p", { class: "alert-line case-alert", dataset: { case: key } });
  line.replaceChildren(
    el("a", { href: `/cases?id=${caseId}` }, `Case #${caseId}`),
    ` (${priority}) ${what} ${level === "breached" ? "breached" : "due soon"}: ${subject}` +
    ` (due ${clockTime(due).slice(0, 5)})`);
  line.classList.toggle("breached", level === "breached");
  if (!line.isConnected) box.append(line);
}

/** The case targets in warning or breach now, shown at each (re)connect. */
async function loadCaseAlerts() {
  try {
    for (const a of await api("GET", "/api/cases/sla")) {
      showCaseAlert(a.case_id, a.target, a.state, a.subject, a.priority, a.due);
    }
  } catch {
    // the live alerts still come over the socket
  }
}

// ------------------------------------------------------------------ queue tiles

const percent = (v) => (v === null || v === undefined ? "–" : `${Math.round(100 * v)} %`);
const seconds = (v) => (v === null || v === undefined ? "–" : duration(v));

function figuresOf(queueId) {
  return figures ? figures.queues.find((f) => f.queue_id === queueId) || null : null;
}

/** The tile's level and why: "red", "amber" or "" with the reasons of the worst level. */
function levelOf(q, f, now) {
  if (!f) return { level: "", why: [] };
  const t = f.thresholds;
  const sl = f.today.service_level === null ? null : 100 * f.today.service_level;
  const wait = q.waiting && q.oldestArrival !== null ? now - q.oldestArrival : null;
  const checks = {
    service_level: (x) => sl !== null && sl < x && `service level ${Math.round(sl)} % is below ${x} %`,
    longest_wait: (x) => wait !== null && wait > x && `longest wait ${duration(wait)} is above ${duration(x)}`,
    waiting: (x) => q.waiting > x && `${q.waiting} waiting is above ${x}`,
  };
  for (const level of ["red", "amber"]) {
    const why = LEVELS.map((name) => {
      const x = t[`${name}_${level}`];
      return x === null || x === undefined ? false : checks[name](x);
    }).filter(Boolean);
    if (why.length) return { level, why };
  }
  return { level: "", why: [] };
}

function kpiList(k, prefix) {
  const cls = (name) => `${prefix}${name}`;
  const threshold = k && k.service_level_threshold !== null ? ` (${k.service_level_threshold} s)` : "";
  return el("dl", { class: "kpis" },
    el("dt", {}, "offered"), el("dd", { class: cls("offered") }, k ? String(k.offered) : "–"),
    el("dt", {}, "answered"), el("dd", { class: cls("answered") }, k ? String(k.answered) : "–"),
    el("dt", {}, "abandoned"), el("dd", { class: cls("abandoned") }, k ? String(k.abandoned) : "–"),
    el("dt", {}, `service level${threshold}`), el("dd", { class: cls("sl") }, k ? percent(k.service_level) : "–"),
    el("dt", {}, "ASA"), el("dd", { class: cls("asa") }, k ? seconds(k.asa) : "–"),
    el("dt", {}, "AHT"), el("dd", { class: cls("aht") }, k ? seconds(k.aht) : "–"));
}

function queueTile(q, now) {
  const f = figuresOf(q.queue_id);
  const { level, why } = levelOf(q, f, now);
  const serving = q.agents
    ? STATES.filter((st) => q.agents[st]).map((st) => `${q.agents[st]} ${label(st)}`).join(" · ")
    : "";
  return el("article", {
    class: `tile${q.waiting ? " busy" : ""}${level ? ` level-${level}` : ""}`,
    dataset: { queue: q.queue_id, level: level || "normal" },
    "aria-label": `Queue ${q.queue_id}${level ? `, ${level}` : ""}`,
  },
    el("h3", {}, q.queue_id,
      level ? el("span", { class: `level-badge ${level}`, title: why.join("; ") }, level) : null,
      el("span", { class: "channel" }, q.channel)),
    el("div", { class: "figures" },
      el("div", { class: "figure" }, el("span", { class: "value waiting" }, String(q.waiting)),
        el("span", { class: "name" }, "waiting")),
      el("div", { class: "figure" },
        el("span", { class: "value oldest" },
          q.waiting && q.oldestArrival !== null ? duration(now - q.oldestArrival) : "–"),
        el("span", { class: "name" }, "oldest wait"))),
    why.length ? el("p", { class: "why" }, why.join("; ")) : null,
    el("div", { class: "periods" },
      el("div", { class: "period today" }, el("h4", {}, "Today"), kpiList(f && f.today, "")),
      el("div", { class: "period interval" },
        el("h4", {}, figures ? `${clockTime(figures.interval_start).slice(0, 5)}–${clockTime(figures.interval_end).slice(0, 5)}` : "This interval"),
        kpiList(f && f.interval, "now-"))),
    serving ? el("p", { class: "serving" }, `agents: ${serving}`) : null);
}

/** Say in the page (aria-live) when a tile turns red; keep the list of red queues. */
function announce(now) {
  const box = document.getElementById("alerts");
  for (const q of queues.values()) {
    const { level, why } = levelOf(q, figuresOf(q.queue_id), now);
    const before = shownLevels.get(q.queue_id) || "";
    shownLevels.set(q.queue_id, level);
    const line = box.querySelector(`[data-queue="${CSS.escape(q.queue_id)}"]`);
    if (level === "red" && before !== "red") {
      const text = `Queue ${q.queue_id} is red: ${why.join("; ")} (since ${clockTime(now)})`;
      if (line) line.textContent = text;
      else box.append(el("p", { class: "alert-line", dataset: { queue: q.queue_id } }, text));
    } else if (level !== "red" && line) {
      line.remove();
    }
  }
}

// ------------------------------------------------------------------ agent grid

function callOf(a) {
  return a.work.find((w) => w.status === "connected") || a.work[0] || null;
}

function sortValue(a, key, now) {
  const call = callOf(a);
  switch (key) {
    case "team": return a.teams.join(", ");
    case "in_state": return a.since === null ? -1 : now - a.since;
    case "call": return call ? call.interaction_id : "";
    case "call_time": return call ? now - (call.answered_at ?? call.arrived_at) : -1;
    case "state": return STATES.indexOf(a.state);
    default: return a[key] ?? "";
  }
}

function shownAgentList(now) {
  const team = document.getElementById("filter-team").value;
  const queue = document.getElementById("filter-queue").value;
  const state = document.getElementById("filter-state").value;
  const rows = [...agents.values()].filter((a) => (!team || a.teams.includes(team)) &&
    (!queue || a.queues.includes(queue)) && (!state || a.state === state));
  return rows.sort((x, y) => {
    const a = sortValue(x, sort.key, now);
    const b = sortValue(y, sort.key, now);
    const c = typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
    return sort.dir * c || x.agent_id.localeCompare(y.agent_id);
  });
}

/** Ask before a forced action; resolves true on Confirm. */
function confirmAction(text) {
  const dialog = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
    document.getElementById("confirm-ok").focus();
  });
}

/** Focus `button`, or the button of the same agent and action in the grid drawn since. */
function focusAgain(button) {
  const row = button.closest("tr");
  const now = row && document.querySelector(
    `#agents tr[data-agent="${CSS.escape(row.dataset.agent)}"] [data-action="${button.dataset.action}"]`);
  (now || button).focus();
}

function forced(button, question, path, body) {
  button.addEventListener("click", async () => {
    if (!(await confirmAction(question()))) { focusAgain(button); return; }
    await act(button, async () => {
      await api("POST", path, body && body());
      document.getElementById("grid-status").textContent = `${question().replace(/\?$/, "")}: done.`;
    });
    focusAgain(button);
  });
}

function listenButton(a, call) {
  if (!call || call.status !== "connected") return null;
  const listening = listens.get(call.interaction_id);
  const button = el("button", { type: "button", class: "small listen",
    dataset: { action: "listen" } }, listening ? "Stop listening" : "Listen");
  button.addEventListener("click", () => act(button, async () => {
    const status = document.getElementById("grid-status");
    if (listening) {
      await api("DELETE", `/api/supervisor/listens/${encodeURIComponent(listening)}`);
      listens.delete(call.interaction_id);
      status.textContent = `Stopped listening to ${call.interaction_id}.`;
    } else {
      const got = await api("POST",
        `/api/supervisor/interactions/${encodeURIComponent(call.interaction_id)}/listen`, {});
      listens.set(call.interaction_id, got.listen_id);
      status.textContent = `Listening to ${call.interaction_id} (${a.agent_id}) on phone ${got.phone}.`;
    }
    shownGrid = ""; // redraw the button
    render();
  }));
  return button;
}

function agentRow(a, now) {
  const id = encodeURIComponent(a.agent_id);
  const out = a.state === "logged_out";
  const pause = el("button", { type: "button", class: "small", disabled: out,
    dataset: { action: "pause" } }, "Force pause");
  forced(pause, () => `Force pause ${a.agent_id} (${document.getElementById("pause-reason").value})?`,
    `/api/supervisor/agents/${id}/pause`,
    () => ({ reason: document.getElementById("pause-reason").value }));
  const logoutButton = el("button", { type: "button", class: "small danger", disabled: out,
    dataset: { action: "logout" } }, "Force logout");
  forced(logoutButton, () => `Force logout ${a.agent_id}?`, `/api/supervisor/agents/${id}/logout`);
  const call = callOf(a);
  return el("tr", { dataset: { agent: a.agent_id, state: a.state } },
    el("th", { scope: "row", class: "agent" }, a.agent_id),
    el("td", { class: "team" }, a.teams.join(", ") || "–"),
    el("td", {}, el("span", { class: `state state-${a.state}` }, label(a.state))),
    el("td", { class: "reason" }, a.reason || ""),
    el("td", { class: "in-state" }, a.since === null ? "–" : duration(now - a.since)),
    el("td", { class: "grid-call" }, call ? [
      el("span", { class: "call-id" }, call.interaction_id),
      el("span", { class: "caller" }, call.caller || "unknown caller"),
      el("span", { class: "call-queue" }, call.queue_id),
      call.status !== "connected" ? el("span", { class: "call-status" }, call.status) : null,
      call.on_hold ? el("span", { class: "call-status" }, "on hold") : null,
    ] : "–"),
    el("td", { class: "call-time" }, call ? duration(now - (call.answered_at ?? call.arrived_at)) : "–"),
    el("td", { class: "actions" }, listenButton(a, call), " ", pause, " ", logoutButton));
}

function fillFilter(id, values, all) {
  const select = document.getElementById(id);
  const keep = select.value;
  const key = values.join("\n");
  if (select.dataset.options === key) return;
  select.dataset.options = key;
  select.replaceChildren(el("option", { value: "" }, all),
    ...values.map((v) => el("option", { value: v, selected: v === keep }, label(v))));
}

let shownGrid = "";

function renderGrid(now) {
  fillFilter("filter-team", [...new Set([...agents.values()].flatMap((a) => a.teams))].sort(), "All teams");
  fillFilter("filter-queue", [...new Set([...agents.values()].flatMap((a) => a.queues))].sort(), "All queues");
  fillFilter("filter-state", STATES, "All states");
  const rows = shownAgentList(now);
  const body = document.getElementById("agents");
  // Rebuild the table only when something but the ticking times changed (keeps focus).
  const key = JSON.stringify([sort, rows.map((a) => [a.agent_id, a.state, a.reason, a.since,
    a.teams, a.work.map((w) => [w.interaction_id, w.status, w.on_hold])])]);
  if (key !== shownGrid) {
    shownGrid = key;
    const focused = document.activeElement;
    const from = focused && focused.closest && focused.closest("#agents tr");
    const again = from && focused.dataset.action ? [from.dataset.agent, focused.dataset.action] : null;
    body.replaceChildren(...(rows.length ? rows.map((a) => agentRow(a, now)) : [el("tr", {},
      el("td", { colspan: "8", class: "empty" },
        agents.size ? "No agent matches the filters." :
          "No agents to show (a supervisor sees its teams' agents)."))]));
    if (again) {
      const back = body.querySelector(`tr[data-agent="${CSS.escape(again[0])}"] [data-action="${again[1]}"]`);
      if (back) back.focus();
    }
  } else {
    for (const row of body.rows) {
      const a = agents.get(row.dataset.agent);
      if (!a) continue;
      if (a.since !== null) row.querySelector(".in-state").textContent = duration(now - a.since);
      const call = callOf(a);
      if (call) row.querySelector(".call-time").textContent = duration(now - (call.answered_at ?? call.arrived_at));
    }
  }
}

function wireGrid() {
  for (const id of ["filter-team", "filter-queue", "filter-state"]) {
    document.getElementById(id).addEventListener("change", () => { shownGrid = ""; render(); });
  }
  for (const th of document.querySelectorAll("#agent-grid th[data-sort]")) {
    th.querySelector("button").addEventListener("click", () => {
      const key = th.dataset.sort;
      sort = { key, dir: sort.key === key ? -sort.dir : 1 };
      for (const other of document.querySelectorAll("#agent-grid th[data-sort]")) {
        other.removeAttribute("aria-sort");
      }
      th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
      shownGrid = "";
      render();
    });
  }
}

// ------------------------------------------------------------------ intraday chart

const hhmm = (k) => `${String(Math.floor(k / 4)).padStart(2, "0")}:${String((k % 4) * 15).padStart(2, "0")}`;
let intraday = null;

async function loadIntraday() {
  intradayLast = performance.now();
  try {
    intraday = await api("GET", `/api/supervisor/intraday?tz=${encodeURIComponent(TZ)}`);
  } catch (err) {
    showError(err.message);
    return;
  }
  const select = document.getElementById("intraday-queue");
  const ids = intraday.queues.map((q) => q.queue_id);
  if (select.dataset.options !== ids.join("\n")) {
    const keep = select.value;
    select.dataset.options = ids.join("\n");
    select.replaceChildren(...ids.map((id) => el("option", { value: id, selected: id === keep }, id)));
  }
  drawIntraday();
}

function drawIntraday() {
  if (!intraday) return;
  const id = document.getElementById("intraday-queue").value;
  const q = intraday.queues.find((x) => x.queue_id === id) || intraday.queues[0];
  if (!q) return;
  const n = Math.max(q.yesterday.length, 96);
  const labels = Array.from({ length: n }, (_, k) => hhmm(k));
  const pad = (points, f) => labels.map((_, k) => (k < points.length ? f(points[k]) : null));
  const sl = (p) => (p.service_level === null ? null : Math.round(1000 * p.service_level) / 10);
  chart(document.getElementById("intraday-chart"), {
    type: "bar", labels, yTitle: "offered", y2Title: "service level %", percent2: true,
    series: [
      { label: "offered today", data: pad(q.today, (p) => p.offered) },
      { label: "offered the day before", data: pad(q.yesterday, (p) => p.offered), colour: "#94a3b8" },
      { label: "service level today", data: pad(q.today, sl), type: "line", axis: 2, colour: "#1e7a45" },
      { label: "service level the day before", data: pad(q.yesterday, sl), type: "line", axis: 2,
        colour: "#4b5563", dashed: true },
    ],
  });
  document.getElementById("intraday-note").textContent =
    `${q.queue_id}: per 15 minutes from midnight (${TZ}), today against the day before`;
  const body = document.querySelector("#intraday-table tbody");
  const fmt = (v) => (v === null || v === undefined ? "–" : `${v} %`);
  body.replaceChildren(...labels.map((text, k) => {
    const t = q.today[k];
    const y = q.yesterday[k];
    if (!(t && t.offered) && !(y && y.offered)) return null;
    return el("tr", {}, el("td", {}, text),
      el("td", { class: "num" }, t ? String(t.offered) : "–"),
      el("td", { class: "num" }, y ? String(y.offered) : "–"),
      el("td", { class: "num" }, fmt(t && sl(t))), el("td", { class: "num" }, fmt(y && sl(y))));
  }).filter(Boolean));
}

// ------------------------------------------------------------------ thresholds form

function fillThresholdForm(force) {
  const form = document.getElementById("threshold-form");
  const select = document.getElementById("threshold-queue");
  if (!figures) return;
  const ids = figures.queues.map((q) => q.queue_id);
  if (select.dataset.options !== ids.join("\n")) {
    const keep = select.value;
    select.dataset.options = ids.join("\n");
    select.replaceChildren(...ids.map((id) => el("option", { value: id, selected: id === keep }, id)));
    force = true;
  }
  if (!force && form.contains(document.activeElement)) return; // the person is typing
  const f = figuresOf(select.value);
  if (!f) return;
  for (const name of LEVELS.flatMap((n) => [`${n}_amber`, `${n}_red`])) {
    const v = f.thresholds[name];
    form.elements[name].value = v === null || v === undefined ? "" : String(v);
  }
}

function wireThresholds() {
  const form = document.getElementById("threshold-form");
  document.getElementById("threshold-queue").addEventListener("change", () => {
    clearFormErrors(form);
    fillThresholdForm(true);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = document.getElementById("threshold-saved");
    saved.textContent = "";
    clearFormErrors(form);
    const queue = form.elements.queue_id.value;
    const body = {};
    for (const name of LEVELS.flatMap((n) => [`${n}_amber`, `${n}_red`])) {
      const raw = form.elements[name].value.trim();
      body[name] = raw === "" ? null : Number(raw);
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("PUT", `/api/supervisor/thresholds/${encodeURIComponent(queue)}`, body);
      saved.textContent = `Saved the thresholds of ${queue}.`;
      await loadFigures();
    } catch (err) {
      if (err instanceof ApiError) showFormErrors(form, err);
      else showError(String(err));
    } finally {
      button.disabled = false;
    }
  });
}

// ------------------------------------------------------------------ page

function agentCounts() {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const a of agents.values()) counts[a.state] = (counts[a.state] || 0) + 1;
  return counts;
}

function render() {
  const now = clock.now();
  // A new 15-minute interval (or a new day) began: its figures, at once.
  if (figures && now >= figures.interval_end) figuresSoon();
  document.getElementById("clock").textContent = clockTime(now);
  const tiles = [...queues.values()].map((q) => queueTile(q, now));
  document.getElementById("queues").replaceChildren(
    ...(tiles.length ? tiles : [el("p", { class: "empty" }, "No queues.")]));
  announce(now);
  document.getElementById("since-note").textContent = figures === null ? "" :
    `Today (from midnight, ${figures.tz}) and this 15-minute interval count the interactions ` +
    "that ended, by arrival; waiting and oldest wait are live.";
  const counts = agentCounts();
  document.getElementById("agent-counts").replaceChildren(...STATES.map((s) =>
    el("span", { class: `count state-${s}`, dataset: { state: s } },
      el("strong", {}, String(counts[s])), ` ${label(s)}`)));
  renderGrid(now);
}

function wireTv() {
  if (TV) document.body.classList.add("tv");
  document.getElementById("tv-button").addEventListener("click", async () => {
    const url = new URL(window.location.href);
    url.searchParams.set("tv", "1");
    try {
      await document.documentElement.requestFullscreen();
    } catch {
      // Fullscreen refused (no user gesture, or not allowed): TV mode without it.
    }
    window.history.replaceState(null, "", url);
    document.body.classList.add("tv");
  });
}

async function main() {
  wireLogout();
  wireTv();
  wireGrid();
  wireThresholds();
  document.getElementById("intraday-queue").addEventListener("change", drawIntraday);
  try {
    const me = await api("GET", "/api/me");
    drawNav(me);
  } catch (err) {
    showError(err.message);
  }
  new LiveSocket(onMessage).start();
  setInterval(render, 1000);
  setInterval(() => { if (performance.now() - figuresLast > 30000) loadFigures(); }, 5000);
}

main();
