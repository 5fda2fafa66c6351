// Administration › Customers: the directory with search and paging, create / edit /
// delete (`/api/admin/customers`), and the CSV import with its per-row error report.
import { api, act, el, showFormErrors, clearFormErrors, ApiError } from "./common.js";
import { field, number, text, valueOf } from "./admin-form.js";

const PAGE = 25;

/** `key=value` lines as an object (blank lines skipped). */
function parseFields(textValue) {
  const out = {};
  for (const line of textValue.split("\n")) {
    if (!line.trim()) continue;
    const at = line.indexOf("=");
    if (at < 0) out[line.trim()] = "";
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export async function render(body, _me) {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const search = el("form", { class: "toolbar", id: "customer-search", role: "search" },
    field("Name contains", text("name", "", { type: "search" })),
    field("Phone number", text("number", "", { type: "search", inputmode: "tel" })),
    field("Account", text("account", "", { type: "search" })),
    el("button", { type: "submit" }, "Search"),
    el("button", { type: "button", id: "new-customer", onclick: () => edit(null) }, "New customer"));
  const searchError = el("p", { class: "form-error", role: "alert", hidden: true });
  search.append(searchError);
  const listBox = el("div", { class: "table-wrap", "aria-live": "polite" });
  const pager = el("div", { class: "pager" });
  const editBox = el("div", { class: "panel", id: "customer-editor", hidden: true });
  const importBox = el("section", { class: "panel", "aria-labelledby": "import-heading" });
  body.replaceChildren(el("h2", {}, "Customers"), status, editBox,
    el("section", { class: "panel", "aria-label": "Directory" }, search, listBox, pager), importBox);
  let offset = 0;

  async function reload() {
    clearFormErrors(search);
    const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
    for (const key of ["name", "number", "account"]) {
      const v = valueOf(search, key);
      if (v) query.set(key, v);
    }
    let page;
    try {
      page = await api("GET", `/api/admin/customers?${query}`);
    } catch (err) {
      showFormErrors(search, err);
      return;
    }
    drawList(page);
  }

  function drawList(page) {
    listBox.replaceChildren(page.items.length
      ? el("table", { class: "data", id: "customer-list" },
        el("caption", { class: "visually-hidden" }, "Customers"),
        el("thead", {}, el("tr", {}, ["Name", "Numbers", "Account", "Segment", "Language",
          "Priority", ""].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, page.items.map((c) => el("tr", { dataset: { customer: String(c.id) } },
          el("th", { scope: "row" }, c.name), el("td", {}, c.numbers.join(", ") || "–"),
          el("td", {}, c.account ?? "–"), el("td", {}, c.segment || "–"),
          el("td", {}, c.language ?? "–"), el("td", { class: "num" }, String(c.priority)),
          el("td", { class: "actions" },
            el("button", { type: "button", onclick: () => edit(c) }, `Edit ${c.name}`),
            el("button", { type: "button", class: "danger", onclick: (e) => remove(e.target, c) },
              `Delete ${c.name}`))))))
      : el("p", { class: "empty" }, page.total ? "No customer on this page." : "No customer found."));
    const last = Math.min(page.offset + page.items.length, page.total);
    pager.replaceChildren(
      el("button", { type: "button", disabled: page.offset === 0,
        onclick: () => { offset = Math.max(0, offset - PAGE); reload(); } }, "Previous page"),
      el("span", { id: "customer-range" },
        page.total ? `${page.offset + 1}–${last} of ${page.total}` : "0 customers"),
      el("button", { type: "button", disabled: last >= page.total,
        onclick: () => { offset += PAGE; reload(); } }, "Next page"));
  }

  search.addEventListener("submit", (event) => {
    event.preventDefault();
    offset = 0;
    reload();
  });

  async function remove(button, c) {
    if (!window.confirm(`Delete customer ${c.name} and its numbers?`)) return;
    await act(button, async () => {
      await api("DELETE", `/api/admin/customers/${c.id}`);
      status.textContent = `Customer ${c.name} deleted.`;
      editBox.hidden = true;
      await reload();
    });
  }

  function edit(customer) {
    const creating = customer === null;
    const c = customer ?? { name: "", numbers: [], account: null, segment: "", language: null,
      priority: 0, notes: "", fields: {} };
    const form = el("form", { class: "edit", id: "customer-form", novalidate: true },
      el("h3", {}, creating ? "New customer" : `Customer ${c.name}`),
      el("p", { class: "form-error", role: "alert", hidden: true }),
      field("Name", text("name", c.name, { required: true })),
      field("Phone numbers", el("textarea", { name: "numbers", rows: 3 }, c.numbers.join("\n")),
        "One a line, as people write them; stored in international format."),
      el("div", { class: "row" },
        field("Account", text("account", c.account ?? "")),
        field("Segment", text("segment", c.segment)),
        field("Language", text("language", c.language ?? "", { placeholder: "e.g. de" })),
        field("Priority", number("priority", c.priority, { min: -1000, max: 1000, step: 1 }),
          "Added to the priority of the customer's calls.")),
      field("Notes", el("textarea", { name: "notes", rows: 3 }, c.notes)),
      field("Other fields", el("textarea", { name: "fields", rows: 3 },
        Object.entries(c.fields).map(([k, v]) => `${k}=${v}`).join("\n")), "One `name=value` a line."),
      el("div", { class: "actions" },
        el("button", { type: "submit", class: "primary" }, creating ? "Create customer" : "Save customer"),
        el("button", { type: "button", onclick: () => { editBox.hidden = true; } }, "Cancel")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFormErrors(form);
      const payload = {
        name: valueOf(form, "name"),
        numbers: valueOf(form, "numbers").split(/[\n,;]+/).map((n) => n.trim()).filter(Boolean),
        account: valueOf(form, "account") || null, segment: valueOf(form, "segment"),
        language: valueOf(form, "language") || null,
        priority: valueOf(form, "priority", { asNumber: true }) ?? 0,
        notes: form.elements.namedItem("notes").value,
        fields: parseFields(form.elements.namedItem("fields").value),
      };
      const submit = form.querySelector('button[type="submit"]');
      submit.disabled = true;
      try {
        const saved = creating ? await api("POST", "/api/admin/customers", payload)
          : await api("PUT", `/api/admin/customers/${c.id}`, payload);
        status.textContent = `Customer ${saved.name} ${creating ? "created" : "saved"}.`;
        editBox.hidden = true;
        await reload();
      } catch (err) {
        showFormErrors(form, err);
      } finally {
        submit.disabled = false;
      }
    });
    editBox.replaceChildren(form);
    editBox.hidden = false;
    form.querySelector("input").focus();
  }

  // The CSV import: the server checks the whole file first; a rejected row stores nothing.
  const report = el("div", { id: "import-report", "aria-live": "polite" });
  const importForm = el("form", { class: "edit", id: "customer-import" },
    el("p", { class: "hint" }, "A CSV file with a header. Columns named name, number, account, segment, "
      + "language, priority, notes are read by their names (map others below); any other column "
      + "is a custom field. "
      + "One rejected row stores nothing: fix the rows listed and import again."),
    field("CSV file", el("input", { type: "file", name: "file", accept: ".csv,text/csv", required: true })),
    el("div", { class: "row" },
      field("Name column", text("map-name", "", { placeholder: "name" })),
      field("Number columns", text("map-number", "", { placeholder: "number" }), "Comma separated."),
      field("Account column", text("map-account", "", { placeholder: "account" }))),
    el("div", { class: "actions" }, el("button", { type: "submit", class: "primary" }, "Import")));
  importForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = importForm.elements.namedItem("file").files[0];
    if (!file) {
      report.replaceChildren(el("p", { class: "form-error" }, "Choose a CSV file first."));
      return;
    }
    const query = new URLSearchParams();
    const nameColumn = valueOf(importForm, "map-name");
    if (nameColumn) query.set("name", nameColumn);
    for (const n of valueOf(importForm, "map-number").split(",").map((x) => x.trim()).filter(Boolean)) {
      query.append("number", n);
    }
    const account = valueOf(importForm, "map-account");
    if (account) query.set("account", account);
    const button = importForm.querySelector('button[type="submit"]');
    button.disabled = true;
    report.replaceChildren(el("p", {}, "Importing…"));
    try {
      const response = await fetch(`/api/admin/customers/import?${query}`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "text/csv", Accept: "application/json" }, body: await file.text() });
      const data = await response.json().catch(() => null);
      if (response.ok) {
        report.replaceChildren(el("p", { class: "ivr-result ok" },
          `Imported ${data.stored} customers from ${data.rows} rows.`));
        offset = 0;
        await reload();
      } else if (Array.isArray(data?.rejected)) {
        report.replaceChildren(
          el("p", { class: "form-error", role: "alert" }, data.detail),
          el("table", { class: "data errors", id: "import-errors" },
            el("caption", {}, "Rejected rows"),
            el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Line"), el("th", { scope: "col" }, "Reason"))),
            el("tbody", {}, data.rejected.map((r) => el("tr", {},
              el("td", { class: "num" }, String(r.line)), el("td", {}, r.reason))))));
      } else {
        const message = data?.detail ?? `the import failed (HTTP ${response.status})`;
        report.replaceChildren(el("p", { class: "form-error", role: "alert" }, String(message)));
        if (response.status === 401) window.location.assign("/");
      }
    } catch (err) {
      report.replaceChildren(el("p", { class: "form-error", role: "alert" },
        err instanceof ApiError ? err.message : String(err)));
    } finally {
      button.disabled = false;
    }
  });
  importBox.replaceChildren(el("h3", { id: "import-heading" }, "Import customers from CSV"),
    importForm, report);

  await reload();
}
