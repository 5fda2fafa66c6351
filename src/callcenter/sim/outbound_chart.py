"""An SVG chart of an outbound run: drop rate and talk time per day, one line per dialer.

Written by hand (no plotting dependency): two panels sharing the day axis, the drop
cap as a dashed line in the upper one, a legend of the dialers.
"""

from __future__ import annotations

import math
from pathlib import Path
from xml.sax.saxutils import escape

from callcenter.sim.outbound_report import OutboundSummary

__all__ = ["chart_svg", "write_chart"]

_WIDTH, _PANEL, _TOP, _GAP, _LEFT, _RIGHT = 900, 250, 50, 60, 70, 20
_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def _ticks(high: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `high`."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(math.ceil(high / step - 1e-9) + 1)]


def _panel(out: list[str], top: float, title: str, series: list[tuple[str, list[float]]],
           unit: str, days: int, cap: float | None) -> None:
    plot_w = _WIDTH - _LEFT - _RIGHT
    values = [v for _, vs in series for v in vs] + ([cap] if cap is not None else [])
    ticks = _ticks(max(values, default=0.0) * 1.05)
    y_max = ticks[-1]

    def x(day: int) -> float:  # day from 1
        return _LEFT + (plot_w * (day - 1) / (days - 1) if days > 1 else plot_w / 2)

    def y(value: float) -> float:
        return top + _PANEL * (1.0 - value / y_max)

    out.append(f'<text x="{_LEFT}" y="{top - 10}" font-weight="bold">{escape(title)}</text>')
    for t in ticks:
        out.append(f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{_LEFT - 6}" y="{y(t) + 4:.1f}" text-anchor="end">'
                   f'{t:g}{unit}</text>')
    step = max(1, math.ceil(days / 15))
    for day in range(1, days + 1, step):
        out.append(f'<text x="{x(day):.1f}" y="{top + _PANEL + 16}" text-anchor="middle">'
                   f'{day}</text>')
    if cap is not None:
        out.append(f'<line x1="{_LEFT}" x2="{_LEFT + plot_w}" y1="{y(cap):.1f}" '
                   f'y2="{y(cap):.1f}" stroke="#000" stroke-dasharray="6 4"/>')
        out.append(f'<text x="{_LEFT + 4}" y="{y(cap) - 4:.1f}">cap {cap:g}{unit}</text>')
    for i, (_, vs) in enumerate(series):
        colour = _COLOURS[i % len(_COLOURS)]
        points = " ".join(f"{x(d + 1):.1f},{y(v):.1f}" for d, v in enumerate(vs))
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                   f'points="{points}"/>')
        for d, v in enumerate(vs):
            out.append(f'<circle cx="{x(d + 1):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>')
    out.append(f'<rect x="{_LEFT}" y="{top}" width="{plot_w}" height="{_PANEL}" fill="none" '
               'stroke="#888"/>')


def chart_svg(summary: OutboundSummary) -> str:
    """The chart as an SVG document."""
    height = _TOP + 2 * _PANEL + _GAP + 86
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
           f'viewBox="0 0 {_WIDTH} {height}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="#fff"/>',
           f'<text x="{_WIDTH / 2}" y="22" text-anchor="middle" font-size="15" '
           f'font-weight="bold">{escape(summary.name)}: {summary.agents} agents, '
           f'{summary.days} day(s) x {summary.shift_hours:g} h</text>']
    drops = [(d.dialer, [100.0 * day["drop_rate"] for day in d.days]) for d in summary.dialers]
    talk = [(d.dialer, [day["talk_minutes_per_agent_hour"] for day in d.days])
            for d in summary.dialers]
    _panel(out, _TOP + 10, "drop rate per day (drops / live answers)", drops, " %",
           summary.days, 100.0 * summary.drop_cap)
    second = _TOP + 10 + _PANEL + _GAP
    _panel(out, second, "talk minutes per agent-hour, per day", talk, "", summary.days, None)
    legend_y = second + _PANEL + 56
    out.append(f'<text x="{_LEFT + (_WIDTH - _LEFT - _RIGHT) / 2}" y="{second + _PANEL + 32}" '
               'text-anchor="middle">day</text>')
    for i, d in enumerate(summary.dialers):
        lx = _LEFT + 170 * i
        colour = _COLOURS[i % len(_COLOURS)]
        out.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
                   f'stroke="{colour}" stroke-width="3"/>')
        out.append(f'<text x="{lx + 30}" y="{legend_y}">{escape(d.dialer)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_chart(path: Path, summary: OutboundSummary) -> None:
    """Write the chart to `path` (an .svg file)."""
    path.write_text(chart_svg(summary), encoding="utf-8")
