"""The report as one self-contained HTML page: plotly.js inlined once, no network needed."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from stedi.report.model import Report

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1250px; color: #222; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.2rem; }
.facts span { margin-right: 1.5rem; } .charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.charts > div { flex: 1 1 380px; min-width: 380px; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; }
.missing { background: #fff4e5; border-left: 4px solid #f0a030; padding: .5rem 1rem; }
.note { color: #8a4b00; }
"""


def cell(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<td class="n">{value:,}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def render_html(report: Report, generated_at: datetime) -> str:
    import plotly.io
    import plotly.offline

    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>STEDI pipeline report</title>",
        f"<style>{STYLE}</style>",
        # plotly.js itself, once, inline: the page needs no network.
        f"<script type='text/javascript'>{plotly.offline.get_plotlyjs()}</script>",
        "</head><body>",
        "<h1>STEDI pipeline report</h1>",
        "<p class='facts'>",
        f"<span>engine: <b>{html.escape(report.engine)}</b></span>",
        *[f"<span>{html.escape(k)}: <b>{html.escape(v)}</b></span>" for k, v in report.facts.items()],
        f"<span>report written: {generated_at.isoformat(timespec='seconds')}</span></p>",
        "<p>Aggregate counts only: no email, name, phone, birthday or serial number appears here.</p>",
    ]
    if report.missing:
        parts.append("<section id='missing' class='missing'><h2>Missing</h2><ul>")
        parts += [f"<li>{html.escape(line)}</li>" for line in report.missing]
        parts.append("</ul></section>")
    for section in report.sections:
        slug = section.title.lower().split(":")[0].replace(" ", "-")
        parts.append(f"<section id='{html.escape(slug)}'><h2>{html.escape(section.title)}</h2>")
        if section.intro:
            parts.append(f"<p>{html.escape(section.intro)}</p>")
        parts += [f"<p class='note'>{html.escape(note)}</p>" for note in section.notes]
        if section.figures:
            parts.append("<div class='charts'>")
            for name, figure in section.figures:
                parts.append(
                    plotly.io.to_html(
                        figure,
                        full_html=False,
                        include_plotlyjs=False,
                        div_id=f"chart-{name}",
                        config={"displaylogo": False, "responsive": True},
                    )
                )
            parts.append("</div>")
        for caption, header, rows in section.tables:
            long = len(rows) > 12
            if long:
                parts.append(f"<details><summary>{html.escape(caption)} ({len(rows)} rows)</summary>")
            parts.append(f"<table><caption>{html.escape(caption)}</caption><tr>")
            parts += [f"<th>{html.escape(str(column))}</th>" for column in header]
            parts.append("</tr>")
            parts += ["<tr>" + "".join(cell(value) for value in row) + "</tr>" for row in rows]
            parts.append("</table>" + ("</details>" if long else ""))
        parts.append("</section>")
    # Each chart is drawn as its div is parsed, before the charts beside it exist, so it takes the
    # whole row; once the page is laid out, every chart is fitted to its own box.
    parts.append(
        "<script>window.addEventListener('load', () => document.querySelectorAll('.js-plotly-plot')"
        ".forEach((plot) => Plotly.Plots.resize(plot)));</script>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)
