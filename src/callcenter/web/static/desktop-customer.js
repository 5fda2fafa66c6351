// The desktop's customer panel: the customer of the agent's call (the one the IVR found,
// or the one linked), with identities, consent, addresses and the last interactions with
// their notes and dispositions. With no customer, the agent searches and chooses one
// (PUT /api/agents/{id}/work/{interaction_id}/customer); the home address is edited here
// and its change is written to the history with the call. Follows `desktop:work`
// (desktop.js); redraws only when the call or its customer changes.
import { api, el, showFormErrors } from "./common.js";

const section = el("section", { class: "card customer-panel", "aria-labelledby": "customer-title" });
const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
const body = el("div", { class: "customer-body", "aria-live": "polite" });
let me = null;
let call = null; // the call the panel is about (connected first, else offered or wrapping)
let shown = ""; // interaction_id:customer_id drawn now

const agentPath = () => `/api/agents/${encodeURIComponent(me.agent_id)}`;
const when = (seconds) => new Date(seconds * 1000).toLocaleString();
const consent = (c) => (c.given === null ? "not asked" : `${c.given ? "yes" : "no"} (${new Date(c.at).toLocaleDateString()})`);

function addressLine(a) {
  return [a.street, [a.postal_code, a.city].filter(Boolean).join(" "), a.region, a.country]
    .filter(Boolean).join(", ");
}

function addressForm(customer) {
  const home = customer.addresses.find((a) => a.kind === "home") || {};
  const field = (name, label, max) => el("label", {}, label, " ",
    el("input", { name, value: home[name] || "", maxlength: max, autocomplete: "off" }));
  const form = el("form", { class: "address-form", "aria-label": "Home address" },
    field("street", "Street", 200), field("postal_code", "Postal code", 20),
    field("city", "City", 100), field("country", "Country (2 letters)", 2),
    el("button", { type: "submit" }, "Save address"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    try {
      const changed = await api("PUT", `/api/customers/${customer.id}/addresses/home`,
                                { ...values, interaction_id: call.interaction_id });
      status.textContent = "Address saved.";
      draw(changed);
    } catch (err) {
      showFormErrors(form, err);
    }
  });
  return form;
}

function draw(c) {
  const rows = [["Numbers", c.numbers.join(", ") || "–"], ["E-mail", c.emails.join(", ") || "–"],
    ["Account", c.account || "–"], ["External id", c.external_id || "–"],
    ["Language", c.language || "–"], ["Recording consent", consent(c.recording_consent)],
    ["Marketing consent", consent(c.marketing_consent)],
    ...c.addresses.map((a) => [`Address (${a.kind})`, addressLine(a)])];
  const history = c.interactions.filter((i) => i.interaction_id !== call?.interaction_id).slice(0, 5);
  body.replaceChildren(
    el("h3", {}, c.name, c.segment ? ` · ${c.segment}` : ""),
    el("dl", { class: "customer-facts" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    addressForm(c),
    el("h3", {}, "Last interactions"),
    history.length ? el("ul", { class: "customer-interactions" }, history.map((i) => el("li", {},
      el("strong", {}, when(i.arrived_at)), ` · ${i.queue_id} · ${i.agent_id || "no agent"}`,
      i.disposition ? ` · ${i.disposition}` : "", i.notes ? el("p", { class: "notes" }, i.notes) : "")))
      : el("p", { class: "empty" }, "No earlier interactions."));
}

async function choose(customer) {
  await api("PUT", `${agentPath()}/work/${encodeURIComponent(call.interaction_id)}/customer`,
            { customer_id: customer.id });
  status.textContent = `${customer.name} is the caller.`;
  shown = `${call.interaction_id}:${customer.id}`;
  draw(await api("GET", `/api/customers/${customer.id}`));
}

function searchForm() {
  const box = el("input", { type: "search", name: "q", id: "customer-q", maxlength: 200,
                            autocomplete: "off", placeholder: "name, number, e-mail, account" });
  const found = el("ul", { class: "customer-hits", "aria-live": "polite" });
  const form = el("form", { role: "search", "aria-label": "Find the caller" },
    el("label", { for: "customer-q" }, "Find the caller "), box, el("button", { type: "submit" }, "Search"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const q = box.value.trim();
    if (!q) return;
    try {
      const page = await api("GET", `/api/customers?q=${encodeURIComponent(q)}&limit=10`);
      found.replaceChildren(...(page.items.length ? page.items.map((c) => {
        const pick = el("button", { type: "button", "aria-label": `Choose ${c.name}` }, "Choose");
        pick.addEventListener("click", () => choose(c).catch((err) => { status.textContent = err.message; }));
        return el("li", {}, el("strong", {}, c.name), ` · ${[...c.numbers, ...c.emails, c.account].filter(Boolean).join(", ")} `, pick);
      }) : [el("li", { class: "empty" }, "Nobody found.")]));
    } catch (err) {
      status.textContent = err.message;
    }
  });
  return el("div", {}, el("p", {}, "No customer is known for this call."), form, found);
}

async function refresh() {
  if (!call) {
    shown = "";
    body.replaceChildren(el("p", { class: "empty" }, "The caller's customer appears here during a call."));
    return;
  }
  const id = call.customer?.customer_id || "";
  const key = `${call.interaction_id}:${id}`;
  if (key === shown) return;
  shown = key;
  if (!id) {
    body.replaceChildren(searchForm());
    return;
  }
  draw(await api("GET", `/api/customers/${encodeURIComponent(id)}`));
}

section.append(el("h2", { id: "customer-title" }, "Customer"), status, body);

document.addEventListener("desktop:work", (event) => {
  const panels = document.getElementById("panels");
  if (panels && !section.isConnected) panels.prepend(section);
  me = event.detail.me;
  const items = event.detail.work?.items || [];
  call = items.find((i) => i.status === "connected") || items.find((i) => i.status === "wrapping")
    || items[0] || null;
  refresh().catch((err) => { status.textContent = err.message; });
});
