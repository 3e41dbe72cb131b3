"""What of an HTML page is main text, and which of its elements are boilerplate.

The main text is `<main>`, else `[role=main]`, else a page's only `<article>`, else
`<body>`. Inside it, scripts, styles, navigation, the site header, footers, asides,
forms, iframes, buttons and hidden elements are dropped, and so is any element whose
id or class names it as a cookie or consent banner, breadcrumb, menu, share or social
bar, newsletter box, sidebar, pop-up or skip link. An element holding the page's
`<h1>`, `<main>` or `<article>` is never dropped, whatever its class says.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

DROPPED_TAGS = (
    "script style noscript template nav aside footer iframe frame object embed svg "
    "canvas video audio map button select textarea input dialog"
).split()
BOILERPLATE_WORDS = frozenset(
    "cookie cookies consent gdpr banner breadcrumb breadcrumbs menu share sharing "
    "social newsletter subscribe sidebar popup modal skip sronly visuallyhidden".split()
)
BOILERPLATE_ROLES = frozenset(
    "navigation banner contentinfo complementary search dialog alertdialog".split()
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
NAME_WORDS = re.compile(r"(?<=[a-z])(?=[A-Z])|[^A-Za-z0-9]+")


def main_element(soup: BeautifulSoup) -> Tag:
    """`<main>`, else `[role=main]`, else the only `<article>`, else `<body>`."""
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    articles = soup.find_all("article")
    return main or (articles[0] if len(articles) == 1 else soup.body or soup)


def is_boilerplate(tag: Tag) -> bool:
    """True for an element that is navigation, chrome or hidden, not page content."""
    if tag.name in DROPPED_TAGS:
        return True
    if tag.name == "header":
        return not tag.find_parent(["main", "article", "section"])
    if tag.name == "form":  # a form around the whole page (ASP.NET) is content
        return not (tag.find(["h1", "h2", "h3", "h4"]) and tag.find("p"))
    style = tag.get("style") or ""
    flagged = (
        tag.get("role") in BOILERPLATE_ROLES
        or tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or bool(HIDDEN_STYLE.search(style))
        or bool(_name_words(tag) & BOILERPLATE_WORDS)
    )
    return flagged and not tag.find(["main", "article", "h1"])


def _name_words(tag: Tag) -> set[str]:
    """The words of an element's id and classes: "cookieBanner" -> cookie, banner."""
    names = [tag.get("id") or "", *(tag.get("class") or [])]
    words = set()
    for name in names:
        words.add(re.sub(r"[^a-z]", "", name.lower()))  # "sr-only" -> "sronly"
        words.update(word.lower() for word in NAME_WORDS.split(name) if word)
    return words
