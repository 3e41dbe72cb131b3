"""Write the fixtures that must be exact bytes: PDFs, Windows-1252 text, a fake PDF.

Run `python tests/make_fixtures.py` after changing it; the files are committed, and a
test fails when they differ from what this script writes. The PDFs are written by hand
(no PDF library): Helvetica text, one text object per line, the way word processors lay
out a leaflet, with a running header and page footer on every page.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 612, 792, 72
BODY_SIZE, LEADING, WRAP_CHARS = 11, 14, 88

CHEMOTHERAPY_GUIDE = [
    [
        ("title", "Chemotherapy: a guide for patients"),
        ("heading", "About this guide"),
        (
            "paragraph",
            "This guide explains what chemotherapy is, how it is given at Riverside "
            "Clinic and what you can do to look after yourself during treatment. Keep "
            "it with you and bring it to your appointments.",
        ),
        ("heading", "How chemotherapy is given"),
        (
            "paragraph",
            "Most chemotherapy is given as a drip into a vein (intravenously) in our "
            "day unit. A treatment session usually takes between one and four hours. "
            "Some treatments are tablets that you take at home.",
        ),
        (
            "paragraph",
            "Treatment is given in cycles: a day of treatment followed by a rest "
            "period of one to three weeks, which lets your body recover before the "
            "next cycle.",
        ),
    ],
    [
        ("heading", "Side effects"),
        ("paragraph", "Common side effects of chemotherapy include:"),
        (
            "bullets",
            [
                "feeling tired or weak, which can last for weeks after treatment ends",
                "feeling sick (nausea) or being sick",
                "a sore mouth or mouth ulcers",
                "hair loss, which is usually temporary",
            ],
        ),
        (
            "paragraph",
            "Your nurse will give you anti-sickness medicine to take home. Take it "
            "as prescribed, even if you do not feel sick, because it works better at "
            "preventing sickness than at stopping it.",
        ),
        ("heading", "Mouth care"),
        (
            "paragraph",
            "Brush your teeth gently twice a day with a soft toothbrush. Rinse your "
            "mouth with a salt water mouthwash after meals and",
        ),
    ],
    [
        # The paragraph goes on from the previous page, as it does in real leaflets.
        (
            "paragraph",
            "before bed. If your mouth becomes sore, ask your nurse for a mouthwash "
            "that numbs the pain so that you can eat and drink.",
        ),
        (
            "paragraph",
            "Avoid spicy food, very hot drinks and mouthwashes that contain alcohol "
            "while your mouth is sore.",
        ),
        ("heading", "When to call us"),
        (
            "paragraph",
            "Call the 24-hour chemotherapy helpline on 555-0199 straight away if "
            "your temperature is 38°C or higher, if you shiver or feel unwell, or if "
            "you have diarrhoea four or more times in a day. An infection during "
            "chemotherapy can become serious quickly.",
        ),
    ],
]


def pdf_document(objects: list[bytes]) -> bytes:
    """A PDF file from its numbered objects (1 is the catalog, 2 the info dict)."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 2 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(content: bytes, extra: bytes = b"") -> bytes:
    """A stream object's body."""
    return (
        b"<< /Length %d %s>>\nstream\n" % (len(content), extra)
        + content
        + (b"\nendstream")
    )


def pdf_string(text: str) -> bytes:
    """A PDF literal string in WinAnsi (Windows-1252) encoding."""
    escaped = bytearray(b"(")
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            escaped += b"\\" + bytes([byte])
        elif byte > 126:
            escaped += b"\\%03o" % byte
        else:
            escaped.append(byte)
    return bytes(escaped + b")")


def text_line(font: str, size: float, x: float, y: float, text: str) -> bytes:
    """One line of text as its own text object."""
    return b"BT /%s %g Tf %g %g Td %s Tj ET\n" % (
        font.encode(),
        size,
        x,
        y,
        pdf_string(text),
    )


def layout_page(blocks: list, number: int, pages: int) -> bytes:
    """The content stream of one page of the guide."""
    lines = [text_line("F1", 9, MARGIN, PAGE_HEIGHT - 40, "Riverside Clinic")]
    y = PAGE_HEIGHT - MARGIN
    for kind, content in blocks:
        if kind == "title":
            lines.append(text_line("F2", 20, MARGIN, y, content))
            y -= 34
        elif kind == "heading":
            y -= 6
            lines.append(text_line("F2", 14, MARGIN, y, content))
            y -= 22
        elif kind == "paragraph":
            for line in textwrap.wrap(content, WRAP_CHARS):
                lines.append(text_line("F1", BODY_SIZE, MARGIN, y, line))
                y -= LEADING
            y -= 10
        else:
            for item in content:
                lines.append(text_line("F1", BODY_SIZE, MARGIN + 8, y, "\u2022"))
                for line in textwrap.wrap(item, WRAP_CHARS - 6):
                    lines.append(text_line("F1", BODY_SIZE, MARGIN + 22, y, line))
                    y -= LEADING
            y -= 10
    footer = f"Chemotherapy guide, page {number} of {pages}"
    lines.append(text_line("F1", 9, MARGIN, 40, footer))
    return b"".join(lines)


def text_pdf(pages: list[list], title: str) -> bytes:
    """A PDF of the given pages, with two Type 1 fonts and a document title."""
    first_page = 5
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * n) for n in range(len(pages)))
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
    objects = [
        b"<< /Type /Catalog /Pages 3 0 R >>",
        b"<< /Title %s /Producer (make_fixtures.py) >>" % pdf_string(title),
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
        b"<< /F1 " + font % b"Helvetica" + b" /F2 " + font % b"Helvetica-Bold" + b" >>",
    ]
    for number, blocks in enumerate(pages, start=1):
        objects.append(
            b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font 4 0 R >> /Contents %d 0 R >>"
            % (PAGE_WIDTH, PAGE_HEIGHT, len(objects) + 2)
        )
        objects.append(stream(layout_page(blocks, number, len(pages))))
    return pdf_document(objects)


def scanned_pdf() -> bytes:
    """A one-page PDF holding only an image, like a scan without OCR."""
    image = stream(
        bytes(range(0, 256, 16)) * 4,
        b"/Type /XObject /Subtype /Image /Width 8 /Height 8 "
        b"/ColorSpace /DeviceGray /BitsPerComponent 8 ",
    )
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 3 0 R >>",
            b"<< /Producer (make_fixtures.py) >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>",
            stream(b"q 612 0 0 792 0 0 cm /Im1 Do Q"),
            image,
        ]
    )


PARKING_NOTICE = """Parking at the clinic

Our car park is open from 7am to 9pm. Parking costs €2 for the first hour and €5 \
for the whole day; pay at the machine by the café entrance.

Blue badge holders park free of charge in the marked bays next to the main entrance.
"""


def fixtures() -> dict[str, bytes]:
    """Every generated fixture file by name."""
    return {
        "chemotherapy-guide.pdf": text_pdf(
            CHEMOTHERAPY_GUIDE, "Chemotherapy: a guide for patients"
        ),
        "scanned-leaflet.pdf": scanned_pdf(),
        "parking.txt": PARKING_NOTICE.replace("\n", "\r\n").encode("cp1252"),
        "empty.txt": b"",
        # A photo saved under a .pdf name: JPEG magic, then bytes that are not text.
        "leaflet-photo.pdf": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01"
        + bytes(range(256)) * 2,
    }


def main() -> int:
    """Write the fixtures; with --check, report those that differ and write nothing."""
    check = "--check" in sys.argv[1:]
    stale = []
    for name, content in fixtures().items():
        path = FIXTURES / name
        if not path.exists() or path.read_bytes() != content:
            stale.append(name)
            if not check:
                path.write_bytes(content)
    for name in stale:
        sys.stdout.write(f"{'stale' if check else 'wrote'}: tests/fixtures/{name}\n")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
