// The 404 and 403 pages: the navigation bar of whoever is signed in, and a way home.
import { drawNav } from "./nav.js";
import { wireLogout } from "./common.js";

wireLogout();
fetch("/api/me", { credentials: "same-origin" }).then(async (r) => {
  if (!r.ok) return; // not signed in: the link to the login page is all there is
  const me = await r.json();
  drawNav(me);
  document.getElementById("home").href = me.role === "agent" ? "/desktop" : "/wallboard";
}).catch(() => {});
