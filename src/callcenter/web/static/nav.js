// The one navigation bar of every screen, by role, and who is signed in.
// Each page's <header class="top"> holds <nav id="nav" aria-label="Main">; `startPage()`
// fills it from GET /api/me and wires the one "Sign out" link.
import { api, el, wireLogout } from "./common.js";

/** The screens each role may open, in the bar's order: [path, label]. */
export const LINKS = {
  agent: [["/desktop", "Desktop"]],
  supervisor: [["/wallboard", "Wallboard"], ["/customers", "Customers"], ["/cases", "Cases"], ["/orders", "Orders"], ["/campaigns", "Campaigns"],
               ["/surveys", "Surveys"], ["/reports", "Reports"]],
  admin: [["/wallboard", "Wallboard"], ["/customers", "Customers"], ["/cases", "Cases"], ["/orders", "Orders"], ["/admin", "Administration"],
          ["/campaigns", "Campaigns"], ["/surveys", "Surveys"], ["/reports", "Reports"],
          ["/docs", "API"]],
};

/** The links for `me` (a GET /api/me answer): staff acting as an agent also get the desktop. */
export function linksOf(me) {
  const links = [...(LINKS[me.role] || [])];
  if (me.role !== "agent" && me.agent_id) links.unshift(["/desktop", "Desktop"]);
  return links;
}

function current(path) {
  const here = window.location.pathname;
  return here === path || here.startsWith(`${path}/`);
}

/** Draw the navigation bar and the signed-in user for `me`. */
export function drawNav(me) {
  const nav = document.getElementById("nav");
  if (nav) {
    nav.replaceChildren(el("ul", {}, linksOf(me).map(([path, text]) =>
      el("li", {}, el("a", { href: path, "aria-current": current(path) ? "page" : null }, text)))));
  }
  const who = document.getElementById("who");
  if (who) who.textContent = `${me.username} (${me.role})`;
}

/** Who is signed in (GET /api/me), with the bar drawn; a 401 goes to the login page. */
export async function startPage() {
  wireLogout();
  const me = await api("GET", "/api/me");
  drawNav(me);
  return me;
}
