"""The real NVivo 12.6 export in ../shared: 60 codes and 97 codings on the right text (UTF-16 offsets)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

import workbench as wb
from workbench.codebook.tree import Codebook
from workbench.store.project import Project

REPO = Path(__file__).resolve().parent.parent
NVIVO = REPO.parent / "shared" / "standards" / "refi-qda" / "examples" / "nvivo-win-12.6_oltas.qdpx"
pytestmark = pytest.mark.skipif(not NVIVO.exists(), reason="../shared/standards/refi-qda is not here")


@pytest.fixture(scope="module")
def nvivo(tmp_path_factory) -> tuple[Project, object]:
    p = Project.init(tmp_path_factory.mktemp("nvivo") / "p", name="nvivo")
    report = wb.import_refi(p, NVIVO)
    yield p, report
    p.close()


def test_codes_and_codings_arrive(nvivo):
    p, report = nvivo
    assert len(p.codes()) == 60 and len(p.codings()) == 97
    assert report.counts["codings"] == 97 and report.counts["codings in file"] == 97
    frame = Codebook(p).frame()
    assert frame["depth"].max() == 2  # three levels
    with zipfile.ZipFile(NVIVO) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    described = len(re.findall(r"<Description>\s*\S", qde.split("</CodeBook>")[0]))
    assert described and frame["definition"].astype(bool).sum() == described  # descriptions became definitions
    assert set(p.codings()["coder"]) <= {"Gergo", "floriansipos"}


def test_every_range_lands_on_line_boundaries(nvivo):
    """Read as UTF-16 units, NVivo's 20 distinct ranges start at a line start and end at a line end."""
    p, _ = nvivo
    codings = p.codings()
    text = p.text(codings["document"].iloc[0])
    spans = set(zip(codings["start"], codings["end"], strict=True))
    assert len(spans) == 20
    for start, end in spans:
        assert start == 0 or text[start - 1] == "\n", start
        assert end == len(text) or text[end] == "\n" or text[end - 1] == "\n", end
    assert all(text[r.start:r.end] == r.quote for r in codings.itertuples())


def test_the_text_is_checked_against_the_source(nvivo):
    """Independently of the mapper: the UTF-16 slice of the BOM-less CRLF text is the stored quote."""
    p, report = nvivo
    with zipfile.ZipFile(NVIVO) as zf:
        qde = zf.read("project.qde").decode("utf-8")
        raw = zf.read(next(n for n in zf.namelist() if n.endswith(".txt"))).decode("utf-8-sig")
    units = raw.encode("utf-16-le")
    quotes = set(p.codings()["quote"])
    for a, b in set(re.findall(r'startPosition="(\d+)" endPosition="(\d+)"', qde)):
        piece = units[int(a) * 2:int(b) * 2].decode("utf-16-le").replace("\r\n", "\n").replace("\r", "")
        assert piece in quotes
    assert report.matched == 97 and report.mismatched == 0
    assert "UTF-16" in report.unit and "NVivo" in repr(report)
    assert [loss.what for loss in report.losses] == ["rich-text originals (.docx)"]


def test_nvivo_project_exports_back_with_its_guids(nvivo, tmp_path):
    p, _ = nvivo
    out = tmp_path / "back.qdpx"
    report = wb.export_refi(p, out)
    assert any("U+FFFF" in w for w in report.warnings)  # emoji: NVivo would count them twice
    with zipfile.ZipFile(NVIVO) as zf:
        original = set(re.findall(r'<Code guid="([^"]+)"', zf.read("project.qde").decode("utf-8")))
        source = re.search(r'<TextSource guid="([^"]+)"', zf.read("project.qde").decode("utf-8")).group(1)
    with zipfile.ZipFile(out) as zf:
        qde = zf.read("project.qde").decode("utf-8")
    assert set(re.findall(r'<Code guid="([^"]+)"', qde)) == original
    assert f'<TextSource guid="{source}"' in qde
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(NVIVO.parent.parent / "Project-mrt2019.xsd"))
    assert list(schema.iter_errors(io.BytesIO(qde.encode("utf-8")))) == []
