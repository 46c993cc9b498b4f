"""Reading back what an installation emitted, to check that no personal data left the store.

Outputs are read the way a recipient would see them: DOCX and XLSX members unzipped (with runs
joined, so a number split across two runs is still found), ``.eml`` files decoded part by part
(attachments included), the embedded search database dumped table by table, HTML unescaped.
``find_leaks`` then looks for known raw values; ``mobile_numbers`` for any mobile number at all.
Used by ``suqiu audit``, the privacy tests and ``bench/eval_pii_leak.py``.
"""

from __future__ import annotations

import email
import email.header
import html
import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.pii import MOBILE_RE
from search.service import embedded_path
from suqiu.installation import Installation

# FTS5 posting lists come out of a dump as X'…' hex literals: binary, not text
_HEX_BLOB = re.compile(r"X'[0-9a-fA-F]*'")
_WIDTH_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_TAGS = re.compile(r"<[^>]+>")
# ends of paragraphs, cells and shared strings: text on either side never runs together
_BLOCK_ENDS = re.compile(r"</(?:w:p|w:tc|a:p|si|c|is|row)>")
# a spreadsheet's numeric cell with a fraction (a date serial 46346.19512731482, a percentage): its
# fractional digits are no phone number; a whole number (13812345678 stored as a number) still counts
_CELL_FRACTION = re.compile(r"(<v>-?\d+)\.\d+(?:[eE][+-]?\d+)?(</v>)")


def xml_texts(data: bytes) -> list[str]:
    """Every XML member of an OOXML zip, raw and as text with the tags removed (runs within a
    paragraph or cell joined, paragraphs and cells kept apart)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels")):
                raw = _CELL_FRACTION.sub(r"\1\2", z.read(name).decode("utf-8", "replace"))
                out += [raw, html.unescape(_TAGS.sub("", _BLOCK_ENDS.sub("\n", raw)))]
    return out


def eml_texts(data: bytes) -> list[str]:
    """Subject and every decoded MIME part of a message; XLSX attachments unzipped."""
    msg = email.message_from_bytes(data)
    subject = msg["Subject"] or ""
    out = [str(subject), str(email.header.make_header(email.header.decode_header(str(subject))))]
    for part in msg.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        if (part.get_filename() or "").endswith((".xlsx", ".docx")):
            out += xml_texts(payload)
        else:
            text = payload.decode(part.get_content_charset() or "utf-8", "replace")
            out += [text, html.unescape(text)]
    return out


def sqlite_texts(path: Path) -> list[str]:
    """A database's full dump (FTS5 shadow tables included) and its raw bytes as text."""
    conn = sqlite3.connect(path)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    return [dump, path.read_bytes().decode("utf-8", "replace")]


def file_texts(path: Path) -> list[str]:
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix in (".docx", ".xlsx"):
        return xml_texts(data)
    if suffix == ".eml":
        return eml_texts(data)
    if suffix in (".db", ".sqlite"):
        return sqlite_texts(path)
    text = data.decode("utf-8", "replace")
    return [text, html.unescape(text)]


def json_text(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, default=str)


def installation_artifacts(app: Installation) -> dict[str, list[str]]:
    """Files the installation wrote for others (outbox, reports) and its embedded search index."""
    out: dict[str, list[str]] = {}
    for folder in (app.data_dir / "outbox", app.reports_dir):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix.lower() in (".html", ".eml", ".xlsx", ".docx", ".txt", ".json"):
                    out[f"file:{path.relative_to(app.data_dir)}"] = file_texts(path)
    index = embedded_path(app)
    if index.exists():
        out["index:embedded"] = sqlite_texts(index)
    return out


def artifact_kind(name: str) -> str:
    """A coarse kind for reporting: digest html/eml/xlsx, report html/docx/xlsx, index, or the prefix."""
    if name.startswith("file:outbox/"):
        return "digest " + Path(name).suffix.lstrip(".")
    if name.startswith("file:reports/"):
        return "report " + Path(name).suffix.lstrip(".")
    return name.split(":", 1)[0]


@dataclass(frozen=True)
class Leak:
    artifact: str
    kind: str
    value: str
    context: str


def variants(value: str) -> set[str]:
    """The raw value and the form it takes without separators (``0591-8765…`` → ``05918765…``)."""
    out = {value}
    digits = re.sub(r"[\s-]", "", value)
    if digits.isdigit() and len(digits) >= 7:
        out.add(digits)
    return out


def find_leaks(artifact: str, texts: Iterable[str], values: Mapping[str, str]) -> list[Leak]:
    """Every occurrence of a raw value (any of its ``variants``) in the texts."""
    leaks = []
    forms = [(kind, v) for kind, value in values.items() for v in variants(value)]
    for text in texts:
        for kind, v in forms:
            i = text.find(v)
            if i >= 0:
                leaks.append(Leak(artifact, kind, v, text[max(0, i - 40):i + len(v) + 20]))
    return leaks


def mobile_numbers(text: str) -> set[str]:
    """Mobile numbers in a text (full-width digits folded; binary blobs of a dump skipped)."""
    return set(MOBILE_RE.findall(_HEX_BLOB.sub("", text).translate(_WIDTH_FOLD)))
