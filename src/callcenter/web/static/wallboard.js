// The supervisor wallboard: /api/ws gives a Snapshot, then deltas; /api/supervisor/snapshot
// adds what the socket lacks (oldest waits, time in state) and corrects the waiting counts.
import {
  EngineClock, LiveSocket, act, api, clockTime, duration, el, label, showError, wireLogout,
} from "./common.js";
import { drawNav } from "./nav.js";

const STATES = ["available", "reserved", "busy", "wrap_up", "paused", "logged_out"];
const WAITING = new Set(["queued", "callback_requested"]);

const clock = new EngineClock();
const queues = new Map(); // queue_id -> {queue_id, channel, waiting, oldestArrival, agents}
const agents = new Map(); // agent_id -> {agent_id, state, reason, since}
const interactions = new Map(); // interaction_id -> {state, queue} (seen on this socket)
const finished = new Map(); // queue_id -> counts of RecordInteraction since the page opened
let openedAt = null;
let refreshSeq = 0; // the last refresh started
let refreshTimer = null;

function statsOf(queueId) {
  if (!finished.has(queueId)) {
    finished.set(queueId, { answered: 0, abandoned: 0, within: 0, slBase: 0, threshold: null });
  }
  return finished.get(queueId);
}

/** Count a finished interaction the way core.metrics does (SL, answered, abandoned). */
function count(record) {
  const s = statsOf(record.first_queue_id || record.queue_id);
  const answered = record.answered_at !== null;
  const abandoned = record.outcome === "abandoned" && !record.callback;
  const wait = (answered ? record.answered_at : record.ended_at) - record.arrived_at;
  s.threshold = record.service_level_threshold;
  if (answered) {
    s.answered += 1;
    s.slBase += 1;
    if (wait <= record.service_level_threshold) s.within += 1;
  } else if (abandoned) {
    s.abandoned += 1;
    if (wait >= record.short_abandon) s.slBase += 1;
  }
}

function applySnapshot(message) {
  clock.sync(message.at, message.speed);
  if (openedAt === null) openedAt = message.at;
  interactions.clear();
  queues.clear();
  for (const q of message.queues) {
    queues.set(q.queue_id, { ...q, oldestArrival: null, agents: null });
  }
  agents.clear();
  for (const a of message.agents) {
    agents.set(a.agent_id, { agent_id: a.agent_id, state: a.state, reason: a.reason, since: null });
  }
}

/** The supervisor snapshot: exact waiting counts, oldest waits, states since, the agents
 * this user supervises. */
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
    // A delta newer than this snapshot wins.
    if (!mine || mine.since === null || a.since === null || a.since >= mine.since) {
      agents.set(a.agent_id, { ...a });
    }
  }
  render();
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, 250);
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
      refresh();
      break;
    case "Health":
      showHealth(m);
      return;
    case "AgentStateChanged": {
      clock.sync(m.at);
      const a = agents.get(m.agent_id);
      if (a) Object.assign(a, { state: m.state, reason: m.reason, since: m.at });
      refreshSoon(); // the queues' agents by state
      break;
    }
    case "InteractionStateChanged":
      clock.sync(m.at);
      onInteraction(m);
      break;
    case "RecordInteraction":
      count(m.record);
      interactions.delete(m.record.interaction_id);
      break;
    default:
      return;
  }
  render();
}

function agentCounts() {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const a of agents.values()) counts[a.state] = (counts[a.state] || 0) + 1;
  return counts;
}

function queueTile(q, now) {
  const s = statsOf(q.queue_id);
  const sl = s.slBase ? `${Math.round((100 * s.within) / s.slBase)} %` : "–";
  const serving = q.agents
    ? STATES.filter((st) => q.agents[st]).map((st) => `${q.agents[st]} ${label(st)}`).join(" · ")
    : "";
  return el("article", { class: `tile${q.waiting ? " busy" : ""}`, dataset: { queue: q.queue_id } },
    el("h3", {}, q.queue_id, el("span", { class: "channel" }, q.channel)),
    el("div", { class: "figures" },
      el("div", { class: "figure" }, el("span", { class: "value waiting" }, String(q.waiting)),
        el("span", { class: "name" }, "waiting")),
      el("div", { class: "figure" },
        el("span", { class: "value oldest" },
          q.waiting && q.oldestArrival !== null ? duration(now - q.oldestArrival) : "–"),
        el("span", { class: "name" }, "oldest wait"))),
    el("dl", { class: "since-open" },
      el("dt", {}, "answered"), el("dd", { class: "answered" }, String(s.answered)),
      el("dt", {}, "abandoned"), el("dd", { class: "abandoned" }, String(s.abandoned)),
      el("dt", {}, `service level${s.threshold !== null ? ` (${s.threshold} s)` : ""}`),
      el("dd", { class: "sl" }, sl)),
    serving ? el("p", { class: "serving" }, `agents: ${serving}`) : null);
}

function agentRow(a, now) {
  const pause = el("button", { type: "button", class: "small", disabled: a.state === "logged_out" },
    "Force pause");
  pause.addEventListener("click", () => act(pause, async () => {
    const why = document.getElementById("pause-reason").value;
    await api("POST", `/api/supervisor/agents/${encodeURIComponent(a.agent_id)}/pause`, { reason: why });
  }));
  const logoutButton = el("button", { type: "button", class: "small danger",
    disabled: a.state === "logged_out" }, "Force logout");
  logoutButton.addEventListener("click", () => act(logoutButton, async () => {
    await api("POST", `/api/supervisor/agents/${encodeURIComponent(a.agent_id)}/logout`);
  }));
  return el("tr", { dataset: { agent: a.agent_id, state: a.state } },
    el("td", { class: "agent" }, a.agent_id),
    el("td", {}, el("span", { class: `state state-${a.state}` }, label(a.state))),
    el("td", { class: "reason" }, a.reason || ""),
    el("td", { class: "in-state" }, a.since === null ? "–" : duration(now - a.since)),
    el("td", { class: "actions" }, pause, " ", logoutButton));
}

let shownAgents = "";

function render() {
  const now = clock.now();
  document.getElementById("clock").textContent = clockTime(now);
  const tiles = [...queues.values()].map((q) => queueTile(q, now));
  document.getElementById("queues").replaceChildren(
    ...(tiles.length ? tiles : [el("p", { class: "empty" }, "No queues.")]));
  document.getElementById("since-note").textContent = openedAt === null ? "" :
    `Answered, abandoned and service level count the interactions finished since this page ` +
    `opened (${clockTime(openedAt)}); waiting and oldest wait are live.`;
  const counts = agentCounts();
  document.getElementById("agent-counts").replaceChildren(...STATES.map((s) =>
    el("span", { class: `count state-${s}`, dataset: { state: s } },
      el("strong", {}, String(counts[s])), ` ${label(s)}`)));
  // Rebuild the table only when something but the ticking times changed (keeps focus).
  const key = JSON.stringify([...agents.values()].map((a) => [a.agent_id, a.state, a.reason, a.since]));
  const body = document.getElementById("agents");
  if (key !== shownAgents) {
    shownAgents = key;
    const rows = [...agents.values()].sort((x, y) => x.agent_id.localeCompare(y.agent_id));
    body.replaceChildren(...(rows.length ? rows.map((a) => agentRow(a, now)) : [el("tr", {},
      el("td", { colspan: "5", class: "empty" }, "No agents to show (a supervisor sees its teams' agents)."))]));
  } else {
    for (const row of body.rows) {
      const a = agents.get(row.dataset.agent);
      if (a && a.since !== null) row.querySelector(".in-state").textContent = duration(now - a.since);
    }
  }
}

async function main() {
  wireLogout();
  try {
    const me = await api("GET", "/api/me");
    drawNav(me);
  } catch (err) {
    showError(err.message);
  }
  new LiveSocket(onMessage).start();
  setInterval(render, 1000);
}

main();
