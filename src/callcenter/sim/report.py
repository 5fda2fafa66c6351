"""Rich tables and charts of simulation summaries for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text

from callcenter.core.metrics import IntervalKpis
from callcenter.sim.summary import Summary, Value

_BLOCKS = " ▏▎▍▌▋▊▉█"


def _pct(v: Value, hw: float | None = None) -> str:
    if v is None:
        return "–"
    text = f"{100 * v:.1f}%"
    return text + (f" ±{100 * hw:.1f}" if hw is not None else "")


def _secs(v: Value, hw: float | None = None) -> str:
    if v is None:
        return "–"
    text = f"{v:.1f}s"
    return text + (f" ±{hw:.1f}" if hw is not None else "")


def _count(v: Value, hw: float | None = None) -> str:
    if v is None:
        return "–"
    text = f"{v:,.0f}" if isinstance(v, int) or hw is None else f"{v:,.1f}"
    return text + (f" ±{hw:.1f}" if hw is not None else "")


def _sl_style(v: Value) -> str:
    if v is None:
        return "dim"
    return "green" if v >= 0.8 else "yellow" if v >= 0.6 else "red"


def summary_table(summary: Summary) -> Table:
    """One row per queue plus a total: volumes, service level, ASA, AHT, abandons, occupancy."""
    reps = summary.replications
    title = f"{summary.scenario.name}: {summary.days} day(s)"
    title += f", {reps} replications (mean ±95 % CI)" if reps > 1 else f", seed {summary.seed}"
    table = Table(title=title, header_style="bold cyan", title_style="bold")
    for col in ("Queue", "Offered", "Handled", "Abandoned", "SL", "SL2", "ASA", "AHT",
                "Abandon rate", "Occupancy"):
        table.add_column(col, justify="left" if col == "Queue" else "right")
    thresholds = {q.id: q.service_level_threshold for q in summary.scenario.queues}
    rows = [q for q in summary.means if q != "all"] + ["all"]
    for qid in rows:
        k, h = summary.means[qid], summary.half_widths[qid]
        name = f"[b]{qid}[/b]" if qid != "all" else "[b magenta]all queues[/]"
        sl = _pct(k["service_level"], h["service_level"])
        if qid in thresholds:
            sl = f"{sl} @{thresholds[qid]:g}s"
        table.add_row(
            name, _count(k["offered"], h["offered"]), _count(k["handled"], h["handled"]),
            _count(k["abandoned"], h["abandoned"]),
            Text(sl, style=_sl_style(k["service_level"])),
            _pct(k["service_level_asterisk"], h["service_level_asterisk"]),
            _secs(k["asa"], h["asa"]), _secs(k["aht"], h["aht"]),
            _pct(k["abandon_rate"], h["abandon_rate"]), _pct(k["occupancy"], h["occupancy"]),
            end_section=qid == rows[-2],
        )
    return table


def ivr_table(summary: Summary) -> Table | None:
    """One row per IVR flow: calls by outcome, containment, time in the IVR (None without
    flows)."""
    if not summary.ivr_means:
        return None
    table = Table(title="IVR flows", header_style="bold cyan", title_style="bold")
    for col in ("Flow", "Entered", "Queue", "Callback", "Voicemail", "Transfer", "Hang-up",
                "Abandoned", "Containment", "Time in IVR"):
        table.add_column(col, justify="left" if col == "Flow" else "right")
    halves = summary.ivr_half_widths or {}
    for flow, k in summary.ivr_means.items():
        h = halves.get(flow, {})
        table.add_row(f"[b]{flow}[/b]", *(_count(k[n], h.get(n)) for n in (
            "entered", "queue", "callback", "voicemail", "transfer", "hangup", "abandoned")),
            _pct(k["containment_rate"], h.get("containment_rate")),
            _secs(k["time_in_ivr"], h.get("time_in_ivr")))
    return table


def csat_table(summary: Summary) -> Table | None:
    """One row per queue with post-call surveys: offered, answered, response rate, CSAT,
    mean rating (None when no queue asks for a survey)."""
    if not summary.csat_means:
        return None
    table = Table(title="Post-call satisfaction", header_style="bold cyan",
                  title_style="bold")
    for col in ("Queue", "Offered", "Answered", "Response rate", "CSAT", "Mean rating"):
        table.add_column(col, justify="left" if col == "Queue" else "right")
    halves = summary.csat_half_widths or {}
    for qid, k in summary.csat_means.items():
        h = halves.get(qid, {})
        mean = k["mean"]
        table.add_row("[b]all[/b]" if qid == "all" else qid,
                      _count(k["offered"], h.get("offered")),
                      _count(k["answered"], h.get("answered")),
                      _pct(k["response_rate"], h.get("response_rate")),
                      _pct(k["csat"], h.get("csat")),
                      "–" if mean is None else f"{float(mean):.2f}")
    return table


def _bar(fraction: float, width: int) -> str:
    cells = max(0.0, min(1.0, fraction)) * width
    full = int(cells)
    part = int((cells - full) * 8)
    return "█" * full + (_BLOCKS[part] if part and full < width else "")


def interval_chart(ivals: Sequence[IntervalKpis], queue_id: str, timezone: str,
                   width: int = 30) -> Table:
    """Service level per interval of one queue as bars (intervals without calls left out)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    table = Table(title=f"{queue_id}: service level by interval", header_style="bold cyan",
                  title_style="bold", show_edge=False, pad_edge=False)
    table.add_column("Interval")
    table.add_column("Offered", justify="right")
    table.add_column("Service level", min_width=width + 7)
    table.add_column("ASA", justify="right")
    table.add_column("Abandoned", justify="right")
    for iv in ivals:
        if iv.queue_id != queue_id or iv.offered == 0:
            continue
        start = datetime.fromtimestamp(iv.start, UTC).astimezone(zone)
        sl = iv.service_level
        bar = Text(_bar(sl or 0.0, width).ljust(width), style=_sl_style(sl))
        bar.append(f" {_pct(sl):>6}", style="bold")
        table.add_row(start.strftime("%a %H:%M"), f"{iv.offered:,}", bar, _secs(iv.asa),
                      f"{iv.abandoned:,}")
    return table


def occupancy_bars(summary: Summary, width: int = 30) -> Table:
    """Occupancy of the agents serving each queue, as bars."""
    table = Table(title="Agent occupancy (handling / (handling + idle))",
                  header_style="bold cyan", title_style="bold", show_edge=False)
    table.add_column("Queue")
    table.add_column("Occupancy", min_width=width + 7)
    for qid, k in summary.means.items():
        occ = k["occupancy"]
        if occ is None:
            continue
        bar = Text(_bar(float(occ), width).ljust(width), style="blue")
        bar.append(f" {_pct(occ):>6}", style="bold")
        table.add_row(qid if qid != "all" else "all agents", bar)
    return table
