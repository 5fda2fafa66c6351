// The agent desktop: state buttons, offers, the call, wrap-up, recent interactions, the
// agent's figures for today. /api/ws tells the page that something changed;
// /api/agents/{id}/work says what. An offer rings (Web Audio, made in the page), raises
// a desktop notification when the tab is in the background, and is announced; an offer
// that goes away unanswered is listed as missed. Alt+R / Alt+P / Alt+A / Alt+H: ready,
// pause, accept, hang up (not while typing in a field).
import {
  ApiError, EngineClock, LiveSocket, act, api, clearError, clearFormErrors, clockTime, duration, el, label,
  showError, showFormErrors, wireLogout,
} from "./common.js";
import { drawNav } from "./nav.js";

const clock = new EngineClock();
let me = null; // the GET /api/me answer
let work = null; // the GET /api/agents/{id}/work answer
let dispositions = [];
let queueIds = [];
let shownWork = "";
let loadTimer = null;
let directory = null; // the GET /api/agents/{id}/directory answer (while on a call)
const offersSeen = new Map(); // interaction id -> the offer's item, while it rings
const answered = new Set(); // offers this page accepted or rejected (not missed)
let focusWanted = null; // a selector to focus once the work is drawn again

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
  followOffers();
  // The panels of the work calls are for (customer, cases, orders, knowledge, script)
  // are modules of their own that follow the agent's work through this event.
  document.dispatchEvent(new CustomEvent("desktop:work", { detail: { me, work } }));
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
      el("td", {}, duration(r.talk_seconds)),
      el("td", { class: "notes" }, r.notes || ""))) :
    [el("tr", {}, el("td", { colspan: "7", class: "empty" }, "No interactions yet."))]));
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
  const accept = el("button", { type: "button", class: "primary accept", "aria-keyshortcuts": "Alt+A" },
    "Accept");
  const reject = el("button", { type: "button", class: "reject" }, "Reject");
  accept.addEventListener("click", () => acceptOffer(item.interaction_id, accept));
  reject.addEventListener("click", () => {
    answered.add(item.interaction_id);
    focusWanted = "#work-title";
    action(reject, "reject", { interaction_id: item.interaction_id });
  });
  return el("article", { class: "call offer", dataset: { interaction: item.interaction_id, status: "offered" },
    "aria-labelledby": `offer-${item.interaction_id}` },
    el("h3", { id: `offer-${item.interaction_id}` }, "Incoming call"),
    el("p", { class: "ringing" }, "Ringing"),
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
  const hangup = el("button", { type: "button", class: "danger hangup", "aria-keyshortcuts": "Alt+H" },
    "Hang up");
  hangup.addEventListener("click", () => {
    focusWanted = `form.wrapping[data-interaction="${CSS.escape(item.interaction_id)}"] select.disposition`;
    action(hangup, "hangup", { interaction_id: item.interaction_id });
  });
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
  const queue = el("select", { class: "transfer-queue", name: "transfer-queue",
    "aria-label": "Transfer to queue" });
  const toQueue = el("button", { type: "button" }, "Transfer to queue");
  toQueue.addEventListener("click", () => {
    if (!queue.value) {
      showError("Choose the queue to transfer to.");
      return;
    }
    action(toQueue, "transfer", { interaction_id: item.interaction_id, queue_id: queue.value });
  });
  const agent = el("select", { class: "transfer-agent", name: "transfer-agent",
    "aria-label": "Transfer to agent" });
  const toAgent = el("button", { type: "button" }, "Transfer to agent");
  toAgent.addEventListener("click", () => {
    if (!agent.value) {
      showError("Choose an available agent to transfer to.");
      return;
    }
    action(toAgent, "transfer", { interaction_id: item.interaction_id, to_agent_id: agent.value });
  });
  fillDirectory(queue, agent);
  return el("article", { class: "call connected", dataset: { interaction: item.interaction_id, status: "connected" },
    "aria-label": item.on_hold ? "On hold" : "On a call" },
    el("h3", {}, item.on_hold ? "On hold" : "On a call"),
    el("dl", {},
      el("dt", {}, "Caller"), el("dd", { class: "caller" }, item.caller_number || "unknown"),
      customerRows(item),
      el("dt", {}, "Queue"), el("dd", { class: "queue" }, item.queue_id),
      el("dt", {}, "Talking"), el("dd", { class: "tick", dataset: { from: item.answered_at ?? item.arrived_at } })),
    el("div", { class: "buttons" }, hold, hangup),
    el("div", { class: "transfer", role: "group", "aria-label": "Transfer" },
      queue, toQueue, agent, toAgent, number, toNumber,
      el("p", { class: "directory-note" }, "Agents who are not available now are listed but cannot be chosen.")));
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
    done.disabled = true;
    clearError();
    clearFormErrors(form);
    try {
      await api("POST", agentPath("wrapup"), { interaction_id: item.interaction_id,
        disposition: codes.value, notes: notes.value });
    } catch (err) {
      // A 422 (a code the queue requires, an unknown code) beside its control.
      if (err instanceof ApiError && err.status === 422) showFormErrors(form, err);
      else showError(err instanceof ApiError ? err.message : String(err));
      return;
    } finally {
      done.disabled = false;
    }
    focusWanted = "#work-title";
    await load();
    loadRecent();
    loadToday();
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

/** What the calls panel says when it holds no card: it follows the agent's state. */
function idleText() {
  switch (work.state) {
    case "logged_out": return "Logged out: log in to take calls.";
    case "available": return "No calls: waiting for an offer…";
    case "paused": return `Paused${work.reason ? ` (${work.reason})` : ""}: press Ready to take calls.`;
    default: return "No calls.";
  }
}

/** The element the person was working in, as a selector of the same control once the
 * cards are drawn again (the card's interaction and the control's class). */
function focusedKey() {
  const active = document.activeElement;
  if (!active || !document.getElementById("work").contains(active)) return null;
  const card = active.closest("[data-interaction], [data-lead]");
  if (!card || !active.className) return null;
  const which = card.dataset.interaction !== undefined
    ? `[data-interaction="${CSS.escape(card.dataset.interaction)}"]`
    : `[data-lead="${CSS.escape(card.dataset.lead)}"]`;
  const cls = active.className.split(/\s+/).filter(Boolean).map((c) => `.${CSS.escape(c)}`).join("");
  return `${which} ${active.tagName.toLowerCase()}${cls}`;
}

function renderWork() {
  const key = JSON.stringify([work.items, work.preview, work.state, work.reason]);
  if (key === shownWork) return; // keep what the agent is typing
  shownWork = key;
  const cards = work.items.map((item) => (item.status === "offered" ? offerCard(item)
    : item.status === "connected" ? connectedCard(item) : wrapCard(item)));
  const preview = work.preview ? previewCard(work.preview) : null;
  if (preview) cards.unshift(preview);
  const kept = typedValues();
  const hadFocus = focusedKey();
  const lostFocus = document.getElementById("work").contains(document.activeElement);
  document.getElementById("work").replaceChildren(
    ...(cards.length ? cards : [el("p", { class: "empty" }, idleText())]));
  restoreTyped(kept);
  placeFocus(hadFocus, lostFocus);
  document.title = work.items.some((i) => i.status === "offered") ? "📞 Incoming call · callcenter" : "callcenter · Desktop";
  if (work.items.some((i) => i.status === "connected")) loadDirectory();
}

/** Keep the focus where the person works: the control asked for (after Accept, the
 * call's Hang up; after hang-up, the disposition), else the same control redrawn, else
 * the panel's heading when the focused control went away with its card. */
function placeFocus(hadFocus, lostFocus) {
  const work = document.getElementById("work");
  if (focusWanted) {
    const wanted = document.querySelector(focusWanted);
    if (wanted) {
      wanted.focus();
      focusWanted = null;
      return;
    }
  }
  if (hadFocus) {
    const same = work.querySelector(hadFocus);
    if (same) {
      same.focus();
      return;
    }
  }
  if (lostFocus && !work.contains(document.activeElement)) {
    const first = work.querySelector("button.primary, button, select, input, textarea");
    (first || document.getElementById("work-title")).focus();
  }
}

function acceptOffer(interactionId, button) {
  answered.add(interactionId);
  focusWanted = `.call.connected[data-interaction="${CSS.escape(interactionId)}"] button.hangup`;
  return action(button, "accept", { interaction_id: interactionId });
}

// ---------------------------------------------------------------- transfer directory

let directoryTimer = null;

/** Read the directory (queues, other logged-in agents) and fill the call's selects;
 * again every 5 s while a call is connected (other agents' changes are not on this
 * agent's event stream). */
async function loadDirectory() {
  clearTimeout(directoryTimer);
  directoryTimer = setTimeout(async () => {
    if (!document.querySelector(".call.connected")) return;
    try {
      directory = await api("GET", agentPath("directory"));
    } catch (err) {
      showError(err.message);
      return;
    }
    for (const card of document.querySelectorAll(".call.connected")) {
      fillDirectory(card.querySelector("select.transfer-queue"), card.querySelector("select.transfer-agent"));
    }
    directoryTimer = setTimeout(loadDirectory, 5000);
  }, 50);
}

/** The directory's options in the call's two selects, keeping what was chosen when it
 * is still there and can be chosen. */
function fillDirectory(queue, agent) {
  if (!queue || !agent) return;
  const keptQueue = queue.value;
  const keptAgent = agent.value;
  const queues = directory ? directory.queues : queueIds.map((q) => ({ queue_id: q, waiting: null }));
  queue.replaceChildren(el("option", { value: "" }, "– queue –"),
    ...queues.map((q) => el("option", { value: q.queue_id },
      q.waiting === null ? q.queue_id : `${q.queue_id} (${q.waiting} waiting)`)));
  const agents = directory ? directory.agents : [];
  agent.replaceChildren(
    el("option", { value: "" }, agents.some((a) => a.available) ? "– available agent –" : "– no agent available –"),
    ...agents.map((a) => el("option", { value: a.agent_id, disabled: !a.available, dataset: { state: a.state } },
      `${a.name} · ${label(a.state)}${a.reason ? ` (${a.reason})` : ""}`)));
  if ([...queue.options].some((o) => o.value === keptQueue)) queue.value = keptQueue;
  if ([...agent.options].some((o) => o.value === keptAgent && !o.disabled)) agent.value = keptAgent;
}

// ---------------------------------------------------------------- ringing and notifications

let audio = null; // the AudioContext, made on the first click (browsers want a gesture)
let ringTimer = null;
let rings = 0;
let notified = 0;
const notifications = new Map(); // interaction id -> its desktop notification, while it rings

function unlockAudio() {
  try {
    if (!audio) audio = new AudioContext();
    if (audio.state === "suspended") audio.resume();
  } catch {
    audio = null; // no Web Audio here: the page still shows and announces the offer
  }
}

/** One ring: two tones (440 and 480 Hz) for 0.8 s, faded in and out. */
function ringOnce() {
  if (!document.getElementById("ring-on").checked) return;
  if (!audio) unlockAudio();
  if (!audio) return;
  const t = audio.currentTime;
  const gain = audio.createGain();
  gain.gain.setValueAtTime(0, t);
  gain.gain.linearRampToValueAtTime(0.15, t + 0.05);
  gain.gain.setValueAtTime(0.15, t + 0.75);
  gain.gain.linearRampToValueAtTime(0, t + 0.8);
  gain.connect(audio.destination);
  for (const hz of [440, 480]) {
    const osc = audio.createOscillator();
    osc.frequency.value = hz;
    osc.connect(gain);
    osc.start(t);
    osc.stop(t + 0.8);
  }
  rings += 1;
  document.body.dataset.rings = String(rings);
}

function startRinging() {
  if (ringTimer !== null) return;
  ringOnce();
  ringTimer = setInterval(ringOnce, 3000);
  document.body.dataset.ringing = "true";
}

function stopRinging() {
  clearInterval(ringTimer);
  ringTimer = null;
  document.body.dataset.ringing = "false";
}

function inBackground() {
  return document.visibilityState === "hidden" || !document.hasFocus();
}

function notifyOffer(item) {
  if (!("Notification" in window) || Notification.permission !== "granted" || !inBackground()) return;
  const who = item.customer ? `${item.customer.name} (${item.caller_number || "unknown"})`
    : (item.caller_number || "unknown caller");
  try {
    const note = new Notification("Incoming call", { body: `${who} · queue ${item.queue_id}`,
      tag: `offer-${item.interaction_id}`, requireInteraction: true });
    note.onclick = () => {
      window.focus();
      const accept = document.querySelector(`.call.offer[data-interaction="${CSS.escape(item.interaction_id)}"] button.accept`);
      if (accept) accept.focus();
      note.close();
    };
    notifications.set(item.interaction_id, note);
    notified += 1;
    document.body.dataset.notified = String(notified);
  } catch {
    // A browser that only notifies from a service worker: the ring and the title remain.
  }
}

function drawNotifyControl() {
  const button = document.getElementById("notify");
  const said = document.getElementById("notify-state");
  if (!("Notification" in window)) {
    button.hidden = true;
    said.textContent = "This browser has no desktop notifications.";
    return;
  }
  button.hidden = Notification.permission !== "default";
  said.textContent = Notification.permission === "granted" ? "Desktop notifications on."
    : Notification.permission === "denied" ? "Desktop notifications are blocked in the browser." : "";
}

/** Ring, notify and announce new offers; an offer gone without Accept or Reject is missed. */
function followOffers() {
  const offered = new Map(work.items.filter((i) => i.status === "offered").map((i) => [i.interaction_id, i]));
  const held = new Set(work.items.map((i) => i.interaction_id));
  for (const [id, item] of offered) {
    if (offersSeen.has(id)) continue;
    offersSeen.set(id, item);
    notifyOffer(item);
    const who = item.customer ? `${item.customer.name}, ` : "";
    announce(`Incoming call from ${who}${item.caller_number || "an unknown number"}, queue ${item.queue_id}: ringing. Alt+A accepts.`);
  }
  for (const [id, item] of [...offersSeen]) {
    if (offered.has(id)) continue;
    offersSeen.delete(id);
    notifications.get(id)?.close(); // answered here or elsewhere, or gone: no stale alert
    notifications.delete(id);
    if (!answered.has(id) && !held.has(id)) missed(item);
    answered.delete(id);
  }
  if (offered.size) startRinging();
  else stopRinging();
}

function missed(item) {
  const text = `Missed call from ${item.caller_number || "an unknown number"} at ${clockTime(clock.now())}`;
  const list = document.getElementById("missed");
  list.prepend(el("li", { dataset: { interaction: item.interaction_id } }, text));
  while (list.children.length > 5) list.lastElementChild.remove();
  announce(text);
}

function announce(text) {
  const box = document.getElementById("announce");
  box.textContent = "";
  // A fresh text node after a tick, so that the same words are read again.
  setTimeout(() => { box.textContent = text; }, 30);
}

// ---------------------------------------------------------------- my day

let todayTimer = null;

function localMidnight() {
  const d = new Date(clock.now() * 1000);
  d.setHours(0, 0, 0, 0);
  return d.getTime() / 1000;
}

async function loadToday() {
  clearTimeout(todayTimer);
  todayTimer = setTimeout(loadToday, 60000);
  let today;
  try {
    today = await api("GET", `${agentPath("today")}?since=${encodeURIComponent(localMidnight())}`);
  } catch (err) {
    showError(err.message);
    return;
  }
  document.getElementById("today-handled").textContent = String(today.handled);
  document.getElementById("today-aht").textContent = duration(today.aht);
  document.getElementById("today-talk").textContent = duration(today.talk_seconds);
  document.getElementById("today-states").replaceChildren(...(today.states.length
    ? today.states.map((s) => el("tr", { dataset: { state: s.state, reason: s.reason } },
      el("td", {}, label(s.state), s.reason ? ` (${s.reason})` : ""),
      el("td", { class: "num" }, duration(s.seconds))))
    : [el("tr", {}, el("td", { colspan: "2", class: "empty" }, "Not logged in today."))]));
}

// ---------------------------------------------------------------- keyboard

const SHORTCUTS = {
  KeyR: () => document.getElementById("ready").click(),
  KeyP: () => document.getElementById("pause").click(),
  KeyA: () => document.querySelector(".call.offer button.accept")?.click(),
  KeyH: () => document.querySelector(".call.connected button.hangup")?.click(),
};

function typing(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement
    && !["button", "checkbox", "radio", "submit", "reset"].includes(target.type);
}

function onKey(event) {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const run = SHORTCUTS[event.code];
  if (!run || typing(event.target)) return;
  event.preventDefault();
  run();
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
  const next = document.getElementById("next");
  if (work.next_state) {
    next.textContent = `Next: ${label(work.next_state)}${work.next_reason ? ` (${work.next_reason})` : ""}`;
    next.hidden = false;
  } else {
    next.textContent = "";
    next.hidden = true;
  }
  renderWork();
  tick();
}

function onMessage(m) {
  if (m.at !== undefined) clock.sync(m.at);
  loadSoon();
  if (m.type === "Disconnect" || m.type === "AgentStateChanged") loadRecent();
  if (m.type === "AgentStateChanged" && m.agent_id === me.agent_id) loadToday();
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
  // The ring needs an AudioContext a click allowed: any click in the page makes it.
  document.addEventListener("click", unlockAudio);
  document.addEventListener("keydown", onKey);
  document.getElementById("notify").addEventListener("click", async () => {
    try {
      await Notification.requestPermission();
    } finally {
      drawNotifyControl();
    }
  });
  drawNotifyControl();
  try {
    [dispositions, queueIds] = await Promise.all([
      api("GET", "/api/dispositions"),
      api("GET", "/api/queues").then((qs) => qs.map((q) => q.queue_id)),
    ]);
  } catch (err) {
    showError(err.message);
  }
  new LiveSocket(onMessage, () => { load(); loadRecent(); loadToday(); }).start();
  setInterval(tick, 1000);
}

main();
