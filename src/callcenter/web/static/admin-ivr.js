// Administration › IVR flows: the running flows' YAML in a text editor, checked on the
// server (the first mistake named with its line, the caret moved there), stored and run
// at once under sip telephony, and the telephony numbers and trunks of the sip config.
import { api, act, el, ApiError } from "./common.js";

/** Select line `line` (1-based) of `area` and scroll it into view. */
function goToLine(area, line) {
  const lines = area.value.split("\n");
  const n = Math.min(Math.max(line, 1), lines.length);
  const start = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(start, start + lines[n - 1].length);
  const height = area.scrollHeight / Math.max(lines.length, 1);
  area.scrollTop = Math.max(0, (n - 3) * height);
}

export async function render(body, _me) {
  const [ivr, telephony] = await Promise.all([
    api("GET", "/api/admin/ivr"), api("GET", "/api/admin/telephony")]);
  const where = {
    sip: `the flow file ${ivr.file} of the sip telephony config`,
    scenario: `the flow file ${ivr.file} of the scenario's [ivr] table`,
  }[ivr.source];
  const area = el("textarea", { class: "code", id: "ivr-text", name: "text", spellcheck: "false",
    "aria-describedby": "ivr-note", wrap: "off" }, ivr.text ?? "");
  const result = el("p", { id: "ivr-result", class: "ivr-result", role: "status", "aria-live": "polite" });
  const lineButton = el("button", { type: "button", id: "ivr-goto", hidden: true }, "Go to the line");
  const position = el("span", { class: "hint", id: "ivr-position", "aria-live": "off" }, "Line 1");
  const showPosition = () => {
    const line = area.value.slice(0, area.selectionStart).split("\n").length;
    position.textContent = `Line ${line}`;
  };
  for (const type of ["keyup", "click", "select"]) area.addEventListener(type, showPosition);
  let badLine = null;
  lineButton.addEventListener("click", () => { if (badLine) goToLine(area, badLine); });

  const showBad = (line, message) => {
    badLine = line;
    area.setAttribute("aria-invalid", "true");
    result.className = "ivr-result bad";
    result.textContent = line ? `Line ${line}: ${message}` : message;
    lineButton.hidden = !line;
    lineButton.textContent = line ? `Go to line ${line}` : "Go to the line";
    if (line) goToLine(area, line);
  };
  const showGood = (text) => {
    badLine = null;
    area.removeAttribute("aria-invalid");
    result.className = "ivr-result ok";
    result.textContent = text;
    lineButton.hidden = true;
  };
  const plural = (flows) => `${flows.length} flow${flows.length === 1 ? "" : "s"} (${flows.join(", ")})`;

  const check = el("button", { type: "button", class: "primary", id: "ivr-check" }, "Check the flows");
  check.addEventListener("click", () => act(check, async () => {
    const answer = await api("POST", "/api/admin/ivr/validate", { text: area.value });
    if (answer.valid) showGood(`Valid: ${plural(answer.flows)}.`);
    else showBad(answer.line, answer.message);
  }));
  const save = el("button", { type: "button", id: "ivr-save", hidden: !ivr.editable }, "Save and run");
  save.addEventListener("click", () => act(save, async () => {
    try {
      const stored = await api("PUT", "/api/admin/ivr", { text: area.value });
      showGood(`Stored in ${stored.file}: new calls start in ${plural(stored.flows)}; `
        + "calls already in a flow go on in theirs.");
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 422) throw err;
      const [, message = err.message] = err.fields()[0] ?? [];
      const line = /^[^:\n]+:(\d+):/.exec(message);
      showBad(line ? Number(line[1]) : null, message);
    }
  }));

  const note = el("p", { id: "ivr-note", class: "hint" },
    ivr.source === "none"
      ? "This server runs no IVR flows from a file: calls go straight to their queues. "
        + "Write flows here to check them (docs/reference/ivr.md describes the format)."
      : `The IVR runs the flows of ${where}${ivr.flows.length ? ` (${ivr.flows.join(", ")})` : ""}. `
        + (ivr.editable
          ? "“Save and run” stores a valid text in that file and the IVR takes it at once."
          : "Check a change here, then save it to that file and restart the server: "
            + "the scenario's flows are not stored from this page."));

  const editor = el("section", { class: "panel ivr-editor", "aria-labelledby": "ivr-heading" },
    el("h3", { id: "ivr-heading" }, ivr.file ? `Flows: ${ivr.file}` : "Flows"),
    note,
    el("label", { for: "ivr-text" }, "Flow file (YAML)"),
    area,
    el("div", { class: "toolbar" }, check, save, lineButton, position),
    result);

  const numbers = telephony.mode === "sip"
    ? [
      telephony.numbers.length
        ? el("table", { class: "data", id: "telephony-numbers" },
          el("caption", {}, "Numbers"),
          el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Dialled number"),
            el("th", { scope: "col" }, "IVR flow"))),
          el("tbody", {}, telephony.numbers.map((n) => el("tr", {},
            el("td", {}, n.number), el("td", {}, n.flow)))))
        : el("p", {}, "No numbers (dids) are configured."),
      el("h4", {}, "Trunks"),
      telephony.trunks.length
        ? el("ul", { id: "telephony-trunks" }, telephony.trunks.map((t) => el("li", {}, t)))
        : el("p", {}, "No trunk may send calls."),
      el("p", {}, telephony.dial ? `Outbound calls go to ${telephony.dial}.` : "No outbound trunk."),
      el("p", { class: "hint" }, "Read from the telephony config file; change them there and restart."),
    ]
    : [el("p", { id: "telephony-none" },
      "This server runs simulated telephony: it has no telephony numbers or trunks.")];
  const lines = el("section", { class: "panel", "aria-labelledby": "telephony-heading" },
    el("h3", { id: "telephony-heading" }, "Telephony numbers and trunks"), ...numbers);

  body.replaceChildren(el("h2", {}, "IVR flows"), editor, lines);
}
