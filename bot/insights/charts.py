"""The pictures of /admin: Insights drawn server-side as SVG by pygal.

Why pygal (3.1, LGPL-3.0+, used as a library): it is maintained (Kozea, the makers of
WeasyPrint), pure Python, draws every chart /admin wants (stacked, horizontal) and is
styled through its `Style`, with no post-processing of its output. Its SVG carries a
<style> element (scoped to a random id) and an inline <script>, which the strict CSP
blocks inside HTML; so each chart is an image, `<img src="data:image/svg+xml;base64,...">`,
allowed by `img-src 'self' data:`. An SVG shown as an image is its own document: the
browser applies its styles, never runs its script and fetches nothing it names, so the
page sees no CSP violation (tests/browser/test_admin_page.py checks this in Chromium).
`js=[]` drops the one URL pygal would name (its tooltip script) all the same. Data URLs
rather than /admin/charts/NAME.svg: the page and its charts come from one Summary, in
one request, behind one sign-in check.

Rejected: matplotlib writes style="" on every element (blocked inline; fine as an
image, but it brings pillow, fonttools, kiwisolver and a font cache written at run time,
and draws text as paths); leather writes CSP-clean presentation attributes, but has no
stacked bars, no viewBox (it does not scale to a phone) and no hooks for accessibility.

Colours are Okabe and Ito's palette, told apart with any colour vision.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from datetime import date

import pygal
from pygal.style import Style

from bot.insights.records import KINDS, Summary

# pygal puts a legacy import hook on sys.meta_path for its map plugins (pygal.maps.*),
# which /admin never uses; on Python 3.11 it makes every later import in the process
# warn (ImportWarning: find_spec() not found). Take it off again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__module__ != "pygal"]

CHARTS = ("per_day", "answered", "emergencies", "topics", "passages")
WIDE, NARROW = 720, 400  # chart widths in their own units: a page column, a phone's
FONT_SIZE = 17  # chart units; about 17px wide, 14px on a phone
MARGIN = 12
KIND_COLOURS = {
    "answer": "#009E73",  # bluish green
    "clarify": "#56B4E9",  # sky blue
    "no_answer": "#E69F00",  # orange
    "smalltalk": "#999999",  # grey
    "urgent": "#D55E00",  # vermillion
}
ONE_COLOUR = "#0072B2"  # blue; its printed values are white (5:1)
VOTE_COLOURS = ("#009E73", "#D55E00", "#BBBBBB")  # helpful, unhelpful, no vote
BAR_ROW_HEIGHT = 44  # chart units per bar of a horizontal chart
ALT_ITEMS = 5  # an alt text names the first bars; the table of numbers has them all


def chart_svg(
    summary: Summary,
    name: str,
    passage_labels: Mapping[str, str] | None = None,
    width: int = WIDE,
) -> str:
    """One of CHARTS as an SVG document (an image to show, not to inline in HTML)."""
    if name not in CHARTS:
        raise ValueError(f"chart must be one of {', '.join(CHARTS)}, not {name!r}")
    size = chart_size(summary, name, width)
    if name == "per_day":
        chart = _per_day(summary, size)
    elif name == "answered":
        chart = _answered(summary, size)
    elif name == "emergencies":
        chart = _bars(summary.emergencies, "replies", size)
    elif name == "topics":
        pairs = [(topic.term, topic.conversations) for topic in summary.topics]
        chart = _bars(pairs, "conversations", size)
    else:
        chart = _passages(summary, passage_labels or {}, size)
    return chart.render(is_unicode=True)


def chart_alt(
    summary: Summary, name: str, passage_labels: Mapping[str, str] | None = None
) -> str:
    """What one of CHARTS shows, in words: its text alternative."""
    period = f"{long_day(summary.first_day)} to {long_day(summary.last_day)}"
    if name == "per_day":
        totals = [(k, sum(day.by_kind[k] for day in summary.per_day)) for k in KINDS]
        kinds = ", ".join(f"{kind} {count}" for kind, count in totals)
        return f"Bars of replies per day by kind, {period}. In all: {kinds}."
    if name == "answered":
        share = summary.answered_share
        overall = "" if share is None else f"; {share:.0%} over these days"
        return f"Line of the share of questions answered per day, {period}{overall}."
    if name == "emergencies":
        items = [f"{category} {count}" for category, count in summary.emergencies]
        return _listed("Bars of emergencies by category, in replies", items)
    if name == "topics":
        items = [f"{topic.term} {topic.conversations}" for topic in summary.topics]
        return _listed("Bars of unanswered topics, in conversations", items)
    labels = passage_labels or {}
    items = [
        f"{labels.get(p.passage_id, p.passage_id)}: shown {p.shown}, "
        f"{p.helpful} helpful, {p.unhelpful} not helpful"
        for p in summary.passages
    ]
    return _listed("Bars of the most shown passages and their votes", items)


def long_day(day: date) -> str:
    """A day as people write it: "3 May 2026"."""
    return f"{day.day} {day:%B %Y}"


def chart_size(summary: Summary, name: str, width: int = WIDE) -> tuple[int, int]:
    """A chart's width and height in its own units; bar charts grow with their bars."""
    is_wide = width >= WIDE
    if name == "per_day":  # its legend takes one row when wide, two on a phone
        return width, 360 + FONT_SIZE * (1 if is_wide else 2)
    if name == "answered":
        return width, 320
    bars = BAR_ROW_HEIGHT * max(len(getattr(summary, name)), 1)
    if name == "passages":  # its legend takes one row when wide, three on a phone
        return width, 80 + bars + FONT_SIZE * (3 if is_wide else 6)
    return width, 80 + bars


def _listed(title: str, items: list[str]) -> str:
    more = len(items) - ALT_ITEMS
    tail = f"; and {more} more in the table of numbers" if more > 0 else ""
    return f"{title}: {'; '.join(items[:ALT_ITEMS])}{tail}."


def _style(colours: tuple[str, ...]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1a1a1a",
        foreground_strong="#1a1a1a",
        foreground_subtle="#595959",
        font_family="system-ui, 'Segoe UI', Roboto, 'Liberation Sans', Arial, sans-serif",
        label_font_size=FONT_SIZE,
        major_label_font_size=FONT_SIZE,
        legend_font_size=FONT_SIZE,
        value_font_size=FONT_SIZE,
        value_colors=("#ffffff",) * len(colours),
        opacity="1",
        guide_stroke_color="#d9d9d9",
        major_guide_stroke_color="#d9d9d9",
        colors=colours,
    )


def _config(colours: tuple[str, ...], size: tuple[int, int], **options) -> dict:
    """What every chart shares: no scripts, no title (the page's heading names it)."""
    return {
        "style": _style(colours),
        "js": [],
        "width": size[0],
        "height": size[1],
        "margin": MARGIN,
        "max_scale": 10 if size[0] >= WIDE else 6,  # value ticks, fewer on a phone
        "spacing": 12,
        "legend_box_size": 16,
        "truncate_label": -1,
        "truncate_legend": -1,
        "print_values": False,
        **options,
    }


def _legend_below(entries: int, width: int, narrow_columns: int) -> dict:
    """A legend under the chart: one row when wide, `narrow_columns` on a phone.

    pygal 3.1 leaves room for `entries // columns` rows, not rounded up, so the last row
    of a legend whose entries do not fill it would fall off the image; the bottom margin
    makes that room.
    """
    columns = entries if width >= WIDE else narrow_columns
    rows_missing = math.ceil(entries / columns) - entries // columns
    return {
        "legend_at_bottom": True,
        "legend_at_bottom_columns": columns,
        "margin_bottom": MARGIN + math.ceil(1.5 * FONT_SIZE) * rows_missing,
    }


def _day_labels(summary: Summary, width: int) -> dict:
    """Day labels as "3 May", one per 90 chart units at most so they never crowd."""
    every = max(1, math.ceil(len(summary.per_day) / (width // 90)))
    return {
        "x_labels": [f"{day.day.day} {day.day:%b}" for day in summary.per_day],
        "x_labels_major_every": every,
        "show_minor_x_labels": every == 1,
    }


def _per_day(summary: Summary, size: tuple[int, int]) -> pygal.Graph:
    colours = tuple(KIND_COLOURS[kind] for kind in KINDS)
    chart = pygal.StackedBar(
        **_config(colours, size, **_legend_below(len(KINDS), size[0], 3)),
        **_day_labels(summary, size[0]),
    )
    for kind in KINDS:
        chart.add(kind, [day.by_kind[kind] for day in summary.per_day])
    return chart


def _answered(summary: Summary, size: tuple[int, int]) -> pygal.Graph:
    shares = [day.answered_share for day in summary.per_day]
    chart = pygal.Line(
        **_config((ONE_COLOUR,), size, show_legend=False, range=(0, 100)),
        **_day_labels(summary, size[0]),
        allow_interruptions=True,  # a day without questions is a gap, not a zero
        dots_size=5,
        stroke_style={"width": 3},
        value_formatter=lambda percent: f"{percent:.0f}%",
        y_labels=[0, 25, 50, 75, 100],
    )
    chart.add("answered", [None if s is None else 100 * s for s in shares])
    return chart


def _bars(
    pairs: Iterable[tuple[str, int]], unit: str, size: tuple[int, int]
) -> pygal.Graph:
    """Horizontal bars, the first pair at the top."""
    pairs = list(pairs)[::-1]  # pygal draws its first label at the bottom
    chart = pygal.HorizontalBar(
        **_config((ONE_COLOUR,), size, show_legend=False, print_values=True),
        x_labels=[_cut(label, size[0]) for label, _ in pairs],
    )
    chart.add(unit, [count for _, count in pairs])
    return chart


def _passages(
    summary: Summary, labels: Mapping[str, str], size: tuple[int, int]
) -> pygal.Graph:
    """A bar per passage as long as it was shown, split by the votes it got."""
    passages = list(summary.passages)[::-1]
    chart = pygal.HorizontalStackedBar(
        **_config(VOTE_COLOURS, size, **_legend_below(len(VOTE_COLOURS), size[0], 1)),
        x_labels=[
            _cut(labels.get(p.passage_id, p.passage_id), size[0]) for p in passages
        ],
    )
    chart.add("helpful", [p.helpful for p in passages])
    chart.add("not helpful", [p.unhelpful for p in passages])
    chart.add("no vote", [max(0, p.shown - p.helpful - p.unhelpful) for p in passages])
    return chart


def _cut(label: str, width: int) -> str:
    """A bar's label cut with "…" to leave the bars most of the width; tables give it whole."""
    most = width // 24
    return label if len(label) <= most else label[: most - 1] + "…"
