// A list of records with create / edit / delete, for the administration sections.
//
//   import { crud } from "./admin-crud.js";
//   export async function render(body, me) {
//     await crud(body, {
//       path: "/api/admin/skills",   // GET list, POST create; `${path}/${key}` PUT and DELETE
//       listPath: "…?all=true",       // optional: where the list is read, if not `path`
//       key: "id",                   // the identifying field: typed at creation, fixed after
//       noun: "skill",               // "New skill", "Saved skill “x”.", "Delete skill “x”?"
//       intro: "…",                  // optional paragraph above the list
//       columns: [{ field: "id", label: "Id" },
//                 { label: "Description", value: (row) => row.description }],
//       fields: [{ name: "id", label: "Id", required: true },
//                { name: "description", label: "Description", type: "textarea" }],
//       toBody: (values, { creating, row }) => values,   // optional: the request body
//       canDelete: (row) => true,                          // optional
//       auditEntity: "skill",        // optional: a "History" link per row to the audit log
//     });
//   }
//
// `crud` draws the list (a `table.data` with Edit / Delete per row) and a "New …" button;
// the form (`form.edit`) opens above the list. It resolves to a controller
// `{ reload(), rows, openForm(row | null), status(text) }` once the first list is drawn.
//
// A field is `{ name, label, type, hint, required, options, nullable, create, edit,
// placeholder, min, max, step, render, read }`; `name` is the body's key, so a 422
// error for it (or for `name[3]`, `name.sub`) shows beside its control (`showFormErrors`).
// Types:
//   "text" (default), "password", "email", "date", "time": a string (`list`: a datalist id);
//     `nullable`: "" -> null;
//     `omitEmpty`: "" -> left out of the body (a password kept when editing);
//   "textarea": a string;
//   "number": a number, or null when empty;
//   "checkbox": a boolean;
//   "select": one of `options` ([[value, text]] or [value], or an async function of the
//     form's values returning one); `nullable` adds a "(none)" choice -> null;
//   "checks": a list of `options` picked with checkboxes (a fieldset named `name`);
//   "list": a list of strings typed one per line (or comma separated);
//   "custom": `render(value)` returns an element carrying `name`; `read(element)` its value.
// `create: false` hides a field when creating, `edit: false` when editing; the key is
// shown read-only when editing and never sent (it is in the URL).
//
// After a save, the list is fetched again, the form closes, an aria-live status says
// "Saved …" and the focus goes back to the row's Edit button (or the New button). A delete
// asks for confirmation first (`window.confirm`). Errors: the form's fields (422), its
// `.form-error` box (anything else), or the page's `#error` box (list and delete).
import { api, ApiError, clearFormErrors, el, showError, showFormErrors, clearError } from "./common.js";

const enc = encodeURIComponent;

/** The `[value, text]` pairs of a field's options. */
async function optionsOf(field, values) {
  let options = field.options || [];
  if (typeof options === "function") options = await options(values);
  return options.map((o) => (Array.isArray(o) ? [String(o[0]), String(o[1] ?? o[0])] : [String(o), String(o)]));
}

let seq = 0;
const uid = (name) => `f${(seq += 1)}-${String(name).replace(/[^\w-]/g, "_")}`;

/** The control (or group) of one field, holding `value`. */
async function control(field, value, values, { readOnly = false } = {}) {
  const type = field.type || "text";
  const id = uid(field.name);
  const common = { id, name: field.name, required: field.required || null };
  const hintId = field.hint ? `${id}-hint` : null;
  const hint = field.hint ? el("span", { class: "hint", id: hintId }, field.hint) : null;
  if (hintId) common["aria-describedby"] = hintId;
  if (type === "checks") {
    const options = await optionsOf(field, values);
    const chosen = new Set((value || []).map(String));
    const box = el("fieldset", { name: field.name, tabindex: "-1", class: "checks" },
      el("legend", {}, field.label),
      options.length ? null : el("span", { class: "hint" }, field.empty || "None to choose from."),
      options.map(([v, t]) => el("label", { class: "check" },
        el("input", { type: "checkbox", value: v, checked: chosen.has(v) || null,
                      "data-group": field.name }), ` ${t}`)),
      hint);
    return box;
  }
  if (type === "custom") {
    return field.render(value, values);
  }
  let input;
  if (type === "checkbox") {
    input = el("input", { ...common, type: "checkbox", checked: value ? true : null });
    return el("div", { class: "field" }, el("label", { class: "check", for: id }, input, ` ${field.label}`), hint);
  }
  if (type === "textarea") {
    input = el("textarea", { ...common, rows: field.rows || 3 }, value ?? "");
  } else if (type === "list") {
    input = el("textarea", { ...common, rows: field.rows || 3 }, (value || []).join("\n"));
  } else if (type === "select") {
    const options = await optionsOf(field, values);
    const current = value === null || value === undefined ? "" : String(value);
    if (current && !options.some(([v]) => v === current)) options.unshift([current, current]);
    input = el("select", common,
      field.nullable ? el("option", { value: "" }, field.none || "(none)") : null,
      options.map(([v, t]) => el("option", { value: v, selected: v === current || null }, t)));
  } else {
    input = el("input", {
      ...common, type, value: value ?? "", placeholder: field.placeholder, list: field.list,
      min: field.min, max: field.max, step: field.step,
      autocomplete: type === "password" ? "new-password" : "off",
      readonly: readOnly || null,
    });
  }
  // The hint is outside the label: the control's name is the label alone, its description the hint.
  return el("div", { class: "field" }, el("label", { for: id }, field.label), input, hint);
}

/** The value of one field in `form`. */
function valueOf(form, field) {
  const type = field.type || "text";
  if (type === "checks") {
    return [...form.querySelectorAll(`input[data-group="${CSS.escape(field.name)}"]`)]
      .filter((c) => c.checked).map((c) => c.value);
  }
  if (type === "custom") return field.read(form.querySelector(`[name="${CSS.escape(field.name)}"]`));
  const input = form.elements.namedItem(field.name);
  if (!input) return undefined;
  if (type === "checkbox") return input.checked;
  if (type === "number") return input.value.trim() === "" ? null : Number(input.value);
  if (type === "list") return input.value.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  if (field.nullable && input.value === "") return null;
  return input.value;
}

/** A form for `fields` holding `values`; `readValues()` gives what the person entered. */
export async function buildForm(fields, values, { creating = true, key = null, title = "" } = {}) {
  const form = el("form", { class: "edit", novalidate: true });
  if (title) form.append(el("h3", {}, title));
  for (const field of fields) {
    if (creating && field.create === false) continue;
    if (!creating && field.edit === false) continue;
    const readOnly = !creating && field.name === key;
    form.append(await control(field, values[field.name], values, { readOnly }));
  }
  form.append(el("p", { class: "form-error", role: "alert", hidden: true }));
  form.readValues = () => {
    const out = {};
    for (const field of fields) {
      if (creating && field.create === false) continue;
      if (!creating && field.edit === false) continue;
      if (!creating && field.name === key) continue;
      const v = valueOf(form, field);
      if (v === undefined) continue;
      if (field.omitEmpty && (v === "" || v === null)) continue;
      out[field.name] = v;
    }
    return out;
  };
  return form;
}

/** Draw the list of `spec.path` in `body` with its create / edit / delete (see the top). */
export async function crud(body, spec) {
  const key = spec.key || "id";
  const noun = spec.noun || "record";
  const columns = spec.columns || [{ field: key, label: key }];
  const status = el("p", { class: "status crud-status", role: "status", "aria-live": "polite" });
  const newButton = el("button", { type: "button", class: "primary" }, `New ${noun}`);
  const formSlot = el("div", { class: "crud-form" });
  const table = el("table", { class: "data" });
  const panel = el("section", { class: "panel crud", "aria-label": spec.title || noun },
    spec.title ? el("h2", {}, spec.title) : null,
    spec.intro ? el("p", { class: "hint" }, spec.intro) : null,
    el("div", { class: "toolbar" }, newButton, status),
    formSlot,
    el("div", { class: "table-wrap" }, table));
  body.append(panel);

  const ctl = { rows: [], reload, openForm, status: say };

  function say(text) {
    status.textContent = "";
    // A fresh text node each time, so screen readers announce a repeated message too.
    setTimeout(() => { status.textContent = text; }, 30);
  }

  function editButtonOf(id) {
    return table.querySelector(`button[data-edit="${CSS.escape(String(id))}"]`);
  }

  async function reload() {
    const rows = await api("GET", spec.listPath || spec.path);
    ctl.rows = rows;
    const head = el("thead", {}, el("tr", {},
      columns.map((c) => el("th", { scope: "col", class: c.num ? "num" : null }, c.label)),
      el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions"))));
    const lines = rows.map((row) => {
      const id = String(row[key]);
      const cells = columns.map((c) => {
        let v = c.value ? c.value(row) : row[c.field];
        if (Array.isArray(v)) v = v.join(", ");
        if (v === true) v = "yes";
        if (v === false) v = "no";
        return el("td", { class: c.num ? "num" : null }, v === null || v === undefined || v === "" ? "–" : v);
      });
      const actions = el("td", { class: "actions" },
        el("button", { type: "button", class: "small", "data-edit": id,
                       "aria-label": `Edit ${noun} ${id}`, onclick: () => openForm(row) }, "Edit"),
        " ",
        spec.auditEntity ? el("a", { class: "history", href: `/admin/audit?entity=${enc(spec.auditEntity)}&entity_id=${enc(id)}`,
                                     "aria-label": `History of ${noun} ${id}` }, "History") : null,
        spec.auditEntity ? " " : null,
        (!spec.canDelete || spec.canDelete(row)) ? el("button", {
          type: "button", class: "small danger", "data-delete": id,
          "aria-label": `Delete ${noun} ${id}`, onclick: (e) => remove(row, e.currentTarget),
        }, "Delete") : null);
      return el("tr", { dataset: { key: id } }, cells, actions);
    });
    table.replaceChildren(head, el("tbody", {}, lines.length ? lines
      : el("tr", {}, el("td", { class: "empty", colspan: columns.length + 1 }, `No ${noun} yet.`))));
    return rows;
  }

  async function openForm(row) {
    const creating = !row;
    const values = creating ? { ...(spec.defaults || {}) } : (spec.fromRow ? spec.fromRow(row) : { ...row });
    const title = creating ? `New ${noun}` : `Edit ${noun} “${row[key]}”`;
    const form = await buildForm(spec.fields, values, { creating, key, title });
    const save = el("button", { type: "submit", class: "primary" }, creating ? "Create" : "Save");
    const cancel = el("button", { type: "button" }, "Cancel");
    form.append(el("div", { class: "actions" }, save, cancel));
    const back = () => (creating ? newButton : editButtonOf(row[key])) || newButton;
    cancel.addEventListener("click", () => { formSlot.replaceChildren(); back().focus(); });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFormErrors(form);
      clearError();
      let payload = form.readValues();
      if (spec.toBody) payload = spec.toBody(payload, { creating, row });
      save.disabled = true;
      try {
        const id = creating ? payload[key] : row[key];
        const saved = creating ? await api("POST", spec.path, payload)
          : await api("PUT", `${spec.path}/${enc(id)}`, payload);
        const savedId = saved && saved[key] !== undefined ? saved[key] : id;
        formSlot.replaceChildren();
        await reload();
        say(`Saved ${noun} “${savedId}”.`);
        (editButtonOf(savedId) || newButton).focus();
        if (spec.onSaved) spec.onSaved(saved, { creating });
      } catch (err) {
        showFormErrors(form, err);
      } finally {
        save.disabled = false;
      }
    });
    formSlot.replaceChildren(form);
    const first = form.querySelector("input:not([readonly]):not([type=hidden]), select, textarea");
    if (first) first.focus();
    return form;
  }

  async function remove(row, button) {
    const id = row[key];
    if (!window.confirm(`Delete ${noun} “${id}”? This cannot be undone.`)) return;
    button.disabled = true;
    try {
      clearError();
      await api("DELETE", `${spec.path}/${enc(id)}`);
      formSlot.replaceChildren();
      await reload();
      say(`Deleted ${noun} “${id}”.`);
      newButton.focus();
    } catch (err) {
      showError(err instanceof ApiError ? err.message : String(err));
      button.disabled = false;
      button.focus();
    }
  }

  newButton.addEventListener("click", () => openForm(null));
  await reload();
  return ctl;
}
