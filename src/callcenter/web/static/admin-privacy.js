// Administration › Privacy (GDPR): find a customer, download everything held on them as
// JSON (`GET /api/admin/customers/{id}/export`), erase them after typing their name
// (`POST .../erase`), and the retention rules (`/api/admin/retention`), edited per kind
// and run on demand. Every action is in the audit log.
import { api, el, download, showFormErrors, clearFormErrors } from "./common.js";

/** A JSON value as a file to download. */
function save(name, value) {
  download(name, JSON.stringify(value, null, 1), "application/json");
}

function customers(body) {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const form = el("form", { role: "search", "aria-label": "Find a customer" },
    el("label", {}, "Name contains", el("input", { name: "name", autocomplete: "off" })),
    el("label", {}, "or phone number", el("input", { name: "number", autocomplete: "off", inputmode: "tel" })),
    el("div", { class: "buttons" }, el("button", { type: "submit", class: "primary" }, "Find")),
    el("p", { class: "form-error", role: "alert", hidden: true }));
  const results = el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Customers found" });
  const confirmBox = el("div");
  body.append(el("section", { class: "panel", "aria-labelledby": "gdpr-customers" },
    el("h2", { id: "gdpr-customers" }, "A customer's data"),
    el("p", {}, "Export gives everything held on the customer as a JSON file. Erase removes "
      + "their personal data, numbers and recordings for good; call statistics are kept."),
    form, status, results, confirmBox));

  function erase(c) {
    const ask = el("form", { class: "danger-zone", "aria-label": `Erase ${c.name}` },
      el("p", {}, `Erasing customer ${c.id} cannot be undone. Type their name, `, el("strong", {}, c.name), `, to confirm.`),
      el("label", {}, "Customer's name", el("input", { name: "confirm_name", autocomplete: "off", required: true })),
      el("div", { class: "buttons" },
        el("button", { type: "submit", class: "danger" }, "Erase for good"),
        el("button", { type: "button", "data-cancel": "" }, "Cancel")),
      el("p", { class: "form-error", role: "alert", hidden: true }));
    ask.querySelector("[data-cancel]").addEventListener("click", () => confirmBox.replaceChildren());
    ask.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFormErrors(ask);
      try {
        const done = await api("POST", `/api/admin/customers/${c.id}/erase`,
          { confirm_name: ask.elements.namedItem("confirm_name").value });
        confirmBox.replaceChildren();
        status.textContent = `Customer ${c.id} erased: ${done.numbers} numbers, ${done.interactions} calls `
          + `stripped, ${done.recordings} recordings removed.`;
        await find();
      } catch (err) {
        showFormErrors(ask, err);
      }
    });
    confirmBox.replaceChildren(ask);
    ask.elements.namedItem("confirm_name").focus();
  }

  async function find() {
    const p = new URLSearchParams();
    for (const n of ["name", "number"]) {
      const v = form.elements.namedItem(n).value.trim();
      if (v) p.set(n, v);
    }
    const page = await api("GET", `/api/admin/customers?${p}`);
    status.textContent = `${page.total} customers found` + (page.total > page.items.length ? `, the first ${page.items.length} shown` : "");
    results.replaceChildren(el("table", { class: "data" },
      el("caption", { class: "visually-hidden" }, "Customers found"),
      el("thead", {}, el("tr", {}, ["Id", "Name", "Numbers", "Account"].map((h) => el("th", { scope: "col" }, h)),
        el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
      el("tbody", {}, page.items.map((c) => {
        const exportButton = el("button", { type: "button" }, "Export JSON");
        exportButton.addEventListener("click", async () => {
          save(`customer-${c.id}.json`, await api("GET", `/api/admin/customers/${c.id}/export`));
          status.textContent = `Customer ${c.id} exported.`;
        });
        const eraseButton = el("button", { type: "button", class: "danger" }, "Erase…");
        eraseButton.addEventListener("click", () => erase(c));
        return el("tr", {}, el("td", {}, String(c.id)), el("th", { scope: "row" }, c.name),
          el("td", {}, c.numbers.join(", ")), el("td", {}, c.account || "–"),
          el("td", { class: "actions" }, exportButton, " ", eraseButton));
      }))));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    try { await find(); } catch (err) { showFormErrors(form, err); }
  });
}

async function retention(body) {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const wrap = el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Rules by kind" });
  const run = el("button", { type: "button" }, "Run the rules now");
  body.append(el("section", { class: "panel", "aria-labelledby": "gdpr-retention" },
    el("h2", { id: "gdpr-retention" }, "Retention rules"),
    el("p", {}, "Each kind of data is removed once older than its days; the server applies the rules daily."),
    wrap, el("div", { class: "buttons" }, run), status));

  async function draw() {
    const rules = await api("GET", "/api/admin/retention");
    wrap.replaceChildren(el("table", { class: "data" },
      el("caption", { class: "visually-hidden" }, "Retention rules"),
      el("thead", {}, el("tr", {}, ["Kind", "Removes", "Days", "Enabled", "Last change"].map((h) => el("th", { scope: "col" }, h)),
        el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
      el("tbody", {}, rules.map((r) => {
        const form = el("form", { id: `rule-${r.kind}`, "aria-label": `Rule ${r.kind}` },
          el("p", { class: "form-error", role: "alert", hidden: true }));
        const days = el("input", { name: "days", type: "number", min: "1", max: "36500", value: String(r.days), form: form.id, "aria-label": `Days to keep ${r.kind}` });
        const enabled = el("input", { name: "enabled", type: "checkbox", form: form.id, "aria-label": `Rule ${r.kind} enabled` });
        enabled.checked = r.enabled;
        form.addEventListener("submit", async (event) => {
          event.preventDefault();
          clearFormErrors(form);
          try {
            await api("PUT", `/api/admin/retention/${r.kind}`, { days: Number(days.value), enabled: enabled.checked });
            status.textContent = `Rule ${r.kind} saved.`;
            await draw();
          } catch (err) { showFormErrors(form, err); }
        });
        return el("tr", {}, el("th", { scope: "row" }, r.kind), el("td", {}, r.removes),
          el("td", {}, days), el("td", {}, enabled),
          el("td", {}, `${new Date(r.updated_at).toLocaleString()}${r.updated_by ? ` by ${r.updated_by}` : ""}`),
          el("td", { class: "actions" }, form, el("button", { type: "submit", form: form.id }, "Save")));
      }))));
  }

  run.addEventListener("click", async () => {
    run.disabled = true;
    try {
      const done = await api("POST", "/api/admin/retention/run");
      status.textContent = "Removed: " + Object.entries(done.removed).map(([k, n]) => `${k} ${n}`).join(", ") + ".";
    } catch (err) {
      status.textContent = `The run failed: ${err.message}`;
    } finally {
      run.disabled = false;
    }
  });
  await draw();
}

export async function render(body) {
  customers(body);
  await retention(body);
}
