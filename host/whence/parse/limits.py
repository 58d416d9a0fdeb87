"""The bounds on parsing work: every byte of a message is hostile, so nothing here scales with it."""

from __future__ import annotations

MAX_RAW_BYTES = 50 * 1024 * 1024  # bytes of the message fed to the MIME parser
MAX_LINES = 600_000  # lines fed to the MIME parser, weighted by nesting depth (see mime.py)
FEED_CHUNK = 8 * 1024  # small enough that one chunk cannot nest deep enough to exhaust the stack
MAX_OBJECTS = 600  # MIME entities the parser may create (containers and leaves)
MAX_PARTS = 500  # leaf parts kept
MAX_DEPTH = 20  # multipart nesting walked
MAX_HEADER_LINES = 20_000  # lines of the top-level header block fed to the parser
MAX_HEADERS = 1000  # headers kept in Message.headers
MAX_HEADER_VALUE = 64 * 1024  # characters kept of one header value (spam carries 16 KB To lists)
MAX_HEADER_TEXT = 4 * 1024 * 1024  # characters of header values decoded in total; then 1 KB each
MAX_STRUCTURAL_VALUE = 4 * 1024  # Content-* values as the stdlib header parser sees them
MAX_STRUCTURAL_PARAMS = 30  # parameters of a Content-* header the stdlib parser sees
MAX_PART_PAYLOAD = 10 * 1024 * 1024  # decoded bytes kept of one part
MAX_PART_SPAN = 32 * 1024 * 1024  # raw bytes of one body fed to the parser (base64 of 24 MB)
MAX_TOTAL_PAYLOAD = 30 * 1024 * 1024  # decoded bytes kept over all parts
MAX_PART_TEXT = 2 * 1024 * 1024  # characters of decoded text kept of one text part
MAX_TOTAL_TEXT = 4 * 1024 * 1024  # characters of decoded text over all parts (plain + HTML)
MAX_DEFECTS = 50
