"""Tolerated variations of real tools' files (NOTES.md §3) and the offset units they count in."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import workbench as wb
from workbench.codebook.io import CodeSpec
from workbench.corpus.text import canonicalize
from workbench.interop.refi.codes import describe, parse_description, slug
from workbench.interop.refi.offsets import CODE_POINTS, CRLF_ONE, NVIVO, OffsetMap, comparable, unit_for
from workbench.store.project import Project

G = {k: f"{{{n:08X}-AAAA-4BBB-8CCC-{n:012X}}}" for n, k in enumerate(
    ["user", "code", "child", "folder", "source", "sel1", "cd1", "sel2", "cd2", "sel3", "cd3", "note", "link",
     "case", "var", "sel4", "cd4"], start=1)}
# ATLAS.ti writes CRLF and counts it as one position; the BOM is not counted
TEXT = "Intro line\r\nR: We visit a factory every year.\r\nI: Why?\r\nR: Pupils love it \u00e9 really.\r\n"


def _lf_pos(needle: str) -> int:
    return canonicalize(TEXT).index(needle)


def _qde() -> str:
    a = _lf_pos("We visit")
    b = a + len("We visit a factory")
    c = _lf_pos("Pupils")
    d = c + len("Pupils love it")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1:0" name="variants" origin="ATLAS.ti 23" creatingUserGUID="{G['user']}">
 <Users><User guid="{G['user']}" name="Mia Jansen"/></Users>
 <CodeBook><Codes>
  <Code guid="{G['folder']}" name="Offer" isCodable="false" color="#abc">
   <Code guid="{G['code']}" name="Company visit" isCodable="true" color="rgb(1,2,3)"><Description>Visits.</Description></Code>
   <Code guid="{G['child']}" name="Enthusiasm" isCodable="true"/>
  </Code>
 </Codes></CodeBook>
 <Variables><Variable guid="{G['var']}" name="age" typeOfVariable="Integer"/></Variables>
 <Cases><Case guid="{G['case']}" name="R1"><VariableValue><VariableRef targetGUID="{G['var']}"/><IntegerValue>44</IntegerValue></VariableValue><SourceRef targetGUID="{G['source']}"/></Case></Cases>
 <Sources>
  <TextSource guid="{G['source']}" name="interview R1" plainTextPath="internal://{G['source'][1:-1].lower()}.txt" creatingUser="">
   <PlainTextSelection guid="{G['sel1']}" startPosition="{a}" endPosition="{b}" creatingUser="{G['user']}">
    <Description>a segment memo, MAXQDA style</Description>
    <Coding guid="{G['cd1']}" creatingUser=""><CodeRef targetGUID="{G['code']}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{G['sel2']}" startPosition="{c}" endPosition="{d}" creatingUser="{G['user']}">
    <Coding guid="{G['cd2']}"><CodeRef targetGUID="{G['child']}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{G['sel3']}" startPosition="{c}" endPosition="{d}" creatingUser="{G['user']}">
    <Coding guid="{G['cd3']}"><CodeRef targetGUID="{G['code']}"/></Coding>
   </PlainTextSelection>
   <PlainTextSelection guid="{G['sel4']}" startPosition="{c}" endPosition="{c}">
    <Coding guid="{G['cd4']}"><CodeRef targetGUID="{G['code']}"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
 <Notes><Note guid="{G['note']}" name="memo" creatingUser="{G['user']}"><PlainTextContent>NVivo-style linked memo</PlainTextContent></Note></Notes>
 <Links><Link guid="{G['link']}" originGUID="{G['note']}" targetGUID="{G['sel2']}"/></Links>
</Project>
"""


@pytest.fixture
def variant(tmp_path) -> Path:
    path = tmp_path / "variants.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("Study.qde", _qde())
        zf.writestr("Sources/.root", b"")
        zf.writestr(f"Sources/{G['source'][1:-1].lower()}.txt", b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
        zf.writestr("__MACOSX/._Study.qde", b"junk")
    return path


def test_a_variant_file_imports_faithfully(variant, tmp_path):
    p = Project.init(tmp_path / "p", name="p")
    report = wb.import_refi(p, variant)
    text = p.text("interview R1")
    assert text == canonicalize(TEXT)
    quotes = sorted(p.codings()["quote"])
    assert quotes == ["Pupils love it", "Pupils love it", "We visit a factory"]
    assert report.mismatched == 0 and report.matched == 4
    assert any("namespace" in w for w in report.warnings)
    assert {loss.what for loss in report.losses} >= {"empty selections"}
    codings = p.codings().set_index("quote")
    assert codings.loc["We visit a factory", "memo"] == "a segment memo, MAXQDA style"
    linked = p.codings()[p.codings()["code"] == "enthusiasm"]
    assert list(linked["memo"]) == ["NVivo-style linked memo"]
    assert set(p.codings()["coder"]) == {"Mia Jansen"}
    codes = p.codes().set_index("id")
    assert not codes.loc["offer", "codable"] and codes.loc["offer", "colour"] == "#aabbcc"
    assert codes.loc["company-visit", "definition"] == "Visits." and codes.loc["company-visit", "parent_id"] == "offer"
    assert p.case_attributes().loc["R1", "age"] == 44
    assert p.documents().set_index("name").loc["interview R1", "case"] == "R1"
    assert p.documents().set_index("name").loc["interview R1", "kind"] == "interview"
    p.close()


def test_offsets_in_utf16_units_with_crlf():
    raw = "\ufeffa\U0001F600b\r\nc\u0065\u0301d"  # BOM, an emoji, CRLF, e + combining acute (NFC: é)
    m = OffsetMap(raw, NVIVO)
    assert m.canonical == "a\U0001F600b\nc\u00e9d"
    # units: a=0, emoji=1-2, b=3, CR=4, LF=5, c=6, e=7, acute=8, d=9
    assert m.length == 10
    assert m.to_canonical(3) == (2, True)  # b
    assert m.to_canonical(6) == (4, True)  # c, after the CRLF became LF
    assert m.to_canonical(9) == (6, True)  # d, after é composed
    assert m.to_canonical(2)[1] is False  # inside the emoji's surrogate pair
    assert m.to_canonical(8) == (5, False)  # inside the composed é: snaps to its start
    assert m.source_text(3, 7) == m.canonical[2:5] and comparable(m.source_slice(3, 7)) == m.canonical[2:5]


def test_crlf_counted_once_and_unit_choice():
    m = OffsetMap("ab\r\ncd", CRLF_ONE)
    assert m.length == 5 and m.to_canonical(3) == (3, True)
    assert unit_for("NVivo for Mac 12.7") == NVIVO and unit_for("MAXQDA 24") == CRLF_ONE
    assert unit_for("QualCoder 3.5") == CODE_POINTS and unit_for(None) == CODE_POINTS


@given(st.lists(st.sampled_from(["a", "\r\n", "\n", "\r", "\U0001F600", "e\u0301", "é", " "]), max_size=15).map("".join))
def test_every_boundary_maps_to_the_same_text(raw):
    """Cut the raw text at any two character boundaries: the mapped canonical slice reads the same."""
    for unit in (CODE_POINTS, NVIVO, CRLF_ONE):
        m = OffsetMap(raw, unit)
        cuts = sorted({m._units[i] if m._units else i for i in range(len(m.raw) + 1)})
        for a in cuts:
            for b in cuts:
                if a <= b:
                    s, ok_s = m.to_canonical(a)
                    e, ok_e = m.to_canonical(b)
                    if ok_s and ok_e:
                        assert m.source_text(a, b) == m.canonical[s:e]


def test_code_description_round_trip_and_slugs():
    spec = CodeSpec(id="lo-right-place", label="x", definition="Aim.\n\nSecond paragraph.", gloss="g",
                    use_when="u", not_when="n", example="e", keywords=["a; b", "c"], patterns=[r"\bx\b"])
    back = parse_description(describe(spec))
    assert back == {"definition": spec.definition, "gloss": "g", "use_when": "u", "not_when": "n", "example": "e",
                    "keywords": ["a; b", "c"], "patterns": [r"\bx\b"], "id": "lo-right-place"}
    assert parse_description("Just someone's description.\n\nGloss: not ours") == {
        "definition": "Just someone's description.\n\nGloss: not ours"}
    taken: set[str] = set()
    assert slug("1. Perceived Susceptibility – Észlelt", taken) == "c-1-perceived-susceptibility-eszlelt"
    assert slug("méreg", taken) == "mereg" and slug("Méreg!", taken) == "mereg-2"


def test_a_codebook_with_bom_old_namespace_and_code_sets(tmp_path):
    """NVivo Mac writes `codebook:1:0`, QualCoder a BOM; sets of codes become research questions."""
    book = tmp_path / "book.qdc"
    book.write_bytes(b"\xef\xbb\xbf" + f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1:0" origin="NVivo for Mac 12.7">
 <Codes><Code guid="{G['code']}" name="Visits" isCodable="true" color="#FF0000"><Description>Trips out.</Description>
  <Code guid="{G['child']}" name="Visits" isCodable="true"/></Code>
  <Code guid="{G['folder']}" name="Visits" isCodable="true"/></Codes>
 <Sets><Set guid="{G['note']}" name="RQ2: Which forms?"><Description>Forms asked about</Description>
  <MemberCode guid="{G['child']}"/></Set></Sets>
</CodeBook>""".encode())
    p = Project.init(tmp_path / "p", name="p")
    report = wb.import_refi(p, book)
    codes = p.codes().set_index("id")
    assert len(codes) == 3 and codes.loc["visits", "colour"] == "#FF0000"
    assert codes.loc["visits-2", "parent_id"] == "visits" and codes.loc["visits-2", "rq"] == ["RQ2"]
    assert sorted(codes["label"]) == ["Visits", "Visits", "Visits (2)"]  # top-level twins renamed, not refused
    assert p.research_questions().set_index("id").loc["RQ2", "label"] == "Which forms?"
    assert any("twice" in w for w in report.warnings) and any("namespace" in w for w in report.warnings)
    assert p.documents().empty
    p.close()
