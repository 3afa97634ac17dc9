"""The report's charts: plotly figures of the rows queries.py answers (plotly is imported only
when a chart is drawn, so `stedi --help` stays quick)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stedi.report.model import ENTITIES


def funnel_figure(entity: str, stages: Sequence[str], values: Sequence[int]) -> Any:
    """One entity's landing records left after each step of the funnel."""
    import plotly.graph_objects as go

    figure = go.Figure(go.Funnel(y=stages, x=values, textinfo="value+percent initial"))
    figure.update_layout(title=f"{entity}", height=360, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def reasons_figure(rows: Sequence[tuple[str, str, str, int]]) -> Any:
    """Landing records by outcome and reason, one bar group per entity, on a log axis."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for entity in ENTITIES:
        mine = [row for row in rows if row[0] == entity]
        if mine:
            figure.add_trace(
                go.Bar(
                    name=entity,
                    orientation="h",
                    y=[f"{outcome}: {reason}" for _, outcome, reason, _ in mine],
                    x=[records for *_, records in mine],
                )
            )
    figure.update_layout(
        barmode="group",
        height=max(320, 28 * len(rows) + 120),
        xaxis={"type": "log", "title": "landing records"},
        yaxis={"automargin": True},
        margin={"t": 30},
    )
    return figure


def held_back_figure(withheld: Sequence[tuple[str, Sequence[tuple[str, int]]]]) -> Any:
    """Withheld landing records per landing file, one bar group per entity."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for entity, rows in withheld:
        figure.add_trace(go.Bar(name=entity, x=[name for name, _ in rows], y=[count for _, count in rows]))
    figure.update_layout(
        barmode="group",
        height=380,
        yaxis={"title": "withheld landing records"},
        xaxis={"title": "landing file"},
        margin={"t": 30},
    )
    return figure


def consent_figure(daily: Sequence[tuple[str, int]]) -> Any:
    """Consenting customers, cumulated by the day they consented."""
    import plotly.graph_objects as go

    days, total, cumulated = [], 0, []
    for day, count in daily:
        total += count
        days.append(day)
        cumulated.append(total)
    figure = go.Figure(go.Scatter(x=days, y=cumulated, mode="lines+markers", name="consenting customers"))
    figure.update_layout(height=360, yaxis={"title": "consenting customers"}, margin={"t": 30})
    return figure


def readings_per_day_figure(series: Sequence[tuple[str, Sequence[tuple[str, int]]]]) -> Any:
    """Rows per day of each reading table, one line each."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for name, rows in series:
        figure.add_trace(
            go.Scatter(
                name=name,
                mode="lines+markers",
                x=[day for day, _ in rows],
                y=[count for _, count in rows],
            )
        )
    figure.update_layout(height=380, yaxis={"title": "rows"}, margin={"t": 30})
    return figure
