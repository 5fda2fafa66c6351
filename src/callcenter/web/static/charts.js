// Charts with the vendored Chart.js (/static/vendor/chart.umd.min.js, loaded by a classic
// <script> before the page's module): one look for every chart of the pages.
const Chart = globalThis.Chart;

/** The colours of series, in order (each at least 3:1 against white, WCAG 1.4.11). */
export const PALETTE = ["#1f5fa8", "#c2410c", "#1e7a45", "#7c3aed", "#a16207", "#be185d",
                        "#0e7490", "#4b5563"];

/** The colour of each agent state (the same as the state badges of style.css). */
export const STATE_COLOURS = {
  available: "#1e7a45", reserved: "#8a5a00", busy: "#c2410c", wrap_up: "#7c3aed",
  paused: "#4b5563", logged_out: "#5b6b80", hold: "#0e7490", talk: "#c2410c",
  login: "#1f5fa8", ready: "#1e7a45",
};

/** Draw (or redraw) a chart on `canvas`: `type` "bar" or "line", `labels` on the x axis,
 * `series` [{label, data, colour?, axis?, stack?, type?}]. Returns the Chart. */
export function chart(canvas, { type = "bar", labels, series, stacked = false,
                                yTitle = "", y2Title = "", percent2 = false }) {
  if (!Chart) throw new Error("Chart.js is not loaded on this page");
  const old = Chart.getChart(canvas);
  if (old) old.destroy();
  const datasets = series.map((s, i) => ({
    label: s.label, data: s.data, type: s.type,
    backgroundColor: s.colour || PALETTE[i % PALETTE.length],
    borderColor: s.colour || PALETTE[i % PALETTE.length],
    yAxisID: s.axis === 2 ? "y2" : "y", stack: s.stack, borderWidth: 2, pointRadius: 2,
    borderDash: s.dashed ? [6, 4] : undefined, fill: false, tension: 0.2,
  }));
  const scales = {
    x: { stacked },
    y: { stacked, beginAtZero: true, title: { display: !!yTitle, text: yTitle } },
  };
  if (series.some((s) => s.axis === 2)) {
    scales.y2 = {
      position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
      title: { display: !!y2Title, text: y2Title },
      max: percent2 ? 100 : undefined,
    };
  }
  return new Chart(canvas, {
    type, data: { labels, datasets },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" } }, scales,
    },
  });
}
