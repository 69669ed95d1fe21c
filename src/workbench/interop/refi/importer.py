"""Neutral model -> project, through the public API, with every check done before the first write.

Order of writing (each step its own logged action): documents (DocumentWriter; a document whose text
is already in the project is reused), the codebook (Codebook.apply_spec), case and document attributes
(attribute sheets), codings (add_codings: one group), memos (add_memo), the GUID map. Planning reads the
whole file first - positions mapped, codes, coders, attribute types and the merged codebook validated -
so a bad file raises before anything is stored.

Fidelity is measured: each selection's text is re-extracted from the stored canonical text and compared
with the source's own text at the source's own positions (read in its unit); the report counts both.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ...codebook import io as cbio
from ...codebook.io import CodebookSpec, CodeSpec
from ...codebook.tree import Codebook
from ...coding.bulk import add_codings
from ...coding.memos import add_memo
from ...corpus.attributes import import_sheet
from ...corpus.document import ImportedDocument
from ...corpus.text import content_hash
from ...corpus.transcript import looks_like_transcript, parse_turns
from ...corpus.writer import DocumentWriter
from ...errors import SourceError, ValidationError
from ...store.project import Project
from ...store.values import format_value, parse_value
from . import model as m
from .codes import colour, parse_description, slug
from .export import KIND_SET
from .guids import remember
from .offsets import unit_for
from .reader import Limits, read_refi
from .report import ImportReport, Loss

TYPES = {"Text": "text", "Integer": "integer", "Float": "float", "Boolean": "boolean", "Date": "date",
         "DateTime": "text"}
_ACTOR = re.compile(r"[^\w.\-@ ]+")
_RQ_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]{0,49}): (.+)$", re.S)


@dataclass
class _Plan:
    coders: dict[str, str] = field(default_factory=dict)  # user GUID -> coder id
    default_coder: str = "importer"
    code_ids: dict[str, str] = field(default_factory=dict)  # code GUID -> code id
    book: CodebookSpec | None = None
    docs: list[ImportedDocument] = field(default_factory=list)
    doc_names: dict[str, str] = field(default_factory=dict)  # source GUID -> document name
    doc_hashes: dict[str, str] = field(default_factory=dict)  # source GUID -> content hash
    codings: dict[tuple[str, int, int, str, str], list[str]] = field(default_factory=dict)  # key -> memos
    memos: list[dict[str, Any]] = field(default_factory=list)
    sheets: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # scope -> owner -> attr -> value
    types: dict[tuple[str, str], str] = field(default_factory=dict)  # (scope, attribute) -> type
    fidelity: list[dict[str, Any]] = field(default_factory=list)
    losses: dict[str, list[Any]] = field(default_factory=dict)  # what -> [count, reason]
    guids: dict[str, str] = field(default_factory=dict)

    def lose(self, what: str, reason: str, n: int = 1) -> None:
        entry = self.losses.setdefault(what, [0, reason])
        entry[0] += n


def _coder_name(user: m.User, taken: set[str]) -> str:
    for candidate in (user.id, user.name):
        if candidate:
            name = _ACTOR.sub("-", candidate).strip()[:100]
            if name and name not in taken:
                return name
    return f"user-{user.guid[:8]}"


def _plan_users(refi: m.RefiProject, plan: _Plan, actor: str) -> None:
    taken: set[str] = set()
    for u in refi.users:
        plan.coders[u.guid] = name = _coder_name(u, taken)
        taken.add(name)
        plan.guids[f"user:{name}"] = u.guid
    plan.default_coder = plan.coders.get(refi.creating_user or "", actor)


def _coder(plan: _Plan, *guids: str | None) -> str:
    for g in guids:
        if g:
            return plan.coders.setdefault(g, f"user-{g[:8]}")
    return plan.default_coder


def _plan_codebook(project: Project, refi: m.RefiProject, plan: _Plan, used_codes: set[str]) -> None:
    existing = Codebook(project).spec()
    known = {c.id: c for c in existing.codes}
    by_guid = {v: k[5:] for k, v in project_guids(project).items() if k.startswith("code:")}
    taken = set(known)
    rq_of: dict[str, list[str]] = defaultdict(list)
    rqs: list[dict[str, str]] = []
    rq_taken = {r["id"] for r in existing.research_questions}
    for s in refi.sets:
        if not s.codes or s.sources or s.notes:
            continue
        found = _RQ_NAME.match(s.name)
        rq_id = found.group(1) if found else slug(s.name or "rq", set(rq_taken), "rq")
        label = found.group(2) if found else (s.name or rq_id)
        rq_taken.add(rq_id)
        rqs.append({"id": rq_id, "label": label, "gloss": s.description or ""})
        plan.guids[f"rq:{rq_id}"] = s.guid
        for g in s.codes:
            rq_of[g].append(rq_id)
    specs: list[CodeSpec] = []
    in_file: set[str] = set()
    siblings: dict[str | None, set[str]] = defaultdict(set)
    for code, parent in refi.all_codes():
        fields = parse_description(code.description)
        cid = str(fields.get("id") or "")
        if not cbio.ID_RE.match(cid) or cid in in_file:
            cid = by_guid.get(code.guid, "")
        if not cid or cid in in_file:
            cid = slug(code.name or "code", taken)
        taken.add(cid)
        in_file.add(cid)
        plan.code_ids[code.guid] = cid
        plan.guids[f"code:{cid}"] = code.guid
        parent_id = plan.code_ids[parent.guid] if parent else None
        label = (code.name or cid).strip() or cid
        n = 2
        base = label
        while label.casefold() in siblings[parent_id]:
            label = f"{base} ({n})"
            n += 1
        if label != base:
            refi.warnings.append(f"code {base!r} occurs twice under one parent; the second is named {label!r}")
        siblings[parent_id].add(label.casefold())
        old = known.get(cid)
        codable = code.codable or code.guid in used_codes
        if not code.codable and codable:
            refi.warnings.append(f"code {label!r} is marked not codable but has codings; imported as codable")
        specs.append(CodeSpec(
            id=cid, label=label, parent=parent_id, gloss=str(fields.get("gloss", "")),
            colour=colour(code.color) or (old.colour if old else cbio.DEFAULT_COLOUR), rq=rq_of.get(code.guid, []),
            definition=str(fields.get("definition", "")), use_when=str(fields.get("use_when", "")),
            not_when=str(fields.get("not_when", "")), example=str(fields.get("example", "")),
            keywords=list(fields.get("keywords", [])), patterns=list(fields.get("patterns", [])),  # type: ignore[arg-type]
            codable=codable))
    plan.book = CodebookSpec("", rqs, specs)
    merged = CodebookSpec(existing.name, [r for r in existing.research_questions if r["id"] not in
                                          {q["id"] for q in rqs}] + rqs,
                          [c for c in existing.codes if c.id not in in_file] + specs)
    cbio.validate(merged, f"{refi.origin or 'REFI-QDA'} codebook")


def project_guids(project: Project) -> dict[str, str]:
    from .guids import SETTING

    return dict(project.setting(SETTING, {}) or {})


def _plan_sources(project: Project, refi: m.RefiProject, plan: _Plan) -> None:
    docs = project.documents()
    by_hash = dict(zip(docs["content_hash"], docs["name"], strict=False))
    names = set(docs["name"])
    kinds: dict[str, str] = {}
    for s in refi.sets:
        if s.name.startswith(KIND_SET) and s.name[len(KIND_SET):] in ("interview", "literature", "other"):
            plan.guids[f"kind:{s.name[len(KIND_SET):]}"] = s.guid
            for g in s.sources:
                kinds[g] = s.name[len(KIND_SET):]
        elif s.sources or s.notes:
            plan.lose("sets of sources or notes", "the workbench has no sets; kinds come from sets named 'kind: ...'")
    case_of: dict[str, str] = {}
    for case in refi.cases:
        for g in case.source_refs:
            if g in case_of and case_of[g] != case.name:
                plan.lose("second cases of a source", "a workbench document belongs to one case")
                continue
            case_of[g] = case.name or f"case-{case.guid[:8]}"
        if case.selection_refs or case.code_refs:
            plan.lose("case references to selections or codes", "a workbench case groups whole documents",
                      len(case.selection_refs) + len(case.code_refs))
    new_hashes: dict[str, str] = {}  # content hash -> the name given to its first source in this file
    for src in refi.sources:
        if src.offsets is None:
            plan.lose(f"{src.kind} sources", "the workbench imports text (and PDF text representations) only")
            if src.other_selections:
                plan.lose(f"{src.kind} selections", "area and time selections need the media", src.other_selections)
            continue
        if src.other_selections:
            plan.lose("PDF area selections", "only the text representation's selections are imported",
                      src.other_selections)
        if src.rich_text_path:
            plan.lose("rich-text originals (.docx)", "the workbench keeps the plain text, which the selections address")
        text = src.offsets.canonical
        if not text.strip():
            plan.lose("empty text sources", "a document needs text")
            continue
        digest = content_hash(text)
        plan.doc_hashes[src.guid] = digest
        plan.guids[f"document:{digest}"] = src.guid
        if digest in by_hash or digest in new_hashes:
            plan.doc_names[src.guid] = by_hash.get(digest) or new_hashes[digest]
        else:
            base = (src.name or f"source-{src.guid[:8]}").strip()[:290] or f"source-{src.guid[:8]}"
            name, n = base, 2
            while name in names:
                name = f"{base} ({n})"
                n += 1
            names.add(name)
            plan.doc_names[src.guid] = new_hashes[digest] = name
            turns = parse_turns(text)
            kind = kinds.get(src.guid) or ("interview" if looks_like_transcript(text, turns) else "other")
            plan.docs.append(ImportedDocument(
                name=name, kind=kind, text=text, source_format="refi",
                turns=turns if kind == "interview" and looks_like_transcript(text, turns) else [],
                meta={"refi": {"guid": src.guid, "origin": refi.origin, "name": src.name}},
                case=case_of.get(src.guid),
                encoding="utf-8"))


def _notes_text(refi_notes: dict[str, m.Note], refs: list[str]) -> list[m.Note]:
    return [refi_notes[r] for r in refs if r in refi_notes and refi_notes[r].text.strip()]


def _plan_codings(refi: m.RefiProject, plan: _Plan, notes: dict[str, m.Note], noted: set[str]) -> None:
    for src in refi.sources:
        doc = plan.doc_names.get(src.guid)
        if doc is None or src.offsets is None:
            continue
        offsets = src.offsets
        canon = offsets.canonical
        stats = {"source": src.name, "document": doc, "selections": len(src.selections), "matched": 0,
                 "mismatched": 0, "empty": 0, "unit": offsets.unit.label}
        whole = [m.Selection(guid=cd.guid, start=0, end=offsets.length, codings=[cd]) for cd in src.codings]
        for n, sel in enumerate([*src.selections, *whole]):
            start, ok_a = offsets.to_canonical(sel.start)
            end, ok_b = offsets.to_canonical(sel.end)
            if n < len(src.selections):
                same = ok_a and ok_b and offsets.source_text(sel.start, sel.end) == canon[start:end]
                stats["matched" if same else "mismatched"] += 1
            sel_memos = [n.text for n in _notes_text(notes, sel.note_refs)]
            noted.update(sel.note_refs)
            if sel.description and sel.description.strip() and not any(cd.note_refs for cd in sel.codings):
                sel_memos = sel_memos or [sel.description]
            if end <= start:
                stats["empty"] += 1
                plan.lose("empty selections", "a coding needs at least one character", max(1, len(sel.codings)))
                continue
            if not sel.codings:
                for text in sel_memos:
                    plan.memos.append({"target_type": "document", "target_id": doc, "text": text,
                                       "title": f"annotation [{start}:{end}]", "author": _coder(plan, sel.creating_user)})
                if sel_memos:
                    plan.lose("annotation spans", "workbench memos attach to whole documents; the span is in the title",
                              len(sel_memos))
                continue
            for cd in sel.codings:
                memo = [n.text for n in _notes_text(notes, cd.note_refs)] or sel_memos
                noted.update(cd.note_refs)
                key = (doc, start, end, plan.code_ids[cd.code], _coder(plan, cd.creating_user, sel.creating_user))
                previous = plan.codings.setdefault(key, [])
                previous.extend(t for t in memo if t not in previous)
        plan.fidelity.append(stats)


def _plan_values(project: Project, refi: m.RefiProject, plan: _Plan) -> None:
    variables = {v.guid: v for v in refi.variables}
    existing = {(a.scope, a.name): a.type for a in project.attributes().itertuples(index=False)}

    def put(scope: str, owner: str, value: m.VariableValue) -> None:
        var = variables[value.variable]
        typ = TYPES.get(var.type, "text")
        if var.type == "DateTime":
            plan.lose("date-time variables", "stored as text: workbench attributes have dates without times")
        have = existing.get((scope, var.name))
        if have is not None and have != typ:
            raise ValidationError(f"{scope} attribute {var.name!r} is {have} in the project but {var.type} in the file",
                                  where=str(refi.extra.get("where", refi.name)), fix="change the attribute's type in one of them first")
        plan.types[(scope, var.name)] = typ
        plan.guids[f"variable:{scope}:{var.name}"] = var.guid
        if value.value is None:
            return
        raw = value.value.isoformat() if hasattr(value.value, "isoformat") else value.value
        try:
            text = format_value(parse_value(str(raw) if not isinstance(raw, bool) else str(raw).lower(), typ), typ)
        except ValueError as exc:
            raise ValidationError(f"value {raw!r} of {var.name!r} for {owner!r}: {exc}", where=str(refi.extra.get("where", refi.name))) from None
        if text is not None:
            plan.sheets.setdefault(scope, {}).setdefault(owner, {})[var.name] = text

    for case in refi.cases:
        name = case.name or f"case-{case.guid[:8]}"
        plan.guids[f"case:{name}"] = case.guid
        for v in case.values:
            put("case", name, v)
        if not case.values and not case.source_refs:
            plan.lose("empty cases", "a workbench case exists through its documents or attribute values")
    for src in refi.sources:
        doc = plan.doc_names.get(src.guid)
        for v in src.values if doc else []:
            put("document", doc, v)


def _plan_memos(refi: m.RefiProject, plan: _Plan, notes: dict[str, m.Note], noted: set[str]) -> None:
    targets: dict[str, tuple[str, str | None]] = {}
    for src in refi.sources:
        if src.guid in plan.doc_names:
            targets[src.guid] = ("document", plan.doc_names[src.guid])
    for code, _ in refi.all_codes():
        targets[code.guid] = ("code", plan.code_ids[code.guid])
    for case in refi.cases:
        targets[case.guid] = ("case", case.name or f"case-{case.guid[:8]}")

    def memo(note: m.Note, target: tuple[str, str | None]) -> None:
        noted.add(note.guid)
        plan.memos.append({"target_type": target[0], "target_id": target[1], "text": note.text, "title": note.name,
                           "author": _coder(plan, note.creating_user), "guid": note.guid})

    for g in refi.note_refs:
        if g in notes:
            memo(notes[g], ("project", None))
    for src in refi.sources:
        for g in src.note_refs:
            if g in notes and src.guid in targets:
                memo(notes[g], targets[src.guid])
    for code, _ in refi.all_codes():
        for g in code.note_refs:
            if g in notes:
                memo(notes[g], targets[code.guid])
    sel_codings = {sel.guid: sel for src in refi.sources for sel in src.selections}
    sel_source = {sel.guid: src for src in refi.sources for sel in src.selections}
    for link in refi.links:
        ends = [link.origin, link.target]
        note = next((notes[g] for g in ends if g in notes), None)
        other = next((g for g in ends if g and g not in notes), None)
        if note is not None and other in targets:
            memo(note, targets[other])
        elif note is not None and other in sel_codings:
            sel = sel_codings[other]
            doc = sel_source[sel.guid]
            if doc.guid in plan.doc_names and doc.offsets is not None:
                start, _ = doc.offsets.to_canonical(sel.start)
                end, _ = doc.offsets.to_canonical(sel.end)
                for cd in sel.codings:
                    key = (plan.doc_names[doc.guid], start, end, plan.code_ids[cd.code],
                           _coder(plan, cd.creating_user, sel.creating_user))
                    if key in plan.codings and note.text not in plan.codings[key] and note.text.strip():
                        plan.codings[key].append(note.text)
                noted.add(note.guid)
        else:
            plan.lose("links", "links between codes, sources or selections have no place in the workbench")
    for what, text in (("project", refi.description),):
        if text and text.strip():
            plan.memos.append({"target_type": what, "target_id": None, "text": text, "title": "Description",
                               "author": plan.default_coder})
    for src in refi.sources:
        if src.description and src.description.strip() and src.guid in plan.doc_names:
            plan.memos.append({"target_type": "document", "target_id": plan.doc_names[src.guid],
                               "text": src.description, "title": "Description", "author": plan.default_coder})
    for case in refi.cases:
        if case.description and case.description.strip():
            plan.memos.append({"target_type": "case", "target_id": targets[case.guid][1], "text": case.description,
                               "title": "Description", "author": plan.default_coder})
    for note in refi.notes:
        if note.guid not in noted and note.text.strip():
            memo(note, ("project", None))
    empty = [n for n in refi.notes if not n.text.strip()]
    if empty:
        plan.lose("empty notes", "a memo needs text", len(empty))
    if refi.graphs:
        plan.lose("graphs", "the workbench draws its own networks", refi.graphs)


def plan_import(project: Project, refi: m.RefiProject, actor: str) -> _Plan:
    """Everything the import will write, checked; raises before anything is stored."""
    plan = _Plan(default_coder=actor)
    _plan_users(refi, plan, actor)
    used = {cd.code for src in refi.sources for sel in src.selections for cd in sel.codings}
    used |= {cd.code for src in refi.sources for cd in src.codings}
    _plan_codebook(project, refi, plan, used)
    if refi.codebook_only:
        return plan
    notes = {n.guid: n for n in refi.notes}
    noted: set[str] = set()
    _plan_sources(project, refi, plan)
    _plan_codings(refi, plan, notes, noted)
    _plan_values(project, refi, plan)
    _plan_memos(refi, plan, notes, noted)
    for coder in {k[4] for k in plan.codings} | {mm["author"] for mm in plan.memos}:
        Project._check_actor(coder)
    return plan


def _write_sheet(project: Project, scope: str, rows: dict[str, dict[str, str]], types: dict[tuple[str, str], str],
                 actor: str) -> int:
    columns = sorted({a for values in rows.values() for a in values})
    if not columns:
        return 0
    with tempfile.TemporaryDirectory(prefix="wb-refi-") as tmp:
        sheet = Path(tmp) / f"{scope}.csv"
        with sheet.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
            w.writerow([scope] + [f"{c}:{types[(scope, c)]}" for c in columns])
            for owner in sorted(rows):
                w.writerow([owner] + [rows[owner].get(c, "") for c in columns])
        return import_sheet(project, sheet, actor=actor, create_cases=scope == "case")


def import_refi(project: Project, path: str | Path, *, actor: str = "importer", limits: Limits | None = None,
                allow_external: bool = False) -> ImportReport:
    """Import a .qdpx project or a .qdc codebook; returns what came in, how faithfully, and what did not.

    `limits` bounds what a file may hold (reader.Limits); `allow_external` lets sources outside the
    .qdpx (relative:// or absolute:// paths) be read from disk.
    """
    path = Path(path)
    refi = read_refi(path, limits or Limits(), allow_external=allow_external)
    Project._check_actor(actor)
    plan = plan_import(project, refi, actor)
    report = ImportReport(path, refi.origin, unit_for(refi.origin).label, warnings=list(refi.warnings))
    docs_new = 0
    if plan.docs:
        with DocumentWriter(project, actor, action="refi.import") as writer:
            for doc in plan.docs:
                status, message = writer.add_file([doc], path)[0]
                if status == "failed":
                    raise writer.last_error or SourceError(message, where=str(path))
                docs_new += status == "imported"
    assert plan.book is not None
    if plan.book.codes:
        Codebook(project, actor).apply_spec(plan.book)
    for scope in ("case", "document"):
        _write_sheet(project, scope, plan.sheets.get(scope, {}), plan.types, actor)
    rows = [{"document": d, "start": s, "end": e, "code": c, "coder": who, "memo": "\n\n".join(memos) or None}
            for (d, s, e, c, who), memos in sorted(plan.codings.items())]
    added = add_codings(project, rows, coder=actor, actor=actor, action="refi.import",
                        summary=f"REFI-QDA import of {len(rows)} codings from {path.name}") if rows else 0
    present = {(r.target_type, r.target_id if isinstance(r.target_id, str) else None, r.author, r.text)
               for r in project.memos().itertuples(index=False)}
    memos_added = 0
    for memo in plan.memos:
        key = (memo["target_type"], memo["target_id"], memo["author"], memo["text"])
        if key in present:  # imported before: the same memo again is not a new one
            continue
        present.add(key)
        memos_added += 1
        memo_id = add_memo(project, memo["author"], memo["text"], memo["target_type"], memo["target_id"],
                           title=memo["title"])
        if memo.get("guid"):
            plan.guids[f"memo:{memo_id}"] = memo["guid"]
    remember(project, actor, plan.guids)
    report.counts = {"documents": docs_new, "documents already present": len(plan.doc_names) - docs_new,
                     "codes": len(plan.book.codes), "research questions": len(plan.book.research_questions),
                     "codings": added, "codings in file": sum(len(sel.codings) for s in refi.sources
                                                              for sel in s.selections) + sum(len(s.codings) for s in refi.sources),
                     "memos": memos_added,
                     "attribute values": sum(len(v) for sc in plan.sheets.values() for v in sc.values())}
    report.sources = pd.DataFrame(plan.fidelity, columns=["source", "document", "selections", "matched",
                                                          "mismatched", "empty", "unit"])
    report.losses = [Loss(what, n, why) for what, (n, why) in plan.losses.items()]
    return report
