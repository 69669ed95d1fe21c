"""REFI-QDA export and round trip on the demo: schema-valid, rules the schema cannot check, nothing lost
that the format can carry, GUIDs stable across exports and projects."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

import workbench as wb
from workbench.cli import main
from workbench.codebook.tree import Codebook
from workbench.coding.memos import add_memo
from workbench.errors import ValidationError
from workbench.interop.refi.reader import read_refi
from workbench.store.project import Project

REPO = Path(__file__).resolve().parent.parent
STANDARD = REPO.parent / "shared" / "standards" / "refi-qda"
NS = {"q": "urn:QDA-XML:project:1.0"}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _schema(name: str):
    xmlschema = pytest.importorskip("xmlschema")
    path = STANDARD / name
    if not path.exists():
        pytest.skip("../shared/standards/refi-qda is not here")
    return xmlschema.XMLSchema(str(path))


@pytest.fixture(scope="module")
def demo_copy(demo_project, tmp_path_factory) -> Project:
    """The demo with memos on every kind of target (the demo itself has coding memos only)."""
    root = tmp_path_factory.mktemp("refi") / "demo"
    demo_project.engine.dispose()
    shutil.copytree(demo_project.root, root)
    p = Project.open(root)
    add_memo(p, "coder-a", "Overall: schools mix activities.\nSecond line & <markup>.", "project", title="Overview")
    add_memo(p, "coder-b", "Long interview, rich on visits.", "document", "S01")
    add_memo(p, "coder-a", "Expert with a tech background.", "case", "E01", title="Case note")
    add_memo(p, "coder-a", "Watch the boundary with lo-broaden.", "code", "concept")
    yield p
    p.close()


@pytest.fixture(scope="module")
def exported(demo_copy, tmp_path_factory) -> tuple[Path, wb.WorkbenchError | object]:
    out = tmp_path_factory.mktemp("refi-out") / "demo.qdpx"
    report = wb.export_refi(demo_copy, out)
    return out, report


@pytest.fixture(scope="module")
def reimported(exported, tmp_path_factory) -> tuple[Project, object]:
    p = Project.init(tmp_path_factory.mktemp("refi-in") / "again", name="again")
    report = wb.import_refi(p, exported[0])
    yield p, report
    p.close()


def _qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("project.qde")


def test_export_is_schema_valid(exported):
    schema = _schema("Project-mrt2019.xsd")
    errors = list(schema.iter_errors(io.BytesIO(_qde(exported[0]))))
    assert errors == [], [(e.path, e.reason) for e in errors[:5]]


def test_export_keeps_the_rules_the_schema_cannot_check(exported, demo_copy):
    path = exported[0]
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        root = etree.fromstring(zf.read("project.qde"))
        files = {n: zf.read(n) for n in names if n.startswith("sources/")}
    assert names[0] == "project.qde" and all(n == "project.qde" or n.startswith("sources/") for n in names)
    guids = [el.get("guid") for el in root.iter() if el.get("guid")]
    assert all(GUID.match(g) for g in guids) and len(guids) == len(set(guids))
    kinds = {}
    for el in root.iter():
        if el.get("guid"):
            kinds[el.get("guid")] = etree.QName(el).localname
    expected = {"CodeRef": {"Code"}, "MemberCode": {"Code"}, "MemberSource": {"TextSource"}, "NoteRef": {"Note"},
                "SourceRef": {"TextSource"}, "VariableRef": {"Variable"}}
    for el in root.iter():
        tag = etree.QName(el).localname
        if tag in expected:
            assert kinds.get(el.get("targetGUID")) in expected[tag], (tag, el.get("targetGUID"))
        for attr in ("creatingUser",):
            if el.get(attr) is not None:
                assert kinds.get(el.get(attr)) == "User"
    texts = {}
    for src in root.iterfind(".//q:TextSource", NS):
        inner = src.get("plainTextPath")
        assert inner.startswith("internal://") and src.find("q:PlainTextContent", NS) is None
        data = files[f"sources/{inner[len('internal://'):]}"]
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        texts[src.get("guid")] = text = data.decode("utf-8")
        for sel in src.iterfind("q:PlainTextSelection", NS):
            assert 0 <= int(sel.get("startPosition")) < int(sel.get("endPosition")) <= len(text)
    assert len(texts) == len(demo_copy.documents())
    # quotes: every selection's text is the stored quote of its codings
    quotes = {(r.document, r.start, r.end): r.quote for r in demo_copy.codings().itertuples()}
    names_by_guid = {s.get("guid"): s.get("name") for s in root.iterfind(".//q:TextSource", NS)}
    for src in root.iterfind(".//q:TextSource", NS):
        for sel in src.iterfind("q:PlainTextSelection", NS):
            a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert texts[src.get("guid")][a:b] == quotes[(names_by_guid[src.get("guid")], a, b)]


def test_export_reports_what_the_format_cannot_carry(exported, demo_copy):
    report = exported[1]
    whats = {loss.what for loss in report.losses}
    assert "speaker turns" in whats and "the event history (undo)" in whats
    turns = next(loss for loss in report.losses if loss.what == "speaker turns")
    assert turns.count == len(demo_copy.turns())
    assert report.counts["codings"] == len(demo_copy.codings())
    assert "not carried" in repr(report) and str(exported[0]) in repr(report)


def test_round_trip_loses_nothing_the_format_carries(demo_copy, reimported):
    again, report = reimported
    cols = ["document", "start", "end", "code", "coder", "memo", "quote", "case"]
    assert again.codings()[cols].reset_index(drop=True).equals(demo_copy.codings()[cols].reset_index(drop=True))
    a, b = Codebook(demo_copy).spec(), Codebook(again).spec()
    assert a.codes == b.codes and a.research_questions == b.research_questions
    assert again.case_attributes().equals(demo_copy.case_attributes())
    assert again.document_attributes().equals(demo_copy.document_attributes())
    attrs = ["name", "scope", "type"]
    assert (again.attributes()[attrs].reset_index(drop=True)
            .equals(demo_copy.attributes()[attrs].reset_index(drop=True)))
    docs = ["name", "kind", "length", "case", "content_hash"]
    assert again.documents()[docs].equals(demo_copy.documents()[docs])
    assert list(again.cases()["name"]) == list(demo_copy.cases()["name"])
    memo_cols = ["target_type", "target_id", "author", "title", "text"]
    def memos(p: Project):
        return p.memos()[memo_cols].sort_values(memo_cols).reset_index(drop=True)

    assert len(memos(demo_copy)) == 4 and memos(again).equals(memos(demo_copy)) and report.counts["memos"] == 4
    coders = set(demo_copy.codings()["coder"]) | set(demo_copy.memos()["author"])
    assert coders <= set(again.coders()["id"])
    # turns are recomputed from the speaker labels the text keeps
    assert again.turns().equals(demo_copy.turns())
    assert report.mismatched == 0 and report.matched == sum(report.sources["selections"]) > 1000


def test_guids_are_stable_across_exports_and_projects(demo_copy, exported, reimported, tmp_path):
    again = tmp_path / "again.qdpx"
    wb.export_refi(demo_copy, again)
    assert again.read_bytes() == exported[0].read_bytes()  # same project, same bytes
    third = tmp_path / "third.qdpx"
    wb.export_refi(reimported[0], third)

    def ids(path: Path) -> dict[str, set[str]]:
        root = etree.fromstring(_qde(path))
        return {tag: {el.get("guid") for el in root.iterfind(f".//q:{tag}", NS)}
                for tag in ("User", "Code", "TextSource", "PlainTextSelection", "Coding", "Case", "Variable", "Set",
                            "Note")}

    first, last = ids(exported[0]), ids(third)
    for tag in first:
        assert first[tag] and first[tag] == last[tag], tag


def test_codebook_qdc_round_trip(demo_copy, tmp_path):
    out = tmp_path / "book.qdc"
    report = wb.export_refi(demo_copy, out)
    schema = _schema("Codebook-mrt2019.xsd")
    assert list(schema.iter_errors(str(out))) == []
    assert report.counts["codes"] == len(demo_copy.codes())
    fresh = Project.init(tmp_path / "fresh", name="fresh")
    imported = wb.import_refi(fresh, out)
    assert imported.counts["codes"] == len(demo_copy.codes())
    assert Codebook(fresh).spec().codes == Codebook(demo_copy).spec().codes
    assert fresh.documents().empty and fresh.codings().empty
    fresh.close()


def test_reimport_into_the_same_project_adds_nothing(demo_copy, exported):
    before, memos = len(demo_copy.codings()), len(demo_copy.memos())
    report = wb.import_refi(demo_copy, exported[0])
    assert report.counts["documents"] == 0 and report.counts["documents already present"] == len(demo_copy.documents())
    assert report.counts["codings"] == 0 and len(demo_copy.codings()) == before
    assert len(demo_copy.memos()) == memos and report.counts["memos"] == 0


def test_export_refuses_an_unknown_suffix(demo_copy, tmp_path):
    with pytest.raises(ValidationError, match=r"\.qdpx"):
        wb.export_refi(demo_copy, tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_read_model_of_an_export(exported, demo_copy):
    refi = read_refi(exported[0])
    assert refi.origin.startswith("workbench") and len(refi.all_codes()) == len(demo_copy.codes())
    assert {u.id for u in refi.users} == set(demo_copy.codings()["coder"]) | set(demo_copy.memos()["author"])


def test_cli_export_and_import(demo_copy, tmp_path, capsys):
    out = tmp_path / "cli.qdpx"
    assert main(["export-refi", "-p", str(demo_copy.root), str(out)]) == 0
    assert "REFI-QDA export" in capsys.readouterr().out and out.exists()
    Project.init(tmp_path / "cli-project", name="cli").close()
    assert main(["import-refi", "-p", str(tmp_path / "cli-project"), str(out)]) == 0
    printed = capsys.readouterr().out
    assert "0 did not" in printed and "codings:" in printed
    assert main(["import-refi", "-p", str(tmp_path / "cli-project"), str(tmp_path / "missing.qdpx")]) == 3
    assert "no such file" in capsys.readouterr().err
