// The survey results page (/surveys, /surveys/{campaign}): quota cells filled against
// their targets, AAPOR outcome rates, counts and shares per question (weighted and
// unweighted, with a chart), a cross-tab of two variables, CSV exports, and (admins)
// the population shares the results are weighted to. Reads /api/surveys/{name}.
import { act, api, clearError, el, showError, showFormErrors } from "./common.js";
import { startPage } from "./nav.js";
import { chart, PALETTE } from "./charts.js";

const pct = (x) => (x === null || x === undefined ? "–" : `${(100 * x).toFixed(1)} %`);
const num = (x, digits = 1) => (x === null || x === undefined ? "–" : Number(x).toFixed(digits));
const RATES = ["RR1", "RR3", "COOP1", "REF1", "CON1", "RR2", "RR4", "RR5", "RR6", "COOP2",
               "COOP3", "COOP4", "REF2", "REF3", "CON2", "CON3"];

function panel(id, title, ...children) {
  return el("section", { class: "panel", id, "aria-labelledby": `${id}-title` },
    el("h2", { id: `${id}-title` }, title), ...children);
}

function scrollBox(name, table) {
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": name },
    table);
}

function table(caption, head, rows) {
  return scrollBox(caption, el("table", {},
    el("caption", { class: "sr-only" }, caption),
    el("thead", {}, el("tr", {}, head.map(([text, cls]) =>
      el("th", { scope: "col", class: cls || null }, text)))),
    el("tbody", {}, rows.length ? rows : [el("tr", {}, el("td", { colspan: head.length,
                                                                  class: "empty" }, "None."))])));
}

function csvLink(href, name, text) {
  return el("a", { href, download: name }, text);
}

function control(id, text, node) {
  node.id = id;
  return el("label", { for: id }, text, node);
}

async function choosePage(app) {
  const campaigns = await api("GET", "/api/campaigns");
  app.replaceChildren(el("div", { class: "surveys-page" }, panel("pick", "Survey campaigns",
    campaigns.length
      ? el("ul", {}, campaigns.map((c) =>
        el("li", {}, el("a", { href: `/surveys/${encodeURIComponent(c.name)}` }, c.name))))
      : el("p", { class: "empty" }, "No campaigns yet."))));
}

function quotaPanel(s, base) {
  const rows = s.quotas.map((c) => el("tr", {},
    el("th", { scope: "row" }, c.label || c.id),
    el("td", { class: "num" }, c.count), el("td", { class: "num" }, c.target),
    el("td", { class: "num" }, pct(c.target ? c.count / c.target : 1)),
    el("td", { class: c.full ? "full" : null }, c.full ? (c.lead_only
      ? "full: leads held back" : "full: interviews screened out") : "open")));
  return panel("quotas", "Quota cells",
    table("Quota cells", [["Cell"], ["Completes", "num"], ["Target", "num"], ["Filled", "num"],
                          ["State"]], rows),
    el("p", { class: "exports" },
      csvLink(`${base}?format=csv&table=quotas`, `quotas-${s.campaign}.csv`, "Export quotas CSV")));
}

function ratesPanel(s, base) {
  const codes = Object.entries(s.outcomes).map(([code, n]) => el("tr", {},
    el("th", { scope: "row" }, code.replace("_", " ")), el("td", { class: "num" }, n)));
  const rates = RATES.map((r) => el("tr", {}, el("th", { scope: "row" }, r),
    el("td", { class: "num" }, pct(s.rates[r]))));
  return panel("rates", "Outcomes and AAPOR rates",
    table("Cases per final code", [["Final code"], ["Cases", "num"]], codes),
    table("Outcome rates", [["Rate"], ["Value", "num"]], rates),
    el("p", {}, `e (share of unknown-eligibility cases taken as eligible) = ${num(s.rates.e, 3)}`),
    el("p", { class: "exports" },
      csvLink(`${base}?format=csv&table=rates`, `rates-${s.campaign}.csv`, "Export rates CSV")));
}

function questionsPanel(s, base) {
  const weighted = s.weighting !== null;
  const pick = control("question", "Question", el("select", {},
    s.questions.map((q) => el("option", { value: q }, q))));
  const body = el("div", { "aria-live": "polite" });
  const canvas = el("canvas", { role: "img", "aria-label": "Shares of the chosen question" });
  function draw() {
    const q = pick.querySelector("select").value;
    const values = s.values.filter((v) => v.question === q);
    body.replaceChildren(table(`Answers to ${q}`,
      [["Value"], ["Count", "num"], ["Share", "num"], ["Weighted", "num"],
       ["Weighted share", "num"]],
      values.map((v) => el("tr", {}, el("th", { scope: "row" }, v.value),
        el("td", { class: "num" }, v.count), el("td", { class: "num" }, pct(v.share)),
        el("td", { class: "num" }, weighted ? num(v.weighted, 2) : "–"),
        el("td", { class: "num" }, weighted ? pct(v.weighted_share) : "–")))));
    const series = [{ label: "Share (unweighted) %", data: values.map((v) => 100 * v.share),
                      colour: PALETTE[0] }];
    if (weighted) {
      series.push({ label: "Share (weighted) %", data: values.map((v) => 100 * v.weighted_share),
                    colour: PALETTE[1] });
    }
    chart(canvas, { type: "bar", labels: values.map((v) => v.value), series, yTitle: "%" });
  }
  pick.querySelector("select").addEventListener("change", draw);
  const out = panel("questions", `Answers (${s.completes} completed interviews)`,
    el("div", { class: "survey-form" }, pick), body,
    el("div", { class: "survey-chart" }, canvas),
    el("p", {}, weighted
      ? `Weighted to the population shares of ${s.weighting.variable}` +
        (s.weighting.empty.length ? `; no respondents in ${s.weighting.empty.join(", ")}` : "") +
        (s.weighting.unweighted ? `; ${s.weighting.unweighted} respondents outside the cells` : "")
      : "Unweighted (no population shares set)."),
    el("p", { class: "exports" },
      csvLink(`${base}?format=csv&table=questions`, `answers-table-${s.campaign}.csv`,
              "Export the table CSV"),
      csvLink(`${base}/answers?format=csv`, `answers-${s.campaign}.csv`,
              "Export answers CSV (one row per interview)")));
  if (s.questions.length) setTimeout(draw, 0);
  return out;
}

function crosstabPanel(s, base) {
  const variables = s.questions.map((q) => `answer:${q}`);
  const rowSel = control("ct-rows", "Rows", el("select", {},
    variables.map((v) => el("option", { value: v }, v))));
  const colIn = control("ct-columns", "Columns (answer:<question> or lead:<field>)",
    el("input", { value: variables[1] || "lead:region", required: true, maxlength: 80 }));
  const out = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "survey-form" }, rowSel, colIn,
    el("button", { type: "submit" }, "Cross-tabulate"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const rows = rowSel.querySelector("select").value;
    const columns = colIn.querySelector("input").value.trim();
    const q = `rows=${encodeURIComponent(rows)}&columns=${encodeURIComponent(columns)}`;
    act(form.querySelector("button"), async () => {
      let t;
      try {
        t = await api("GET", `${base}/crosstab?${q}`);
      } catch (err) {
        showFormErrors(form, err);
        return;
      }
      const weighted = s.weighting !== null;
      out.replaceChildren(table(`${t.rows_variable} by ${t.columns_variable}`,
        [[t.rows_variable], ...t.columns.map((c) => [`${c} (column %)`, "num"])],
        t.rows.map((r, i) => el("tr", {}, el("th", { scope: "row" }, r),
          t.columns.map((_, j) => el("td", { class: "num" },
            `${t.counts[i][j]} · ${pct(t.column_shares[i][j])}` +
            (weighted ? ` (weighted ${pct(t.weighted_column_shares[i][j])})` : "")))))),
        el("p", { class: "exports" }, csvLink(`${base}/crosstab?${q}&format=csv`,
          `crosstab-${s.campaign}.csv`, "Export cross-tab CSV")));
    });
  });
  return panel("crosstab", "Cross-tab", form, out);
}

function weightsPanel(s, base, reload) {
  const variable = control("w-variable", "Weighting variable (answer:<question> or lead:<field>)",
    el("input", { name: "variable", required: true, maxlength: 80,
                  value: s.weighting ? s.weighting.variable : "lead:region" }));
  const shares = control("w-shares", "Population shares (value=share, one per line)",
    el("textarea", { name: "shares", rows: 4, required: true }));
  if (s.weighting) {
    shares.querySelector("textarea").value = Object.entries(s.weighting.shares)
      .map(([k, v]) => `${k}=${v}`).join("\n");
  }
  const form = el("form", { class: "survey-form" }, variable, shares,
    el("button", { type: "submit" }, "Weight the results"),
    el("button", { type: "button", class: "secondary", onclick: () => act(
      form.querySelector(".secondary"), async () => {
        await api("DELETE", `${base}/weights`);
        await reload();
      }) }, "Unweighted"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const parsed = {};
    for (const line of shares.querySelector("textarea").value.split("\n")) {
      const [k, v] = line.split("=");
      if (k && k.trim()) parsed[k.trim()] = Number(v);
    }
    act(form.querySelector("button"), async () => {
      try {
        await api("PUT", `${base}/weights`, {
          variable: variable.querySelector("input").value.trim(), shares: parsed });
      } catch (err) {
        showFormErrors(form, err);
        return;
      }
      await reload();
    });
  });
  return panel("weights", "Weighting (post-stratification)", form);
}

async function surveyPage(app, me, name) {
  const base = `/api/surveys/${encodeURIComponent(name)}`;
  async function load() {
    clearError();
    const s = await api("GET", base);
    app.replaceChildren(el("div", { class: "surveys-page" },
      el("h2", {}, `Survey ${s.campaign}` + (s.script ? ` · script ${s.script} v${s.script_version}` : "")),
      quotaPanel(s, base), ratesPanel(s, base), questionsPanel(s, base),
      crosstabPanel(s, base), me.role === "admin" ? weightsPanel(s, base, load) : null));
  }
  await load();
}

async function main() {
  const me = await startPage();
  const app = document.getElementById("app");
  const parts = window.location.pathname.split("/").filter(Boolean);
  if (parts.length > 1) await surveyPage(app, me, decodeURIComponent(parts[1]));
  else await choosePage(app);
}

main().catch((err) => showError(err.message));
