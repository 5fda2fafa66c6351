// The desktop's orders panel: for the call in hand, the caller's orders and a new order
// (search the catalog, add lines, totals priced live by the server, place). While the
// caller gives payment details the agent pauses the call's recording and resumes it
// afterwards (both audited by the server); the panel says when the recording is paused.
// Follows `desktop:work` (desktop.js); drawn again only when the call in hand changes.
import { api, clearFormErrors, el, showFormErrors } from "./common.js";

const section = el("section", { class: "card orders-panel", "aria-labelledby": "orders-title" });
let current = null;

const money = (cents) => (cents / 100).toFixed(2);
const rate = (bp) => `${(bp / 100).toFixed(bp % 100 ? 2 : 0)} %`;

function field(text, control) {
  return el("label", { class: "field" }, `${text} `, control);
}

function callOf(work) {
  const items = work?.items || [];
  return items.find((i) => i.status === "connected") || items.find((i) => i.status === "wrapping")
    || null;
}

async function drawOrders(list, call) {
  const customer = call.customer?.customer_id;
  const q = customer ? `customer_id=${customer}` : `interaction_id=${encodeURIComponent(call.interaction_id)}`;
  const page = await api("GET", `/api/orders?${q}&limit=10`);
  const orders = page.orders || page.items || [];
  if (!orders.length) {
    list.replaceChildren(el("p", { class: "empty" }, "No orders yet."));
    return;
  }
  list.replaceChildren(el("ul", { class: "orders" }, orders.map((o) => el("li", {},
    el("strong", {}, `#${o.id}`), ` · ${o.status} · ${money(o.gross_cents)} · `,
    o.lines.map((l) => `${l.quantity} × ${l.name}`).join(", ")))));
}

function recordingControls(call, status) {
  const state = el("p", { class: "recording-state", "aria-live": "polite" }, "Recording: on");
  const pause = el("button", { type: "button" }, "Take payment (pause recording)");
  const resume = el("button", { type: "button", disabled: true }, "Resume recording");
  const change = async (what) => {
    try {
      const got = await api("POST",
        `/api/interactions/${encodeURIComponent(call.interaction_id)}/recording/${what}`);
      const paused = got.state === "paused";
      state.textContent = paused ? "Recording: PAUSED for payment details" : "Recording: on";
      state.classList.toggle("paused", paused);
      document.body.classList.toggle("recording-paused", paused);
      pause.disabled = paused;
      resume.disabled = !paused;
    } catch (err) { status.textContent = err.message; }
  };
  pause.addEventListener("click", () => change("pause"));
  resume.addEventListener("click", () => change("resume"));
  return el("div", { class: "recording", role: "group", "aria-label": "Call recording" },
    state, pause, " ", resume);
}

function orderForm(call, status, refresh) {
  const basket = new Map(); // sku -> {item, quantity}
  const search = el("input", { name: "search", type: "search", maxlength: 100 });
  const results = el("ul", { class: "catalog-hits" });
  const lines = el("ul", { class: "order-lines", "aria-live": "polite" });
  const totals = el("p", { class: "order-totals", "aria-live": "polite" }, "No lines yet.");
  const form = el("form", { class: "order-create", "aria-label": "New order for this call" },
    field("Search catalog", search), results, lines, totals,
    field("Note", el("input", { name: "note", maxlength: 2000 })),
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("button", { type: "submit" }, "Place order"));
  let catalog = [];

  const reprice = async () => {
    clearFormErrors(form);
    if (!basket.size) { totals.textContent = "No lines yet."; return; }
    try {
      const q = await api("POST", "/api/orders/quote", { lines: body() });
      totals.textContent = `Net ${money(q.net_cents)}; ` +
        q.taxes.map((t) => `tax ${rate(t.tax_bp)} ${money(t.tax_cents)}`).join("; ") +
        `; total ${money(q.gross_cents)}`;
    } catch (err) { showFormErrors(form, err); }
  };
  const body = () => [...basket.values()].map((b) => ({ sku: b.item.sku, quantity: b.quantity }));
  const drawLines = () => {
    lines.replaceChildren(...[...basket.values()].map((b) => {
      const qty = el("input", { type: "number", min: 1, max: 10000, value: b.quantity,
                                name: `qty-${b.item.sku}` });
      qty.addEventListener("change", () => { b.quantity = Number(qty.value) || 1; reprice(); });
      return el("li", {}, field(`${b.item.name} quantity`, qty), " ",
        el("button", { type: "button", onclick: () => { basket.delete(b.item.sku); drawLines(); reprice(); } },
           `Remove ${b.item.name}`));
    }));
  };
  const drawHits = () => {
    const words = search.value.trim().toLowerCase();
    const hits = catalog.filter((i) => !words || `${i.sku} ${i.name}`.toLowerCase().includes(words));
    results.replaceChildren(...hits.slice(0, 8).map((i) => el("li", {},
      `${i.name} (${i.sku}) ${money(i.price_cents)} + ${rate(i.tax_bp)} · `,
      `${i.available} ${i.kind === "event" ? "seats" : "in stock"} `,
      el("button", { type: "button", disabled: i.available < 1 ? true : null, onclick: () => {
        const b = basket.get(i.sku) || { item: i, quantity: 0 };
        b.quantity += 1;
        basket.set(i.sku, b);
        drawLines();
        reprice();
      } }, `Add ${i.name}`))));
  };
  search.addEventListener("input", drawHits);
  api("GET", "/api/catalog").then((items) => { catalog = items; drawHits(); })
    .catch((err) => { status.textContent = err.message; });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    if (!basket.size) { status.textContent = "Add a line first."; return; }
    try {
      const made = await api("POST", "/api/orders", {
        lines: body(), place: true, interaction_id: call.interaction_id,
        customer_id: call.customer?.customer_id || null,
        note: new FormData(form).get("note") || "" });
      status.textContent = `Order #${made.id} placed: ${money(made.gross_cents)}.`;
      basket.clear();
      drawLines();
      reprice();
      catalog = await api("GET", "/api/catalog");
      drawHits();
      await refresh();
    } catch (err) { showFormErrors(form, err); }
  });
  return form;
}

async function draw(call) {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const title = el("h2", { id: "orders-title" }, "Orders");
  document.body.classList.remove("recording-paused");
  if (!call) {
    section.replaceChildren(title, el("p", { class: "empty" }, "Orders of the caller show here during a call."));
    return;
  }
  const list = el("div", { class: "order-list" });
  const refresh = () => drawOrders(list, call);
  section.replaceChildren(title, status, recordingControls(call, status), list,
                          orderForm(call, status, refresh));
  await refresh();
}

document.addEventListener("desktop:work", (event) => {
  const { work } = event.detail;
  const panels = document.getElementById("panels");
  if (panels && !section.isConnected) panels.append(section);
  const call = callOf(work);
  const key = call ? `${call.interaction_id}:${call.customer?.customer_id || ""}` : "";
  if (key === current) return;
  current = key;
  draw(call).catch((err) => {
    section.replaceChildren(el("h2", { id: "orders-title" }, "Orders"),
                            el("p", { class: "error", role: "alert" }, err.message));
  });
});
