// The customer page: a search (name, number, e-mail, account or external id; paged) and
// the 360 view of one customer at /customers/{id}: identities, consent, custom fields,
// addresses with their history, and the interactions with notes and dispositions. The
// cases and orders parts add their own lists below (`#customer-extras`).
import { api, el } from "./common.js";
import { startPage } from "./nav.js";

const app = document.getElementById("app");
const PAGE = 20;
const when = (seconds) => new Date(seconds * 1000).toLocaleString();
const consent = (c) => (c.given === null ? "not asked" : `${c.given ? "given" : "refused"} ${new Date(c.at).toLocaleString()}`);
const line = (a) => (a ? [a.street, [a.postal_code, a.city].filter(Boolean).join(" "), a.region, a.country].filter(Boolean).join(", ") : "–");

function table(caption, heads, rows) {
  return el("table", {}, el("caption", {}, caption),
    el("thead", {}, el("tr", {}, heads.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.length ? rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c))))
      : el("tr", {}, el("td", { colspan: heads.length, class: "empty" }, "None."))));
}

async function showCustomer(id) {
  const c = await api("GET", `/api/customers/${encodeURIComponent(id)}?interactions=50`);
  document.title = `callcenter · ${c.name}`;
  const facts = [["Numbers", c.numbers.join(", ") || "–"], ["E-mail", c.emails.join(", ") || "–"],
    ["Account", c.account || "–"], ["External id", c.external_id || "–"],
    ["Language", c.language || "–"], ["Segment", c.segment || "–"],
    ["Recording consent", consent(c.recording_consent)],
    ["Marketing consent", consent(c.marketing_consent)],
    ...c.field_definitions.map((d) => [d.label, c.fields[d.name] || "–"]),
    ...Object.entries(c.fields).filter(([k]) => !c.field_definitions.some((d) => d.name === k))];
  app.replaceChildren(el("p", {}, el("a", { href: "/customers" }, "← All customers")),
    el("section", { class: "card", "aria-labelledby": "c-name" },
      el("h2", { id: "c-name" }, c.name),
      el("dl", { class: "customer-facts" }, facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]))),
    el("section", { class: "card" }, table("Addresses", ["Kind", "Address", "Since"],
      c.addresses.map((a) => [a.kind, line(a), new Date(a.updated_at).toLocaleString()]))),
    el("section", { class: "card" }, table("Address history", ["When", "Kind", "Before", "After", "By", "Call"],
      c.address_history.map((h) => [new Date(h.changed_at).toLocaleString(), h.kind, line(h.before),
                                    line(h.after), h.changed_by, h.interaction_id || "–"]))),
    el("section", { class: "card" }, table("Interactions", ["Arrived", "Queue", "Agent", "Outcome", "Disposition", "Notes"],
      c.interactions.map((i) => [when(i.arrived_at), i.queue_id, i.agent_id || "–", i.outcome || "open",
                                 i.disposition || "–", i.notes || ""]))),
    el("div", { id: "customer-extras", dataset: { customerId: String(c.id) } }));
  document.dispatchEvent(new CustomEvent("customer:shown", { detail: { customer: c } }));
}

function showSearch() {
  const box = el("input", { type: "search", id: "customers-q", name: "q", maxlength: 200, autocomplete: "off" });
  const results = el("div", { "aria-live": "polite" });
  let offset = 0;
  async function run() {
    const q = box.value.trim();
    const page = await api("GET", `/api/customers?limit=${PAGE}&offset=${offset}${q ? `&q=${encodeURIComponent(q)}` : ""}`);
    const more = [];
    if (offset > 0) more.push(el("button", { type: "button", class: "secondary", onclick: () => { offset -= PAGE; run(); } }, "Previous"));
    if (offset + PAGE < page.total) more.push(el("button", { type: "button", class: "secondary", onclick: () => { offset += PAGE; run(); } }, "Next"));
    results.replaceChildren(table(`${page.total} customers`, ["Name", "Numbers", "E-mail", "Account", "External id"],
      page.items.map((c) => [el("a", { href: `/customers/${c.id}` }, c.name), c.numbers.join(", "),
                             c.emails.join(", "), c.account || "", c.external_id || ""])), ...more);
  }
  const form = el("form", { role: "search", "aria-label": "Customers" },
    el("label", { for: "customers-q" }, "Name, number, e-mail, account or external id "), box,
    el("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", (e) => { e.preventDefault(); offset = 0; run(); });
  app.replaceChildren(el("section", { class: "card" }, el("h2", {}, "Find a customer"), form, results));
  return run();
}

async function main() {
  await startPage();
  const id = location.pathname.split("/")[2];
  await (id ? showCustomer(id) : showSearch());
}

main().catch((err) => {
  const box = document.getElementById("error");
  box.textContent = err.message;
  box.hidden = false;
});
