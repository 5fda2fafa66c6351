// The desktop's cases panel: for the call in hand, the caller's open cases (link this
// call to one, add a note), and a case created from the call in one step, its type,
// category, priority and subject prefilled. Follows `desktop:work` (desktop.js); drawn
// again only when the call in hand changes, so typing is never lost.
import { api, clearFormErrors, el, showFormErrors } from "./common.js";

const section = el("section", { class: "card cases-panel", "aria-labelledby": "cases-title" });
let current = null; // the interaction id the panel is drawn for ("" for none)
let types = null;

function field(text, control) {
  return el("label", { class: "field" }, `${text} `, control);
}

function options(list, value) {
  return list.map(([v, t]) => el("option", { value: v, selected: v === value ? true : null }, t));
}

/** The call the panel is about: the one connected, else wrapping, else none. */
function callOf(work) {
  const items = work?.items || [];
  return items.find((i) => i.status === "connected") || items.find((i) => i.status === "wrapping")
    || null;
}

function noteForm(caseId, status) {
  const form = el("form", { class: "case-note", "aria-label": `Note on case ${caseId}` },
    field("Note", el("input", { name: "body", required: true, maxlength: 10000 })),
    field("Visible to", el("select", { name: "visibility" },
      options([["internal", "staff only"], ["customer", "the customer"]], "internal"))),
    el("button", { type: "submit" }, "Add note"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const data = new FormData(form);
    try {
      await api("POST", `/api/cases/${caseId}/notes`,
                { body: data.get("body"), visibility: data.get("visibility") });
      form.reset();
      status.textContent = `Note added to case #${caseId}.`;
    } catch (err) { showFormErrors(form, err); }
  });
  return form;
}

async function drawOpenCases(list, call, status) {
  const customer = call.customer?.customer_id;
  if (!customer) {
    list.replaceChildren(el("p", { class: "empty" }, "The caller is not a known customer."));
    return;
  }
  const cases = await api("GET", `/api/cases?customer_id=${customer}&open=true`);
  if (!cases.length) {
    list.replaceChildren(el("p", { class: "empty" }, "No open cases for this customer."));
    return;
  }
  list.replaceChildren(el("ul", { class: "open-cases" }, cases.map((c) => el("li", {},
    el("strong", {}, `#${c.id} ${c.subject}`),
    ` · ${c.type_id}${c.category_id ? ` / ${c.category_id}` : ""} · ${c.priority} · ${c.status}`,
    c.resolution && c.resolution.state === "breached" ? el("span", { class: "sla-breached" }, " · breached") : "",
    " ",
    el("button", { type: "button", onclick: async (e) => {
      e.target.disabled = true;
      try {
        await api("POST", `/api/cases/${c.id}/links`, { interaction_id: call.interaction_id });
        status.textContent = `This call is linked to case #${c.id}.`;
      } catch (err) { status.textContent = err.message; e.target.disabled = false; }
    } }, "Link this call"),
    noteForm(c.id, status)))));
}

function createForm(me, call, status, refresh) {
  const typeSel = el("select", { name: "type_id", required: true },
    options(types.types.map((t) => [t.id, t.label || t.id]), types.types[0]?.id));
  const catSel = el("select", { name: "category_id" });
  const fillCategories = () => {
    const t = types.types.find((x) => x.id === typeSel.value);
    catSel.replaceChildren(...options([["", "none"], ...(t?.categories || []).map((c) => [c.id, c.label || c.id])], ""));
  };
  typeSel.addEventListener("change", fillCategories);
  fillCategories();
  const who = call.customer?.name || call.caller_number || "caller";
  const form = el("form", { class: "case-create", "aria-label": "New case from this call" },
    field("Type", typeSel), field("Category", catSel),
    field("Priority", el("select", { name: "priority" },
      options(types.priorities.map((p) => [p, p]), "normal"))),
    field("Subject", el("input", { name: "subject", required: true, maxlength: 300,
                                   value: `Call from ${who}` })),
    field("Description", el("textarea", { name: "description", rows: 2, maxlength: 10000 })),
    el("p", { class: "form-error", role: "alert", hidden: true }),
    el("button", { type: "submit" }, "Create case from this call"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFormErrors(form);
    const data = new FormData(form);
    try {
      const made = await api("POST", "/api/cases", {
        type_id: data.get("type_id"), category_id: data.get("category_id") || null,
        priority: data.get("priority"), subject: data.get("subject"),
        description: data.get("description") || "", interaction_id: call.interaction_id,
        customer_id: call.customer?.customer_id || null, agent_id: me.agent_id || null });
      status.textContent = `Case #${made.id} created and linked to this call.`;
      form.querySelector("[name=description]").value = "";
      await refresh();
    } catch (err) { showFormErrors(form, err); }
  });
  return form;
}

async function draw(me, call) {
  const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
  const title = el("h2", { id: "cases-title" }, "Cases");
  if (!call) {
    section.replaceChildren(title, el("p", { class: "empty" }, "Cases of the caller show here during a call."));
    return;
  }
  types = types || await api("GET", "/api/case-types");
  const list = el("div", { class: "case-list" });
  const refresh = () => drawOpenCases(list, call, status);
  const parts = [title, status, list];
  if (types.types.length) parts.push(createForm(me, call, status, refresh));
  else parts.push(el("p", { class: "empty" }, "No case types are defined yet."));
  section.replaceChildren(...parts);
  await refresh();
}

document.addEventListener("desktop:work", (event) => {
  const { me, work } = event.detail;
  const panels = document.getElementById("panels");
  if (panels && !section.isConnected) panels.append(section);
  const call = callOf(work);
  const key = call ? `${call.interaction_id}:${call.customer?.customer_id || ""}` : "";
  if (key === current) return;
  current = key;
  draw(me, call).catch((err) => {
    section.replaceChildren(el("h2", { id: "cases-title" }, "Cases"),
                            el("p", { class: "error", role: "alert" }, err.message));
  });
});
