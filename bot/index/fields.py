"""The BM25 fields of a passage and how much each counts: their one home."""

# The section is the heading above the passage (an FAQ entry's question).
FIELD_WEIGHTS = {"text": 1.0, "section": 1.0, "title": 0.5}
FIELDS = tuple(FIELD_WEIGHTS)
