"""Case and document attribute sheets (CSV, XLSX): typed columns, validation before writing, idempotence."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from workbench.corpus.attributes import import_sheet, read_sheet, read_sheet_lines
from workbench.corpus.batch import import_paths
from workbench.errors import SourceError, ValidationError
from workbench.store.project import Project

from .fixtures.corpus.build import counts, make_xlsx

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "corpus"


@pytest.fixture
def project(tmp_path):
    """Two interviews, so the cases interview_colon and interview_ir exist."""
    p = Project.init(tmp_path / "proj")
    for name in ("interview_colon.txt", "interview_ir.txt"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    report = import_paths(p, [tmp_path / "interview_colon.txt", tmp_path / "interview_ir.txt"], progress=False)
    assert set(report["status"]) == {"imported"}
    yield p
    p.close()


def test_csv_typed_columns(project, tmp_path):
    src = Path(shutil.copy(FIXTURES / "cases.csv", tmp_path / "cases.csv"))
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["imported"] and report["message"].iloc[0] == "10 attribute values written"
    attrs = project.case_attributes()
    assert {c: str(attrs[c].dtype) for c in attrs.columns} == {
        "age": "Int64", "interviewed": "object", "pilot": "boolean", "school": "string", "score": "Float64"}
    row = attrs.loc["interview_colon"]
    assert (row["age"], row["school"], row["interviewed"], row["pilot"], row["score"]) == (
        34, "De Regenboog", date(2018, 10, 2), True, 7.5)
    assert attrs.loc["interview_ir", "pilot"] == False  # noqa: E712 (pandas boolean)
    types = project.attributes().set_index("name")["type"].to_dict()
    assert types == {"age": "integer", "interviewed": "date", "pilot": "boolean", "school": "text", "score": "float"}


def test_untyped_columns_are_inferred_and_semicolons_work(project, tmp_path):
    src = tmp_path / "sheet.csv"
    src.write_text("case;leeftijd;regio\ninterview_colon;34;Gelderland\ninterview_ir;51;Utrecht\n", encoding="utf-8")
    assert import_sheet(project, src) == 4
    types = project.attributes().set_index("name")["type"].to_dict()
    assert types == {"leeftijd": "integer", "regio": "text"}


def test_xlsx_typed_columns(project, tmp_path):
    src = make_xlsx(tmp_path / "cases.xlsx", [
        ["case", "age:integer", "school", "interviewed:date", "pilot:boolean"],
        ["interview_colon", 34, "De Regenboog", datetime(2018, 10, 2), True],
        [None, None, None, None, None],  # an empty row in the middle is skipped
        ["interview_ir", 51.0, "Het Kompas", datetime(2018, 10, 4), False],
    ])
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["imported"], report["message"].tolist()
    attrs = project.case_attributes()
    assert attrs.loc["interview_ir", "age"] == 51 and str(attrs["age"].dtype) == "Int64"
    assert attrs.loc["interview_colon", "interviewed"] == date(2018, 10, 2)
    assert bool(attrs.loc["interview_colon", "pilot"]) is True


def test_document_scope_sheet(project, tmp_path):
    src = tmp_path / "docs.csv"
    src.write_text("document,transcribed_by\ninterview_colon,Piet\n", encoding="utf-8")
    assert import_sheet(project, src) == 1
    assert project.document_attributes().loc["interview_colon", "transcribed_by"] == "Piet"


def test_create_cases_on_request(project, tmp_path):
    src = tmp_path / "new.csv"
    src.write_text("case,age:integer\nnieuw,40\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="unknown case 'nieuw'"):
        import_sheet(project, src)
    assert import_sheet(project, src, create_cases=True) == 1
    assert project.case_attributes().loc["nieuw", "age"] == 40


def test_reimporting_a_sheet_writes_nothing(project, tmp_path):
    src = Path(shutil.copy(FIXTURES / "cases.csv", tmp_path / "cases.csv"))
    import_paths(project, [src], progress=False)
    before = counts(project)
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["unchanged"] and report["message"].iloc[0] == "0 attribute values written"
    assert counts(project) == before
    # changing one value writes one value (and one event)
    src.write_text(src.read_text(encoding="utf-8").replace("interview_ir,51", "interview_ir,52"), encoding="utf-8")
    assert import_sheet(project, src) == 1
    after = counts(project)
    assert after["events"] == before["events"] + 1 and after["case_values"] == before["case_values"]
    assert project.case_attributes().loc["interview_ir", "age"] == 52


# ---- errors: the sheet is validated before anything is written ---------------------------------------------
def sheet_fails(project, src: Path, where: str, *fragments: str, kind=ValidationError) -> None:
    before = counts(project)
    report = import_paths(project, [src], progress=False)
    assert list(report["status"]) == ["failed"], report.to_string()
    message = report["message"].iloc[0]
    assert message.startswith(f"{where}: "), message
    for fragment in fragments:
        assert fragment in message, message
    with pytest.raises(kind):
        import_sheet(project, src)
    assert counts(project) == before


def test_unknown_case_names_the_row(project, tmp_path):
    src = tmp_path / "cases.csv"
    src.write_text("case,age:integer\ninterview_colon,34\nonbekend,40\n", encoding="utf-8")
    sheet_fails(project, src, f"{src}:3", "row 3: unknown case 'onbekend'", "check the spelling")


def test_wrong_typed_value_names_row_and_column(project, tmp_path):
    src = tmp_path / "cases.csv"
    # blank lines and a quoted value across two lines: the row number is still the line in the file
    src.write_text('case,note,age:integer\ninterview_colon,"twee\nregels",34\n\n\ninterview_ir,kort,veertig\n',
                   encoding="utf-8")
    sheet_fails(project, src, f"{src}:6", "row 6, column 'age'", "'veertig' is not a whole number",
                "(expected integer)")


def test_wrong_typed_value_in_xlsx_names_the_sheet_row(project, tmp_path):
    src = make_xlsx(tmp_path / "cases.xlsx", [
        ["case", "pilot:boolean"], ["interview_colon", "ja"], [None, None], ["interview_ir", "misschien"]])
    sheet_fails(project, src, f"{src}:4", "row 4, column 'pilot'", "'misschien' is not yes/no")


def test_value_that_does_not_fit_an_existing_attribute(project, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("case,age:integer\ninterview_colon,34\n", encoding="utf-8")
    import_sheet(project, first)
    src = tmp_path / "b.csv"
    src.write_text("case,age\ninterview_ir,oud\n", encoding="utf-8")  # no type given: the existing one holds
    sheet_fails(project, src, f"{src}:2", "column 'age'", "'oud' is not a whole number")


def test_unknown_type_in_header(project, tmp_path):
    src = tmp_path / "cases.csv"
    src.write_text("case,age:int\ninterview_colon,34\n", encoding="utf-8")
    sheet_fails(project, src, f"{src}:1", "unknown type 'int' in column 'age:int'",
                "use one of text, integer, float, boolean, date", kind=SourceError)


def test_header_type_conflicting_with_existing_attribute(project, tmp_path):
    (tmp_path / "a.csv").write_text("case,age:integer\ninterview_colon,34\n", encoding="utf-8")
    import_sheet(project, tmp_path / "a.csv")
    src = tmp_path / "b.csv"
    src.write_text("case,age:text\ninterview_ir,51\n", encoding="utf-8")
    sheet_fails(project, src, f"{src}:1", "attribute 'age' is integer, the sheet says text")


@pytest.mark.parametrize(("content", "where", "fragment"), [
    ("naam,age\ninterview_colon,34\n", ":1", "first column must be 'case' or 'document'"),
    ("case,age,extra\ninterview_colon,34,1,2\n", ":2", "row 2 has 4 values but the header only 3 columns"),
    ("case,,age\ninterview_colon,x,34\n", ":1", "column 2 has no name"),
    ("", "", "the file is empty"),
])
def test_malformed_sheets(project, tmp_path, content, where, fragment):
    src = tmp_path / "cases.csv"
    src.write_text(content, encoding="utf-8")
    sheet_fails(project, src, f"{src}{where}", fragment, kind=SourceError)


def test_corrupt_xlsx(project, tmp_path):
    src = tmp_path / "stuk.xlsx"
    src.write_bytes(b"PK\x03\x04 not really a workbook")
    sheet_fails(project, src, str(src), "corrupt .xlsx", kind=SourceError)


def test_read_sheet_keeps_line_numbers(tmp_path):
    src = tmp_path / "s.csv"
    src.write_text("case\tage\n\nA\t1\nB\t2\n", encoding="utf-8")  # tab-separated, one blank line
    header, rows = read_sheet_lines(src)
    assert header == ["case", "age"] and rows == [(3, ["A", "1"]), (4, ["B", "2"])]
    assert read_sheet(src) == (["case", "age"], [["A", "1"], ["B", "2"]])
    one = tmp_path / "one.csv"
    one.write_text("case\nA\nB\n", encoding="utf-8")  # a single column has no delimiter to sniff
    assert read_sheet(one) == (["case"], [["A"], ["B"]])
