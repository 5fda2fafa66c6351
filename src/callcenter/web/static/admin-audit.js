// Administration › Audit log: who changed what, when (`GET /api/admin/audit`), filtered by
// user, object (kind and id) and dates, newest first, a page at a time, with CSV export.
// The filters live in the address (`/admin/audit?actor=root&entity=skill`), so a
// "History" link of another section opens the log of one object.
import { api, ApiError, el, download, showFormErrors, clearFormErrors } from "./common.js";

const PAGE = 50;
const KINDS = ["user", "team", "skill", "disposition", "calendar", "queue", "agent", "customer",
  "interaction", "campaign", "ivr"];

/** A local date (YYYY-MM-DD) as the ISO instant its day starts at, `days` later. */
function dayStart(day, days = 0) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + days).toISOString();
}

/** A JSON value as short text. */
function show(v) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "string") return v === "" ? "“”" : v;
  return JSON.stringify(v);
}

/** What an entry changed, one line per field: `role: agent → supervisor`. */
function changes(entry) {
  const { before, after } = entry;
  const isObj = (v) => v && typeof v === "object" && !Array.isArray(v);
  if (!isObj(before) && !isObj(after)) {
    if (before === null && after === null) return [];
    return [`${show(before)} → ${show(after)}`];
  }
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])];
  const lines = [];
  for (const k of keys) {
    const b = before ? before[k] : undefined;
    const a = after ? after[k] : undefined;
    if (before && after && JSON.stringify(a) === JSON.stringify(b)) continue;
    if (!before) lines.push(`${k}: ${show(a)}`);
    else if (!after) lines.push(`${k}: ${show(b)}`);
    else lines.push(`${k}: ${show(b)} → ${show(a)}`);
  }
  return lines;
}

export async function render(body) {
  const query = new URLSearchParams(window.location.search);
  const users = await api("GET", "/api/admin/users").catch(() => []);
  const input = (name, label, attrs = {}) => el("label", {}, label,
    el("input", { name, value: query.get(name) || "", ...attrs }));
  const form = el("form", { class: "audit-filters", role: "search", "aria-label": "Filter the audit log" },
    input("actor", "User", { list: "audit-users", autocomplete: "off", placeholder: "any" }),
    el("datalist", { id: "audit-users" }, users.map((u) => el("option", { value: u.username }))),
    input("entity", "Object kind", { list: "audit-kinds", autocomplete: "off", placeholder: "any" }),
    el("datalist", { id: "audit-kinds" }, KINDS.map((k) => el("option", { value: k }))),
    input("entity_id", "Object id", { autocomplete: "off", placeholder: "any" }),
    input("from", "From (day)", { type: "date" }),
    input("to", "To (day, included)", { type: "date" }),
    el("div", { class: "buttons" },
      el("button", { type: "submit", class: "primary" }, "Show"),
      el("button", { type: "button", "data-clear": "" }, "Clear"),
      el("button", { type: "button", "data-export": "" }, "Export CSV")),
    el("p", { class: "form-error", role: "alert", hidden: true }));
  const count = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const table = el("table", { class: "data audit" });
  const prev = el("button", { type: "button" }, "Newer");
  const next = el("button", { type: "button" }, "Older");
  body.append(el("section", { class: "panel", "aria-label": "Audit log" },
    el("h2", {}, "Audit log"), form, count, el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Audit entries" }, table),
    el("div", { class: "pager" }, prev, next)));

  let offset = Number(query.get("offset")) || 0;

  /** The API parameters of the filters (empty ones left out); `from`/`to` as instants.
   * The server's errors name `since`/`until`: they show beside From/To. */
  function params() {
    const p = new URLSearchParams();
    const v = (n) => form.elements.namedItem(n).value.trim();
    for (const n of ["actor", "entity", "entity_id"]) if (v(n)) p.set(n, v(n));
    if (v("from")) p.set("since", dayStart(v("from")));
    if (v("to")) p.set("until", dayStart(v("to"), 1));
    return p;
  }

  function remember() {
    const p = new URLSearchParams();
    for (const n of ["actor", "entity", "entity_id", "from", "to"]) {
      const value = form.elements.namedItem(n).value.trim();
      if (value) p.set(n, value);
    }
    if (offset) p.set("offset", String(offset));
    const search = p.toString();
    window.history.replaceState(null, "", `${window.location.pathname}${search ? `?${search}` : ""}`);
  }

  /** A 422 about since/until shown beside From/To. */
  function formError(err) {
    if (err instanceof ApiError && err.errors.length) {
      err.errors = err.errors.map((e) => ({ ...e,
        field: e.field === "since" ? "from" : e.field === "until" ? "to" : e.field,
        message: e.field === "until" && /later than since/.test(e.message)
          ? "must not be before the From day"
          : String(e.message).replace(/^since: /, "").replace(/^until: /, "") }));
    }
    showFormErrors(form, err);
  }

  async function load() {
    clearFormErrors(form);
    const p = params();
    p.set("offset", String(offset));
    p.set("limit", String(PAGE));
    let page;
    try {
      page = await api("GET", `/api/admin/audit?${p}`);
    } catch (err) {
      formError(err);
      return;
    }
    remember();
    const head = el("thead", {}, el("tr", {}, ["When", "User", "Action", "Object", "Change"]
      .map((h) => el("th", { scope: "col" }, h))));
    const rows = page.items.map((e) => el("tr", { dataset: { id: String(e.id) } },
      el("td", {}, el("time", { datetime: e.at }, new Date(e.at).toLocaleString())),
      el("td", { class: "actor" }, e.actor ?? "(system)"),
      el("td", { class: "action" }, e.action),
      el("td", { class: "object" }, `${e.entity} `, el("strong", {}, e.entity_id)),
      el("td", {}, el("pre", { class: "change" }, changes(e).join("\n") || "–"))));
    table.replaceChildren(head, el("tbody", {}, rows.length ? rows
      : el("tr", {}, el("td", { class: "empty", colspan: 5 }, "No entry matches."))));
    count.textContent = page.total
      ? `Entries ${page.offset + 1}–${page.offset + page.items.length} of ${page.total}, newest first.`
      : "No entry matches.";
    prev.disabled = offset === 0;
    next.disabled = offset + page.items.length >= page.total;
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); offset = 0; load(); });
  form.querySelector("[data-clear]").addEventListener("click", () => {
    for (const n of ["actor", "entity", "entity_id", "from", "to"]) form.elements.namedItem(n).value = "";
    offset = 0;
    load();
  });
  prev.addEventListener("click", async () => { offset = Math.max(0, offset - PAGE); await load(); (prev.disabled ? next : prev).focus(); });
  next.addEventListener("click", async () => { offset += PAGE; await load(); (next.disabled ? prev : next).focus(); });
  form.querySelector("[data-export]").addEventListener("click", async (e) => {
    const button = e.currentTarget;
    const p = params();
    p.set("format", "csv");
    p.set("limit", "10000");
    button.disabled = true;
    try {
      const response = await fetch(`/api/admin/audit?${p}`, { credentials: "same-origin" });
      if (!response.ok) {
        const data = await response.json().catch(() => null);
        throw new ApiError(response.status, (data && typeof data.detail === "string" && data.detail)
          || `export failed (HTTP ${response.status})`, data && data.detail, data && data.errors);
      }
      download("audit.csv", await response.text());
      count.textContent = "Exported audit.csv (up to 10 000 entries of these filters).";
    } catch (err) {
      formError(err);
    } finally {
      button.disabled = false;
    }
  });
  await load();
}
