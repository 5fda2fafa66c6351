// Administration › Scripts: agent scripts and questionnaires in a YAML editor, checked on
// the server with every mistake listed beside the editor by line (a click goes there),
// stored as a new version (every version kept), retired or restored; and each campaign's
// purpose and script. The format: docs/reference/scripts.md.
import { api, act, el, ApiError } from "./common.js";

const PURPOSES = ["sales", "survey", "satisfaction", "reactivation", "address_update"];
const PURPOSE_LABEL = {
  sales: "Sales", survey: "Survey (research)", satisfaction: "After-sale satisfaction",
  reactivation: "Reactivation", address_update: "Address update",
};
const STARTER = `script: my_script
title: My script
purpose: survey
steps:
  - id: greet
    say: "Good morning {first_name}, this is {agent_name}."
  - id: agree
    single: "May I ask you a few questions?"
    options: {agree: "Yes", decline: "No"}
    next:
      - if: agree == 'decline'
        goto: refusal
  - id: done
    close: complete
  - id: refusal
    close: refusal
`;

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
  const area = el("textarea", { class: "code", id: "script-text", name: "text", spellcheck: "false",
    wrap: "off", "aria-describedby": "script-problems-heading" }, STARTER);
  const result = el("p", { id: "script-result", class: "ivr-result", role: "status", "aria-live": "polite" });
  const problems = el("ol", { id: "script-problems", class: "script-problems" });

  const showProblems = (list) => {
    area.setAttribute("aria-invalid", "true");
    result.className = "ivr-result bad";
    result.textContent = `${list.length} mistake${list.length === 1 ? "" : "s"}: nothing stored.`;
    problems.replaceChildren(...list.map((p) => el("li", {},
      el("button", { type: "button", class: "link", disabled: !p.line,
        onclick: () => p.line && goToLine(area, p.line) },
      `${p.line ? `Line ${p.line}` : "The text"}${p.path ? ` (${p.path})` : ""}: ${p.message}`))));
    if (list[0]?.line) goToLine(area, list[0].line);
  };
  const showGood = (text) => {
    area.removeAttribute("aria-invalid");
    result.className = "ivr-result ok";
    result.textContent = text;
    problems.replaceChildren();
  };

  const check = el("button", { type: "button", class: "primary", id: "script-check" }, "Check");
  check.addEventListener("click", () => act(check, async () => {
    const answer = await api("POST", "/api/admin/scripts/validate", { text: area.value });
    if (answer.valid) {
      showGood(`Valid: ${answer.script} (${PURPOSE_LABEL[answer.purpose]}), `
        + `${answer.steps} steps, ${answer.questions} questions.`);
    } else showProblems(answer.problems);
  }));
  const save = el("button", { type: "button", id: "script-save" }, "Save as a new version");
  save.addEventListener("click", () => act(save, async () => {
    const answer = await api("POST", "/api/admin/scripts/validate", { text: area.value });
    if (!answer.valid) { showProblems(answer.problems); return; }
    try {
      const stored = await api("POST", "/api/admin/scripts", { text: area.value });
      showGood(`Stored ${stored.name} version ${stored.version}.`);
      await refresh();
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 422) throw err;
      showProblems([{ line: null, path: "", message: err.message }]);
    }
  }));

  const list = el("tbody", { id: "scripts-rows" });
  const table = el("div", { class: "scroll", role: "region", tabindex: "0", "aria-labelledby": "scripts-caption" },
    el("table", { class: "data", id: "scripts-table" },
      el("caption", { id: "scripts-caption" }, "Scripts (newest versions)"),
      el("thead", {}, el("tr", {},
        ...["Script", "Title", "Purpose", "Version", "State"].map((h) => el("th", { scope: "col" }, h)),
        el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Actions")))),
      list));

  const campaignSelect = el("select", { id: "cs-campaign", name: "campaign" });
  const purposeSelect = el("select", { id: "cs-purpose", name: "purpose" },
    ...PURPOSES.map((p) => el("option", { value: p }, PURPOSE_LABEL[p])));
  const scriptSelect = el("select", { id: "cs-script", name: "script" });
  const campaignResult = el("p", { id: "cs-result", role: "status", "aria-live": "polite" });
  let scripts = [];
  const fillScripts = (chosen) => {
    scriptSelect.replaceChildren(el("option", { value: "" }, "The purpose's default (newest)"),
      ...scripts.filter((s) => s.purpose === purposeSelect.value && !s.retired)
        .map((s) => el("option", { value: s.name, selected: s.name === chosen }, `${s.name}: ${s.title}`)));
  };
  const showCampaign = async () => {
    if (!campaignSelect.value) { campaignResult.textContent = "No campaigns yet."; return; }
    const view = await api("GET", `/api/campaigns/${encodeURIComponent(campaignSelect.value)}/script`);
    if (view.purpose) purposeSelect.value = view.purpose;
    fillScripts(view.script);
    campaignResult.textContent = view.runs
      ? `Its calls run ${view.runs}; outcomes: ${view.outcomes.join(", ")}.`
      : "Its calls run no script yet.";
  };
  purposeSelect.addEventListener("change", () => fillScripts(null));
  campaignSelect.addEventListener("change", () => showCampaign());
  const assign = el("button", { type: "button", id: "cs-save" }, "Set the campaign's script");
  assign.addEventListener("click", () => act(assign, async () => {
    await api("PUT", `/api/campaigns/${encodeURIComponent(campaignSelect.value)}/script`,
      { purpose: purposeSelect.value, script: scriptSelect.value || null });
    await showCampaign();
  }));

  async function refresh() {
    scripts = (await api("GET", "/api/admin/scripts")).scripts;
    list.replaceChildren(...(scripts.length ? scripts.map((s) => {
      const edit = el("button", { type: "button", "aria-label": `Edit ${s.name}` }, "Edit");
      edit.addEventListener("click", () => act(edit, async () => {
        area.value = (await api("GET", `/api/admin/scripts/${encodeURIComponent(s.name)}`)).text;
        showGood(`Editing ${s.name} (version ${s.version}); saving stores version ${s.version + 1}.`);
        area.focus();
      }));
      const retire = el("button", { type: "button", "aria-label": `${s.retired ? "Restore" : "Retire"} ${s.name}` },
        s.retired ? "Restore" : "Retire");
      retire.addEventListener("click", () => act(retire, async () => {
        await api("PUT", `/api/admin/scripts/${encodeURIComponent(s.name)}/retired`, { retired: !s.retired });
        await refresh();
      }));
      return el("tr", {}, el("th", { scope: "row" }, s.name), el("td", {}, s.title),
        el("td", {}, PURPOSE_LABEL[s.purpose] ?? s.purpose), el("td", {}, String(s.version)),
        el("td", {}, s.retired ? "retired" : "in use"), el("td", {}, edit, " ", retire));
    }) : [el("tr", {}, el("td", { colspan: 6 }, "No scripts yet: write one below."))]));
    fillScripts(scriptSelect.value || null);
  }

  const campaigns = await api("GET", "/api/campaigns");
  campaignSelect.replaceChildren(...campaigns.map((c) => el("option", { value: c.name }, c.name)));
  await refresh();
  await showCampaign();

  const editor = el("section", { class: "panel ivr-editor", "aria-labelledby": "script-heading" },
    el("h3", { id: "script-heading" }, "Script editor"),
    el("p", { class: "hint" }, "One YAML format for agent scripts and questionnaires: "
      + "questions (single, multiple, scale, number, text, date), skip logic, {field} merges "
      + "and a closing step (docs/reference/scripts.md)."),
    el("div", { class: "script-editor" },
      el("div", {}, el("label", { for: "script-text" }, "Script (YAML)"), area),
      el("div", { class: "script-side" },
        el("h4", { id: "script-problems-heading" }, "Mistakes"), result, problems)),
    el("div", { class: "toolbar" }, check, save));
  const assignment = el("section", { class: "panel", "aria-labelledby": "cs-heading" },
    el("h3", { id: "cs-heading" }, "Campaign purpose and script"),
    el("div", { class: "toolbar" },
      el("label", { for: "cs-campaign" }, "Campaign"), campaignSelect,
      el("label", { for: "cs-purpose" }, "Purpose"), purposeSelect,
      el("label", { for: "cs-script" }, "Script"), scriptSelect, assign),
    campaignResult);
  body.replaceChildren(el("h2", {}, "Scripts and questionnaires"), table, editor, assignment);
}
