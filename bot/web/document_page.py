"""A document as a page a patient can read: what a citation without a url links to.

`GET /documents/<document_id>#<passage_id>`: the whole document, rebuilt from its
passages in reading order under their section headings, each passage an anchor so the
cited one is scrolled to and marked (CSS `:target`, no script). Every text is escaped.
"""

from __future__ import annotations

from html import escape

from bot.models import Passage

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/document.css">
</head>
<body>
  <main>
    <p class="note">From the clinic's patient documents. Not medical advice: ask your care
    team about your own treatment.</p>
    <h1>{title}</h1>
{body}
  </main>
</body>
</html>
"""


def document_page(passages: list[Passage]) -> str:
    """The HTML page of one document's passages (at least one)."""
    parts, section = [], ""
    for passage in passages:
        if passage.section and passage.section != section:
            section = passage.section
            parts.append(f"    <h2>{escape(section)}</h2>")
        parts.append(
            f'    <p id="{escape(passage.passage_id)}" class="passage">'
            f"{escape(passage.text)}</p>"
        )
    return PAGE.format(title=escape(passages[0].title), body="\n".join(parts))
