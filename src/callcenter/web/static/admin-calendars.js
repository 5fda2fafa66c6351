// Administration › Calendars: a time zone, weekly open hours and holidays
// (`/api/admin/calendars`). Saving a calendar re-applies the running queues that use it.
import { el } from "./common.js";
import { crud } from "./admin-crud.js";

const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** "09:00:00" -> "09:00" (seconds kept when not zero). */
const hhmm = (t) => (String(t || "").endsWith(":00") && String(t).length === 8 ? t.slice(0, 5) : t || "");

/** The weekly hours: one row per opening span (a day may have several: split shifts). Each
 * control is named by its API path (`hours.2.opens`), so a server error shows beside it. */
function hoursEditor(value) {
  let rows = (value || []).map((h) => ({ weekday: h.weekday, opens: hhmm(h.opens), closes: hhmm(h.closes) }));
  const body = el("tbody");
  const box = el("fieldset", { name: "hours", tabindex: "-1", class: "hours-editor" },
    el("legend", {}, "Open hours (in the calendar's time zone)"));
  const table = el("table", {}, el("thead", {}, el("tr", {},
    el("th", { scope: "col" }, "Day"), el("th", { scope: "col" }, "Opens"),
    el("th", { scope: "col" }, "Closes"), el("th", { scope: "col" }, el("span", { class: "visually-hidden" }, "Remove")))), body);
  const none = el("p", { class: "hint" }, "No open hours: the calendar is closed every day.");

  function sync() { rows = box.read(); }
  function draw(focus = null) {
    body.replaceChildren(...rows.map((r, i) => {
      // named `hours.N`: a server error about the whole span (hours[N]) shows beside the day
      const day = el("select", { name: `hours.${i}`, "aria-label": `Day of span ${i + 1}` },
        DAYS.map((d, n) => el("option", { value: String(n), selected: n === Number(r.weekday) || null }, d)));
      const opens = el("input", { type: "time", name: `hours.${i}.opens`, value: r.opens, required: true,
                                  "aria-label": `Opens (span ${i + 1})` });
      const closes = el("input", { type: "time", name: `hours.${i}.closes`, value: r.closes, required: true,
                                   "aria-label": `Closes (span ${i + 1})` });
      const remove = el("button", { type: "button", class: "small", "aria-label": `Remove span ${i + 1}`,
        onclick: () => { sync(); rows.splice(i, 1); draw(rows.length ? Math.min(i, rows.length - 1) : "add"); } }, "Remove");
      return el("tr", { "data-row": `hours.${i}` }, el("td", {}, day), el("td", {}, opens),
        el("td", {}, closes), el("td", {}, remove));
    }));
    none.hidden = rows.length > 0;
    table.hidden = rows.length === 0;
    if (focus === "add") add.focus();
    else if (focus !== null) body.querySelectorAll("select")[focus]?.focus();
  }
  const add = el("button", { type: "button", class: "small", onclick: () => {
    sync();
    const last = rows[rows.length - 1];
    rows.push({ weekday: last ? Math.min(6, Number(last.weekday) + 1) : 0,
                opens: last ? last.opens : "09:00", closes: last ? last.closes : "17:00" });
    draw(rows.length - 1);
  } }, "Add hours");
  const weekdays = el("button", { type: "button", class: "small", onclick: () => {
    rows = [0, 1, 2, 3, 4].map((d) => ({ weekday: d, opens: "09:00", closes: "17:00" }));
    draw(0);
  } }, "Set Monday–Friday 09:00–17:00");
  box.read = () => [...body.querySelectorAll("tr")].map((tr) => ({
    weekday: Number(tr.querySelector("select").value),
    opens: tr.querySelector('input[name$=".opens"]').value,
    closes: tr.querySelector('input[name$=".closes"]').value,
  }));
  box.append(el("div", { class: "table-wrap" }, table), none, el("div", { class: "buttons" }, add, weekdays));
  draw();
  return box;
}

/** The holidays: dates the calendar is closed all day, added with a date picker. */
function holidaysEditor(value) {
  let dates = [...(value || [])].sort();
  const list = el("ul", { "aria-label": "Holidays" });
  const picker = el("input", { type: "date", "aria-label": "Holiday to add" });
  const box = el("fieldset", { name: "holidays", tabindex: "-1", class: "holidays-editor" },
    el("legend", {}, "Holidays (closed all day)"));
  const none = el("p", { class: "hint" }, "No holidays.");
  function draw() {
    list.replaceChildren(...dates.map((d, i) => el("li", {},
      el("time", { datetime: d }, new Date(`${d}T00:00:00`).toLocaleDateString([], { weekday: "short", year: "numeric", month: "short", day: "numeric" })),
      el("button", { type: "button", class: "small", "aria-label": `Remove holiday ${d}`,
        onclick: () => { dates.splice(i, 1); draw(); picker.focus(); } }, "×"))));
    none.hidden = dates.length > 0;
  }
  const add = el("button", { type: "button", class: "small", onclick: () => {
    if (picker.value && !dates.includes(picker.value)) { dates = [...dates, picker.value].sort(); draw(); }
    picker.value = "";
    picker.focus();
  } }, "Add holiday");
  picker.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); add.click(); } });
  box.read = () => dates;
  box.append(list, none, el("div", { class: "buttons" }, picker, add));
  draw();
  return box;
}

/** Weekly hours in short: consecutive days with the same spans together ("Mon–Fri 09:00–17:00"). */
export function summary(hours) {
  const spans = DAYS.map((_, d) => hours.filter((h) => Number(h.weekday) === d)
    .map((h) => `${hhmm(h.opens)}–${hhmm(h.closes)}`).join(" and "));
  const parts = [];
  for (let d = 0; d < 7; d += 1) {
    if (!spans[d]) continue;
    let end = d;
    while (end + 1 < 7 && spans[end + 1] === spans[d]) end += 1;
    const days = end === d ? DAYS[d].slice(0, 3) : `${DAYS[d].slice(0, 3)}–${DAYS[end].slice(0, 3)}`;
    parts.push(`${days} ${spans[d]}`);
    d = end;
  }
  return parts.length ? parts.join(", ") : "closed";
}

function zones() {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
}

export async function render(body) {
  const datalist = el("datalist", { id: "tz-list" }, zones().map((z) => el("option", { value: z })));
  body.append(datalist);
  await crud(body, {
    title: "Calendars",
    path: "/api/admin/calendars",
    key: "id",
    noun: "calendar",
    auditEntity: "calendar",
    intro: "Queues follow their calendar: outside its hours and on its holidays they are closed. "
      + "A saved calendar applies to the running queues at once.",
    columns: [
      { field: "id", label: "Calendar" },
      { field: "timezone", label: "Time zone" },
      { label: "Open hours", value: (c) => summary(c.hours) },
      { label: "Holidays", value: (c) => c.holidays },
    ],
    defaults: { timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", hours: [], holidays: [] },
    fields: [
      { name: "id", label: "Calendar id", required: true },
      { name: "timezone", label: "Time zone", required: true, list: "tz-list",
        hint: "An IANA time zone such as Europe/Berlin." },
      { name: "hours", type: "custom", render: hoursEditor, read: (box) => box.read() },
      { name: "holidays", type: "custom", render: holidaysEditor, read: (box) => box.read() },
    ],
  });
}
