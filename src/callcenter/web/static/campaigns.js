// Campaigns: /campaigns and its sub-paths.
import { showError } from "./common.js";
import { startPage } from "./nav.js";

async function main() {
  await startPage();
  document.getElementById("app").replaceChildren();
}

main().catch((err) => showError(err.message || String(err)));
