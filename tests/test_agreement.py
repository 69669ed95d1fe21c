"""Agreement coefficients against published values and independent implementations; the project-level
table against a per-character brute force; undefined cases and bad input."""

from __future__ import annotations

import math
import shutil

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

import workbench as wb
from workbench.analysis.agreement import (
    Undefined,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    unitizing_alpha,
    unitizing_components,
)
from workbench.codebook.io import parse
from workbench.codebook.tree import Codebook
from workbench.coding.bulk import add_codings
from workbench.corpus.batch import import_paths
from workbench.errors import NotFound, ValidationError
from workbench.store.project import Project

nan = math.nan

# Krippendorff (2011) "Computing Krippendorff's alpha-reliability", 4 observers x 12 units, values 1-5
K2011 = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]

# Fleiss (1971) 30 patients x 6 psychiatrists, categories 1-5 (R irr's `diagnoses`), kappa 0.430
DIAGNOSES = [[4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
             [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
             [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
             [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
             [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
             [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5]]

# the common 10 subjects x 14 raters x 5 categories example (Wikipedia's), kappa 0.210
FOURTEEN = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]

# Krippendorff (2004: 254) unitizing example as DKPro Statistics' Krippendorff2004Test states it:
# continuum [150, 450), two observers, categories c and k, (coder, start, end, category)
K2004 = [(0, 225, 295, "c"), (0, 370, 400, "c"), (1, 220, 300, "c"), (1, 355, 375, "c"), (1, 400, 420, "c"),
         (0, 180, 240, "k"), (0, 300, 350, "k"), (1, 180, 240, "k"), (1, 300, 350, "k")]


# ---- published values ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("level", "expected"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849),
                                                 ("ratio", 0.797)])
def test_krippendorff_2011_reference(level, expected):
    assert round(krippendorff_alpha(K2011, level), 3) == expected
    assert krippendorff_alpha(K2011, level) == pytest.approx(
        krippendorff.alpha(reliability_data=K2011, level_of_measurement=level), abs=1e-9)


def test_fleiss_1971_diagnoses_and_fourteen_raters():
    counts, _ = aggregate_raters(np.array(DIAGNOSES))
    assert round(fleiss_kappa(counts), 3) == 0.430
    assert round(fleiss_kappa(FOURTEEN), 3) == 0.210


def test_unitizing_krippendorff_2004_as_dkpro_states_it():
    parts = unitizing_components(K2004, 300, begin=150)
    assert parts["c"][0] == pytest.approx(0.0144, abs=1e-4)  # observed
    assert parts["c"][1] == pytest.approx(0.0532, abs=1e-4)  # expected
    assert parts["k"][0] == pytest.approx(0.0, abs=1e-4)
    assert parts["k"][1] == pytest.approx(0.0490, abs=1e-4)
    assert unitizing_alpha(K2004, 300, begin=150, category="c") == pytest.approx(0.7286, abs=1e-4)
    assert unitizing_alpha(K2004, 300, begin=150, category="k") == pytest.approx(1.0, abs=1e-4)
    assert unitizing_alpha(K2004, 300, begin=150) == pytest.approx(0.8591, abs=5e-4)  # DKPro's tolerance


def test_unitizing_distances_follow_the_definition():
    # one coder's unit inside the other's gap: its squared length; identical units: nothing
    solo = unitizing_components([(0, 10, 20, "x"), (1, 50, 60, "x")], 100)["x"][0]
    assert solo == pytest.approx(2 * (100 + 100) / (2 * 1 * 100 ** 2))
    shifted = unitizing_components([(0, 10, 20, "x"), (1, 12, 20, "x")], 100)["x"][0]
    assert shifted == pytest.approx(2 * (2 ** 2 + 0) / (2 * 100 ** 2))
    assert unitizing_alpha([(0, 10, 20, "x"), (1, 10, 20, "x")], 100) == pytest.approx(1.0)


def test_character_level_kappa_from_its_definition():
    # 1,000 characters: coder A 150, coder B 100, 50 both -> 85% agreement, kappa 0.318
    a = np.zeros(1000, int)
    b = np.zeros(1000, int)
    a[0:150] = 1
    b[100:200] = 1
    assert (a == b).mean() == 0.85
    assert round(cohen_kappa(a, b), 3) == 0.318


# ---- random data against independent implementations -----------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_random_data_against_sklearn_statsmodels_and_krippendorff(seed):
    rng = np.random.default_rng(seed)
    n, cats = int(rng.integers(20, 200)), int(rng.integers(2, 6))
    a = rng.integers(0, cats, n)
    b = np.where(rng.random(n) < 0.6, a, rng.integers(0, cats, n))
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    ratings = np.column_stack([a, b, np.where(rng.random(n) < 0.5, a, rng.integers(0, cats, n))])
    counts, _ = aggregate_raters(ratings)
    assert fleiss_kappa(counts) == pytest.approx(sm_fleiss(counts), abs=1e-12)
    data = ratings.T.astype(float)
    data[rng.random(data.shape) < 0.15] = nan
    for level in ("nominal", "ordinal", "interval", "ratio"):
        ours = krippendorff_alpha(data + 1, level)
        assert ours == pytest.approx(krippendorff.alpha(reliability_data=data + 1, level_of_measurement=level),
                                     abs=1e-9)


# ---- undefined and bad input --------------------------------------------------------------------------------
def test_undefined_results_say_why():
    same = cohen_kappa([1, 1, 1], [1, 1, 1])
    assert isinstance(same, Undefined) and "no variation" in same.reason and math.isnan(float(same))
    assert isinstance(cohen_kappa([None, 1], [2, None]), Undefined)
    assert "no variation" in fleiss_kappa([[3, 0], [3, 0]]).reason
    assert "one rater" in fleiss_kappa([[1, 0], [0, 1]]).reason
    assert "two or more" in krippendorff_alpha([[1, nan, 2], [nan, 3, nan]]).reason
    assert "no coder" in krippendorff_alpha([[nan, nan]]).reason
    assert isinstance(krippendorff_alpha([[2, 2], [2, 2]]), Undefined)
    assert "category 'z'" in unitizing_alpha(K2004, 300, begin=150, category="z").reason
    assert cohen_kappa([0, 1, 1], [0, 1, 1]) == 1.0  # identical coding with variation is perfect, not undefined


def test_bad_input_names_the_fix():
    with pytest.raises(ValidationError, match="same number of raters"):
        fleiss_kappa([[2, 1], [1, 1]])
    with pytest.raises(ValidationError, match="3 and 2 units"):
        cohen_kappa([1, 2, 3], [1, 2])
    with pytest.raises(ValidationError, match="unknown level"):
        krippendorff_alpha(K2011, "cardinal")
    with pytest.raises(ValidationError, match="numeric"):
        krippendorff_alpha([["a", "b"], ["a", "a"]], "interval")
    with pytest.raises(ValidationError, match="overlapping units"):
        unitizing_alpha([(0, 1, 5, "x"), (0, 4, 8, "x"), (1, 1, 5, "x")], 10)
    with pytest.raises(ValidationError, match="outside the continuum"):
        unitizing_alpha([(0, 1, 50, "x"), (1, 1, 5, "x")], 10)
    with pytest.raises(ValidationError, match="two or more coders"):
        unitizing_alpha([(0, 1, 5, "x")], 10)
    assert krippendorff_alpha([["a", "b", "a"], ["a", "b", "b"]]) == pytest.approx(
        krippendorff_alpha([[0, 1, 0], [0, 1, 1]]))


# ---- the project-level table ---------------------------------------------------------------------------------
BOOK = """name: Agreement test
codes:
- id: x
  label: Ex
  colour: '#1f77b4'
- id: y
  label: Why
  colour: '#ff7f0e'
- id: unused
  label: Nobody
  colour: '#2ca02c'
"""


def _small_project(tmp_path, texts: dict[str, str]) -> Project:
    src = tmp_path / "src"
    src.mkdir()
    for name, text in texts.items():
        (src / f"{name}.txt").write_text(text, encoding="utf-8")
    p = Project.init(tmp_path / "proj", name="agreement")
    report = import_paths(p, [src], progress=False)
    assert set(report["status"]) == {"imported"}, report
    Codebook(p, "setup").apply_spec(parse(BOOK))
    return p


def _words(n: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    out = []
    while sum(len(w) + 1 for w in out) < n:
        out.append("".join(rng.choice(list("abcdefgh"), int(rng.integers(2, 8)))))
    return (" ".join(out))[: n - 2] + ".\n"  # the importer ends a text with one newline


def test_character_kappa_of_a_project_matches_the_definition(tmp_path):
    text = _words(1000, 1)
    p = _small_project(tmp_path, {"doc": text})
    assert len(p.text("doc")) == 1000
    add_codings(p, [{"document": "doc", "start": 0, "end": 150, "code": "x", "coder": "A"},
                    {"document": "doc", "start": 100, "end": 200, "code": "x", "coder": "B"}], coder=None, actor="t")
    table = wb.agreement(p, codes=["x"], n_boot=0).set_index("code")
    row = table.loc["x"]
    assert row["units"] == 1000 and row["percent_agreement"] == pytest.approx(0.85)
    assert round(row["cohen_kappa"], 3) == 0.318
    assert row["share_uncoded"] == pytest.approx(0.8)
    only = wb.agreement(p, codes=["x"], n_boot=0, coded_only=True).set_index("code").loc["x"]
    assert only["units"] == 200 and only["percent_agreement"] == pytest.approx(0.25)


def test_project_table_equals_a_per_character_brute_force(tmp_path):
    rng = np.random.default_rng(7)
    texts = {f"d{i}": _words(int(rng.integers(300, 700)), i) for i in range(5)}
    p = _small_project(tmp_path, texts)
    rows = []
    for name, text in texts.items():
        for coder in ("A", "B", "C"):
            for _ in range(int(rng.integers(1, 6))):
                s = int(rng.integers(0, len(text) - 40))
                rows.append({"document": name, "start": s, "end": s + int(rng.integers(5, 40)),
                             "code": str(rng.choice(["x", "y"])), "coder": coder})
    add_codings(p, rows, coder=None, actor="t")
    p.assign("A", list(texts))
    p.assign("B", list(texts))
    p.assign("C", ["d0", "d1", "d2"])  # C never saw d3 and d4: missing there, not "uncoded"
    table = wb.agreement(p, n_boot=0).set_index("code")
    for code in ("x", "y"):
        columns = []
        for name, text in texts.items():
            block = np.full((3, len(text)), nan)
            for i, coder in enumerate("ABC"):
                if coder != "C" or name in ("d0", "d1", "d2"):
                    block[i] = 0
            for r in rows:
                if r["document"] == name and r["code"] == code and not np.isnan(block["ABC".index(r["coder"]), 0]):
                    block["ABC".index(r["coder"]), r["start"]:r["end"]] = 1
            columns.append(block)
        data = np.concatenate(columns, 1)
        assert table.loc[code, "krippendorff_alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-9)
        full = data[:, ~np.isnan(data).any(0)]
        counts = np.stack([(full == 0).sum(0), (full == 1).sum(0)], 1)
        assert table.loc[code, "fleiss_kappa"] == pytest.approx(sm_fleiss(counts), abs=1e-9)
        assert table.loc[code, "units"] == data.shape[1]
        assert math.isnan(table.loc[code, "cohen_kappa"])  # three coders
    pair = wb.agreement(p, coders=["A", "B"], n_boot=0).set_index("code")
    for code in ("x", "y"):
        a, b = [], []
        for name, text in texts.items():
            va, vb = np.zeros(len(text), int), np.zeros(len(text), int)
            for r in rows:
                if r["document"] == name and r["code"] == code and r["coder"] in "AB":
                    (va if r["coder"] == "A" else vb)[r["start"]:r["end"]] = 1
            a.append(va)
            b.append(vb)
        assert pair.loc[code, "cohen_kappa"] == pytest.approx(cohen_kappa_score(np.concatenate(a), np.concatenate(b)))
    assert pair.loc["unused", "reason"] == "no coder used this code in these documents"


def test_undefined_rows_in_the_project_table(tmp_path):
    p = _small_project(tmp_path, {"one": _words(200, 2), "two": _words(200, 3)})
    same = [{"document": d, "start": 0, "end": 50, "code": "x", "coder": c} for d in ("one", "two") for c in "AB"]
    add_codings(p, same, coder=None, actor="t")
    table = wb.agreement(p, n_boot=0).set_index("code")
    assert table.loc["x", "cohen_kappa"] == 1.0 and table.loc["x", "reason"] == ""
    docs = wb.agreement(p, unit="document", n_boot=0).set_index("code")
    assert math.isnan(docs.loc["x", "cohen_kappa"]) and "no variation" in docs.loc["x", "reason"]
    assert docs.loc["x", "percent_agreement"] == 1.0
    assert "no coder used" in table.loc["unused", "reason"]
    solo = wb.agreement(p, coders=["A"], n_boot=0)
    assert set(solo["reason"]) == {"one coder only: agreement needs two or more coders"}
    assert not solo["reason"].eq("").any()
    for row in table.reset_index().to_dict("records"):  # never a bare NaN: a NaN coefficient has a reason
        if any(isinstance(v, float) and math.isnan(v) for k, v in row.items() if k in ("krippendorff_alpha",)):
            assert row["reason"]


def test_bad_project_input(tmp_path):
    p = _small_project(tmp_path, {"one": _words(100, 4)})
    add_codings(p, [{"document": "one", "start": 0, "end": 9, "code": "x", "coder": "A"}], coder=None, actor="t")
    with pytest.raises(ValidationError, match="unknown unit"):
        wb.agreement(p, unit="word")
    with pytest.raises(NotFound, match="coder 'Z'"):
        wb.agreement(p, coders=["A", "Z"])
    with pytest.raises(NotFound, match="unknown code 'nope'"):
        wb.agreement(p, codes=["nope"])
    with pytest.raises(NotFound, match="no document"):
        wb.agreement(p, documents=["missing"])
    runs_before = len(p.runs("agreement"))
    with pytest.raises(ValidationError, match="overlap"):
        wb.agreement(p, unit="segment", overlap=0)
    assert len(p.runs("agreement")) == runs_before  # nothing half-written


# ---- the demo: a meaningful table, saved as a run, with the disagreements -----------------------------------
@pytest.fixture(scope="module")
def demo_copy(demo_project, tmp_path_factory):
    root = tmp_path_factory.mktemp("agreement-demo") / "demo"
    demo_project.engine.dispose()
    shutil.copytree(demo_project.root, root)
    p = Project.open(root)
    b_docs = sorted(p.codings(coder="coder-b")["document"].unique())
    p.assign("coder-a", list(p.documents()["name"]))
    p.assign("coder-b", b_docs)
    yield p
    p.close()


def test_demo_table_is_meaningful_and_saved(demo_copy):
    table = wb.agreement(demo_copy)
    pooled = table.set_index("code").loc["(all codes)"]
    assert pooled["documents"] == 7  # the shared interviews only
    assert 0.3 < pooled["cohen_kappa"] < 0.95 and 0.3 < pooled["krippendorff_alpha"] < 0.95
    assert pooled["cohen_kappa_low"] < pooled["cohen_kappa"] < pooled["cohen_kappa_high"]
    assert 0 < pooled["share_uncoded"] < 1 and 0 < pooled["unitizing_alpha"] < 1
    used = table[table["coded_units"] > 0]
    assert used["cohen_kappa"].notna().mean() > 0.8 and (used["cohen_kappa"] < 0.999).any()
    run = demo_copy.run(table.attrs["run"])
    assert run.kind == "agreement" and run.params["unit"] == "character"
    np.testing.assert_allclose(run.table("table")["cohen_kappa"], table["cohen_kappa"], rtol=1e-8)
    assert list(run.table("table")["reason"]) == list(table["reason"])
    assert "character" in run.summary["method"]
    again = wb.agreement(demo_copy, save=False)
    assert again["cohen_kappa_low"].equals(table["cohen_kappa_low"])  # seeded bootstrap
    html = wb.agreement_html(table)
    assert "bootstrap" in html and "Cohen" in html and f"run {run.id}" in html and "<table" in html


@pytest.mark.parametrize("unit", ["sentence", "paragraph", "turn", "document", "segment"])
def test_demo_other_units(demo_copy, unit):
    table = wb.agreement(demo_copy, unit=unit, n_boot=50, save=False).set_index("code")
    pooled = table.loc["(all codes)"]
    assert 0 < pooled["percent_agreement"] < 1
    if unit != "segment":
        assert 0.3 < pooled["krippendorff_alpha"] < 0.99
    else:
        assert "percent_agreement" in pooled["reason"]


def test_demo_disagreements(demo_copy):
    rows = wb.disagreements(demo_copy, ["coder-a", "coder-b"])
    assert len(rows) > 20 and set(rows["document"]) <= set(demo_copy.codings(coder="coder-b")["document"])
    for r in rows.head(30).itertuples():
        assert {r.coded_by, r.not_coded_by} == {"coder-a", "coder-b"}
        assert r.text == demo_copy.text(r.document)[r.start:r.end]
        mine = demo_copy.codings(coder=r.coded_by, document=r.document)
        mine = mine[mine["code"] == r.code]
        assert ((mine["start"] <= r.start) & (mine["end"] >= r.end)).any()
    code = rows.iloc[0]["code"]
    assert set(wb.disagreements(demo_copy, ["coder-a", "coder-b"], code=code)["code"]) == {code}
    sentences = wb.disagreements(demo_copy, ["coder-a", "coder-b"], unit="sentence")
    assert len(sentences) and (sentences["unit"] == "sentence").all()


def test_cli_agreement(demo_copy, tmp_path, capsys):
    from workbench.cli import build_parser, main

    out = tmp_path / "agreement.html"
    rc = main(["agreement", "-p", str(demo_copy.root), "--coders", "coder-a,coder-b", "--unit", "sentence",
               "--boot", "20", "--html", str(out)])
    printed = capsys.readouterr().out
    assert rc == 0 and "(all codes)" in printed and "sentence level" in printed and "saved as run" in printed
    assert "<table" in out.read_text(encoding="utf-8") and "bootstrap" in out.read_text(encoding="utf-8")
    assert main(["agreement", "-p", str(demo_copy.root), "--coders", "coder-a,nobody"]) == 5
    assert "coder 'nobody'" in capsys.readouterr().err
    sub = next(a for a in build_parser()._actions if getattr(a, "choices", None) and "agreement" in a.choices)
    assert all(action.help for action in sub.choices["agreement"]._actions)


def test_bootstrap_interval_is_the_percentile_of_finite_samples():
    from workbench.analysis.reliability import _interval

    x = np.random.default_rng(1).random((1000, 4))
    x[:300, 1] = nan
    x[:700, 2] = nan  # under half finite: no interval
    lo, hi = _interval(x, 0.95)
    ref = np.nanpercentile(x, [2.5, 97.5], axis=0)
    np.testing.assert_allclose(lo[[0, 1, 3]], ref[0, [0, 1, 3]])
    np.testing.assert_allclose(hi[[0, 1, 3]], ref[1, [0, 1, 3]])
    assert math.isnan(lo[2]) and math.isnan(hi[2])
