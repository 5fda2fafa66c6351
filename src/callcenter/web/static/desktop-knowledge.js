// The desktop's knowledge panel: one search box over the knowledge base (results with
// their highlighted snippet; an article opens in the panel) and over the switchboard
// directory (choosing an entry during a call transfers the call there through
// POST /api/agents/{id}/transfer). Follows `desktop:work` (desktop.js) only to know the
// agent and its connected call; the search and the open article are never redrawn by it.
// Articles and snippets are drawn as text nodes: an article never brings markup.
import { api, el } from "./common.js";

const section = el("section", { class: "card knowledge-panel", "aria-labelledby": "knowledge-title" });
let me = null;
let call = null; // the connected call, or null
const status = el("p", { class: "status", role: "status", "aria-live": "polite" });
const results = el("div", { class: "knowledge-results", "aria-live": "polite" });
const box = el("input", { type: "search", name: "q", maxlength: 200, autocomplete: "off",
                          id: "knowledge-q", placeholder: "refund, password, billing…" });

function snippet(parts) {
  return el("p", { class: "snippet" }, parts.map((p) => (p.hit ? el("mark", {}, p.text) : p.text)));
}

async function openArticle(id) {
  const a = await api("GET", `/api/knowledge/articles/${id}`);
  const back = el("button", { type: "button", class: "secondary" }, "Back to results");
  back.addEventListener("click", () => search());
  results.replaceChildren(el("article", { class: "kb-article", "aria-labelledby": "kb-article-title" },
    el("h3", { id: "kb-article-title" }, a.title),
    a.tags.length ? el("p", { class: "tags" }, a.tags.map((t) => el("span", { class: "tag" }, t))) : "",
    el("div", { class: "kb-body" }, a.body),
    back));
  back.focus();
}

async function transfer(entry, button) {
  if (!call || !me?.agent_id) return;
  button.disabled = true;
  try {
    await api("POST", `/api/agents/${encodeURIComponent(me.agent_id)}/transfer`,
              { interaction_id: call.interaction_id, ...entry.transfer });
    status.textContent = `Call transferred to ${entry.name}.`;
  } catch (err) {
    status.textContent = `Transfer failed: ${err.message}`;
    button.disabled = false;
  }
}

function target(entry) {
  if (entry.number) return entry.number;
  if (entry.queue_id) return `queue ${entry.queue_id}`;
  return `agent ${entry.agent_id}`;
}

function entryItem(entry) {
  const button = el("button", { type: "button", disabled: call ? null : true,
                                "aria-label": `Transfer the call to ${entry.name}` }, "Transfer");
  button.addEventListener("click", () => transfer(entry, button));
  return el("li", { class: "directory-entry" },
    el("strong", {}, entry.name),
    ` · ${[entry.department, entry.role].filter(Boolean).join(", ")} · ${target(entry)} `,
    button);
}

async function search() {
  const q = box.value.trim();
  if (!q) {
    results.replaceChildren(el("p", { class: "empty" }, "Search articles and the directory."));
    return;
  }
  const query = encodeURIComponent(q);
  const [found, directory] = await Promise.all([
    api("GET", `/api/knowledge/articles?q=${query}&limit=10`),
    api("GET", `/api/knowledge/directory?q=${query}&limit=10`)]);
  if (box.value.trim() !== q) return; // a newer search is under way
  const articles = found.articles.map((a) => {
    const link = el("button", { type: "button", class: "link" }, a.title);
    link.addEventListener("click", () => openArticle(a.id).catch((err) => {
      status.textContent = err.message;
    }));
    return el("li", { class: "kb-hit" }, link, snippet(a.snippet));
  });
  results.replaceChildren(
    el("h3", {}, `Articles (${found.articles.length})`),
    articles.length ? el("ul", { class: "kb-hits" }, articles) : el("p", { class: "empty" }, "No article found."),
    el("h3", {}, `Directory (${directory.entries.length})`),
    directory.entries.length ? el("ul", { class: "directory" }, directory.entries.map(entryItem))
      : el("p", { class: "empty" }, "Nobody found."),
    call ? "" : el("p", { class: "hint" }, "Transfers are possible during a call."));
}

const form = el("form", { role: "search", "aria-label": "Knowledge base and directory" },
  el("label", { for: "knowledge-q" }, "Search "), box,
  el("button", { type: "submit" }, "Search"));
form.addEventListener("submit", (e) => {
  e.preventDefault();
  search().catch((err) => { status.textContent = err.message; });
});
section.append(el("h2", { id: "knowledge-title" }, "Knowledge and directory"), form, status, results);
results.replaceChildren(el("p", { class: "empty" }, "Search articles and the directory."));

document.addEventListener("desktop:work", (event) => {
  const panels = document.getElementById("panels");
  if (panels && !section.isConnected) panels.append(section);
  me = event.detail.me;
  const items = event.detail.work?.items || [];
  const now = items.find((i) => i.status === "connected") || null;
  const changed = (now?.interaction_id || "") !== (call?.interaction_id || "");
  call = now;
  if (changed) {
    for (const b of results.querySelectorAll(".directory-entry button")) b.disabled = !call;
  }
});
