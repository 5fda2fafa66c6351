// Campaigns: /campaigns (the list, a new campaign, the global and national do-not-call
// lists) and /campaigns/{name} (live figures, start/pause/stop, settings, leads, the
// campaign's do-not-call list, compliance, penetration). Supervisors read; admins change.
import {
  ApiError, act, api, clearError, clearFormErrors, el, label, showError, showFormErrors,
} from "./common.js";
import { chart, PALETTE } from "./charts.js";
import { startPage } from "./nav.js";

const POLL_MS = 2000; // live figures: the server's figures, fetched again this often

const ENUMS = {
  purpose: ["sales", "research", "pre-sale", "after-sale", "reactivation", "address-update",
            "other"],
  dial_mode: ["preview", "progressive", "predictive", "agentless"],
  dnc_scope: ["global", "campaign"],
  preview_timeout_action: ["release", "dial"],
};
const CATEGORIES = ["contact", "non-contact", "success", "do-not-call"];
const OUTCOMES = ["busy", "no-answer", "answering-machine", "failed", "dropped", "answered",
                  "invalid"];
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const LEAD_STATES = ["new", "scheduled", "callback", "dialing", "done"];
const DAY = 86400;

/** A new campaign's settings: the core's defaults (core.dialer.campaign.Campaign). */
const DEFAULTS = {
  name: "", purpose: "other", dial_mode: "progressive", caller_id: "", information_message: "",
  default_region: "US", timezone: "UTC",
  windows: [0, 1, 2, 3, 4].map((weekday) => ({ weekday, start: "09:00:00", end: "20:00:00" }))
    .concat([{ weekday: 5, start: "10:00:00", end: "16:00:00" }]),
  holiday_country: null, holiday_subdivision: null,
  dispositions: [
    { code: "sale", category: "success", label: "Sale / goal reached", retry_after: null },
    { code: "not-interested", category: "contact", label: "Not interested", retry_after: null },
    { code: "call-again", category: "contact", label: "Call again later", retry_after: DAY },
    { code: "wrong-number", category: "non-contact", label: "Wrong person / no contact",
      retry_after: null },
    { code: "do-not-call", category: "do-not-call", label: "Do not call again",
      retry_after: null },
  ],
  retry_rules: [
    { outcome: "busy", delays: [600, 1800], max_tries: 5 },
    { outcome: "no-answer", delays: [3 * 3600, 6 * 3600, DAY], max_tries: 6 },
    { outcome: "answering-machine", delays: [4 * 3600, DAY], max_tries: 4 },
    { outcome: "failed", delays: [900, 3600], max_tries: 3 },
    { outcome: "dropped", delays: [72 * 3600], max_tries: 2 },
  ],
  max_attempts: 10, max_attempts_per_day: 3, drop_cap: 0.03, drop_hold: 72 * 3600,
  dnc_scope: "global", preview_timeout: 60, preview_timeout_action: "release", skip_delay: 300,
  flow: "", max_lines: 10,
};

const enc = encodeURIComponent;
const pct = (x) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(1)} %`);
const when = (at) => (at === null || at === undefined ? "–"
  : new Date(at * 1000).toISOString().replace("T", " ").slice(0, 19));

/** Send a CSV file as the body of a POST (text/csv, streamed by the server); the
 * parsed answer, or an ApiError whose `.body` is the whole error answer. */
async function postCsv(path, file, method = "POST") {
  let response;
  try {
    response = await fetch(path, {
      method, credentials: "same-origin", body: file,
      headers: { Accept: "application/json", "Content-Type": "text/csv" },
    });
  } catch (err) {
    throw new ApiError(0, `the server cannot be reached (${err.message})`);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const detail = data && typeof data.detail === "string" ? data.detail
      : `upload failed (HTTP ${response.status})`;
    const err = new ApiError(response.status, detail, data && data.detail, data && data.errors);
    err.body = data || {};
    throw err;
  }
  return data;
}

function panel(id, title, ...children) {
  return el("section", { class: "panel", id, "aria-labelledby": `${id}-title` },
    el("h3", { id: `${id}-title` }, title), ...children);
}

/** A table's horizontal scroller, focusable and named, so a keyboard can scroll it. */
function scrollBox(name, table) {
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": name }, table);
}

function stateBadge(state) {
  return el("span", { class: `cstate cstate-${state}` }, label(state));
}

function sectionMenu(label_, items) {
  return el("nav", { class: "sections", "aria-label": label_ },
    el("ul", {}, items.map(([href, text]) => el("li", {}, el("a", { href }, text)))));
}

// --- the list -------------------------------------------------------------------------

async function listPage(app, me) {
  const admin = me.role === "admin";
  const body = el("div", { class: "section-body" });
  const items = [["#campaigns", "All campaigns"]];
  if (admin) items.push(["#new", "New campaign"]);
  items.push(["#global-dnc", "Global do-not-call"], ["#national-dnc", "National lists"]);
  app.replaceChildren(sectionMenu("Campaigns", items), body);

  const tbody = el("tbody");
  const table = el("table", { class: "data", id: "campaign-list" },
    el("caption", { class: "sr-only" }, "Campaigns with their state and live figures"),
    el("thead", {}, el("tr", {}, ["Campaign", "State", "Mode", "Dialed", "Contacts 24 h",
      "Drops 24 h", "Drop rate 24 h", "Agents", "Lines"].map((h, i) =>
      el("th", { class: i >= 3 ? "num" : null, scope: "col" }, h)))),
    tbody);
  body.append(panel("campaigns", "Campaigns", scrollBox("Table of campaigns", table)));

  async function refresh() {
    const list = await api("GET", "/api/campaigns");
    if (!list.length) {
      tbody.replaceChildren(el("tr", {}, el("td", { colspan: 9, class: "empty" },
        "No campaigns yet.")));
      return;
    }
    tbody.replaceChildren(...list.map((c) => {
      const live = c.live;
      const n = (v) => el("td", { class: "num" }, live ? v : "–");
      return el("tr", { dataset: { campaign: c.name } },
        el("td", {}, el("a", { href: `/campaigns/${enc(c.name)}` }, c.name)),
        el("td", {}, stateBadge(c.state)), el("td", {}, c.dial_mode),
        n(live && live.dialed), n(live && live.lives_24h), n(live && live.drops_24h),
        n(live && pct(live.drop_rate_24h)), n(live && live.agents), n(live && live.in_flight));
    }));
  }
  await refresh();
  poll(refresh);

  if (admin) {
    const form = campaignForm(DEFAULTS, true, async (data) => {
      const made = await api("POST", "/api/campaigns", data);
      window.location.assign(`/campaigns/${enc(made.name)}`);
    });
    body.append(panel("new", "New campaign", form));
  }
  body.append(dncPanel("global-dnc", "Global do-not-call list", "/api/dnc", admin,
    "Numbers on this list are never called by any campaign."));
  body.append(nationalPanel(admin));
}

/** Run `fn` every POLL_MS while the page is open (errors shown, polling goes on). */
function poll(fn) {
  let timer = null;
  const tick = async () => {
    try { await fn(); } catch (err) { if (!(err instanceof ApiError && err.status === 0)) showError(err.message); }
    timer = setTimeout(tick, POLL_MS);
  };
  timer = setTimeout(tick, POLL_MS);
  window.addEventListener("beforeunload", () => clearTimeout(timer));
}

// --- the campaign form ------------------------------------------------------------------

function input(name, value, attrs = {}) {
  return el("input", { name, id: `f-${name}`, value: value ?? "", ...attrs });
}

function select(name, options, value, attrs = {}) {
  const s = el("select", { name, id: `f-${name}`, ...attrs },
    options.map((o) => el("option", { value: o, selected: o === value }, label(o))));
  return s;
}

function field(text, control, hint) {
  return el("label", { for: control.id }, text, control,
    hint ? el("span", { class: "hint" }, hint) : null);
}

/** An editable list of rows (windows, dispositions, retry rules): `make(row, i)` gives
 * a row's controls (named `list.i.field`); Add and Remove renumber the names. */
function listEditor(name, legend, rows, make, blank, hint) {
  const box = el("div", { class: "rows", dataset: { list: name } });
  const add = el("button", { type: "button", class: "small" }, `Add ${legend.toLowerCase().replace(/s$/, "")}`);
  const set = el("fieldset", { name }, el("legend", {}, legend),
    hint ? el("p", { class: "hint" }, hint) : null, box, el("div", {}, add));
  const draw = (list) => {
    box.replaceChildren(...list.map((row, i) => {
      const remove = el("button", { type: "button", class: "small danger",
        "aria-label": `Remove ${legend.toLowerCase()} row ${i + 1}` }, "Remove");
      remove.addEventListener("click", () => {
        const now = collectList(box);
        now.splice(i, 1);
        draw(now);
        add.focus();
      });
      return el("div", { class: "list-row", dataset: { row: i } }, make(row, i), remove);
    }));
  };
  box.collect = () => collectList(box);
  box.make = make;
  add.addEventListener("click", () => {
    const now = collectList(box);
    now.push({ ...blank });
    draw(now);
    const first = box.lastElementChild && box.lastElementChild.querySelector("input, select");
    if (first) first.focus();
  });
  draw(rows);
  return set;
}

/** The rows of a list editor as objects, from the controls' names `list.i.field`. */
function collectList(box) {
  const rows = [];
  for (const row of box.querySelectorAll(".list-row")) {
    const obj = {};
    for (const c of row.querySelectorAll("[name]")) {
      const key = c.name.split(".").pop();
      obj[key] = c.dataset.kind ? parseValue(c) : c.value;
    }
    rows.push(obj);
  }
  return rows;
}

function parseValue(c) {
  const v = c.value.trim();
  switch (c.dataset.kind) {
    case "int": return v === "" ? null : (Number.isInteger(Number(v)) ? Number(v) : v);
    case "float": return v === "" ? null : (Number.isFinite(Number(v)) ? Number(v) : v);
    case "optional": return v === "" ? null : v;
    case "list": return v === "" ? [] : v.split(/[\s,]+/).filter(Boolean).map((x) => (Number.isFinite(Number(x)) ? Number(x) : x));
    case "time": return v.length === 5 ? `${v}:00` : v;
    default: return c.value;
  }
}

function num(name, value, kind, attrs = {}) {
  return input(name, value, { type: "text", inputmode: kind === "int" ? "numeric" : "decimal",
                              dataset: { kind }, ...attrs });
}

/** The create/edit form of a campaign: every field of the API's body, each control named
 * after its field path, so that the server's 422 lands beside it. */
function campaignForm(c, creating, save) {
  const form = el("form", { class: "edit campaign-form", novalidate: true });
  const status = el("p", { class: "saved", role: "status", "aria-live": "polite" });
  const windows = listEditor("windows", "Calling windows", c.windows, (w, i) => [
    field("Day", el("select", { name: `windows.${i}.weekday`, id: `f-windows.${i}.weekday`,
      dataset: { kind: "int" } }, WEEKDAYS.map((day, d) =>
      el("option", { value: String(d), selected: d === Number(w.weekday) }, day)))),
    field("From", input(`windows.${i}.start`, (w.start || "").slice(0, 5),
      { type: "time", dataset: { kind: "time" } })),
    field("To", input(`windows.${i}.end`, (w.end || "").slice(0, 5),
      { type: "time", dataset: { kind: "time" } })),
  ], { weekday: 0, start: "09:00:00", end: "17:00:00" },
  "In the callee's local time; no window on a day: no calls that day.");
  const dispositions = listEditor("dispositions", "Disposition codes", c.dispositions, (d, i) => [
    field("Code", input(`dispositions.${i}.code`, d.code, { required: true })),
    field("Category", select(`dispositions.${i}.category`, CATEGORIES, d.category)),
    field("Label", input(`dispositions.${i}.label`, d.label)),
    field("Retry after (s)", num(`dispositions.${i}.retry_after`, d.retry_after, "float")),
  ], { code: "", category: "contact", label: "", retry_after: null });
  const retries = listEditor("retry_rules", "Retry rules", c.retry_rules, (r, i) => [
    field("Outcome", select(`retry_rules.${i}.outcome`, OUTCOMES, r.outcome)),
    field("Delays (s, comma separated)", input(`retry_rules.${i}.delays`,
      (r.delays || []).join(", "), { dataset: { kind: "list" } })),
    field("Max tries", num(`retry_rules.${i}.max_tries`, r.max_tries, "int")),
  ], { outcome: "busy", delays: [600], max_tries: null });

  form.append(...[
    el("p", { class: "form-error", role: "alert", hidden: true }),
    creating ? field("Name", input("name", c.name, { required: true, maxlength: 100 })) : null,
    el("div", { class: "row" },
      field("Purpose", select("purpose", ENUMS.purpose, c.purpose)),
      field("Dial mode", select("dial_mode", ENUMS.dial_mode, c.dial_mode)),
      field("Caller ID", input("caller_id", c.caller_id, { required: true, maxlength: 20,
        placeholder: "+4930123456" }), "E.164, shown to the callee")),
    field("Information message", el("textarea", { name: "information_message",
      id: "f-information_message", rows: 2 }, c.information_message || ""),
    "Played to a live answer that gets no agent (a drop)"),
    el("div", { class: "row" },
      field("Default region", input("default_region", c.default_region, { maxlength: 10 }),
        "for numbers without a country code"),
      field("Time zone", input("timezone", c.timezone, { maxlength: 64 })),
      field("Holiday country", input("holiday_country", c.holiday_country,
        { maxlength: 10, dataset: { kind: "optional" } })),
      field("Holiday subdivision", input("holiday_subdivision", c.holiday_subdivision,
        { maxlength: 10, dataset: { kind: "optional" } }))),
    windows,
    el("fieldset", {}, el("legend", {}, "Caps"),
      el("div", { class: "row" },
        field("Max attempts", num("max_attempts", c.max_attempts, "int")),
        field("Max attempts a day", num("max_attempts_per_day", c.max_attempts_per_day, "int")),
        field("Drop cap", num("drop_cap", c.drop_cap, "float"), "fraction: 0.03 = 3 %"),
        field("Drop hold (s)", num("drop_hold", c.drop_hold, "float")))),
    retries,
    dispositions,
    el("fieldset", {}, el("legend", {}, "Do-not-call, preview and agentless"),
      el("div", { class: "row" },
        field("Do-not-call scope", select("dnc_scope", ENUMS.dnc_scope, c.dnc_scope)),
        field("Preview timeout (s)", num("preview_timeout", c.preview_timeout, "float")),
        field("On preview timeout", select("preview_timeout_action",
          ENUMS.preview_timeout_action, c.preview_timeout_action)),
        field("Skip delay (s)", num("skip_delay", c.skip_delay, "float"))),
      el("div", { class: "row" },
        field("IVR flow", input("flow", c.flow, { maxlength: 100 }), "agentless: where a live answer goes"),
        field("Max lines", num("max_lines", c.max_lines, "int"), "agentless: calls at once"))),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "primary" }, creating ? "Create campaign" : "Save")),
    status,
  ].filter(Boolean));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    status.textContent = "";
    const data = collectForm(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await save(data);
      status.textContent = "Saved.";
    } catch (err) {
      showFormErrors(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function collectForm(form) {
  const data = {};
  for (const c of form.elements) {
    if (!c.name || c.closest(".rows") || c.tagName === "FIELDSET" || c.tagName === "BUTTON") continue;
    data[c.name] = c.dataset.kind ? parseValue(c) : c.value;
  }
  for (const box of form.querySelectorAll(".rows")) data[box.dataset.list] = box.collect();
  return data;
}

// --- do-not-call lists ------------------------------------------------------------------

/** A do-not-call list at `base` (GET pages, POST adds, DELETE base/{number}, POST
 * base/import a CSV): its numbers, paged, and (for admins) add, remove, import. */
function dncPanel(id, title, base, admin, note) {
  const tbody = el("tbody");
  const pager = el("div", { class: "pager" });
  const result = el("div", { class: "import-result", "aria-live": "polite" });
  let offset = 0;
  const limit = 20;
  async function load() {
    const page = await api("GET", `${base}?offset=${offset}&limit=${limit}`);
    tbody.replaceChildren(...(page.items.length ? page.items.map((e) => el("tr", {},
      el("td", {}, e.number), el("td", {}, when(new Date(e.added_at).getTime() / 1000)),
      admin ? el("td", { class: "actions" }, el("button", {
        type: "button", class: "small danger", "aria-label": `Remove ${e.number}`,
        onclick: (ev) => act(ev.currentTarget, async () => {
          await api("DELETE", `${base}/${enc(e.number)}`);
          await load();
        }) }, "Remove")) : null))
      : [el("tr", {}, el("td", { colspan: 3, class: "empty" }, "No numbers on this list."))]));
    drawPager(pager, page, (o) => { offset = o; load(); });
  }
  const children = [el("p", { class: "hint" }, note)];
  if (admin) {
    const form = el("form", { class: "toolbar" },
      el("label", { for: `${id}-number` }, "Number (E.164)",
        el("input", { id: `${id}-number`, name: "number", placeholder: "+4930123456" })),
      el("button", { type: "submit" }, "Add"),
      el("p", { class: "form-error", role: "alert", hidden: true }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFormErrors(form);
      try {
        await api("POST", base, { number: form.elements.number.value.trim() });
        form.elements.number.value = "";
        await load();
      } catch (err) { showFormErrors(form, err); }
    });
    children.push(form, csvImport(`${id}-import`, "Import numbers (CSV with a number column)",
      () => `${base}/import`, result, (report) => {
        result.replaceChildren(el("p", { class: "saved" },
          `${report.rows} rows read: ${report.added} added, ${report.present} already on the list.`));
        load();
      }));
  }
  children.push(result, scrollBox("Table of do-not-call numbers", el("table", { class: "data dnc-list" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Number"),
      el("th", { scope: "col" }, "Added (UTC)"), admin ? el("th", { scope: "col" }, el("span", { class: "sr-only" }, "Actions")) : null)),
    tbody)), pager);
  const section = panel(id, title, ...children);
  load().catch((err) => showError(err.message));
  return section;
}

/** A file picker and an Import button; 422 rows rejected are listed under `result`. */
function csvImport(id, text, path, result, done, method = "POST") {
  const file = el("input", { type: "file", id, accept: ".csv,text/csv", name: "file" });
  const button = el("button", { type: "button" }, "Import");
  button.addEventListener("click", () => act(button, async () => {
    result.replaceChildren();
    if (!file.files.length) { result.append(el("p", { class: "form-error" }, "Choose a CSV file first.")); return; }
    try {
      done(await postCsv(path(), file.files[0], method));
    } catch (err) {
      result.replaceChildren(rejectedReport(err));
    }
  }));
  return el("div", { class: "toolbar" }, el("label", { for: id }, text, file), button);
}

/** The rows of a refused import (line, column, reason), or the error's message. */
function rejectedReport(err) {
  const rows = (err.body && err.body.rejected) || [];
  const box = el("div", { class: "rejected", role: "alert" },
    el("p", { class: "form-error" }, err.message));
  if (rows.length) {
    box.append(scrollBox("Table of rejected rows", el("table", { class: "data rejected-rows" },
      el("caption", {}, `${rows.length} rows rejected; nothing was imported`),
      el("thead", {}, el("tr", {}, el("th", { class: "num", scope: "col" }, "Line"),
        el("th", { scope: "col" }, "Column"), el("th", { scope: "col" }, "Reason"))),
      el("tbody", {}, rows.map((r) => el("tr", {}, el("td", { class: "num" }, r.line),
        el("td", {}, r.column || "–"), el("td", {}, r.reason)))))));
  }
  return box;
}

function drawPager(pager, page, go) {
  const last = Math.min(page.offset + page.limit, page.total);
  const prev = el("button", { type: "button", class: "small", disabled: page.offset === 0 }, "Previous");
  const next = el("button", { type: "button", class: "small", disabled: last >= page.total }, "Next");
  prev.addEventListener("click", () => go(Math.max(0, page.offset - page.limit)));
  next.addEventListener("click", () => go(page.offset + page.limit));
  pager.replaceChildren(prev, el("span", { "aria-live": "polite" },
    page.total ? `${page.offset + 1}–${last} of ${page.total}` : "none"), next);
}

function nationalPanel(admin) {
  const tbody = el("tbody");
  const result = el("div", { class: "import-result", "aria-live": "polite" });
  async function load() {
    const lists = await api("GET", "/api/dnc/national");
    tbody.replaceChildren(...(lists.length ? lists.map((l) => el("tr", {},
      el("td", {}, l.name), el("td", { class: "num" }, l.numbers)))
      : [el("tr", {}, el("td", { colspan: 2, class: "empty" }, "No national list imported."))]));
  }
  const children = [el("p", { class: "hint" },
    "A national do-not-call register, imported whole: an import replaces the list of that name. It blocks every campaign.")];
  if (admin) {
    const name = el("input", { id: "national-name", name: "name", placeholder: "e.g. US-DNC", maxlength: 100 });
    children.push(el("div", { class: "toolbar" }, el("label", { for: "national-name" }, "List name", name)),
      csvImport("national-file", "Numbers (CSV with a number column)",
        () => `/api/dnc/national/${enc(name.value.trim())}`, result, (report) => {
          result.replaceChildren(el("p", { class: "saved" },
            `National list ${report.name}: ${report.numbers} numbers.`));
          load();
        }, "PUT"));
  }
  children.push(result, el("table", { class: "data national" }, el("thead", {}, el("tr", {},
    el("th", { scope: "col" }, "List"), el("th", { class: "num", scope: "col" }, "Numbers"))), tbody));
  load().catch((err) => showError(err.message));
  return panel("national-dnc", "National do-not-call lists", ...children);
}

// --- one campaign ----------------------------------------------------------------------

const LIVE = [
  ["dialed", "Dialed"], ["lives_24h", "Contacts 24 h"], ["drops_24h", "Drops 24 h"],
  ["drop_rate_24h", "Drop rate 24 h", pct], ["lives_30d", "Contacts 30 d"],
  ["drops_30d", "Drops 30 d"], ["drop_rate_30d", "Drop rate 30 d", pct],
  ["agents", "Agents"], ["agents_ready", "Agents ready"], ["agents_talking", "Agents talking"],
  ["in_flight", "Lines in use"], ["ringing", "Ringing"], ["waiting", "Waiting for an agent"],
  ["connected", "Connected"],
];

async function campaignPage(app, me, name) {
  const admin = me.role === "admin";
  document.title = `callcenter · ${name}`;
  const base = `/api/campaigns/${enc(name)}`;
  let c;
  try {
    c = await api("GET", base);
  } catch (err) {
    if (err.status === 404) {
      app.replaceChildren(el("p", {}, `There is no campaign “${name}”. `,
        el("a", { href: "/campaigns" }, "All campaigns")));
      return;
    }
    throw err;
  }
  const body = el("div", { class: "section-body" });
  app.replaceChildren(sectionMenu(name, [["/campaigns", "All campaigns"], ["#live", "Live"],
    ["#settings", "Settings"], ["#leads", "Leads"], ["#dnc", "Do-not-call"],
    ["#compliance", "Compliance"], ["#penetration", "Penetration"]]), body);

  // live figures and state
  const state = el("span", { id: "campaign-state", "aria-live": "polite" });
  const figures = el("dl", { class: "live-figures", id: "live-figures" });
  const cap = el("p", { class: "cap", id: "drop-cap" });
  const buttons = {};
  const actions = el("div", { class: "buttons" });
  if (admin) {
    for (const [action, text] of [["start", "Start"], ["pause", "Pause"], ["stop", "Stop"]]) {
      buttons[action] = el("button", { type: "button", id: `campaign-${action}`,
        class: action === "start" ? "primary" : action === "stop" ? "danger" : null }, text);
      buttons[action].addEventListener("click", () => act(buttons[action], async () => {
        draw(await api("POST", `${base}/${action}`));
        // the clicked button may be hidden now: the focus stays on the actions
        const next = Object.values(buttons).find((b) => !b.hidden);
        if (next && buttons[action].hidden) next.focus();
      }));
      actions.append(buttons[action]);
    }
  }
  function draw(now) {
    c = now;
    state.replaceChildren(stateBadge(now.state));
    if (admin) {
      buttons.start.hidden = now.state === "running";
      buttons.pause.hidden = now.state !== "running";
      buttons.stop.hidden = now.state === "stopped";
    }
    const live = now.live;
    figures.replaceChildren(...LIVE.map(([key, text, fmt]) => el("div", { class: "figure" },
      el("dt", {}, text),
      el("dd", { dataset: { figure: key } }, live ? (fmt ? fmt(live[key]) : live[key]) : "–"))));
    if (live) {
      const over24 = live.drop_rate_24h > now.drop_cap;
      const over30 = live.drop_rate_30d > now.drop_cap;
      cap.className = `cap ${over24 || over30 ? "over" : "within"}`;
      cap.textContent = `Drop cap ${pct(now.drop_cap)}: 24 h ${pct(live.drop_rate_24h)} ` +
        `(${over24 ? "over" : "within"}), 30 d ${pct(live.drop_rate_30d)} ` +
        `(${over30 ? "over" : "within"}). ${live.dialing ? "Dialing." : "Not dialing."}` +
        `${live.held_for_inbound ? " Held for inbound work." : ""}`;
    } else {
      cap.className = "cap";
      cap.textContent = `Drop cap ${pct(now.drop_cap)}. Live figures show while the campaign runs or is paused.`;
    }
  }
  if (admin) {
    const remove = el("button", { type: "button", id: "campaign-delete", class: "danger" },
      "Delete…");
    remove.addEventListener("click", () => act(remove, async () => {
      if (!window.confirm(`Delete campaign “${name}” with its leads, attempts and do-not-call list?`)) return;
      await api("DELETE", base);
      window.location.assign("/campaigns");
    }));
    actions.append(remove);
  }
  body.append(panel("live", "Live", el("div", { class: "live-head" },
    el("span", {}, "State: ", state), actions), cap, figures));
  draw(c);
  poll(async () => draw(await api("GET", base)));

  // settings
  if (admin) {
    body.append(panel("settings", "Settings", campaignForm(c, false, async (data) => {
      draw({ ...(await api("PUT", base, data)), live: c.live });
    })));
  } else {
    body.append(panel("settings", "Settings", settingsView(c)));
  }

  body.append(leadsPanel(base, admin));
  body.append(dncPanel("dnc", "Campaign do-not-call list", `${base}/dnc`, admin,
    "Numbers blocked for this campaign only (with the do-not-call scope “campaign”, "
    + "a do-not-call disposition lands here)."));
  body.append(compliancePanel(base, name));
  body.append(penetrationPanel(base));
}

function settingsView(c) {
  const rows = [["Purpose", c.purpose], ["Dial mode", c.dial_mode], ["Caller ID", c.caller_id],
    ["Time zone", c.timezone], ["Default region", c.default_region],
    ["Max attempts", c.max_attempts], ["Max attempts a day", c.max_attempts_per_day],
    ["Drop cap", pct(c.drop_cap)], ["Do-not-call scope", c.dnc_scope],
    ["Calling windows", c.windows.map((w) => `${WEEKDAYS[w.weekday].slice(0, 3)} ${w.start.slice(0, 5)}–${w.end.slice(0, 5)}`).join(", ")],
    ["Disposition codes", c.dispositions.map((d) => `${d.code} (${d.category})`).join(", ")],
    ["Retry rules", c.retry_rules.map((r) => `${r.outcome}: ${r.delays.join("/")} s`).join(", ")]];
  return el("dl", { class: "settings" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, String(v))]));
}

function leadsPanel(base, admin) {
  const tbody = el("tbody");
  const pager = el("div", { class: "pager" });
  const result = el("div", { class: "import-result", id: "lead-import-result", "aria-live": "polite" });
  const stateFilter = el("select", { id: "lead-state" }, el("option", { value: "" }, "any"),
    LEAD_STATES.map((s) => el("option", { value: s }, s)));
  const numberFilter = el("input", { id: "lead-number", type: "search", placeholder: "+4930123456",
                                     maxlength: 20 });
  let offset = 0;
  const limit = 25;
  async function load() {
    const q = new URLSearchParams({ offset, limit });
    if (stateFilter.value) q.set("state", stateFilter.value);
    if (numberFilter.value.trim()) q.set("number", numberFilter.value.trim());
    const page = await api("GET", `${base}/leads?${q}`);
    tbody.replaceChildren(...(page.items.length ? page.items.map((l) => el("tr", {},
      el("td", {}, l.lead_id), el("td", {}, l.number), el("td", {}, l.zone),
      el("td", {}, l.state), el("td", {}, l.result || "–"), el("td", { class: "num" }, l.attempts),
      el("td", {}, l.last_outcome || "–"), el("td", {}, when(l.last_attempt_at))))
      : [el("tr", {}, el("td", { colspan: 8, class: "empty" }, "No leads."))]));
    drawPager(pager, page, (o) => { offset = o; load(); });
  }
  stateFilter.addEventListener("change", () => { offset = 0; load(); });
  numberFilter.addEventListener("change", () => { offset = 0; load().catch((err) => showError(err.message)); });
  const children = [];
  if (admin) {
    const columns = [["number", "Number column", "number"], ["id", "Id column", "none: the number"],
      ["priority", "Priority column", "none"], ["timezone", "Time zone column", "none"],
      ["country", "Country column", "none"], ["postcode", "Postcode column", "none"],
      ["field", "Custom fields (COLUMN or NAME=COLUMN, comma separated)", "all other columns"]]
      .map(([key, text, hint]) => [key, el("input", { id: `lead-${key}-column`, maxlength: key === "field" ? null : 100,
        value: key === "number" ? "number" : "", placeholder: hint }), text]);
    children.push(el("details", { class: "mapping" }, el("summary", {}, "Column mapping"),
      el("div", { class: "toolbar" }, columns.map(([key, control, text]) =>
        el("label", { for: control.id }, text, control)))),
    csvImport("lead-file", "Lead list (CSV)", () => {
      const q = new URLSearchParams();
      for (const [key, control] of columns) {
        const v = control.value.trim();
        if (key === "field") v.split(",").map((x) => x.trim()).filter(Boolean).forEach((x) => q.append("field", x));
        else if (v) q.set(key, v);
      }
      if (!q.has("number")) q.set("number", "number");
      return `${base}/leads?${q}`;
    }, result, (report) => {
      result.replaceChildren(el("p", { class: "saved" },
        `${report.rows} rows read, ${report.stored} leads stored` +
        `${report.merged ? `, ${report.merged} rows merged` : ""}` +
        `${report.skipped.length ? `, ${report.skipped.length} already in the campaign` : ""}.`));
      load();
    }));
  }
  children.push(result, el("div", { class: "toolbar" }, el("label", { for: "lead-state" }, "State", stateFilter),
      el("label", { for: "lead-number" }, "Number (E.164)", numberFilter)),
    scrollBox("Table of leads", el("table", { class: "data", id: "lead-list" },
      el("thead", {}, el("tr", {}, ["Lead", "Number", "Time zone", "State", "Result", "Attempts",
        "Last outcome", "Last attempt (UTC)"].map((h) => el("th", { scope: "col", class: h === "Attempts" ? "num" : null }, h)))),
      tbody)), pager);
  load().catch((err) => showError(err.message));
  return panel("leads", "Leads", ...children);
}

const COMPLIANCE = [
  ["attempts", "Attempts"], ["contacts", "Contacts"], ["drops", "Drops"],
  ["drop_cap", "Drop cap", pct], ["drop_rate_24h", "Worst 24 h drop rate", pct],
  ["worst_24h_end", "Worst 24 h window ends (UTC)", when],
  ["worst_24h_contacts", "Contacts in that window"], ["worst_24h_drops", "Drops in that window"],
  ["drop_rate_30d", "Drop rate 30 d", pct], ["contacts_30d", "Contacts 30 d"],
  ["drops_30d", "Drops 30 d"], ["outside_window", "Calls outside the calling windows"],
  ["dnc_blocked", "Do-not-call numbers held back"], ["dnc_dialed", "Do-not-call numbers dialed"],
  ["max_attempts", "Max attempts"], ["most_attempts_per_lead", "Most attempts of a lead"],
  ["max_attempts_per_day", "Max attempts a day"],
  ["most_attempts_per_lead_day", "Most attempts of a lead in a day"],
  ["leads_over_cap", "Leads over a cap"],
  ["info_delay_max", "Information message delay, max (s)"],
  ["info_delay_p95", "Information message delay, 95th percentile (s)"],
  ["info_late", "Information messages late"],
];

function compliancePanel(base, name) {
  const tbody = el("tbody");
  const refresh = el("button", { type: "button", class: "small" }, "Refresh");
  async function load() {
    const r = await api("GET", `${base}/compliance`);
    tbody.replaceChildren(...COMPLIANCE.map(([key, text, fmt]) => el("tr", { dataset: { key } },
      el("th", { scope: "row" }, text),
      el("td", { class: "num" }, r[key] === null ? "–" : fmt ? fmt(r[key]) : r[key]))));
  }
  refresh.addEventListener("click", () => act(refresh, load));
  load().catch((err) => showError(err.message));
  return panel("compliance", "Compliance report",
    el("div", { class: "toolbar" }, refresh,
      el("a", { href: `${base}/compliance?format=csv`, download: `compliance-${name}.csv`,
                class: "button" }, "Download CSV")),
    scrollBox("Table of compliance checks", el("table", { class: "data compliance" }, tbody)));
}

function penetrationPanel(base) {
  const canvas = el("canvas", { id: "penetration-chart", role: "img",
    "aria-label": "Leads by disposition: see the table beside the chart" });
  const summary = el("tbody");
  const tbody = el("tbody");
  const outcomes = el("tbody");
  const refresh = el("button", { type: "button", class: "small" }, "Refresh");
  async function load() {
    const b = await api("GET", `${base}/penetration`);
    summary.replaceChildren(...[["Leads", b.leads, null], ["Attempted", b.attempted, b.attempted_share],
      ["Contacted", b.contacted, b.contacted_share], ["Converted", b.converted, b.converted_share]]
      .map(([k, n, share]) => el("tr", {}, el("th", { scope: "row" }, k),
        el("td", { class: "num" }, n), el("td", { class: "num" }, share === null ? "" : pct(share)))));
    tbody.replaceChildren(...(b.dispositions.length ? b.dispositions.map((d) => el("tr", {},
      el("td", {}, d.code), el("td", {}, d.label || ""), el("td", {}, d.category || "–"),
      el("td", { class: "num" }, d.leads), el("td", { class: "num" }, pct(d.share))))
      : [el("tr", {}, el("td", { colspan: 5, class: "empty" }, "No lead has a disposition yet."))]));
    outcomes.replaceChildren(...(b.outcomes.length ? b.outcomes.map((o) => el("tr", {},
      el("td", {}, label(o.outcome)), el("td", { class: "num" }, o.leads),
      el("td", { class: "num" }, pct(o.share))))
      : [el("tr", {}, el("td", { colspan: 3, class: "empty" }, "None."))]));
    chart(canvas, {
      type: "bar", labels: b.dispositions.map((d) => d.code),
      series: [{ label: "Leads (last disposition)", data: b.dispositions.map((d) => d.leads),
                 colour: PALETTE[0] }],
      yTitle: "leads",
    });
  }
  refresh.addEventListener("click", () => act(refresh, load));
  load().catch((err) => showError(err.message));
  return panel("penetration", "Penetration and dispositions",
    el("div", { class: "toolbar" }, refresh),
    el("table", { class: "data penetration" }, el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, el("span", { class: "sr-only" }, "Stage")),
      el("th", { scope: "col", class: "num" }, "Leads"),
      el("th", { scope: "col", class: "num" }, "Share of leads"))), summary),
    el("div", { class: "chart-box" }, canvas),
    scrollBox("Table of dispositions", el("table", { class: "data dispositions" },
      el("thead", {}, el("tr", {}, ["Disposition", "Label", "Category", "Leads", "Share of leads"]
        .map((h, i) => el("th", { scope: "col", class: i >= 3 ? "num" : null }, h)))), tbody)),
    scrollBox("Table of outcomes", el("table", { class: "data outcomes" },
      el("caption", {}, "Leads without a disposition, by their last network outcome"),
      el("thead", {}, el("tr", {}, ["Outcome", "Leads", "Share of leads"]
        .map((h, i) => el("th", { scope: "col", class: i >= 1 ? "num" : null }, h)))), outcomes)));
}

async function main() {
  const me = await startPage();
  clearError();
  const app = document.getElementById("app");
  const parts = window.location.pathname.split("/").filter(Boolean);
  if (parts.length > 1) await campaignPage(app, me, decodeURIComponent(parts[1]));
  else await listPage(app, me);
}

main().catch((err) => showError(err.message || String(err)));
