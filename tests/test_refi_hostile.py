"""Hostile and broken REFI-QDA files: each gets a clear SourceError and leaves the project as it was."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import workbench as wb
from workbench.coding.bulk import add_codings
from workbench.errors import SourceError
from workbench.interop.refi.reader import Limits
from workbench.store.project import Project


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    """A small valid .qdpx: two interviews, six codes, three codings."""
    from tests.conftest import CODEBOOK, INTERVIEW, SECOND
    from workbench.codebook.io import parse
    from workbench.codebook.tree import Codebook
    from workbench.corpus.batch import import_paths

    base = tmp_path_factory.mktemp("hostile")
    (base / "src").mkdir()
    (base / "src" / "T01.txt").write_text(INTERVIEW, encoding="utf-8")
    (base / "src" / "T02.txt").write_text(SECOND, encoding="utf-8")
    p = Project.init(base / "proj", name="small")
    import_paths(p, [base / "src"], progress=False)
    Codebook(p, "setup").apply_spec(parse(CODEBOOK))
    text = p.text("T01")
    at = text.index("bedrijfsbezoek")
    add_codings(p, [{"document": "T01", "start": at, "end": at + 14, "code": "visit"},
                    {"document": "T01", "start": at, "end": at + 14, "code": "guest", "memo": "maybe"},
                    {"document": "T02", "start": 0, "end": 10, "code": "teacher"}], coder="anna", actor="anna")
    out = base / "good.qdpx"
    wb.export_refi(p, out)
    p.close()
    return out


@pytest.fixture
def target(tmp_path) -> Project:
    p = Project.init(tmp_path / "target", name="target")
    yield p
    p.close()


def _state(p: Project) -> tuple[int, ...]:
    return (len(p.documents()), len(p.codes()), len(p.codings()), len(p.memos()), len(p.events()), len(p.cases()))


def _rewrite(good: Path, out: Path, edit_qde=None, drop: str | None = None, add: dict[str, bytes] | None = None,
             compress: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w", compress) as dst:
        for info in src.infolist():
            data = src.read(info)
            if drop and info.filename.startswith(drop):
                continue
            if info.filename == "project.qde" and edit_qde:
                data = edit_qde(data.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, data)
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out


def _refused(target: Project, path: Path, match: str, **kw) -> SourceError:
    before = _state(target)
    with pytest.raises(SourceError, match=match) as err:
        wb.import_refi(target, path, **kw)
    assert _state(target) == before
    assert err.value.where  # every refusal names where
    return err.value


def test_the_untouched_file_imports(good, target):
    report = wb.import_refi(target, good)
    assert report.counts["documents"] == 2 and report.counts["codings"] == 3 and report.mismatched == 0
    assert "maybe" in set(target.codings()["memo"].dropna())


def test_zip_slip(good, target, tmp_path):
    path = _rewrite(good, tmp_path / "slip.qdpx", add={"sources/../../evil.txt": b"x"})
    _refused(target, path, "zip slip")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_absolute_path(good, target, tmp_path):
    _refused(target, _rewrite(good, tmp_path / "abs.qdpx", add={"/tmp/evil.txt": b"x"}), "absolute path")


def test_symbolic_link(good, target, tmp_path):
    path = _rewrite(good, tmp_path / "link.qdpx")
    with zipfile.ZipFile(path, "a") as zf:
        info = zipfile.ZipInfo("sources/link.txt")
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "/etc/passwd")
    _refused(target, path, "symbolic link")


XXE = '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
          + "]>\n")


@pytest.mark.parametrize("prolog", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_entities_are_refused(good, target, tmp_path, prolog):
    def edit(qde: str) -> str:
        body = qde.split("\n", 1)[1]
        return prolog + body.replace('name="small"', 'name="&xxe;"' if "xxe" in prolog else 'name="&lol9;"', 1)

    _refused(target, _rewrite(good, tmp_path / "ent.qdpx", edit), "DOCTYPE")


def test_entities_in_a_codebook_file(target, tmp_path):
    path = tmp_path / "book.qdc"
    path.write_text(XXE.replace("Project", "CodeBook") + '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                    '<Code guid="8baf0c83-56c4-4dc8-9e5b-cf6d6073bdb5" name="&xxe;" isCodable="true"/></Codes>'
                    "</CodeBook>", encoding="utf-8")
    _refused(target, path, "DOCTYPE")


def test_zip_bomb_ratio(good, target, tmp_path):
    path = _rewrite(good, tmp_path / "bomb.qdpx", add={"sources/zeros.txt": b"\0" * (8 * 1024 * 1024)})
    _refused(target, path, "zip bomb")


def test_zip_bomb_total_size(good, target, tmp_path):
    _refused(target, good, "expands to over", limits=Limits(max_total_bytes=1024))


def test_qde_over_the_size_limit(good, target):
    _refused(target, good, "over the limit", limits=Limits(max_qde_bytes=1000))


def test_missing_source_file(good, target, tmp_path):
    _refused(target, _rewrite(good, tmp_path / "missing.qdpx", drop="sources/"), "missing from the archive")


def test_invalid_guid(good, target, tmp_path):
    def edit(qde: str) -> str:
        first = re.search(r'<Code guid="([^"]+)"', qde).group(1)
        return qde.replace(first, "code-001-aaaa")

    _refused(target, _rewrite(good, tmp_path / "badguid.qdpx", edit), "invalid GUID")


def test_duplicate_guid(good, target, tmp_path):
    def edit(qde: str) -> str:
        guids = re.findall(r'<Code guid="([^"]+)"', qde)
        return qde.replace(f'<Code guid="{guids[1]}"', f'<Code guid="{guids[0].upper()}"')

    err = _refused(target, _rewrite(good, tmp_path / "dup.qdpx", edit), "duplicate GUID")
    assert "first at line" in str(err)


def test_offsets_out_of_range(good, target, tmp_path):
    def edit(qde: str) -> str:
        return re.sub(r'endPosition="\d+"', 'endPosition="999999"', qde, count=1)

    _refused(target, _rewrite(good, tmp_path / "range.qdpx", edit), "outside source")


def test_unknown_code_reference(good, target, tmp_path):
    def edit(qde: str) -> str:
        return re.sub(r'<CodeRef targetGUID="[^"]+"', '<CodeRef targetGUID="00000000-0000-0000-0000-000000000001"',
                      qde, count=1)

    _refused(target, _rewrite(good, tmp_path / "ref.qdpx", edit), "unknown code")


def test_not_a_zip_and_not_xml(target, tmp_path):
    bad = tmp_path / "broken.qdpx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    _refused(target, bad, "not a readable")
    xml = tmp_path / "broken.qdc"
    xml.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>', encoding="utf-8")
    _refused(target, xml, "not well-formed")
    xml.write_text("<CodeBook><Codes/></CodeBook>", encoding="utf-8")
    _refused(target, xml, "not a REFI-QDA file")


def test_external_sources_are_not_read_by_default(good, target, tmp_path):
    def edit(qde: str) -> str:
        return re.sub(r'plainTextPath="internal://[^"]+"', 'plainTextPath="absolute:///etc/hostname"', qde, count=1)

    _refused(target, _rewrite(good, tmp_path / "external.qdpx", edit), "outside the file")
