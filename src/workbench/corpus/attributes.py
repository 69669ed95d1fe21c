"""Case (or document) attribute sheets from CSV or XLSX: one row per case, one column per attribute.

The first column names the case (`case`) or the document (`document`). A header `name:type` declares a
type (text, integer, float, boolean, date); otherwise a new attribute's type is inferred and an existing
one's type is enforced. The whole sheet is validated before anything is written.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import SourceError, ValidationError
from ..store import queries
from ..store.events import now
from ..store.project import Project
from ..store.schema import attributes, case_values, cases, document_values, documents
from ..store.values import TYPES, format_value, infer_type, parse_value
from .text import read_text_file


def read_sheet(path: Path, encoding: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and rows as text (blank rows dropped); `read_sheet_lines` also says where each row is."""
    header, rows = read_sheet_lines(path, encoding)
    return header, [row for _, row in rows]


def _delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of , ; and tab (a one-column sheet has none)."""
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    count, delimiter = max((first.count(d), d) for d in (",", ";", "\t"))
    return delimiter if count else ","


def read_sheet_lines(path: Path, encoding: str | None = None) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line, row) pairs: the line in the CSV file or the row number in the sheet, 1-based."""
    table: list[tuple[int, list[str]]] = []
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            ws = wb.worksheets[0]
            for number, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
                table.append((number, ["" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v))
                                       for v in row]))
            wb.close()
        except Exception as exc:  # openpyxl raises zip, XML and key errors for broken files
            raise SourceError(f"corrupt .xlsx ({exc.__class__.__name__}: {exc})", where=str(path),
                              fix="open it in Excel/LibreOffice and save it again") from exc
    else:
        text, _ = read_text_file(path, encoding)
        reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
        line = 1
        try:
            for row in reader:
                table.append((line, row))
                line = reader.line_num + 1  # a quoted value may span lines
        except csv.Error as exc:
            raise SourceError(f"not valid CSV ({exc})", where=f"{path}:{line}",
                              fix="check the quotes in that line") from exc
    table = [(n, r) for n, r in table if any(str(c).strip() for c in r)]
    if not table:
        raise SourceError("the sheet is empty", where=str(path))
    header = [str(h).strip() for h in table[0][1]]
    rows = []
    for n, r in table[1:]:
        if len(r) > len(header) and any(str(c).strip() for c in r[len(header):]):
            raise SourceError(f"row {n} has {len(r)} values but the header only {len(header)} columns",
                              where=f"{path}:{n}", fix="name every column in the header, or check the delimiter")
        rows.append((n, [str(c).strip() for c in r[:len(header)]] + [""] * (len(header) - len(r))))
    return header, rows


def import_sheet(project: Project, path: Path, actor: str = "importer", create_cases: bool = False,
                 encoding: str | None = None) -> int:
    """Set attribute values from a sheet; returns the number of values written (new or changed).

    The whole sheet is checked before anything is written, in one transaction: an unknown case or a value
    that does not fit its column's type names the row and column and leaves the project as it was.
    """
    header, rows = read_sheet_lines(path, encoding)
    scope = header[0].lower()
    if scope not in ("case", "document"):
        raise SourceError(f"first column must be 'case' or 'document', not {header[0]!r}", where=f"{path}:1")
    columns = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header[1:], start=2):
        name, _, typ = h.partition(":")
        name, typ = name.strip(), typ.strip().lower() or None
        if not name:
            raise SourceError(f"column {i} has no name", where=f"{path}:1")
        if typ and typ not in TYPES:
            raise SourceError(f"unknown type {typ!r} in column {h!r}", where=f"{path}:1",
                              fix=f"use one of {', '.join(TYPES)}")
        if name in seen:
            raise SourceError(f"column {name!r} appears twice (columns {seen[name]} and {i})", where=f"{path}:1",
                              fix="give each column its own name, or remove one of them")
        seen[name] = i
        columns.append((i - 1, name, typ))
    owner, values = (cases, case_values) if scope == "case" else (documents, document_values)
    key_col = "case_id" if scope == "case" else "document_id"
    with project.transaction(actor, "attributes.import") as tx:
        known = queries.names_to_ids(tx.conn, owner)
        existing = queries.attributes_of(tx.conn, scope)
        # validate everything first
        types = {}
        for idx, name, typ in columns:
            column_values = [r[idx] for _, r in rows]
            if name in existing:
                if typ and typ != existing[name].type:
                    raise ValidationError(f"attribute {name!r} is {existing[name].type}, the sheet says {typ}",
                                          where=f"{path}:1", fix="fix the header or the attribute's type")
                typ = existing[name].type
            types[name] = typ or infer_type(column_values)
        parsed = []
        for line, row in rows:
            who = row[0]
            if not who:
                raise ValidationError(f"row {line} has no {scope} name", where=f"{path}:{line}")
            if who not in known and not (create_cases and scope == "case"):
                raise ValidationError(f"row {line}: unknown {scope} {who!r}", where=f"{path}:{line}",
                                      fix=f"import its documents first, check the spelling, or allow creating {scope}s")
            for idx, name, _ in columns:
                try:
                    value = parse_value(row[idx], types[name])
                except ValueError as exc:
                    raise ValidationError(f"row {line}, column {name!r}: {exc} (expected {types[name]})",
                                          where=f"{path}:{line}", fix="correct the value or the column type") from None
                parsed.append((who, name, format_value(value, types[name])))
        # then write
        attr_ids = {}
        for _, name, _ in columns:
            if name in existing:
                attr_ids[name] = existing[name].id
            else:
                attr_ids[name] = tx.insert(attributes, {"name": name, "scope": scope, "type": types[name]})["id"]
        written = 0
        for who, name, value in parsed:
            if who not in known:
                known[who] = tx.insert(cases, {"name": who, "created": now()})["id"]
            pk = {key_col: known[who], "attribute_id": attr_ids[name]}
            current = tx.get(values, pk)
            if current is None:
                tx.insert(values, {**pk, "value": value})
                written += 1
            elif current["value"] != value:
                tx.update(values, pk, value=value)
                written += 1
        return written
