"""One module per file format; each turns a file into documents.

Every reader has `read(path, document_id) -> (documents, warnings)` and raises
`UnreadableFile` when the file can give no document at all.
"""

from __future__ import annotations

from bot.ingest.readers import faq, html, markdown, pdf, text
from bot.ingest.readers.common import UnreadableFile

READERS = {
    ".txt": text.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".pdf": pdf.read,
    ".jsonl": faq.read,
    ".csv": faq.read,
}

__all__ = ["READERS", "UnreadableFile"]
