"""Read .qdpx (zip) and .qdc (XML) files into the neutral model, refusing hostile files before anything else.

Guards, each a SourceError that names the file and entry: zip entries that escape the folder (`..`,
absolute paths, links), zip bombs (compression ratio and total size), a .qde over its size limit, XML
with a DOCTYPE (entities: XXE, billion laughs; parsed with entities off and no network anyway), invalid
or duplicate GUIDs, references that do not resolve, missing source files and positions outside the
text. Tolerated variations (NOTES.md §3): `Sources/` or `sources/`, any single `.qde` at the root,
namespace versions, GUID case and braces, BOMs, empty attributes.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from ...errors import SourceError
from . import model as m
from .offsets import OffsetMap, unit_for

GUID_RE = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
NS_RE = re.compile(r"^urn:QDA-XML:(project|codebook):.+$")
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What a file may hold before it is refused (a zip bomb or a mistake)."""

    max_qde_bytes: int = 512 * _MIB
    max_total_bytes: int = 4096 * _MIB  # all entries, uncompressed
    max_ratio: float = 200.0  # uncompressed / compressed, for entries over 1 MiB
    max_entries: int = 200_000
    max_source_bytes: int = 2**31 - 1  # the spec's limit for an internal file


class _Zip:
    """A checked .qdpx: its .qde entry and its sources, looked up case-insensitively."""

    def __init__(self, path: Path, limits: Limits):
        self.path = path
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise SourceError(f"not a readable .qdpx (zip) file: {exc}", where=str(path),
                              fix="export the project again from the other tool") from exc
        infos = self.zf.infolist()
        if len(infos) > limits.max_entries:
            raise SourceError(f"the archive has {len(infos)} entries (limit {limits.max_entries})", where=str(path))
        total = 0
        self.sources: dict[str, zipfile.ZipInfo] = {}
        qdes: list[zipfile.ZipInfo] = []
        for info in infos:
            name = info.filename.replace("\\", "/")
            where = f"{path}!{info.filename}"
            if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
                raise SourceError("an entry has an absolute path", where=where,
                                  fix="the file is damaged or hostile; do not import it")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if ".." in parts:
                raise SourceError("an entry escapes the archive's folder (zip slip: '..' in its path)", where=where,
                                  fix="the file is damaged or hostile; do not import it")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise SourceError("an entry is a symbolic link", where=where, fix="do not import this file")
            if info.is_dir() or not parts or parts[0] == "__MACOSX":
                continue
            total += info.file_size
            if info.file_size > _MIB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise SourceError(f"an entry expands {info.file_size / max(info.compress_size, 1):.0f} times "
                                  f"(limit {limits.max_ratio:.0f}): a zip bomb", where=where,
                                  fix="do not import this file")
            if total > limits.max_total_bytes:
                raise SourceError(f"the archive expands to over {limits.max_total_bytes // _MIB} MiB: a zip bomb "
                                  "or too large", where=str(path), fix="keep big media outside the .qdpx")
            if len(parts) == 1 and parts[0].lower().endswith(".qde"):
                qdes.append(info)
            elif len(parts) >= 2 and parts[0].lower() == "sources" and parts[-1] != ".root":
                self.sources["/".join(parts[1:]).lower()] = info
        if not qdes:
            raise SourceError("no .qde project file at the archive's root", where=str(path),
                              fix="a .qdpx holds project.qde and a sources/ folder")
        named = [q for q in qdes if q.filename.lower() == "project.qde"]
        if len(qdes) > 1 and not named:
            raise SourceError(f"several .qde files at the root ({', '.join(q.filename for q in qdes)})",
                              where=str(path), fix="keep exactly one")
        self.qde = (named or qdes)[0]
        if self.qde.file_size > limits.max_qde_bytes:
            raise SourceError(f"{self.qde.filename} is {self.qde.file_size // _MIB} MiB, over the limit of "
                              f"{limits.max_qde_bytes // _MIB} MiB", where=f"{path}!{self.qde.filename}",
                              fix="pass larger limits=Limits(max_qde_bytes=...) if the file is genuine")
        self.limits = limits

    def read(self, info: zipfile.ZipInfo) -> bytes:
        try:
            return self.zf.read(info)  # reads at most the declared size; checks the CRC
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise SourceError(f"cannot read the entry: {exc}", where=f"{self.path}!{info.filename}") from exc

    def source(self, name: str) -> zipfile.ZipInfo | None:
        key = name.replace("\\", "/").lstrip("/").lower()
        if key.startswith("sources/"):
            key = key[len("sources/"):]
        return self.sources.get(key)


def parse_xml(data: bytes, where: str, on_root=None, on_source=None) -> etree._Element:
    """Parse XML with entities off, no DTD and no network; a DOCTYPE is refused outright.

    With `on_source`, each child of <Sources> is handed over as soon as it is read and then freed, so a
    project with 100,000 codings never holds its whole tree (`on_root` sees the root element first).
    """
    found = _ROOT_START.search(data.lstrip(b"\xef\xbb\xbf"))
    prolog = data[:found.start() + 3] if found else data
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise SourceError("the XML declares a DOCTYPE or entities (XXE, billion laughs); REFI-QDA files have none",
                          where=where, fix="the file is damaged or hostile; do not import it")
    options = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
               "remove_comments": True, "remove_pis": True}
    try:
        if on_source is None:
            root = etree.fromstring(data, etree.XMLParser(**options))
        else:
            root = _stream(data, on_root, on_source, options)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise SourceError(f"not well-formed XML: {exc.msg}", where=f"{where}:{line}" if line else where,
                          fix="export the file again from the other tool") from exc
    if root.getroottree().docinfo.doctype:
        raise SourceError("the XML declares a DOCTYPE", where=where, fix="do not import this file")
    return root


def _stream(data: bytes, on_root, on_source, options: dict) -> etree._Element:
    root = None
    depth = 0
    for event, el in etree.iterparse(io.BytesIO(data), events=("start", "end"), **options):
        if event == "start":
            depth += 1
            if root is None:
                root = el
                if on_root:
                    on_root(el)
            continue
        depth -= 1
        parent = el.getparent()
        if depth == 2 and parent is not None and etree.QName(parent).localname == "Sources":
            on_source(el)
            el.clear()
            while el.getprevious() is not None:
                del parent[0]
    if root is None:
        raise etree.XMLSyntaxError("no root element", None, 1, 1)
    return root


def guid(value: str | None, where: str, required: bool = True) -> str | None:
    """A GUID normalised: braces stripped, lower case. Empty means absent (QualCoder writes "")."""
    if value is None or value == "":
        if required:
            raise SourceError("a required GUID is missing", where=where, fix="every object needs a guid")
        return None
    match = GUID_RE.match(value.strip())
    if not match:
        raise SourceError(f"invalid GUID {value!r}", where=where,
                          fix="GUIDs are 8-4-4-4-12 hex digits, optionally in braces")
    return match.group(1).lower()


@lru_cache(maxsize=4096)  # codings made in one batch share a stamp
def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


class _Parser:
    def __init__(self, root: etree._Element, where: str):
        self.where = where
        qname = etree.QName(root)
        self.ns = qname.namespace or ""
        self.root = root
        self.guids: dict[str, int | None] = {}
        self.warnings: list[str] = []
        self.streamed: list[m.Source] | None = None
        self.t_coding, self.t_coderef = self.q("Coding"), self.q("CodeRef")
        self.t_noteref, self.t_description = self.q("NoteRef"), self.q("Description")

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def at(self, el: etree._Element) -> str:
        return f"{self.where}:{el.sourceline}"

    def kids(self, el: etree._Element, name: str) -> list[etree._Element]:
        return el.findall(self.q(name))

    def child_text(self, el: etree._Element, name: str) -> str | None:
        c = el.find(self.q(name))
        return None if c is None else (c.text or "")

    def _g(self, el: etree._Element, attr: str, required: bool) -> str | None:
        """guid() with the location worked out only on error: this runs twice per coding."""
        value = el.get(attr)
        if value:
            found = GUID_RE.match(value)
            if found:
                return found.group(1).lower()
        return guid(value, self.at(el), required)

    def own(self, el: etree._Element, attr: str = "guid") -> str:
        """The element's own GUID, registered: duplicates anywhere in the file are refused."""
        g = self._g(el, attr, True)
        assert g is not None
        if g in self.guids:
            raise SourceError(f"duplicate GUID {g} (first at line {self.guids[g]})", where=self.at(el),
                              fix="GUIDs must be unique across all objects of a file")
        self.guids[g] = el.sourceline
        return g

    def ref(self, el: etree._Element, attr: str = "targetGUID") -> str | None:
        return self._g(el, attr, attr == "targetGUID")

    def refs(self, el: etree._Element, name: str, attr: str = "targetGUID") -> list[str]:
        return [r for r in (self.ref(c, attr) for c in self.kids(el, name)) if r]

    # ---- objects ---------------------------------------------------------------------------------
    def code(self, el: etree._Element) -> m.Code:
        colour = (el.get("color") or "").strip()
        code = m.Code(guid=self.own(el), name=el.get("name") or "", codable=el.get("isCodable") != "false",
                      color=colour if re.match(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$", colour) else None,
                      description=self.child_text(el, "Description"), note_refs=self.refs(el, "NoteRef"),
                      line=el.sourceline)
        if colour and code.color is None:
            self.warnings.append(f"{self.at(el)}: colour {colour!r} is not #RRGGBB; left out")
        code.children = [self.code(c) for c in self.kids(el, "Code")]
        return code

    def codes(self, book: etree._Element | None) -> list[m.Code]:
        if book is None:
            return []
        codes_el = book.find(self.q("Codes"))
        return [] if codes_el is None else [self.code(c) for c in self.kids(codes_el, "Code")]

    def value(self, el: etree._Element) -> m.VariableValue:
        ref = el.find(self.q("VariableRef"))
        if ref is None:
            raise SourceError("a VariableValue without VariableRef", where=self.at(el))
        target = self.ref(ref)
        assert target is not None
        value: Any = None
        for tag, conv in (("TextValue", str), ("BooleanValue", lambda v: v.strip() in ("true", "1")),
                          ("IntegerValue", int), ("FloatValue", float), ("DateValue", date.fromisoformat),
                          ("DateTimeValue", _datetime)):
            text = self.child_text(el, tag)
            if text is not None:
                try:
                    value = conv(text) if tag == "TextValue" else conv(text.strip())
                except ValueError as exc:
                    raise SourceError(f"{tag} {text!r} is not valid: {exc}", where=self.at(el)) from None
                break
        return m.VariableValue(target, value)

    def coding(self, el: etree._Element) -> m.Coding:
        code, notes = None, []
        for child in el:  # one pass over the children: this runs once per coding
            if child.tag == self.t_coderef:
                code = self._g(child, "targetGUID", True)
            elif child.tag == self.t_noteref:
                notes.append(self._g(child, "targetGUID", True))
        if code is None:
            raise SourceError("a Coding without CodeRef", where=self.at(el), fix="each Coding names one code")
        return m.Coding(self.own(el), code, self._g(el, "creatingUser", False),
                        _datetime(el.get("creationDateTime")), notes)

    def position(self, el: etree._Element, attr: str) -> int:
        text = el.get(attr)
        try:
            return int(text or "")
        except ValueError:
            raise SourceError(f"{attr} {text!r} is not a whole number", where=self.at(el)) from None

    def selection(self, el: etree._Element) -> m.Selection:
        description, codings, notes = None, [], []
        for child in el:
            tag = child.tag
            if tag == self.t_coding:
                codings.append(self.coding(child))
            elif tag == self.t_noteref:
                notes.append(self._g(child, "targetGUID", True))
            elif tag == self.t_description:
                description = child.text or ""
        return m.Selection(
            guid=self.own(el), start=self.position(el, "startPosition"), end=self.position(el, "endPosition"),
            name=el.get("name"), creating_user=self._g(el, "creatingUser", False),
            created=_datetime(el.get("creationDateTime")), description=description, codings=codings,
            note_refs=notes, line=el.sourceline)

    def text_source(self, el: etree._Element, kind: str = "text", name: str | None = None) -> m.Source:
        return m.Source(
            guid=self.own(el), name=el.get("name") or name or "", kind=kind,
            plain_text_path=el.get("plainTextPath") or None, rich_text_path=el.get("richTextPath") or None,
            content=self.child_text(el, "PlainTextContent"), description=self.child_text(el, "Description"),
            selections=[self.selection(s) for s in self.kids(el, "PlainTextSelection")],
            codings=[self.coding(c) for c in self.kids(el, "Coding")], note_refs=self.refs(el, "NoteRef"),
            values=[self.value(v) for v in self.kids(el, "VariableValue")],
            creating_user=self.ref(el, "creatingUser"), created=_datetime(el.get("creationDateTime")),
            line=el.sourceline)

    def sources(self, el: etree._Element | None) -> list[m.Source]:
        if self.streamed is not None:  # parsed (and freed) one by one while the file was read
            return self.streamed
        out: list[m.Source] = []
        for s in [] if el is None else list(el):
            out.extend(self.source(s))
        return out

    def source(self, s: etree._Element) -> list[m.Source]:
        """One child of <Sources> (none for an unknown element)."""
        out: list[m.Source] = []
        tag = etree.QName(s).localname
        if tag == "TextSource":
            out.append(self.text_source(s))
        elif tag == "PDFSource":
            rep = s.find(self.q("Representation"))
            pdf_guid = self.own(s)
            if rep is not None:
                src = self.text_source(rep, "pdf", s.get("name"))
                src.name = s.get("name") or src.name
                src.other_selections = len(self.kids(s, "PDFSelection"))
                out.append(src)
            else:
                out.append(m.Source(guid=pdf_guid, name=s.get("name") or "",
                                    kind="pdf", other_selections=len(self.kids(s, "PDFSelection")),
                                    line=s.sourceline))
        elif tag in ("PictureSource", "AudioSource", "VideoSource"):
            kind = tag[:-6].lower()
            sel = {"picture": "PictureSelection", "audio": "AudioSelection", "video": "VideoSelection"}[kind]
            out.append(m.Source(guid=self.own(s), name=s.get("name") or "", kind=kind,
                                other_selections=len(self.kids(s, sel)) + len(self.kids(s, "Transcript")),
                                line=s.sourceline))
        return out

    def note(self, el: etree._Element) -> tuple[m.Note, m.Source]:
        src = self.text_source(el)
        return m.Note(guid=src.guid, name=el.get("name") or None, text=src.content or "",
                      creating_user=src.creating_user, created=src.created,
                      selections=len(src.selections)), src

    def project(self) -> m.RefiProject:
        root = self.root
        local = etree.QName(root).localname
        if local == "CodeBook":
            proj = m.RefiProject(name="", origin=root.get("origin"), codebook_only=True)
            proj.codes = self.codes(root)
            sets = root.find(self.q("Sets"))
            for s in [] if sets is None else self.kids(sets, "Set"):
                proj.sets.append(m.Set(guid=self.own(s), name=s.get("name") or "",
                                       description=self.child_text(s, "Description"),
                                       codes=self.refs(s, "MemberCode", "guid")))
            return proj
        if local != "Project":
            raise SourceError(f"the root element is {local}, not Project or CodeBook", where=self.where,
                              fix="import a .qdpx project or a .qdc codebook")
        proj = m.RefiProject(name=root.get("name") or "", origin=root.get("origin"),
                             creating_user=self.ref(root, "creatingUserGUID"),
                             created=_datetime(root.get("creationDateTime")))
        users = root.find(self.q("Users"))
        for u in [] if users is None else self.kids(users, "User"):
            proj.users.append(m.User(guid=self.own(u), name=u.get("name") or None, id=u.get("id") or None))
        proj.codes = self.codes(root.find(self.q("CodeBook")))
        variables = root.find(self.q("Variables"))
        for v in [] if variables is None else self.kids(variables, "Variable"):
            proj.variables.append(m.Variable(guid=self.own(v), name=v.get("name") or "",
                                             type=v.get("typeOfVariable") or "Text",
                                             description=self.child_text(v, "Description")))
        cases = root.find(self.q("Cases"))
        for c in [] if cases is None else self.kids(cases, "Case"):
            proj.cases.append(m.Case(guid=self.own(c), name=c.get("name") or "",
                                     description=self.child_text(c, "Description"),
                                     values=[self.value(v) for v in self.kids(c, "VariableValue")],
                                     source_refs=self.refs(c, "SourceRef"), selection_refs=self.refs(c, "SelectionRef"),
                                     code_refs=self.refs(c, "CodeRef")))
        proj.sources = self.sources(root.find(self.q("Sources")))
        notes = root.find(self.q("Notes"))
        proj.extra["note_sources"] = {}
        for n in [] if notes is None else self.kids(notes, "Note"):
            note, src = self.note(n)
            proj.notes.append(note)
            proj.extra["note_sources"][note.guid] = src
        links = root.find(self.q("Links"))
        for ln in [] if links is None else self.kids(links, "Link"):
            proj.links.append(m.Link(guid=self.own(ln), origin=self.ref(ln, "originGUID"),
                                     target=self.ref(ln, "targetGUID") if ln.get("targetGUID") else None,
                                     name=ln.get("name") or None, direction=ln.get("direction"),
                                     note_refs=self.refs(ln, "NoteRef")))
        sets = root.find(self.q("Sets"))
        for s in [] if sets is None else self.kids(sets, "Set"):
            proj.sets.append(m.Set(guid=self.own(s), name=s.get("name") or "",
                                   description=self.child_text(s, "Description"),
                                   codes=self.refs(s, "MemberCode"), sources=self.refs(s, "MemberSource"),
                                   notes=self.refs(s, "MemberNote")))
        graphs = root.find(self.q("Graphs"))
        proj.graphs = 0 if graphs is None else len(list(graphs))
        proj.description = self.child_text(root, "Description")
        proj.note_refs = self.refs(root, "NoteRef")
        return proj


def _decode_source(data: bytes, where: str) -> str:
    """Source text as the tool wrote it (CRLF kept, so positions can be read in its own unit), BOM dropped."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(f"the source text is not UTF-8 (byte {exc.start})", where=where,
                              fix="REFI-QDA text sources are UTF-8; export again") from exc
    if "\x00" in text:
        raise SourceError("the source text contains NUL characters (binary, not text)", where=where)
    return text.lstrip("\ufeff")


def _internal_name(path: str) -> str | None:
    """The file name inside sources/ of an `internal://` (or a bare, scheme-less) path; None if external."""
    if path.startswith("internal://"):
        return path[len("internal://"):].lstrip("/")
    if "://" in path:
        return None
    return path


def _check_references(proj: m.RefiProject, where: str) -> None:
    codes = {c.guid for c, _ in proj.all_codes()}
    users = {u.guid for u in proj.users}
    variables = {v.guid for v in proj.variables}
    notes = {n.guid for n in proj.notes}
    for s in proj.sets:
        for c in s.codes:
            if c not in codes:
                raise SourceError(f"set {s.name!r} names unknown code {c}", where=where)
    for src in proj.sources:
        for sel in src.selections:
            for cd in sel.codings:
                if cd.code not in codes:
                    raise SourceError(f"a coding refers to unknown code {cd.code}",
                                      where=f"{where}:{sel.line}", fix="the file is incomplete; export again")
        for cd in src.codings:
            if cd.code not in codes:
                raise SourceError(f"a whole-source coding refers to unknown code {cd.code}", where=f"{where}:{src.line}")
        for v in src.values:
            if v.variable not in variables:
                raise SourceError(f"a value refers to unknown variable {v.variable}", where=f"{where}:{src.line}")
    for case in proj.cases:
        for v in case.values:
            if v.variable not in variables:
                raise SourceError(f"case {case.name!r} has a value of unknown variable {v.variable}", where=where)
    missing_users = set()
    for src in proj.sources:
        for sel in src.selections:
            for g in [sel.creating_user, *(c.creating_user for c in sel.codings)]:
                if g and g not in users:
                    missing_users.add(g)
    if missing_users:
        proj.warnings.append(f"{len(missing_users)} user GUID(s) not in <Users>; coders named after the GUID")
    dangling = {r for src in proj.sources for r in src.note_refs if r not in notes}
    if dangling:
        proj.warnings.append(f"{len(dangling)} NoteRef(s) point at no note; ignored")


def read_refi(path: str | Path, limits: Limits | None = None, *, allow_external: bool = False) -> m.RefiProject:
    """Read and check a .qdpx or .qdc; every problem is a SourceError before anything is imported."""
    path = Path(path)
    limits = limits or Limits()
    if not path.exists():
        raise SourceError("no such file", where=str(path))
    suffix = path.suffix.lower()
    archive: _Zip | None = None
    if suffix == ".qdpx" or zipfile.is_zipfile(path):
        archive = _Zip(path, limits)
        where = f"{path}!{archive.qde.filename}"
        data = archive.read(archive.qde)
    else:
        size = path.stat().st_size
        if size > limits.max_qde_bytes:
            raise SourceError(f"the file is {size // _MIB} MiB, over the limit of {limits.max_qde_bytes // _MIB} MiB",
                              where=str(path), fix="pass larger limits=Limits(max_qde_bytes=...) if it is genuine")
        where, data = str(path), path.read_bytes()
    holder: list[_Parser] = []

    def on_root(el: etree._Element) -> None:
        ns = etree.QName(el).namespace or ""
        if not NS_RE.match(ns):
            raise SourceError(f"not a REFI-QDA file (namespace {ns!r})", where=where,
                              fix="import a .qdpx or .qdc written by a REFI-QDA tool")
        holder.append(_Parser(el, where))
        holder[0].streamed = []

    def on_source(el: etree._Element) -> None:
        assert holder[0].streamed is not None
        holder[0].streamed.extend(holder[0].source(el))

    root = parse_xml(data, where, on_root, on_source)
    ns = etree.QName(root).namespace or ""
    parser = holder[0]
    if not ns.endswith(":1.0"):
        parser.warnings.append(f"namespace {ns} read as version 1.0")
    proj = parser.project()
    proj.extra["where"] = where
    proj.warnings[:0] = parser.warnings
    if proj.codebook_only and archive is not None:
        raise SourceError("the archive holds a codebook, not a project", where=where, fix="rename it to .qdc")
    _check_references(proj, where)
    unit = unit_for(proj.origin)
    note_sources: dict[str, m.Source] = proj.extra.get("note_sources", {})
    for src in [*proj.sources, *note_sources.values()]:
        if src.kind not in ("text", "pdf") or (src.plain_text_path is None and src.content is None):
            continue
        at = f"{where}:{src.line}"
        if src.content is not None:
            src.text = src.content.lstrip("\ufeff")
        else:
            assert src.plain_text_path is not None
            name = _internal_name(src.plain_text_path)
            if name is None or archive is None:
                if not allow_external:
                    raise SourceError(f"source {src.name!r} is outside the file ({src.plain_text_path})", where=at,
                                      fix="export with the sources inside the .qdpx (internal://)")
                src.text = _external(path, src.plain_text_path, at, limits)
            else:
                info = archive.source(name)
                if info is None:
                    raise SourceError(f"source file {name!r} of {src.name!r} is missing from the archive",
                                      where=at, fix="export the project again with its sources")
                if info.file_size > limits.max_source_bytes:
                    raise SourceError(f"source file {name!r} is over {limits.max_source_bytes} bytes", where=at)
                src.text = _decode_source(archive.read(info), f"{path}!{info.filename}")
        src.offsets = OffsetMap(src.text, unit)
        for sel in src.selections:
            if not 0 <= sel.start <= sel.end <= src.offsets.length:
                raise SourceError(f"selection [{sel.start}, {sel.end}) is outside source {src.name!r} "
                                  f"({src.offsets.length} positions in {unit.label})", where=f"{where}:{sel.line}",
                                  fix="the file is damaged; export it again")
    return proj


def _external(qdpx: Path, path: str, where: str, limits: Limits) -> str:
    """An external (relative:// or absolute://) text file, read only when the caller allows it."""
    body = re.sub(r"^[a-z]+://", "", path)
    if re.match(r"^/[A-Za-z]:", body):
        body = body[1:]
    target = Path(body) if path.startswith("absolute://") else qdpx.parent / body.lstrip("/")
    if not target.is_file():
        raise SourceError(f"external source {path} not found", where=where, fix="put the file next to the .qdpx")
    if target.stat().st_size > limits.max_source_bytes:
        raise SourceError(f"external source {path} is too large", where=where)
    return _decode_source(target.read_bytes(), str(target))
