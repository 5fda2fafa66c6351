// The agent desktop: state buttons, offers, the call, wrap-up, recent interactions.
// /api/ws tells the page that something changed; /api/agents/{id}/work says what.
import {
  EngineClock, LiveSocket, act, api, clockTime, duration, el, label, showError, wireLogout,
} from "./common.js";
import { drawNav } from "./nav.js";

const clock = new EngineClock();
let me = null; // the GET /api/me answer
let work = null; // the GET /api/agents/{id}/work answer
let dispositions = [];
let queueIds = [];
let shownWork = "";
let loadTimer = null;

const agentPath = (action) => `/api/agents/${encodeURIComponent(me.agent_id)}/${action}`;

async function load() {
  try {
    work = await api("GET", agentPath("work"));
  } catch (err) {
    showError(err.message);
    return;
  }
  clock.sync(work.at, work.speed);
  render();
  if (work.preview?.lead && work.preview.lead.step !== "previewing") {
    clearTimeout(loadTimer);
    loadTimer = setTimeout(load, 1000); // a reserved call rings: no message until it ends
  }
}

function loadSoon() {
  clearTimeout(loadTimer);
  loadTimer = setTimeout(load, 50);
}

async function loadRecent() {
  let page;
  try {
    page = await api("GET", `/api/interactions?limit=10`);
  } catch (err) {
    showError(err.message);
    return;
  }
  document.getElementById("recent").replaceChildren(...(page.items.length ? page.items.map((r) =>
    el("tr", { dataset: { interaction: r.interaction_id } },
      el("td", {}, clockTime(r.arrived_at)),
      el("td", {}, r.caller_number || "–"),
      el("td", {}, r.queue_id),
      el("td", {}, r.open ? label(r.state) : label(r.outcome)),
      el("td", { class: "disposition" }, r.disposition || ""),
      el("td", {}, duration(r.talk_seconds)))) :
    [el("tr", {}, el("td", { colspan: "6", class: "empty" }, "No interactions yet."))]));
}

/** POST an agent action; the page reloads its view from the answer's aftermath. */
function action(button, name, body) {
  return act(button, async () => {
    await api("POST", agentPath(name), body);
    await load();
  });
}

/** The customer the call's IVR flow found (name, account, segment), as list rows. */
function customerRows(item) {
  const c = item.customer;
  if (!c) return [];
  const who = c.account ? `${c.name} (account ${c.account})` : c.name;
  return [el("dt", {}, "Customer"),
    el("dd", { class: "customer" }, who, c.segment ? el("span", { class: "segment" }, ` · ${c.segment}`) : null)];
}

function offerCard(item) {
  const accept = el("button", { type: "button", class: "primary accept" }, "Accept");
  const reject = el("button", { type: "button", class: "reject" }, "Reject");
  accept.addEventListener("click", () => action(accept, "accept", { interaction_id: item.interaction_id }));
  reject.addEventListener("click", () => action(reject, "reject", { interaction_id: item.interaction_id }));
  return el("article", { class: "call offer", dataset: { interaction: item.interaction_id, status: "offered" } },
    el("h3", {}, "Incoming call"),
    el("dl", {},
      el("dt", {}, "Caller"), el("dd", { class: "caller" }, item.caller_number || "unknown"),
      customerRows(item),
      el("dt", {}, "Queue"), el("dd", { class: "queue" }, item.queue_id),
      el("dt", {}, "Waited"), el("dd", { class: "tick waited", dataset: { from: item.arrived_at } })),
    item.offer_expires_at === null ? null :
      el("p", { class: "countdown" }, "Rings for ",
        el("span", { class: "tick left", dataset: { until: item.offer_expires_at } }), " more"),
    el("div", { class: "buttons" }, accept, reject));
}

function connectedCard(item) {
  const hangup = el("button", { type: "button", class: "danger hangup" }, "Hang up");
  hangup.addEventListener("click", () => action(hangup, "hangup", { interaction_id: item.interaction_id }));
  const hold = el("button", { type: "button", class: "hold" }, item.on_hold ? "Resume" : "Hold");
  hold.addEventListener("click", () => action(hold, item.on_hold ? "resume" : "hold",
    { interaction_id: item.interaction_id }));
  const number = el("input", { class: "transfer-number", placeholder: "+4930…", inputmode: "tel",
    "aria-label": "Transfer to number" });
  const toNumber = el("button", { type: "button" }, "Transfer to number");
  toNumber.addEventListener("click", () => {
    const value = number.value.replace(/[\s()\-\/]/g, "");
    if (!/^\+?[0-9*#]{2,32}$/.test(value)) {
      showError("Type the number to transfer to (digits, optionally after +).");
      return;
    }
    action(toNumber, "transfer", { interaction_id: item.interaction_id, number: value });
  });
  const queue = el("select", { class: "transfer-queue", "aria-label": "Transfer to queue" },
    ...queueIds.map((q) => el("option", { value: q }, q)));
  const toQueue = el("button", { type: "button" }, "Transfer to queue");
  toQueue.addEventListener("click", () => action(toQueue, "transfer",
    { interaction_id: item.interaction_id, queue_id: queue.value }));
  const agent = el("input", { class: "transfer-agent", placeholder: "agent id", "aria-label": "Transfer to agent" });
  const toAgent = el("button", { type: "button" }, "Transfer to agent");
  toAgent.addEventListener("click", () => {
    if (!agent.value.trim()) {
      showError("Name the agent to transfer to.");
      return;
    }
    action(toAgent, "transfer", { interaction_id: item.interaction_id, to_agent_id: agent.value.trim() });
  });
  return el("article", { class: "call connected", dataset: { interaction: item.interaction_id, status: "connected" } },
    el("h3", {}, item.on_hold ? "On hold" : "On a call"),
    el("dl", {},
      el("dt", {}, "Caller"), el("dd", { class: "caller" }, item.caller_number || "unknown"),
      customerRows(item),
      el("dt", {}, "Queue"), el("dd", { class: "queue" }, item.queue_id),
      el("dt", {}, "Talking"), el("dd", { class: "tick", dataset: { from: item.answered_at ?? item.arrived_at } })),
    el("div", { class: "buttons" }, hold, hangup),
    el("div", { class: "transfer" }, queue, toQueue, agent, toAgent, number, toNumber));
}

function wrapCard(item) {
  const codes = el("select", { class: "disposition", name: "disposition", "aria-label": "Disposition" },
    dispositions.length ? el("option", { value: "" }, "– choose a disposition –") : el("option", { value: "" }, "(no codes)"),
    ...dispositions.map((d) => el("option", { value: d.code }, d.label ? `${d.label} (${d.code})` : d.code)));
  const notes = el("textarea", { class: "notes", name: "notes", rows: "3", maxlength: "4000",
    placeholder: "Notes" });
  const done = el("button", { type: "submit", class: "primary done" }, "Finish wrap-up");
  const form = el("form", { class: "call wrapping", dataset: { interaction: item.interaction_id, status: "wrapping" } },
    el("h3", {}, "Wrap-up"),
    el("dl", {},
      el("dt", {}, "Caller"), el("dd", { class: "caller" }, item.caller_number || "unknown"),
      el("dt", {}, "Queue"), el("dd", { class: "queue" }, item.queue_id)),
    el("label", {}, "Disposition ", codes),
    el("label", {}, "Notes ", notes),
    callbackForm(item),
    el("div", { class: "buttons" }, done));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await action(done, "wrapup", { interaction_id: item.interaction_id, disposition: codes.value,
      notes: notes.value });
    loadRecent();
  });
  return form;
}

/** How the agent's last reserved lead ended (skipped, busy, answered, ...), one line. */
function lastLine(last) {
  if (!last) return null;
  return el("p", { class: "preview-last" }, "Last lead: ", last.number, " · ",
    el("span", { class: "outcome" }, label(last.outcome)), ` (${clockTime(last.at)})`);
}

/** The lead the dialer reserved for the agent: who, fields, history, Dial and Skip. */
function previewCard(preview) {
  const lead = preview.lead;
  if (!lead) return lastLine(preview.last) === null ? null
    : el("article", { class: "call preview-over" }, lastLine(preview.last));
  const fields = Object.entries(lead.fields).filter(([k]) => k !== "name")
    .flatMap(([k, v]) => [el("dt", {}, k), el("dd", { class: "field", dataset: { field: k } }, v)]);
  const history = lead.history.length
    ? el("ol", { class: "history" }, ...lead.history.map((h) =>
      el("li", {}, `${clockTime(h.started)} · ${label(h.outcome)}${h.agent ? ` · ${h.agent}` : ""}`)))
    : el("p", { class: "history empty" }, "Not called before.");
  const previewing = lead.step === "previewing";
  const dial = el("button", { type: "button", class: "primary dial" }, "Dial");
  dial.addEventListener("click", () => action(dial, "preview/dial"));
  const reason = el("input", { class: "skip-reason", placeholder: "Reason (optional)",
    maxlength: "200", "aria-label": "Skip reason" });
  const skip = el("button", { type: "button", class: "skip" }, "Skip");
  skip.addEventListener("click", () => action(skip, "preview/skip", { reason: reason.value }));
  const heading = lead.callback_at !== null ? (lead.callback_mine ? "My callback" : "Callback")
    : "Preview";
  return el("article", { class: "call preview", dataset: { lead: lead.lead_id, step: lead.step } },
    el("h3", {}, `${heading} · ${lead.campaign}`),
    el("dl", {},
      el("dt", {}, "Name"), el("dd", { class: "lead-name" }, lead.name || "–"),
      el("dt", {}, "Number"), el("dd", { class: "lead-number" }, lead.number),
      fields,
      lead.callback_at === null ? null : [el("dt", {}, "Callback at"), el("dd", {}, clockTime(lead.callback_at))],
      el("dt", {}, "Calls"), el("dd", { class: "lead-attempts" }, String(lead.attempts))),
    history,
    previewing ? (lead.deadline === null ? null : el("p", { class: "countdown" },
      lead.timeout_action === "dial" ? "Dialed automatically in " : "Released in ",
      el("span", { class: "tick left", dataset: { until: lead.deadline } })))
      : el("p", { class: "preview-step" }, lead.step === "dialing" ? "Ringing…" : "Answered: connecting…"),
    previewing ? el("div", { class: "buttons" }, dial, reason, skip) : null,
    lastLine(preview.last));
}

const callbacksSet = new Map(); // interaction id -> what the last scheduled callback said

/** The wrap-up's callback form (campaign calls): the callee's local date and time. */
function callbackForm(item) {
  if (!item.queue_id.startsWith("campaign:")) return null;
  const at = el("input", { type: "datetime-local", class: "callback-at", "aria-label": "Callback at" });
  const mine = el("input", { type: "checkbox", class: "callback-mine", checked: true });
  const schedule = el("button", { type: "button", class: "schedule-callback" }, "Schedule callback");
  const done = el("span", { class: "callback-done", role: "status" },
    callbacksSet.get(item.interaction_id) || "");
  schedule.addEventListener("click", () => act(schedule, async () => {
    if (!at.value) throw new Error("Choose the callback's date and time (the callee's local time).");
    const answer = await api("POST", agentPath("callback"),
      { interaction_id: item.interaction_id, at: at.value, mine: mine.checked });
    const said = `Callback set for ${at.value.replace("T", " ")}${answer.callback_agent ? " (mine)" : ""}`;
    callbacksSet.set(item.interaction_id, said);
    // The card may have been drawn again meanwhile: say it on the card shown now.
    const shown = document.querySelector(`form.wrapping[data-interaction="${CSS.escape(item.interaction_id)}"] .callback-done`);
    (shown || done).textContent = said;
  }));
  return el("fieldset", { class: "callback" }, el("legend", {}, "Call back (callee's local time)"),
    at, el("label", {}, mine, " for me only"), schedule, done);
}

/** What the agent has typed or chosen in the cards, by card and field: a card drawn
 * again (its call or the preview changed) keeps it. */
function typedValues() {
  const kept = new Map();
  for (const field of document.querySelectorAll("#work input, #work textarea, #work select")) {
    kept.set(fieldKey(field), field.type === "checkbox" ? field.checked : field.value);
  }
  return kept;
}

function restoreTyped(kept) {
  for (const field of document.querySelectorAll("#work input, #work textarea, #work select")) {
    const key = fieldKey(field);
    if (!kept.has(key)) continue;
    if (field.type === "checkbox") field.checked = kept.get(key);
    else field.value = kept.get(key);
  }
}

function fieldKey(field) {
  const card = field.closest("[data-interaction]");
  return `${card ? card.dataset.interaction : "preview"}|${field.className}`;
}

function renderWork() {
  const key = JSON.stringify([work.items, work.preview]);
  if (key === shownWork) return; // keep what the agent is typing
  shownWork = key;
  const cards = work.items.map((item) => (item.status === "offered" ? offerCard(item)
    : item.status === "connected" ? connectedCard(item) : wrapCard(item)));
  const preview = work.preview ? previewCard(work.preview) : null;
  if (preview) cards.unshift(preview);
  const idle = work.state === "available" ? "No calls: waiting for an offer…"
    : work.state === "logged_out" ? "Logged out: log in to take calls." : "No calls.";
  const kept = typedValues();
  document.getElementById("work").replaceChildren(...(cards.length ? cards : [el("p", { class: "empty" }, idle)]));
  restoreTyped(kept);
  document.title = work.items.some((i) => i.status === "offered") ? "📞 Incoming call · callcenter" : "callcenter · Desktop";
}

function tick() {
  const now = clock.now();
  document.getElementById("clock").textContent = clockTime(now);
  if (work) {
    document.getElementById("in-state").textContent = work.since === null ? "" : duration(now - work.since);
  }
  for (const node of document.querySelectorAll(".tick")) {
    if (node.dataset.from) node.textContent = duration(now - Number(node.dataset.from));
    if (node.dataset.until) node.textContent = `${Math.max(0, Math.ceil(Number(node.dataset.until) - now))} s`;
  }
}

function render() {
  const state = document.getElementById("state");
  state.textContent = label(work.state);
  state.className = `state state-${work.state}`;
  document.getElementById("reason").textContent = work.reason ? `(${work.reason})` : "";
  const out = work.state === "logged_out";
  document.getElementById("login").disabled = !out;
  document.getElementById("ready").disabled = out || work.state === "available";
  document.getElementById("pause").disabled = out;
  document.getElementById("logout-agent").disabled = out;
  renderWork();
  tick();
}

function onMessage(m) {
  if (m.at !== undefined) clock.sync(m.at);
  loadSoon();
  if (m.type === "Disconnect" || m.type === "AgentStateChanged") loadRecent();
}

async function main() {
  wireLogout();
  try {
    me = await api("GET", "/api/me");
  } catch (err) {
    showError(err.message);
    return;
  }
  drawNav(me);
  document.getElementById("who").textContent = `${me.username} · agent ${me.agent_id}`;
  const buttons = {
    login: () => action(document.getElementById("login"), "login", { ready: false }),
    ready: () => action(document.getElementById("ready"), "ready"),
    pause: () => action(document.getElementById("pause"), "pause",
      { reason: document.getElementById("pause-reason").value }),
    "logout-agent": () => action(document.getElementById("logout-agent"), "logout"),
  };
  for (const [id, run] of Object.entries(buttons)) document.getElementById(id).addEventListener("click", run);
  try {
    [dispositions, queueIds] = await Promise.all([
      api("GET", "/api/dispositions"),
      api("GET", "/api/queues").then((qs) => qs.map((q) => q.queue_id)),
    ]);
  } catch (err) {
    showError(err.message);
  }
  new LiveSocket(onMessage, () => { load(); loadRecent(); }).start();
  setInterval(tick, 1000);
}

main();
