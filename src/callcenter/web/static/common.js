// Shared by the pages: API calls, the engine clock, the live event socket, small DOM helpers.

/** An error answer of the API: its HTTP status and the message a person can read. */
export class ApiError extends Error {
  constructor(status, message, detail = null, errors = null) {
    super(message);
    this.status = status;
    this.detail = detail; // the body's `detail`: a string (or a list of {loc, msg})
    this.errors = Array.isArray(errors) ? errors : []; // a 422's [{field, message}]
  }

  /** The 422 field errors as [field path, message], the path dotted (`hours[0].opens`
   * -> "hours.0.opens"), the message without its leading "path: ". */
  fields() {
    if (this.errors.length) {
      return this.errors.map((e) => {
        const field = e.field || "";
        let msg = String(e.message || "");
        if (field && msg.startsWith(`${field}: `)) msg = msg.slice(field.length + 2);
        return [field.replace(/\[(\d+)\]/g, ".$1").replace(/^\./, ""), msg];
      });
    }
    if (!Array.isArray(this.detail)) return [];
    return this.detail.map((d) => [
      Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body" && p !== "query").join(".") : "",
      d.msg,
    ]);
  }
}

/** The readable message of an error body: `detail` as a string, or the 422 list of fields. */
function messageOf(status, body) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => {
      const field = Array.isArray(d.loc) ? d.loc.filter((p) => p !== "body").join(".") : "";
      return field ? `${field}: ${d.msg}` : d.msg;
    }).join("; ");
  }
  return `request failed (HTTP ${status})`;
}

/** Call the JSON API with the session cookie; throws ApiError on an error answer.
 * A 401 outside the login sends the browser back to the login page. */
export async function api(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, `the server cannot be reached (${err.message})`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    if (response.status === 401 && path !== "/api/login") {
      window.location.assign("/");
    }
    throw new ApiError(response.status, messageOf(response.status, data), data && data.detail,
                       data && data.errors);
  }
  return data;
}

/** End the session and go to the login page. */
export async function logout() {
  try {
    await api("POST", "/api/logout");
  } catch {
    // Already logged out: the login page is where we go anyway.
  }
  window.location.assign("/");
}

/** Wire every `[data-logout]` link of the page. */
export function wireLogout() {
  for (const link of document.querySelectorAll("[data-logout]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      logout();
    });
  }
}

/** The engine's clock (Unix seconds, maybe sped up or shifted), from samples the server sends. */
export class EngineClock {
  constructor() {
    this.at = Date.now() / 1000;
    this.mark = performance.now();
    this.speed = 1;
  }

  /** The engine time was `at` just now; it runs `speed` engine seconds per real second. */
  sync(at, speed) {
    if (typeof speed === "number" && speed > 0) this.speed = speed;
    if (typeof at === "number") {
      this.at = at;
      this.mark = performance.now();
    }
  }

  now() {
    return this.at + ((performance.now() - this.mark) / 1000) * this.speed;
  }
}

/** Seconds as `m:ss` (or `h:mm:ss`); an empty dash for null. */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "–";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** An engine time as a local clock time. */
export function clockTime(at) {
  if (at === null || at === undefined) return "–";
  return new Date(at * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A state name for people: `wrap_up` -> `wrap up`. */
export function label(state) {
  return String(state || "").replaceAll("_", " ");
}

/** Create an element: `el("td", {class: "x", dataset: {agent: "a"}}, "text", child)`. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Show an error message in the page's `#error` box (until dismissed or replaced). */
export function showError(message) {
  const box = document.getElementById("error");
  box.replaceChildren(
    el("span", { class: "message" }, message),
    el("button", { type: "button", class: "dismiss", "aria-label": "Dismiss",
                   onclick: () => { box.hidden = true; } }, "×"),
  );
  box.hidden = false;
}

export function clearError() {
  document.getElementById("error").hidden = true;
}

/** Run an API action from a button: errors shown, the button disabled meanwhile. */
export async function act(button, action) {
  if (button) button.disabled = true;
  try {
    clearError();
    return await action();
  } catch (err) {
    showError(err instanceof ApiError ? err.message : String(err));
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

/** The event stream `/api/ws` (cookie login), reconnected with backoff when it drops.
 * `onMessage(msg)` gets each JSON message; `onOpen()` runs on every (re)connect. The
 * `#banner` element says when the page is disconnected. */
export class LiveSocket {
  constructor(onMessage, onOpen = () => {}) {
    this.onMessage = onMessage;
    this.onOpen = onOpen;
    this.delay = 500;
    this.socket = null;
    this.timer = null;
    this.banner = document.getElementById("banner");
    window.addEventListener("beforeunload", () => { this.stopped = true; });
  }

  start() {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${window.location.host}/api/ws`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = 500;
      this.banner.hidden = true;
      document.body.classList.remove("offline");
      this.onOpen();
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "Dropped") {
        socket.close(4000, "fell behind"); // reconnect for a fresh start
        return;
      }
      this.onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      if (this.stopped) return;
      if (event.code === 1008) { // not logged in (any more)
        window.location.assign("/");
        return;
      }
      if (event.code === 4001) { // an admin changed a team: again at once, with the new scope
        this.start();
        return;
      }
      this.retry();
    });
  }

  retry() {
    const wait = this.delay * (0.75 + Math.random() * 0.5);
    this.delay = Math.min(this.delay * 2, 15000);
    document.body.classList.add("offline");
    this.banner.textContent = `Disconnected from the server: reconnecting in ${Math.ceil(wait / 1000)} s…`;
    this.banner.hidden = false;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(), wait);
  }
}

/** Show an API error on a form: each 422 field error beside the control whose `name` is
 * the field (or its first part: `tiers.0.agent` beside `tiers`), marked `aria-invalid`
 * and described by the message; what belongs to no control goes to the form's
 * `.form-error` box (or the page's `#error`). The first invalid control gets the focus. */
export function showFormErrors(form, err) {
  clearFormErrors(form);
  const loose = [];
  let first = null;
  const fields = err instanceof ApiError ? err.fields() : [];
  for (const [path, msg] of fields) {
    const parts = path.split(".");
    let control = null;
    for (let n = parts.length; n > 0 && !control; n -= 1) {
      control = form.querySelector(`[name="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    }
    if (!control) { loose.push(path ? `${path}: ${msg}` : msg); continue; }
    const id = `${control.name || "field"}-error`.replace(/[^\w-]/g, "_");
    let box = form.querySelector(`#${CSS.escape(id)}`);
    if (!box) {
      box = el("span", { id, class: "field-error" });
      control.insertAdjacentElement("afterend", box);
    }
    box.textContent = box.textContent ? `${box.textContent}; ${msg}` : msg;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", id);
    first = first || control;
  }
  if (!fields.length) loose.push(err instanceof ApiError ? err.message : String(err));
  if (loose.length) {
    const box = form.querySelector(".form-error");
    if (box) { box.textContent = loose.join("; "); box.hidden = false; } else showError(loose.join("; "));
  }
  if (first) first.focus();
}

/** Take the error marks of `showFormErrors` off a form. */
export function clearFormErrors(form) {
  for (const box of form.querySelectorAll(".field-error")) box.remove();
  for (const c of form.querySelectorAll("[aria-invalid]")) {
    c.removeAttribute("aria-invalid");
    c.removeAttribute("aria-describedby");
  }
  const box = form.querySelector(".form-error");
  if (box) box.hidden = true;
}

/** Download `text` as a file named `name` (CSV exports the page built itself). */
export function download(name, text, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
