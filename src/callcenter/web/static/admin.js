// Administration: one shell, /admin/{section}; each section is a module admin-{section}.js
// exporting `render(main, me)`.
import { showError } from "./common.js";
import { startPage } from "./nav.js";
import { el } from "./common.js";

export const SECTIONS = [
  ["users", "Users"], ["agents", "Agents"], ["teams", "Teams"], ["skills", "Skills"],
  ["queues", "Queues"], ["calendars", "Calendars"], ["dispositions", "Dispositions"],
  ["customers", "Customers"], ["case-types", "Case types"],
  ["case-categories", "Case categories"], ["sla-policies", "SLA policies"],
  ["knowledge", "Knowledge base"], ["directory", "Directory"], ["catalog", "Catalog"],
  ["ivr", "IVR flows"], ["scripts", "Scripts"], ["audit", "Audit log"],
  ["privacy", "Privacy (GDPR)"],
];

async function main() {
  const me = await startPage();
  const section = window.location.pathname.split("/")[2] || "";
  const app = document.getElementById("app");
  const menu = el("nav", { class: "sections", "aria-label": "Administration" },
    el("ul", {}, SECTIONS.map(([key, text]) => el("li", {},
      el("a", { href: `/admin/${key}`, "aria-current": key === section ? "page" : null }, text)))));
  const body = el("div", { class: "section-body" });
  app.replaceChildren(menu, body);
  if (!section) {
    body.append(el("p", {}, "Choose what to configure."));
    return;
  }
  const known = SECTIONS.find(([key]) => key === section);
  if (!known) {
    body.append(el("p", {}, `There is no section “${section}”.`));
    return;
  }
  document.title = `callcenter · ${known[1]}`;
  const module = await import(`./admin-${section}.js`);
  await module.render(body, me);
}

main().catch((err) => showError(err.message || String(err)));
