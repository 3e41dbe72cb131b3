"""Readers: every file dropped into corpus/ gives clean, precisely cited passages."""

import csv
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bot.answer import passages_for
from bot.index import build_index, load_index
from bot.ingest.passages import split_into_passages
from bot.ingest.readers import (
    READERS,
    UnreadableFile,
    csv_rows,
    faq,
    faq_parts,
    html,
    markdown,
    pdf,
    text,
)

from .make_fixtures import fixtures

FIXTURES = Path(__file__).parent / "fixtures"
COLONOSCOPY_URL = "https://riverside-clinic.example/patients/colonoscopy-preparation"
VISITING_URL = "https://riverside-clinic.example/visiting"


@pytest.fixture(scope="module")
def fixture_index(tmp_path_factory):
    """The index of a corpus holding a copy of every fixture file."""
    corpus = tmp_path_factory.mktemp("corpus")
    for path in FIXTURES.iterdir():
        shutil.copy(path, corpus / path.name)
    index_dir = tmp_path_factory.mktemp("index")
    build_index(corpus, index_dir)
    return load_index(index_dir)


def passages_of(reader, name: str, document_id: str = "doc"):
    documents, _ = reader(FIXTURES / name, document_id)
    return [
        passage for document in documents for passage in split_into_passages(document)
    ]


@pytest.mark.parametrize(
    ("question", "document_id", "section", "url"),
    [
        (
            "Can I drink apple juice the day before my colonoscopy?",
            "colonoscopy-preparation",
            "Clear liquid diet",
            COLONOSCOPY_URL,
        ),
        (
            "When do I take the second sachet of bowel preparation?",
            "colonoscopy-preparation",
            "Bowel preparation",
            COLONOSCOPY_URL,
        ),
        (
            "Should I stop iron tablets before a colonoscopy?",
            "colonoscopy-preparation",
            "One week before",
            COLONOSCOPY_URL,
        ),
        (
            "How long does a chemotherapy session take?",
            "chemotherapy-guide",
            "How chemotherapy is given (page 1)",
            None,
        ),
        (
            "What are the common side effects of chemotherapy?",
            "chemotherapy-guide",
            "Side effects (page 2)",
            None,
        ),
        (
            "Should I avoid spicy food when my mouth is sore?",
            "chemotherapy-guide",
            "Mouth care (page 3)",
            None,
        ),
        (
            "Who do I call if I get a temperature?",
            "chemotherapy-guide",
            "When to call us (page 3)",
            None,
        ),
        ("Can children visit?", "visiting", "Children", VISITING_URL),
        (
            "When are visiting hours on general wards?",
            "visiting",
            "General wards",
            None,
        ),
        ("Can I bring flowers?", "visiting", "Bringing gifts", VISITING_URL),
        (
            "Do you accept credit cards?",
            "pay-card",
            "",  # the entry's question is its title, so no section repeats it
            "https://riverside-clinic.example/billing",
        ),
        ("Can I pay my bill in instalments?", "pay-plan", "", None),
        (
            "How do I cancel my appointment?",
            "appt-cancel",
            "",
            "https://riverside-clinic.example/appointments",
        ),
        (
            "Can I bring a friend to my appointment?",
            "42",
            "Can I bring someone with me to my appointment?",
            None,
        ),
        ("How much does parking cost?", "parking", "", None),
    ],
)
def test_question_is_answered_from_the_right_document_and_section(
    fixture_index, question, document_id, section, url
):
    best = passages_for(fixture_index, question, top_k=3)[0].passage
    assert (best.document_id, best.section) == (document_id, section)
    if url:
        assert best.url == url


def test_a_list_stays_with_the_sentence_that_introduces_it(fixture_index):
    question = "Can I drink apple juice the day before my colonoscopy?"
    best = passages_for(fixture_index, question, top_k=3)[0].passage
    assert best.text == (
        "From breakfast onwards you may only have clear liquids. You can drink:\n\n"
        "• water, clear broth or stock\n"
        "• apple juice or white grape juice (no pulp)\n"
        "• tea or black coffee, without milk\n"
        "• clear jelly, but not red or purple jelly"
    )


@pytest.mark.parametrize(
    "boilerplate",
    [
        "cookies",  # the consent banner
        "Skip to main content",
        "Book an appointment",  # site navigation
        "Patients",  # breadcrumbs
        "Share on Facebook",
        "Related articles",
        "newsletter",
        "Registered charity",  # site footer
        "Last reviewed by",  # article footer
        "UA-TRACKING-PIXEL",  # script
        "font-family",  # style
        "tracking pixel",  # noscript
    ],
)
def test_web_page_boilerplate_never_reaches_a_passage(boilerplate):
    passages = passages_of(html.read, "colonoscopy-preparation.html")
    assert not [p.text for p in passages if boilerplate.lower() in p.text.lower()]


def test_web_page_title_loses_the_site_name_and_url_is_the_canonical_one():
    [document], warnings = html.read(FIXTURES / "colonoscopy-preparation.html", "doc")
    assert (document.title, document.url, warnings) == (
        "Preparing for your colonoscopy",
        COLONOSCOPY_URL,
        [],
    )


def test_web_page_headings_h1_to_h4_make_its_sections():
    [document], _ = html.read(FIXTURES / "colonoscopy-preparation.html", "doc")
    assert [section.heading for section in document.sections] == [
        "Preparing for your colonoscopy",
        "One week before",
        "Clear liquid diet",
        "Bowel preparation",
        "On the day",
    ]


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("<title>Flu jabs | Riverside Clinic</title>", "Flu jabs"),
        (
            "<title>Flu jabs - adults | NHS | Riverside</title>",
            "Flu jabs - adults | NHS",
        ),
        ("<title>Flu jabs - adults</title>", "Flu jabs - adults"),
        (
            '<title>Riverside Clinic – Flu jabs</title><meta property="og:site_name" '
            'content="Riverside Clinic">',
            "Flu jabs",
        ),
        ("", "Flu jab clinic"),  # no <title>: the first h1
    ],
)
def test_page_title_drops_only_an_obvious_site_name(head, title):
    page = f"<html><head>{head}</head><body><h1>Flu jab clinic</h1></body></html>"
    assert html.page_title(BeautifulSoup(page, "html.parser")) == title


def test_pdf_sections_are_cited_with_heading_and_page():
    [document], warnings = pdf.read(FIXTURES / "chemotherapy-guide.pdf", "doc")
    assert document.title == "Chemotherapy: a guide for patients"  # its properties
    assert [section.heading for section in document.sections] == [
        "About this guide (page 1)",
        "How chemotherapy is given (page 1)",
        "Side effects (page 2)",
        "Mouth care (page 2)",
        "Mouth care (page 3)",  # the heading of page 2 goes on
        "When to call us (page 3)",
    ]
    assert warnings == []


def test_pdf_running_header_and_page_footer_are_dropped():
    [document], _ = pdf.read(FIXTURES / "chemotherapy-guide.pdf", "doc")
    lines = document.text.splitlines()
    assert "Riverside Clinic" not in lines
    assert [line for line in lines if "page 2 of 3" in line] == []


def test_pdf_paragraph_cut_by_a_page_break_is_quoted_whole():
    passages = passages_of(pdf.read, "chemotherapy-guide.pdf")
    joined = [p for p in passages if "after meals and before bed." in p.text]
    assert [p.section for p in joined] == ["Mouth care (page 2)"]


def test_pdf_bulleted_list_keeps_its_lead_sentence():
    passages = passages_of(pdf.read, "chemotherapy-guide.pdf")
    assert passages[2].text.startswith(
        "Common side effects of chemotherapy include:\n\n"
        "• feeling tired or weak, which can last for weeks after treatment ends\n"
        "• feeling sick (nausea) or being sick\n"
    )


def test_markdown_front_matter_gives_title_url_and_review_date():
    [document], warnings = markdown.read(FIXTURES / "visiting.md", "visiting")
    assert (document.title, document.url, str(document.reviewed), warnings) == (
        "Visiting the wards",
        VISITING_URL,
        "2024-03-01",
        [],
    )


def test_markdown_passages_cite_the_nearest_heading():
    passages = passages_of(markdown.read, "visiting.md")
    assert [p.section for p in passages] == [
        "",
        "General wards",
        "Intensive care",
        "Children",
        "Bringing gifts",
        "Bringing gifts",
        "Getting here",
    ]


@pytest.mark.parametrize(
    "syntax", ["**", "*2pm", "](", "`", "<div", "<!--", "#", "---"]
)
def test_markdown_passages_are_plain_text(syntax):
    passages = passages_of(markdown.read, "visiting.md")
    assert not [p.text for p in passages if syntax in p.text]


def test_markdown_nested_list_follows_its_parent_item():
    passages = passages_of(markdown.read, "visiting.md")
    assert passages[4].text.endswith(
        "• food that needs reheating:\n"
        "◦ staff cannot reheat food for patients\n"
        "◦ use the café on the ground floor instead"
    )


@pytest.mark.parametrize(
    ("sheet", "problem"),
    [
        (
            "Id,Question,Reply\n1,q,a\n",
            "has no 'answer' column (line 1 has: id, question, reply)",
        ),
        (
            "id,question,answer\n1,,a\n",
            "has no valid FAQ entries (line 2: 'question' is empty; row skipped)",
        ),
        ("\n", "is empty"),
    ],
)
def test_faq_sheet_without_a_usable_row_is_unreadable_with_the_reason(
    tmp_path, sheet, problem
):
    path = tmp_path / "faq.csv"
    path.write_text(sheet, "utf-8")
    with pytest.raises(UnreadableFile) as error:
        faq.read(path, "faq")
    assert str(error.value) == problem


@pytest.mark.parametrize(
    "sheet",
    [
        "id,question,answer\n7,Where is the pharmacy?,On the ground floor.\n",
        "ID;Question;Answer\n7;Where is the pharmacy?;On the ground floor.\n",
        "Id\tQuestion\tAnswer\n7\tWhere is the pharmacy?\tOn the ground floor.\n",
        '"id","question","answer"\r\n'
        '"7","Where is the pharmacy?","On the ground floor."',
    ],
)
def test_faq_sheet_from_any_spreadsheet_is_read(tmp_path, sheet):
    path = tmp_path / "faq.csv"
    path.write_text(sheet, "utf-8")
    [document], warnings = faq.read(path, "faq")
    assert (document.document_id, document.sections[0].heading, document.text) == (
        "7",
        "Where is the pharmacy?",
        "On the ground floor.",
    )
    assert warnings == []


def test_faq_row_after_an_unclosed_quote_is_still_read(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text(
        'id,question,answer\n1,Q one?,"never closed\n2,Q two?,Answer two.\n', "utf-8"
    )
    documents, warnings = faq.read(path, "faq")
    assert [document.document_id for document in documents] == ["2"]
    assert warnings == ["line 2: broken quoting (unexpected end of data); row skipped"]


def test_faq_sheet_parts_are_whole_rows_that_know_their_first_line(
    tmp_path, monkeypatch
):
    # A quoted answer holds line breaks (a \r\n, a lone \r, and a form feed and a line
    # separator, where str.splitlines() ends lines too): no part starts inside one.
    answer = "Answer {}, line one.\nLine two.\r\nThree\rfour\ffive\u2028six"
    rows = [f'{n},Question {n}?,"{answer.format(n)}"' for n in range(60)]
    path = tmp_path / "faq.csv"
    path.write_bytes(("\ufeffid,question,answer\r\n" + "\r\n".join(rows)).encode())
    monkeypatch.setattr(faq_parts, "PART_BYTES", 500)
    parts = faq_parts.parts(path)
    assert len(parts) > 5
    assert (parts[0].start, parts[-1].end) == (0, path.stat().st_size)
    assert [part.start for part in parts[1:]] == [part.end for part in parts[:-1]]
    documents, lines = [], []
    for part in parts:
        entries = faq_parts.read_part(path, part)
        assert entries.whole_rows and entries.warnings == []
        documents += entries.documents
        lines += entries.lines
    assert documents == faq.read(path, "faq")[0]
    assert lines == [2 + 6 * n for n in range(60)]


@pytest.mark.parametrize(
    ("name", "sheet"),
    [
        ("faq.jsonl", b'{"id": 1, "question": "Q?", "answer": "A."}\n'),  # small
        ("faq.jsonl", b'{"id": 1, "question": "Q?", "answer": "A."}\n' * 9 + b"\x80"),
        ("faq.csv", b'id,"the\nquestion",answer\n' + b"1,Q?,A.\n" * 20),
        ("faq.csv", b"\nid,question,answer\n" + b"1,Q?,A.\n" * 20),
        ("faq.csv", "id,question,answer\n1,Q?,A.\n".encode("utf-16") * 10),
    ],
    ids=["small", "not UTF-8", "header of two lines", "blank first line", "UTF-16"],
)
def test_faq_sheet_that_cannot_be_cut_alike_is_read_whole(
    tmp_path, monkeypatch, name, sheet
):
    path = tmp_path / name
    path.write_bytes(sheet)
    monkeypatch.setattr(faq_parts, "PART_BYTES", 60)
    assert faq_parts.parts(path) is None


@pytest.mark.parametrize(
    ("content", "expected", "warnings"),
    [
        ("Café hours\n\nOpen daily.".encode(), "Café hours", []),
        (b"\xef\xbb\xbfCaf\xc3\xa9 hours\n\nOpen daily.", "Café hours", []),
        ("Café hours\n\nOpen daily.".encode("utf-16"), "Café hours", []),
        (
            "Café hours\r\n\r\nOpen daily.".encode("cp1252"),
            "Café hours",
            ["is not UTF-8; read as Windows-1252"],
        ),
    ],
)
def test_text_in_any_common_encoding_is_read(tmp_path, content, expected, warnings):
    path = tmp_path / "notice.txt"
    path.write_bytes(content)
    [document], read_warnings = text.read(path, "notice")
    assert (document.title, read_warnings) == (expected, warnings)


def test_windows_1252_file_keeps_its_euro_signs_and_accents():
    [document], warnings = text.read(FIXTURES / "parking.txt", "parking")
    assert "costs €2 for the first hour and €5" in document.text
    assert "café entrance" in document.text
    assert warnings == ["is not UTF-8; read as Windows-1252"]


def test_web_page_in_a_declared_encoding_is_read_in_it(tmp_path):
    path = tmp_path / "page.html"
    page = '<meta charset="koi8-r"><title>Часы</title><p>Открыто с 8 до 20.</p>'
    path.write_bytes(page.encode("koi8_r"))
    [document], warnings = html.read(path, "page")
    assert (document.title, warnings) == ("Часы", ["is not UTF-8; read as koi8-r"])


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", None, "is empty"),
        ("leaflet-photo.pdf", None, "is not a PDF but a JPEG image"),
        ("scanned-leaflet.pdf", None, "has no text layer (scanned?)"),
        ("blank.md", b"\n  \n", "is empty"),
        ("meta-only.txt", b"---\ntitle: x\n---\n", "has no text (only front matter)"),
        (
            "meta-only.md",
            b"---\ntitle: x\n---\n",
            "has no text (only front matter or markup)",
        ),
        (
            "nav-only.html",
            b"<nav><a href=/>Home</a></nav>",
            "has no main text (only navigation or boilerplate)",
        ),
        ("blank.html", b"", "is empty"),
        ("blank.pdf", b"", "is empty"),
        (
            "login.pdf",
            b"<!DOCTYPE html><title>Sign in</title>",
            "is not a PDF but a web page or XML",
        ),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj\n<<", "is a damaged PDF"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is binary, not text"),
    ],
)
def test_file_without_a_document_is_unreadable_with_a_plain_reason(
    tmp_path, name, content, reason
):
    path = FIXTURES / name if content is None else tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableFile) as error:
        READERS[path.suffix](path, "doc")
    assert str(error.value).startswith(reason)


@pytest.mark.parametrize(
    "suffix", [".txt", ".md", ".html", ".htm", ".pdf", ".csv", ".jsonl"]
)
def test_every_corpus_format_has_a_reader(suffix):
    assert suffix in READERS


def test_committed_fixtures_are_what_make_fixtures_writes():
    for name, content in fixtures().items():
        assert (FIXTURES / name).read_bytes() == content, name


@pytest.mark.parametrize(
    "sheet",
    [
        'id,question,answer\n1,"Q, with a comma?","A ""quoted""\nanswer"\n\n2,Q?,A\n',
        'ID;Question;Answer\n1;Q?;"a;b"\n  \n2;Q?;"";\n',
        'id\tquestion\tanswer\n1\tQ?\t"tab\there"',  # no line break at the end
        'id,question,answer\n1,Q?,"page\fbreak\u2028and line"\n2,Q?,A\u2028',
        'id,question,answer,\n1,Q?,A,\n"2",Q?,"",\n',
    ],
)
def test_faq_sheet_rows_are_those_the_csv_module_reads(sheet):
    delimiter = csv_rows.delimiter_of(sheet.splitlines()[0])
    reader = csv.reader(sheet.splitlines(True), delimiter=delimiter, strict=True)
    expected, line = [], 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            expected.append((line, cells))
        line = reader.line_num + 1
    warnings = []
    assert list(csv_rows.csv_records(sheet, warnings, 1)) == expected
    assert warnings == []


@pytest.mark.parametrize(
    ("rows", "warnings", "ids"),
    [
        (
            '1,Q?,"Answer" and more\n2,Q?,A.\n',
            ["line 2: broken quoting (',' expected after '\"'); row skipped"],
            ["2"],
        ),
        (  # a quote closed on the next line, text after it: read on from that line
            '1,Q?,"Answer\n2,Q?,"A." more\n3,Q?,A.\n',
            [
                "line 2: broken quoting (',' expected after '\"'); row skipped",
                "line 3: broken quoting (',' expected after '\"'); row skipped",
            ],
            ["3"],
        ),
        (
            '1,Q?,"Answer\non two lines"\n2,Q?,"never closed\n3,Q?,A.\n',
            ["line 4: broken quoting (unexpected end of data); row skipped"],
            ["1", "3"],
        ),
    ],
)
def test_faq_broken_row_is_reported_and_the_rows_after_it_read(
    tmp_path, rows, warnings, ids
):
    path = tmp_path / "faq.csv"
    path.write_text("id,question,answer\n" + rows, "utf-8")
    documents, read_warnings = faq.read(path, "faq")
    assert read_warnings == warnings
    assert [document.document_id for document in documents] == ids


@pytest.mark.parametrize(
    ("broken_row", "count"),
    [
        ('{n},Question {n}?,"an answer the next row ends\n', 120_000),  # 5 MB
        ('y",b,"z\n', 60_000),  # closes the quote before it, opens one running on
    ],
    ids=["closed by the next row", "running on"],
)
def test_faq_sheet_of_thousands_of_broken_rows_is_read_in_seconds(
    tmp_path, broken_row, count
):
    """Reading started again after each broken row, and read on to the end or to the
    csv module's 128 KB field limit: minutes for a sheet of a few MB (12 MB of the first
    kind: 430 s; 0.5 MB of the second: 280 s)."""
    import time

    path = tmp_path / "faq.csv"
    path.write_text(
        "id,question,answer\n"
        + "".join(broken_row.format(n=n) for n in range(count))
        + "1,Where is the pharmacy?,On the ground floor.\n",
        "utf-8",
    )
    started = time.perf_counter()
    [document], warnings = faq.read(path, "faq")
    assert time.perf_counter() - started < 10
    assert len(warnings) == count
    assert warnings[-1].startswith(f"line {count + 1}: broken quoting")
    assert (document.document_id, document.text) == ("1", "On the ground floor.")


def test_web_page_reads_as_it_did_with_boilerplate_breaks_lists_and_tables(tmp_path):
    page = """<html><head><title>Chemotherapy | Riverside Clinic</title></head><body>
<nav><a href="/">Home</a></nav>
<main>
<h1>Before your<br>first cycle</h1>
<p>Eat well.<br>Rest<br><br>Drink water.</p>
<div class="share-bar">Share this page</div>
<ol start="3"><li>Bring your list<ul><li>tablets</li>
<li>creams <span class="sr-only">(hidden)</span></li></ul></li>
<li>Arrive <b>early</b><br>at reception</li></ol>
<a href="/x"><div>A block inside a link.</div></a>
<pre>line one<br>line two</pre>
<table><tr><th>Day</th><th>Time</th></tr><tr><td>Mon<br>day</td><td>8am</td></tr></table>
<header><p>Part of the page, inside main.</p></header>
<form><h2>Question</h2><p>Kept: a form holding a heading and a paragraph.</p></form>
</main><footer>Footer</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(page, "utf-8")
    [document], _ = html.read(path, "page")
    assert document.title == "Chemotherapy"
    assert document.text == (
        "Before your first cycle\n\nEat well.\nRest\n\nDrink water.\n\n"
        "3. Bring your list\n◦ tablets\n◦ creams\n4. Arrive early at reception\n\n"
        "A block inside a link.\n\nline one\nline two\n\nDay | Time\nMon day | 8am\n\n"
        "Part of the page, inside main.\n\nQuestion\n\n"
        "Kept: a form holding a heading and a paragraph."
    )


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (  # 50,000 took 80 s, then a RecursionError
            "<div>" * 20_000 + "<p>Deep text.</p>" + "</div>" * 20_000,
            "Deep text.",
        ),
        ("<p>Leaflet." * 5_000, "\n\n".join(["Leaflet."] * 5_000)),  # unclosed: nested
        ("<p>" + "line<br>" * 20_000 + "</p>", "\n".join(["line"] * 20_000)),  # 35 s
        ("<p>Text.</p><script>x</script>" * 20_000, "\n\n".join(["Text."] * 20_000)),
        (
            '<div class="menu">' * 2_000
            + "<h1>Title</h1>"
            + "</div>" * 2_000
            + "<p>Text.</p>",
            "Title\n\nText.",
        ),
    ],
    ids=["nested", "unclosed", "line breaks", "boilerplate", "nested boilerplate"],
)
def test_web_page_is_read_in_time_linear_in_its_size(tmp_path, body, text):
    """bs4 finds an element among its siblings to take it out of the tree, and looks
    through an element's descendants to tell what it holds: asked of every element,
    either took the square of the time; and a walk by recursion hit Python's limit."""
    import time

    path = tmp_path / "page.html"
    path.write_text(f"<html><body>{body}</body></html>", "utf-8")
    started = time.perf_counter()
    [document], _ = html.read(path, "page")
    assert time.perf_counter() - started < 10
    assert document.text == text


def test_web_page_table_cells_left_unclosed_each_keep_their_own_text(tmp_path):
    path = tmp_path / "hours.html"
    path.write_text(
        "<table><tr><td>Monday<td>8am to 5pm<tr><td>Tuesday<td>9am to 5pm</table>"
    )
    [document], _ = html.read(path, "hours")
    assert document.text == "Monday | 8am to 5pm\nTuesday | 9am to 5pm"
