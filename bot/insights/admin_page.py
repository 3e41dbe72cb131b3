"""The clinic's pages: the sign-in form and /admin, whole HTML documents as strings.

They need no script and no inline style, so they pass the bot's strict CSP: the look
comes from /admin/admin.css, the charts are SVG images in data: URLs (see charts.py),
and the days selector and sign-out are a plain link and form. Each chart has an alt
text, a table of its numbers behind a <details>, and a CSV download beside it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

from bot.insights.charts import (
    NARROW,
    WIDE,
    chart_alt,
    chart_size,
    chart_svg,
    long_day,
)
from bot.insights.records import KINDS, Summary
from bot.insights.report import NOTHING_YET, has_rows, table_rows

STYLESHEET_PATH = Path(__file__).with_name("admin.css")  # to serve at /admin/admin.css
DAY_CHOICES = (7, 30, 90)
PHONE_MEDIA = "(max-width: 560px)"  # where the narrow drawing of a chart is shown


@dataclass(frozen=True)
class Section:
    """One chart of /admin: its heading, the table behind it and its empty state."""

    chart: str
    heading: str
    table: str  # of report.TABLES: the CSV download and the numbers
    columns: tuple[str, ...]  # of the table's, shown under "The numbers"
    empty: str


KIND_COLUMNS = ("day", *KINDS)
SECTIONS = (
    Section(
        "per_day",
        "Questions per day, by kind",
        "per_day",
        KIND_COLUMNS,
        "no questions in these days.",
    ),
    Section(
        "answered",
        "Share answered",
        "per_day",
        ("day", "answered_share"),
        "no question in these days looked for an answer.",
    ),
    Section(
        "emergencies",
        "Emergencies by category",
        "emergencies",
        ("category", "replies"),
        "no emergencies in these days.",
    ),
    Section(
        "topics",
        "Unanswered topics",
        "topics",
        ("topic", "conversations"),
        "no topic is shared by 3 or more conversations.",
    ),
    Section(
        "passages",
        "Most shown passages and their votes",
        "passages",
        ("passage", "shown", "helpful", "unhelpful"),
        "no passage was shown in these days.",
    ),
)


def login_page(error: str | None = None) -> str:
    """The sign-in form; `error` (a wrong token) is shown and announced first."""
    invalid = ""
    message = ""
    if error:
        invalid = ' aria-invalid="true" aria-describedby="token-error"'
        message = f'<p id="token-error" class="error" role="alert">{escape(error)}</p>'
    body = f"""<main class="signin">
<h1>Sign in to Insights</h1>
<form method="post" action="/admin/login">
{message}
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required{invalid}>
<button type="submit">Sign in</button>
</form>
</main>"""
    title = f"Error: {error} - Sign in" if error else "Sign in"
    return _document(f"{title} - Insights", body)


def admin_page(summary: Summary, passage_labels: Mapping[str, str]) -> str:
    """/admin: the period and its selector, then each chart with its numbers."""
    period = f"{long_day(summary.first_day)} to {long_day(summary.last_day)}"
    share = summary.answered_share
    answered = "" if share is None else f", {share:.0%} of questions answered"
    body = f"""<header class="top">
<h1>Insights</h1>
<form method="post" action="/admin/logout"><button type="submit">Sign out</button></form>
</header>
<main>
<p class="period">Last {summary.days} days, {period}: {summary.replies} replies{answered}.</p>
{_days_nav(summary.days)}
{"".join(_section(summary, section, passage_labels) for section in SECTIONS)}
</main>"""
    return _document(f"Insights, last {summary.days} days", body)


def _document(title: str, body: str) -> str:
    """A whole page around `body`; its empty data: icon spares a /favicon.ico request."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/admin.css">
</head>
<body>
{body}
</body>
</html>
"""


def _days_nav(days: int) -> str:
    links = "".join(
        f'<li><a href="?days={choice}"'
        + (' aria-current="page"' if choice == days else "")
        + f">{choice} days</a></li>"
        for choice in DAY_CHOICES
    )
    return f'<nav aria-label="Period"><ul class="days">{links}</ul></nav>\n'


def _section(summary: Summary, section: Section, labels: Mapping[str, str]) -> str:
    heading_id = f"{section.chart}-heading"
    heading = f'<h2 id="{heading_id}">{escape(section.heading)}</h2>'
    head = f'<section aria-labelledby="{heading_id}">\n{heading}\n'
    is_empty = not has_rows(summary, section.table) or (
        section.chart == "answered" and summary.answered_share is None
    )
    if is_empty:
        text = f"{NOTHING_YET.capitalize()}: {section.empty}"
        return head + f'<p class="empty">{escape(text)}</p>\n</section>\n'
    alt = chart_alt(summary, section.chart, labels)
    csv_url = f"/admin/{section.table}.csv?days={summary.days}"
    return head + (
        f"<figure>\n{_picture(summary, section.chart, labels, alt)}\n"
        f'<figcaption><a href="{csv_url}" download>Download the numbers'
        f'<span class="visually-hidden"> of {escape(section.heading)}</span> (CSV)</a>'
        f"</figcaption>\n</figure>\n"
        f"{_numbers(summary, section, labels)}</section>\n"
    )


def _picture(summary: Summary, chart: str, labels: Mapping[str, str], alt: str) -> str:
    """The chart as an image, drawn narrower for a phone so its labels stay legible."""
    narrow, wide = (_image(summary, chart, labels, width) for width in (NARROW, WIDE))
    return (
        f'<picture><source media="{PHONE_MEDIA}" srcset="{narrow[0]}" {narrow[1]}>'
        f'<img src="{wide[0]}" {wide[1]} alt="{escape(alt)}"></picture>'
    )


def _image(
    summary: Summary, chart: str, labels: Mapping[str, str], width: int
) -> tuple[str, str]:
    """A chart's data: URL, and the size attributes that keep the page still as it draws."""
    svg = chart_svg(summary, chart, labels, width)
    url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    width, height = chart_size(summary, chart, width)
    return url, f'width="{width}" height="{height}"'


def _numbers(summary: Summary, section: Section, labels: Mapping[str, str]) -> str:
    """The chart's numbers as a table, folded away under "The numbers"."""
    header, all_rows = table_rows(summary, section.table, labels)
    keep = [header.index(column) for column in section.columns]
    header = section.columns
    rows = [tuple(row[i] for i in keep) for row in all_rows]
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in header)
    body = "".join(
        "<tr>" + "".join(_cell(cell, i == 0) for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    caption = escape(section.heading)
    return (
        f'<details>\n<summary>The numbers</summary>\n<div class="scroll" '
        f'tabindex="0" role="region" aria-label="Numbers: {caption}">\n'
        f"<table>\n<caption>{caption}</caption>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>{body}</tbody>\n</table>\n</div>\n</details>\n"
    )


def _cell(cell, is_row_header: bool) -> str:
    if is_row_header:
        return f'<th scope="row">{escape(str(cell))}</th>'
    if cell is None:
        return '<td class="figure">-</td>'
    if isinstance(cell, float):
        return f'<td class="figure">{cell:.0%}</td>'
    kind = "figure" if isinstance(cell, int) else "text"
    return f'<td class="{kind}">{escape(str(cell))}</td>'
