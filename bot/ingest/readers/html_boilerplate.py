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
from collections.abc import Callable, Container

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
SECTIONS = ("main", "article", "section")  # a <header> inside one is content
KEPT = ("main", "article", "h1")  # an element holding one is never dropped
HEADINGS = ("h1", "h2", "h3", "h4")


def main_element(soup: BeautifulSoup) -> Tag:
    """`<main>`, else `[role=main]`, else the only `<article>`, else `<body>`."""
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    articles = soup.find_all("article")
    return main or (articles[0] if len(articles) == 1 else soup.body or soup)


def dropped_elements(root: Tag) -> set[int]:
    """The ids of the elements under `root` that are boilerplate or inside one.

    What elements hold and are inside of is found in one pass over the page each:
    asking every element would take time growing with the square of how deep elements
    nest. A `<br>` is never boilerplate: it stands for its line break.
    """
    holds_kept = holders(root, lambda tag: tag.name in KEPT)
    holds_heading = holders(root, lambda tag: tag.name in HEADINGS)
    holds_paragraph = holders(root, lambda tag: tag.name == "p")
    in_section = root.name in SECTIONS or root.find_parent(SECTIONS) is not None
    stack = [(child, in_section) for child in reversed(root.contents)]
    dropped: set[int] = set()
    while stack:
        tag, in_section = stack.pop()
        if not isinstance(tag, Tag) or tag.name == "br":
            continue
        if tag.name in DROPPED_TAGS:
            boilerplate = True
        elif tag.name == "header":
            boilerplate = not in_section
        elif tag.name == "form":  # a form around the whole page (ASP.NET) is content
            boilerplate = not (id(tag) in holds_heading and id(tag) in holds_paragraph)
        else:
            boilerplate = _flagged(tag) and id(tag) not in holds_kept
        if boilerplate:
            dropped.add(id(tag))
            dropped.update(id(inside) for inside in tag.descendants)
        else:
            in_section = in_section or tag.name in SECTIONS
            stack.extend((child, in_section) for child in reversed(tag.contents))
    return dropped


def holders(
    root: Tag, wanted: Callable[[Tag], bool], left_out: Container[int] = ()
) -> set[int]:
    """The ids of `root` and the elements under it that hold an element `wanted`, the
    elements in `left_out` (by id) and what is inside them aside."""
    found: set[int] = set()
    for tag in root.descendants:
        if not isinstance(tag, Tag) or id(tag) in left_out or not wanted(tag):
            continue
        parent = tag.parent
        while parent is not None and id(parent) not in found:
            found.add(id(parent))
            parent = None if parent is root else parent.parent
    return found


def _flagged(tag: Tag) -> bool:
    """Whether an element's role, attributes, style or names say it is boilerplate."""
    style = tag.get("style") or ""
    return (
        tag.get("role") in BOILERPLATE_ROLES
        or tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or bool(HIDDEN_STYLE.search(style))
        or bool(_name_words(tag) & BOILERPLATE_WORDS)
    )


def _name_words(tag: Tag) -> set[str]:
    """The words of an element's id and classes: "cookieBanner" -> cookie, banner."""
    names = [tag.get("id") or "", *(tag.get("class") or [])]
    words = set()
    for name in names:
        words.add(re.sub(r"[^a-z]", "", name.lower()))  # "sr-only" -> "sronly"
        words.update(word.lower() for word in NAME_WORDS.split(name) if word)
    return words
