// Form pieces of the administration's queue and agent editors: labelled controls whose
// `name` is the API's field path (`escalation.0.after`), so that `showFormErrors` puts
// the server's error beside them, and editable lists (add, remove, move up and down).
import { el } from "./common.js";

/** A labelled control; `hint` is a short explanation under it. */
export function field(text, control, hint) {
  return el("label", {}, el("span", { class: "label" }, text), control,
    hint ? el("span", { class: "hint" }, hint) : null);
}

/** A number input; `value` null shows empty (the API's "none"). */
export function number(name, value, { min = null, max = null, step = "any", placeholder = null } = {}) {
  return el("input", { type: "number", name, min, max, step, placeholder,
    value: value === null || value === undefined ? "" : String(value) });
}

export function text(name, value, attrs = {}) {
  return el("input", { type: "text", name, value: value ?? "", ...attrs });
}

/** A select of `options` ([value, text] or plain values); `value` selected. */
export function select(name, options, value) {
  return el("select", { name }, options.map((o) => {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    return el("option", { value: v, selected: v === (value ?? "") }, t);
  }));
}

export function checkbox(name, checked) {
  return el("input", { type: "checkbox", name, checked: Boolean(checked) });
}

/** The value of control `name` in `form`: a number (null when empty) with `asNumber`. */
export function valueOf(form, name, { asNumber = false } = {}) {
  const control = form.elements.namedItem(name);
  if (!control) return undefined;
  if (control.type === "checkbox") return control.checked;
  if (control.multiple) return [...control.selectedOptions].map((o) => o.value);
  const v = control.value.trim();
  if (!asNumber) return v;
  if (v === "") return null;
  const n = Number(v);
  return Number.isNaN(n) ? v : n; // the server names what is not a number
}

/** An editable list inside a fieldset named `name` (so an error on `name` or `name.N`
 * lands here): `row(item, i)` draws item i's controls (named `name.i.key`), `read(form, i)`
 * reads it back, `blank()` is a new item. Returns {node, items()}. */
export function listEditor(form, { legend, name, items, blank, row, read, addText, hint,
                                   ordered = false }) {
  let model = items.map((x) => ({ ...x }));
  const rows = el("ol", { class: "list-rows" });
  const fieldset = el("fieldset", { name, class: "list-editor" }, el("legend", {}, legend),
    hint ? el("p", { class: "hint" }, hint) : null, rows);
  const sync = () => { model = model.map((_, i) => read(form, i)); };
  const draw = (focusIndex = null) => {
    rows.replaceChildren(...model.map((item, i) => {
      const buttons = [];
      if (ordered) {
        buttons.push(el("button", { type: "button", class: "small", "aria-label": `Move ${i + 1} up`,
          disabled: i === 0, onclick: () => move(i, -1) }, "↑"));
        buttons.push(el("button", { type: "button", class: "small", "aria-label": `Move ${i + 1} down`,
          disabled: i === model.length - 1, onclick: () => move(i, 1) }, "↓"));
      }
      buttons.push(el("button", { type: "button", class: "small remove", "aria-label": `Remove ${i + 1}`,
        onclick: () => { sync(); model.splice(i, 1); draw(); } }, "Remove"));
      const body = el("fieldset", { name: `${name}.${i}`, class: "list-item" },
        el("legend", { class: "visually-hidden" }, `${legend} ${i + 1}`),
        el("div", { class: "row" }, row(item, i)), el("div", { class: "item-buttons" }, buttons));
      return el("li", {}, body);
    }));
    if (focusIndex !== null) {
      const first = rows.children[focusIndex]?.querySelector("input, select");
      if (first) first.focus();
    }
  };
  const move = (i, by) => {
    sync();
    const [item] = model.splice(i, 1);
    model.splice(i + by, 0, item);
    draw();
    rows.children[i + by]?.querySelector(`button[aria-label^="Move"]:not([disabled])`)?.focus();
  };
  fieldset.append(el("button", { type: "button", class: "add",
    onclick: () => { sync(); model.push(blank()); draw(model.length - 1); } }, addText));
  draw();
  return { node: fieldset, items: () => { sync(); return model; } };
}
