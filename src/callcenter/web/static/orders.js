// Orders: /orders (staff). Every order, newest first, filtered by status, customer,
// agent and day, with its lines and totals; the same list as CSV. Reads GET /api/orders
// (api.md, "Orders and bookings").
import { api, el, showError } from "./common.js";
import { startPage } from "./nav.js";

const money = (cents) => (cents / 100).toFixed(2);
const when = (at) => (at === null || at === undefined ? "–"
  : new Date(at * 1000).toISOString().replace("T", " ").slice(0, 16));

function field(text, control) {
  return el("label", { class: "field" }, `${text} `, control);
}

function query(form) {
  const data = new FormData(form);
  const q = new URLSearchParams();
  for (const name of ["status", "customer_id", "agent_id"]) {
    const v = String(data.get(name) || "").trim();
    if (v) q.set(name, v);
  }
  const day = String(data.get("day") || "");
  if (day) {
    const since = Date.parse(`${day}T00:00:00Z`) / 1000;
    q.set("since", String(since));
    q.set("until", String(since + 86400));
  }
  return q;
}

async function main() {
  await startPage();
  const app = document.getElementById("app");
  const form = el("form", { class: "filters", "aria-label": "Filter orders" },
    field("Status", el("select", { name: "status" },
      ["", "draft", "placed", "fulfilled", "cancelled"].map((s) => el("option", { value: s }, s || "any")))),
    field("Customer id", el("input", { name: "customer_id", type: "number", min: 1 })),
    field("Agent", el("input", { name: "agent_id", maxlength: 100 })),
    field("Day (UTC)", el("input", { name: "day", type: "date" })),
    el("button", { type: "submit" }, "Show"));
  const csv = el("a", { href: "/api/orders?format=csv", download: "orders.csv" }, "Download CSV");
  const count = el("p", { "aria-live": "polite" });
  const table = el("table", {},
    el("caption", {}, "Orders, newest first"),
    el("thead", {}, el("tr", {}, ["#", "Status", "Placed", "Customer", "Agent", "Lines",
                                 "Net", "Tax", "Total"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody"));
  const load = async () => {
    const q = query(form);
    csv.href = `/api/orders?${q}&format=csv`;
    q.set("limit", "200");
    const page = await api("GET", `/api/orders?${q}`);
    count.textContent = `${page.total} orders${page.total > page.items.length ? ` (first ${page.items.length} shown)` : ""}.`;
    table.tBodies[0].replaceChildren(...page.items.map((o) => el("tr", {},
      el("td", {}, String(o.id)), el("td", {}, o.status), el("td", {}, when(o.placed_at)),
      el("td", {}, o.customer_id ? String(o.customer_id) : "–"), el("td", {}, o.agent_id || "–"),
      el("td", {}, o.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ")),
      el("td", {}, money(o.net_cents)), el("td", {}, money(o.tax_cents)),
      el("td", {}, money(o.gross_cents)))));
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); load().catch((err) => showError(err.message)); });
  app.replaceChildren(el("h2", {}, "Orders"), form, csv, count,
                      el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Table of orders" }, table));
  await load();
}

main().catch((err) => showError(err.message));
