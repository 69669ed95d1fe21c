"""Project -> neutral model -> .qdpx / .qdc, with a report of what the format cannot carry.

Mapping: coders who coded or wrote memos -> Users; the codebook -> nested Codes (folders
`isCodable="false"`, our extra fields in the Description, see codes.py); research questions -> code
Sets named `<id>: <label>`; document kinds -> source Sets named `kind: <kind>`; attributes ->
Variables with values on Cases (case scope) and TextSources (document scope); documents -> TextSources
with `sources/<guid>.txt` (the canonical text: UTF-8, LF, so our code-point offsets are exact); codings
-> one PlainTextSelection per distinct span holding one Coding per code and coder; memos -> Notes,
referenced from the project, source, code or coding (case memos through a Link, as cases take no
NoteRef).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ... import __version__
from ...codebook.tree import Codebook
from ...errors import ValidationError
from ...store.project import Project
from ...store.refi import attribute_values, export_codings, export_texts, row_counts
from ...store.values import parse_value
from . import model as m
from .codes import describe
from .guids import Guids, derived_key
from .report import ExportReport, Loss
from .writer import write_qdc, write_qdpx

ORIGIN = f"workbench {__version__}"
VARIABLE_TYPES = {"text": "Text", "integer": "Integer", "float": "Float", "boolean": "Boolean", "date": "Date"}
KIND_SET = "kind: "
# tables other features add whose contents the format has no place for: (what, reason)
_UNCARRIED = {
    "links": ("typed links between codes", "REFI-QDA links have no type; draw them again in the other tool"),
    "suggestions": ("suggested codings", "suggestions are not codings; accept or reject them before exporting"),
    "assignments": ("coder assignments", "the format has no assignments (who is to code which document)"),
    "runs": ("derived results (runs)", "agreement, matrices and topic runs are recomputable, not exchanged"),
    "framework_cells": ("framework matrix summaries", "the format has no case-by-theme summaries"),
    "pseudonyms": ("the pseudonym key", "never exported"),
}


def build(project: Project, *, codebook_only: bool = False) -> tuple[m.RefiProject, dict[str, str], ExportReport]:
    """The model of `project`, the source files by name, and the report (path left empty)."""
    ids = Guids(project)
    report = ExportReport(Path(), "codebook" if codebook_only else "project")
    book = Codebook(project).spec()
    refi = m.RefiProject(name=project.name, origin=ORIGIN, codebook_only=codebook_only)
    memos = project.memos()
    memos_by: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for row in memos.itertuples(index=False):
        memos_by[(row.target_type, row.target_id)].append(ids.of("memo", row.id))
    # codes, nested in tree order
    nodes: dict[str, m.Code] = {}
    for c in book.codes:
        node = m.Code(guid=ids.of("code", c.id), name=c.label, codable=c.codable, color=c.colour,
                      description=describe(c), note_refs=[] if codebook_only else memos_by.get(("code", c.id), []))
        nodes[c.id] = node
        (nodes[c.parent].children if c.parent else refi.codes).append(node)
    for rq in book.research_questions:
        refi.sets.append(m.Set(guid=ids.of("rq", rq["id"]), name=f"{rq['id']}: {rq['label']}",
                               description=rq.get("gloss") or None,
                               codes=[nodes[c.id].guid for c in book.codes if rq["id"] in c.rq]))
    report.counts = {"codes": len(nodes), "research questions": len(book.research_questions)}
    if codebook_only:
        report.losses.append(Loss("the codebook's name", 1, "a .qdc has no place for it"))
        return refi, {}, report
    files = _project_part(project, refi, ids, memos, memos_by, report)
    return refi, files, report


def _project_part(project: Project, refi: m.RefiProject, ids: Guids, memos, memos_by,
                  report: ExportReport) -> dict[str, str]:
    """Users, variables, sources with selections, cases, notes and sets; returns the source files."""
    docs = project.documents()
    with project.read() as conn:
        texts = export_texts(conn)
        values = attribute_values(conn)
        rows = export_codings(conn)
        extra = row_counts(conn, list(_UNCARRIED))
    doc_guid = {r.name: ids.of("document", r.content_hash) for r in docs.itertuples(index=False)}
    if len(docs):
        refi.created = min(docs["imported"]).to_pydatetime()
    # users: everyone who coded or wrote a memo
    coders = project.coders().set_index("id")["name"].to_dict()
    used = sorted({r[4] for r in rows} | set(memos["author"]))
    user_guid = {u: ids.of("user", u) for u in used}
    refi.users = [m.User(guid=user_guid[u], name=coders.get(u) or u, id=u) for u in used]
    # variables and their values
    attrs = project.attributes()
    var_guid: dict[tuple[str, str], str] = {}
    for a in attrs.sort_values(["scope", "name"]).itertuples(index=False):
        g = var_guid[(a.scope, a.name)] = ids.of("variable", f"{a.scope}:{a.name}")
        refi.variables.append(m.Variable(guid=g, name=a.name, type=VARIABLE_TYPES[a.type],
                                         description=f"{a.scope} attribute"))
    case_values: dict[str, list[m.VariableValue]] = defaultdict(list)
    doc_values: dict[str, list[m.VariableValue]] = defaultdict(list)
    for scope, owner, name, typ, text in values:
        value = parse_value(text, typ)
        if value is None:
            continue
        (case_values if scope == "case" else doc_values)[owner].append(m.VariableValue(var_guid[(scope, name)], value))
    # sources, with their selections
    sources: dict[str, m.Source] = {}
    files: dict[str, str] = {}
    for r in docs.itertuples(index=False):
        g = doc_guid[r.name]
        files[f"{g}.txt"] = texts[r.name][0]
        sources[r.name] = m.Source(guid=g, name=r.name, plain_text_path=f"internal://{g}.txt",
                                   note_refs=memos_by.get(("document", r.name), []), values=doc_values.get(r.name, []),
                                   created=r.imported.to_pydatetime())
    code_guid = {cid: ids.of("code", cid) for cid in {r[3] for r in rows}}
    spans = 0
    # rows come sorted by (document, start, end, code, coder): one selection per run of equal spans
    sel: m.Selection | None = None
    key: tuple | None = None
    sel_guid = ""
    memo_texts: set[str] = set()
    for doc, start, end, code, coder, memo, created in rows:
        if (doc, start, end) != key:
            if sel is not None and len(memo_texts) == 1:  # MAXQDA and ATLAS.ti read a segment memo here
                sel.description = next(iter(memo_texts))
            key, memo_texts = (doc, start, end), set()
            src = sources[doc]
            sel_guid = derived_key(f"{src.guid}/{start}/{end}")
            sel = m.Selection(sel_guid, start, end, creating_user=user_guid[coder], created=created, codings=[])
            src.selections.append(sel)
            spans += 1
        elif created < sel.created:  # type: ignore[union-attr, operator]
            sel.created = created  # type: ignore[union-attr]
        cg, ug = code_guid[code], user_guid[coder]
        cd = m.Coding(derived_key(f"{sel_guid}/{cg}/{ug}"), cg, ug, created, [])
        if memo:
            note = m.Note(guid=Guids.derived(cd.guid, "memo"), text=memo, creating_user=ug, created=created)
            refi.notes.append(note)
            cd.note_refs.append(note.guid)
            memo_texts.add(memo)
        sel.codings.append(cd)  # type: ignore[union-attr]
    if sel is not None and len(memo_texts) == 1:
        sel.description = next(iter(memo_texts))
    refi.sources = list(sources.values())
    # cases
    by_case: dict[str, list[str]] = defaultdict(list)
    for r in docs.itertuples(index=False):
        if isinstance(r.case, str):
            by_case[r.case].append(doc_guid[r.name])
    case_guid = {}
    for name in project.cases()["name"]:
        case_guid[name] = ids.of("case", name)
        refi.cases.append(m.Case(guid=case_guid[name], name=name, values=case_values.get(name, []),
                                 source_refs=by_case.get(name, [])))
    # memos
    for row in memos.itertuples(index=False):
        title = row.title if isinstance(row.title, str) and row.title else None  # pandas gives NaN for none
        note = m.Note(guid=ids.of("memo", row.id), name=title, text=row.text,
                      creating_user=user_guid[row.author], created=row.created.to_pydatetime())
        refi.notes.append(note)
        if row.target_type == "project":
            refi.note_refs.append(note.guid)
        elif row.target_type == "case" and row.target_id in case_guid:
            refi.links.append(m.Link(guid=Guids.derived(note.guid, "link"), origin=note.guid,
                                     target=case_guid[row.target_id], name="memo", direction="OneWay"))
    # kinds as source sets
    for kind in sorted(set(docs["kind"])):
        refi.sets.append(m.Set(guid=ids.of("kind", kind), name=KIND_SET + kind,
                               description=f"documents of kind {kind} in the workbench",
                               sources=[doc_guid[n] for n in docs.loc[docs["kind"] == kind, "name"]]))
    _losses(project, docs, texts, extra, report)
    report.counts.update({"users": len(refi.users), "documents": len(refi.sources), "selections": spans,
                          "codings": len(rows), "memos": len(memos), "cases": len(refi.cases),
                          "variables": len(refi.variables), "values": len(values)})
    return files


def _losses(project: Project, docs, texts, extra: dict[str, int], report: ExportReport) -> None:
    with_turns = [n for _, n in texts.values() if n]
    if with_turns:
        report.losses.append(Loss("speaker turns", sum(with_turns),
                                  f"the format has no turn structure ({len(with_turns)} documents); the text keeps "
                                  "the speaker labels and timestamps, and the workbench recomputes turns on import"))
    with_meta = int(sum(1 for meta in docs["meta"] if meta))
    if with_meta:
        report.losses.append(Loss("document metadata (front matter, source format, encoding)", with_meta,
                                  "a REFI text source has a name and its text only"))
    for table, n in extra.items():
        if n:
            what, why = _UNCARRIED[table]
            report.losses.append(Loss(what, n, why))
    report.losses.append(Loss("the event history (undo)", 1, "the format carries the current state only"))
    report.losses.append(Loss("the codebook's name", 1, "a REFI project has one name, the project's"))
    astral = [name for name, (text, _) in texts.items() if text and max(text) > "\uffff"]  # max(): C speed
    if astral:
        report.warnings.append(
            f"{len(astral)} documents hold characters above U+FFFF (emoji), e.g. {astral[0]!r}: positions are code "
            "points as the standard says, but NVivo counts UTF-16 units and will shift selections after them")


def export_refi(project: Project, path: str | Path) -> ExportReport:
    """Write `project` as a .qdpx (everything) or a .qdc (the codebook), chosen by the suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".qdpx", ".qdc"):
        raise ValidationError(f"unknown REFI-QDA file type {path.suffix or '(none)'}", where=str(path),
                              fix="name the file .qdpx (project) or .qdc (codebook)")
    refi, files, report = build(project, codebook_only=suffix == ".qdc")
    report.path = path
    if suffix == ".qdc":
        if not refi.codes:
            raise ValidationError("the codebook is empty; a .qdc needs at least one code", where=str(path))
        write_qdc(path, refi)
    else:
        write_qdpx(path, refi, files)
    return report
