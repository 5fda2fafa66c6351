// The desktop's script panel: during a call (an outbound lead or an inbound caller), the
// script's current step with its merged text, controls to answer it, Back and Next, and
// the closing step with Finish. Each answer is stored on the server as it is given, so a
// reload finds the run where it was. An outbound call starts its campaign's script; an
// inbound call offers the scripts to choose from. Follows `desktop:work` (desktop.js);
// drawn again only when the call in hand changes, so typing is never lost.
import { ApiError, api, el } from "./common.js";

const section = el("section", { class: "card script-panel", "aria-labelledby": "script-title" });
const title = el("h2", { id: "script-title" }, "Script");
const status = el("p", { class: "script-status", role: "status", "aria-live": "polite" });
const body = el("div", { class: "script-body" });
section.append(title, body, status);

let current = null; // the interaction id the panel is drawn for ("" for none)
let agent = null;
let run = null; // the run as the server last gave it
let cursor = null; // the step shown: null for the run's current step, else a passed step's id

function callOf(work) {
  const items = work?.items || [];
  return items.find((i) => i.status === "connected") || items.find((i) => i.status === "wrapping")
    || null;
}

const base = () => `/api/agents/${encodeURIComponent(agent)}/script-runs`;

function shown() {
  if (cursor) return run.path.find((s) => s.id === cursor) || run.current;
  return run.current;
}

/** The answer control of a step, and a function reading its value. */
function control(step) {
  const id = `script-answer-${step.id}`;
  const given = step.answered ? step.answer : null;
  if (step.kind === "single") {
    const group = el("fieldset", { class: "script-choices" }, el("legend", {}, "Answer"),
      step.options.map((o, i) => el("label", { class: "choice" },
        el("input", { type: "radio", name: id, value: o.value, id: `${id}-${i}`,
          checked: given === o.value }), ` ${o.label}`)));
    return [group, () => group.querySelector("input:checked")?.value ?? null];
  }
  if (step.kind === "multiple") {
    const group = el("fieldset", { class: "script-choices" }, el("legend", {}, "Answers (any)"),
      step.options.map((o, i) => el("label", { class: "choice" },
        el("input", { type: "checkbox", name: id, value: o.value, id: `${id}-${i}`,
          checked: Array.isArray(given) && given.includes(o.value) }), ` ${o.label}`)));
    return [group, () => [...group.querySelectorAll("input:checked")].map((i) => i.value)];
  }
  if (step.kind === "scale") {
    const points = [];
    for (let v = step.min; v <= step.max; v += 1) points.push(v);
    const group = el("fieldset", { class: "script-choices script-scale" },
      el("legend", {}, `Answer from ${step.min} to ${step.max}`),
      points.map((v) => el("label", { class: "choice" },
        el("input", { type: "radio", name: id, value: String(v), checked: given === v }), ` ${v}`)));
    return [group, () => {
      const v = group.querySelector("input:checked")?.value;
      return v === undefined ? null : Number(v);
    }];
  }
  if (step.kind === "number") {
    const input = el("input", { type: "number", id, step: "any", min: step.min ?? null,
      max: step.max ?? null, value: given ?? "" });
    return [el("label", { for: id }, "Answer ", input),
      () => (input.value === "" ? null : Number(input.value))];
  }
  if (step.kind === "date") {
    const input = el("input", { type: "date", id, value: given ?? "" });
    return [el("label", { for: id }, "Answer ", input), () => input.value || null];
  }
  if (step.kind === "text") {
    const input = el("textarea", { id, rows: 3, maxlength: 2000 }, given ?? "");
    return [el("label", { for: id }, "Answer ", input), () => input.value];
  }
  return [null, () => null]; // say: an acknowledgement
}

function draw() {
  title.textContent = run ? `Script: ${run.title}` : "Script";
  if (!run) return;
  if (run.status !== "open") {
    body.replaceChildren(el("p", { class: "script-ended" },
      `This script has ended: ${run.outcome}.`),
    run.detail?.amount != null
      ? el("p", {}, `Sale: ${run.detail.amount} ${run.detail.currency}`
        + (run.detail.product ? ` (${run.detail.product} × ${run.detail.quantity})` : ""))
      : null);
    return;
  }
  const step = shown();
  const index = step ? run.path.findIndex((s) => s.id === step.id) : -1;
  const previous = index === -1 ? run.path[run.path.length - 1] : run.path[index - 1];
  const back = el("button", { type: "button", id: "script-back", disabled: !previous },
    "Back");
  back.addEventListener("click", () => { cursor = previous?.id ?? null; draw(); });
  const progress = el("p", { class: "hint" }, `Step ${run.path.length + (cursor ? 0 : 1)}`
    + (cursor ? " (changing an earlier answer)" : ""));
  if (!step) {
    body.replaceChildren(progress, el("p", {}, "The script is at its end."),
      el("div", { class: "toolbar" }, back, finishButton()));
    return;
  }
  const text = el("p", { class: "script-text", id: "script-step-text" }, step.text);
  if (step.kind === "close") {
    body.replaceChildren(progress, text, el("p", {}, `Outcome: ${step.outcome}`),
      el("div", { class: "toolbar" }, back, finishButton()));
    return;
  }
  const [answerControl, read] = control(step);
  const next = el("button", { type: "submit", class: "primary", id: "script-next" },
    step.kind === "say" ? "Next" : "Save and next");
  const form = el("form", { class: "script-step", "aria-describedby": "script-step-text" },
    text, answerControl, step.required || step.kind === "say" ? null
      : el("p", { class: "hint" }, "Optional: leave it empty to skip."),
    el("div", { class: "toolbar" }, back, next));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    next.disabled = true;
    try {
      run = await api("PUT", `${base()}/${run.id}/answers/${encodeURIComponent(step.id)}`,
        { value: read() });
      cursor = null;
      status.textContent = run.status === "open" ? "Answer saved." : `Ended: ${run.outcome}.`;
      draw();
      document.getElementById("script-next")?.focus();
    } catch (err) {
      status.textContent = err instanceof ApiError ? err.message : String(err);
      next.disabled = false;
    }
  });
  body.replaceChildren(progress, form);
}

function finishButton() {
  const finish = el("button", { type: "button", class: "primary", id: "script-finish" }, "Finish");
  finish.addEventListener("click", async () => {
    finish.disabled = true;
    try {
      run = await api("POST", `${base()}/${run.id}/finish`);
      cursor = null;
      status.textContent = `Recorded: ${run.outcome}.`;
      draw();
    } catch (err) {
      status.textContent = err.message;
      finish.disabled = false;
    }
  });
  return finish;
}

async function start(call, script) {
  run = await api("POST", base(), { interaction_id: call.interaction_id, script: script || null });
  cursor = null;
  draw();
}

async function chooser(call) {
  const scripts = (await api("GET", "/api/scripts")).scripts;
  if (!scripts.length) {
    body.replaceChildren(el("p", { class: "empty" }, "No scripts are in use."));
    return;
  }
  const select = el("select", { id: "script-choice" },
    scripts.map((s) => el("option", { value: s.name }, s.title)));
  const go = el("button", { type: "button", id: "script-start" }, "Start the script");
  go.addEventListener("click", () => start(call, select.value).catch((err) => {
    status.textContent = err.message;
  }));
  body.replaceChildren(el("div", { class: "toolbar" },
    el("label", { for: "script-choice" }, "Script"), select, go));
}

async function drawFor(call) {
  run = null;
  cursor = null;
  status.textContent = "";
  if (!call) {
    title.textContent = "Script";
    body.replaceChildren(el("p", { class: "empty" }, "No call in hand."));
    return;
  }
  try {
    await start(call, null); // the open run of this call, or the campaign's script
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    await chooser(call); // an inbound call: the agent chooses
  }
}

document.addEventListener("desktop:work", (event) => {
  const { me, work } = event.detail;
  const panels = document.getElementById("panels");
  if (panels && !section.isConnected) panels.append(section);
  agent = me.agent_id;
  const call = agent ? callOf(work) : null;
  const key = call ? call.interaction_id : "";
  if (key === current) return;
  current = key;
  drawFor(call).catch((err) => {
    body.replaceChildren(el("p", { class: "error", role: "alert" }, err.message));
  });
});
