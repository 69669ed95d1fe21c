"""Write the neutral model as schema-valid QDA-XML: a .qdpx (project.qde + sources/) or a .qdc.

Strict where the reader is lenient (NOTES.md §2): elements in the schema's order, no empty containers,
no empty attributes, `#RRGGBB` colours, UTC `Z` times, decimals without exponents, UTF-8 without BOM,
characters XML 1.0 forbids removed. The zip's entries carry a fixed date, so the same project gives the
same bytes. Built as strings (one pass, no DOM): the benchmark holds it to a plain zip+XML floor.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ...errors import StorageError
from . import model as m

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_XSD = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
CODEBOOK_XSD = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
                           "\t": "&#9;"})
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def text(value: str) -> str:
    """Element content, escaped."""
    return _FORBIDDEN.sub("", value).translate(_TEXT_ESC)


def attr(value: object) -> str:
    """An attribute value, escaped (line breaks and tabs as character references, so they survive)."""
    return _FORBIDDEN.sub("", str(value)).translate(_ATTR_ESC)


@lru_cache(maxsize=4096)  # a batch of codings shares one time stamp
def when(dt: datetime | str | None) -> str | None:
    """xsd:dateTime in UTC with `Z`, milliseconds when there are any (our stamps are naive UTC).

    Also takes the stored text of a stamp (`2026-01-31 12:00:00.123000`, as SQLite keeps it)."""
    if dt is None:
        return None
    if isinstance(dt, str):
        dt = datetime.fromisoformat(dt)
    if dt.tzinfo is not None:  # PostgreSQL hands back aware times
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt.isoformat(timespec="milliseconds" if dt.microsecond else "seconds") + "Z"


def decimal(value: float) -> str:
    """xsd:decimal: no exponent, no inf/nan."""
    out = repr(float(value))
    return format(Decimal(out), "f") if "e" in out or "E" in out else out


def _attrs(**values: object) -> str:
    return "".join(f' {k}="{attr(v)}"' for k, v in values.items() if v is not None and v != "")


def _element(name: str, content: str | None) -> str:
    return "" if content is None else f"<{name}>{text(content)}</{name}>"


def _refs(name: str, guids: Iterable[str], key: str = "targetGUID") -> str:
    return "".join(f'<{name} {key}="{g}"/>' for g in guids)


def _code(c: m.Code, out: list[str], project: bool) -> None:
    head = f"<Code{_attrs(guid=c.guid, name=c.name, isCodable='true' if c.codable else 'false', color=c.color)}"
    inner = _element("Description", c.description or None) + (_refs("NoteRef", c.note_refs) if project else "")
    if not inner and not c.children:
        out.append(head + "/>")
        return
    out.append(head + ">" + inner)
    for child in c.children:
        _code(child, out, project)
    out.append("</Code>")


def _value(v: m.VariableValue, types: dict[str, str]) -> str:
    typ = types[v.variable]
    value = v.value
    if typ == "Boolean":
        body = f"<BooleanValue>{'true' if value else 'false'}</BooleanValue>"
    elif typ == "Integer":
        body = f"<IntegerValue>{int(value)}</IntegerValue>"  # type: ignore[arg-type]
    elif typ == "Float":
        body = f"<FloatValue>{decimal(value)}</FloatValue>"  # type: ignore[arg-type]
    elif typ == "Date":
        body = f"<DateValue>{value.isoformat() if isinstance(value, date) else value}</DateValue>"
    elif typ == "DateTime":
        body = f"<DateTimeValue>{when(value) if isinstance(value, datetime) else value}</DateTimeValue>"
    else:
        body = _element("TextValue", str(value))
    return f'<VariableValue><VariableRef targetGUID="{v.variable}"/>{body}</VariableValue>'


def _coding(cd: m.Coding) -> str:
    # GUIDs and times need no escaping: written straight, the hot loop of a large export
    user = f' creatingUser="{cd.creating_user}"' if cd.creating_user else ""
    stamp = f' creationDateTime="{when(cd.created)}"' if cd.created else ""
    notes = "".join(f'<NoteRef targetGUID="{g}"/>' for g in cd.note_refs) if cd.note_refs else ""
    return f'<Coding guid="{cd.guid}"{user}{stamp}><CodeRef targetGUID="{cd.code}"/>{notes}</Coding>'


def _source(s: m.Source, types: dict[str, str], out: list[str]) -> None:
    head = _attrs(guid=s.guid, name=s.name, plainTextPath=s.plain_text_path, creatingUser=s.creating_user,
                  creationDateTime=when(s.created))
    out.append(f"<TextSource{head}>")
    out.append(_element("Description", s.description))
    if s.plain_text_path is None:
        out.append(_element("PlainTextContent", s.content or ""))
    append = out.append
    for sel in s.selections:  # one string per selection: the hot loop of a large export
        name = f' name="{attr(sel.name)}"' if sel.name else ""
        user = f' creatingUser="{sel.creating_user}"' if sel.creating_user else ""
        stamp = f' creationDateTime="{when(sel.created)}"' if sel.created else ""
        desc = f"<Description>{text(sel.description)}</Description>" if sel.description is not None else ""
        codings = "".join(map(_coding, sel.codings))
        notes = _refs("NoteRef", sel.note_refs) if sel.note_refs else ""
        append(f'<PlainTextSelection guid="{sel.guid}"{name} startPosition="{int(sel.start)}" '
               f'endPosition="{int(sel.end)}"{user}{stamp}>{desc}{codings}{notes}</PlainTextSelection>')
    out.extend(_coding(cd) for cd in s.codings)
    out.append(_refs("NoteRef", s.note_refs))
    out.extend(_value(v, types) for v in s.values)
    out.append("</TextSource>")


def _set(s: m.Set, project: bool) -> str:
    key = "targetGUID" if project else "guid"
    body = (_element("Description", s.description) + _refs("MemberCode", s.codes, key)
            + (_refs("MemberSource", s.sources) + _refs("MemberNote", s.notes) if project else ""))
    return f"<Set{_attrs(guid=s.guid, name=s.name)}>{body}</Set>"


def project_xml(p: m.RefiProject) -> str:
    """The project.qde text of `p` (sources as `internal://` paths or inline content)."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n',
           f'<Project xmlns="{PROJECT_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           f'xsi:schemaLocation="{PROJECT_NS} {PROJECT_XSD}"'
           + _attrs(name=p.name or "project", origin=p.origin, creatingUserGUID=p.creating_user,
                    creationDateTime=when(p.created),
                    modifiedDateTime=when(p.extra.get("modified"))) + ">\n"]
    if p.users:
        out.append("<Users>" + "".join(f"<User{_attrs(guid=u.guid, name=u.name, id=u.id)}/>" for u in p.users)
                   + "</Users>\n")
    if p.codes:
        out.append("<CodeBook><Codes>")
        for c in p.codes:
            _code(c, out, True)
        out.append("</Codes></CodeBook>\n")
    types = {v.guid: v.type for v in p.variables}
    if p.variables:
        out.append("<Variables>" + "".join(
            f"<Variable{_attrs(guid=v.guid, name=v.name, typeOfVariable=v.type)}>"
            f"{_element('Description', v.description)}</Variable>" for v in p.variables) + "</Variables>\n")
    if p.cases:
        out.append("<Cases>")
        for c in p.cases:
            out.append(f"<Case{_attrs(guid=c.guid, name=c.name)}>{_element('Description', c.description)}"
                       + _refs("CodeRef", c.code_refs) + "".join(_value(v, types) for v in c.values)
                       + _refs("SourceRef", c.source_refs) + _refs("SelectionRef", c.selection_refs) + "</Case>")
        out.append("</Cases>\n")
    if p.sources:
        out.append("<Sources>\n")
        for s in p.sources:
            _source(s, types, out)
            out.append("\n")
        out.append("</Sources>\n")
    if p.notes:
        out.append("<Notes>")
        for n in p.notes:
            head = _attrs(guid=n.guid, name=n.name, creatingUser=n.creating_user, creationDateTime=when(n.created))
            out.append(f"<Note{head}>{_element('PlainTextContent', n.text)}</Note>")
        out.append("</Notes>\n")
    if p.links:
        out.append("<Links>")
        for ln in p.links:
            head = _attrs(guid=ln.guid, name=ln.name, direction=ln.direction, originGUID=ln.origin,
                          targetGUID=ln.target)
            out.append(f"<Link{head}>{_refs('NoteRef', ln.note_refs)}</Link>")
        out.append("</Links>\n")
    if p.sets:
        out.append("<Sets>" + "".join(_set(s, True) for s in p.sets) + "</Sets>\n")
    out.append(_element("Description", p.description))
    out.append(_refs("NoteRef", p.note_refs))
    out.append("</Project>\n")
    return "".join(out)


def codebook_xml(p: m.RefiProject) -> str:
    """The .qdc text: codes and code sets only."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n',
           f'<CodeBook xmlns="{CODEBOOK_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           f'xsi:schemaLocation="{CODEBOOK_NS} {CODEBOOK_XSD}"{_attrs(origin=p.origin)}>\n<Codes>']
    for c in p.codes:
        _code(c, out, False)
    out.append("</Codes>\n")
    code_sets = [s for s in p.sets if s.codes]
    if code_sets:
        out.append("<Sets>" + "".join(_set(s, False) for s in code_sets) + "</Sets>\n")
    out.append("</CodeBook>\n")
    return "".join(out)


def _atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written export."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise StorageError(f"cannot write here: {exc.strerror}", where=str(path),
                           fix="choose a folder you can write") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise StorageError(f"cannot write the file: {exc.strerror}", where=str(path),
                               fix="free some disk space or choose another folder") from exc
        raise


def write_qdpx(path: Path, p: m.RefiProject, texts: dict[str, str], compresslevel: int = 6,
               qde_compresslevel: int = 1) -> None:
    """project.qde at the root and each text as sources/<name> (UTF-8, no BOM, LF), atomically.

    The .qde is deflated at level 1: its markup is so repetitive that level 6 makes it only ~15% smaller
    at over twice the time (measured on 100,000 codings); the texts get the usual level 6.
    """
    qde = project_xml(p).encode("utf-8")

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
            info = zipfile.ZipInfo("project.qde", _ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, qde, compresslevel=qde_compresslevel)
            for name in sorted(texts):
                info = zipfile.ZipInfo(f"sources/{name}", _ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, texts[name].encode("utf-8"))

    _atomic(path, write)


def write_qdc(path: Path, p: m.RefiProject) -> None:
    data = codebook_xml(p).encode("utf-8")
    _atomic(path, lambda fh: fh.write(data))
