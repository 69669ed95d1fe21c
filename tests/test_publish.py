"""Publishing without a browser: the snapshot, the content model and its filters, privacy, the static
export, the app's notebook and bad input."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from workbench.demo import activity_table
from workbench.errors import SourceError, ValidationError
from workbench.publish import app, content, snapshot, static
from workbench.publish.findings import load as load_findings

from .publish_fixtures import PLANTED_DOC, PSEUDONYM, assert_private, planted_copy


@pytest.fixture(scope="module")
def planted(demo_project, tmp_path_factory):
    project = planted_copy(demo_project, tmp_path_factory.mktemp("publish"))
    yield project
    project.close()


@pytest.fixture(scope="module")
def snap(planted):
    return snapshot.take(planted)


def test_snapshot_records_its_event_and_is_saved_read_only(planted, snap, tmp_path):
    assert snap.as_of_event == planted.last_event()
    path = snap.save(tmp_path / "snapshot.json")
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    again = snapshot.Snapshot.load(path)
    assert again.as_of_event == snap.as_of_event and again.taken_at == snap.taken_at
    assert again.model["quotes"] == snap.model["quotes"]
    snap.save(path)  # a new snapshot replaces the read-only file


def test_content_model_has_the_study_structure(snap):
    m = snap.model
    assert [t["id"] for t in m["themes"]] == ["concept", "role", "offer", "occupations", "success", "challenges"]
    assert len(m["research_questions"]) == 5
    assert all(rq["themes"] for rq in m["research_questions"])
    assert next(f for f in m["filters"] if f["name"] == "source_type")["values"] == ["literature", "expert", "school"]
    assert {"region", "school_type", "theme"} <= {f["name"] for f in m["filters"]}
    assert m["meta"]["main_coder"] == "coder-a" and m["meta"]["demo"] is True
    # quotes are coder-a's codings in the six themes (the literature lenses are not a theme)
    assert {q["theme"] for q in m["quotes"]} == {t["id"] for t in m["themes"]}
    assert all(not q["code"].startswith(("gf-", "mk-", "dw-", "fe-")) for q in m["quotes"])
    # sections from other features are built, or listed as pending
    assert m["agreement"]["available"] and m["agreement"]["overall"]["alpha"] is not None
    assert m["network"]["nodes"] and set(m["network"]["variants"]) == {"", "literature", "expert", "school"}
    assert all(set(p) == {"section", "needs", "what"} for p in m["pending"])
    assert {p["section"] for p in m["pending"]} <= {"topics", "prisma"}  # no saved topic run / no screening here


def test_activity_table_matches_the_demo_function_and_the_filters(planted, snap):
    m = snap.model
    reference = activity_table(planted)
    assert m["activity"]["reference"] == list(reference["schools"])  # wb.matrix agrees with the demo's table
    unfiltered = content.view(m)["activity"]
    assert [r["schools"] for r in unfiltered] == list(reference["schools"])
    zeeland = content.view(m, {"region": "Zeeland"})["activity"]
    assert [r["schools"] for r in zeeland] == [1, 0, 0, 0, 0, 0]  # only the planted school's visit
    assert zeeland[0]["which"] == [f"interview_{PSEUDONYM.replace(' ', '_')}"]
    experts = content.view(m, {"source_type": "expert"})["activity"]
    assert all(r["schools"] == 0 for r in experts)


def test_filters_change_every_view(snap):
    m = snap.model
    everything = content.view(m)
    overijssel = content.view(m, {"region": "Overijssel"})
    assert 0 < overijssel["quotes"] < everything["quotes"]
    assert [t["id"] for t in content.view(m, {"theme": "success"})["themes"]] == ["success"]
    recs = content.view(m, {"theme": "role"})["recommendations"]
    assert [r["id"] for r in recs] == ["rec-start-early"]
    lit = content.view(m, {"source_type": "literature"})
    sources = {s["id"]: s for s in m["sources"]}
    for t in lit["themes"]:
        assert all(sources[q["source"]]["type"] == "literature" for q in m["quotes"] if q["id"] in t["drill"])
        assert all(n["expert"] == 0 and n["school"] == 0 for n in t["counts"].values())
    # representative quotes take the respondent types in turn
    reps = content.view(m)["themes"][0]["representative"]
    types = [sources[q["source"]]["type"] for q in m["quotes"] if q["id"] in reps]
    assert len(set(types)) == len(types) == 3


def test_recommendations_point_at_their_chosen_quotes(snap):
    m = snap.model
    quotes = {q["id"]: q for q in m["quotes"]}
    assert len(m["recommendations"]) == 9
    for r in m["recommendations"]:
        assert len(r["quotes"]) == 2
        for qid in r["quotes"]:
            assert quotes[qid]["code"] in r["codes"]
    first = m["recommendations"][0]
    assert quotes[first["quotes"][0]]["text"].startswith("Als je pas in de brugklas begint")


def test_privacy_in_snapshot_and_static_export(planted, snap, tmp_path):
    assert_private(snap.to_json())
    result = static.export_html(planted, tmp_path / "out")
    html = result.path.read_text(encoding="utf-8")
    assert_private(html)
    assert "uurtje" in html  # the coded quote around the planted name is published, pseudonymised
    assert "Lotte-uurtje" in html and "meneer Pietersen" in html
    assert "Pietersen" in set(result.warnings["word"])  # a name-like word the key misses is flagged
    assert PLANTED_DOC not in html


def test_key_covers_what_people_wrote_in_findings_and_codebook(planted, tmp_path):
    findings = tmp_path / "findings.yaml"
    findings.write_text("study:\n  title: Report for Marieke Jansen\nrecommendations:\n  - id: r1\n"
                        "    title: Ask Jansen\n    text: As marieke said.\n    codes: [succ-chain]\n",
                        encoding="utf-8")
    model = snapshot.take(planted, findings).model
    assert model["meta"]["title"] == f"Report for {PSEUDONYM}"
    assert model["recommendations"][0]["title"] == "Ask Zonneveld"
    assert model["recommendations"][0]["text"] == "As Lotte said."


def test_static_export_is_self_contained_and_small(planted, tmp_path):
    result = static.export_html(planted, tmp_path / "report")
    html = result.path.read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "report").iterdir()) == ["index.html"]
    assert result.bytes < 10_000_000
    assert "<script src" not in html and "<link" not in html and "@import" not in html
    assert "default-src 'none'" in html  # the page may not fetch anything
    data = html.split('id="wb-report-data">', 1)[1].split("</script>", 1)[0]
    model = json.loads(data)
    assert model["snapshot"]["as_of_event"] == result.snapshot.as_of_event
    assert "Plotly" in html and "WorkbenchReport" in html


def test_app_notebook_has_one_hidden_code_cell(planted):
    nb_path, snap_ = app.prepare(planted)
    nb = json.loads(nb_path.read_text())
    assert [c["cell_type"] for c in nb["cells"]] == ["code"]
    assert "show('snapshot.json')" in "".join(nb["cells"][0]["source"])
    assert (nb_path.parent / "snapshot.json").exists()
    widget = app.report_widget(nb_path.parent / "snapshot.json")
    assert widget.view()["quotes"] == content.view(snap_.model)["quotes"]
    widget.filters = {"region": "Zeeland"}
    assert widget.view()["quotes"] == 2
    assert_private(widget.report)


def test_bad_findings_name_the_place_and_write_nothing(planted, tmp_path):
    bad = tmp_path / "findings.yaml"
    bad.write_text("themes: [concept]\nrecommendations:\n  - id: rec-x\n    title: X\n    codes: [succ-chain]\n"
                   "    quotes:\n      - {document: E01, code: succ-chain, starts: 'words nobody said'}\n",
                   encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        static.export_html(planted, tmp_path / "out", findings=bad)
    assert "findings.yaml:3: recommendation rec-x, quote 1" in str(err.value) and "fix:" in str(err.value)
    assert not (tmp_path / "out").exists()
    bad.write_text("themes: [no-such-theme]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="unknown theme no-such-theme"):
        snapshot.take(planted, bad)
    bad.write_text("recommendations:\n  - id: r\n    title: T\n    codes: [nope]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="unknown code nope"):
        snapshot.take(planted, bad)
    bad.write_text("recommendations: [: bad", encoding="utf-8")
    with pytest.raises(SourceError, match="invalid YAML"):
        load_findings(planted.root, bad)
    with pytest.raises(SourceError, match="not found"):
        load_findings(planted.root, tmp_path / "missing.yaml")


def test_project_without_findings_file_still_publishes(project, tmp_path):
    from workbench.coding.bulk import add_codings

    text = project.text("T01")
    start = text.index("Wij gaan elk jaar")
    add_codings(project, [{"document": "T01", "start": start, "end": start + 30, "code": "visit"}],
                coder="anna", actor="anna")
    snap_ = snapshot.take(project)
    assert [t["id"] for t in snap_.model["themes"]] == ["offer", "challenges"]
    assert snap_.model["recommendations"] == [] and snap_.model["activity"] is None
    assert len(snap_.model["quotes"]) == 1


def test_cli_publish_html_and_help(planted, tmp_path):
    planted.engine.dispose()
    out = subprocess.run([sys.executable, "-m", "workbench", "publish", "-p", str(planted.root), "--html",
                          str(tmp_path / "site")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "wrote" in out.stdout and (tmp_path / "site" / "index.html").exists()
    assert "Pietersen" in out.stderr  # the warning about an uncovered name
    helps = subprocess.run([sys.executable, "-m", "workbench", "publish", "--help"], capture_output=True, text=True)
    assert "--html" in helps.stdout and "--no-browser" in helps.stdout and "--port" in helps.stdout
    bad = subprocess.run([sys.executable, "-m", "workbench", "publish", "-p", str(planted.root), "--html",
                          str(tmp_path / "x"), "--findings", str(tmp_path / "nope.yaml")],
                         capture_output=True, text=True)
    assert bad.returncode == 3 and "findings file not found" in bad.stderr


def test_cli_publish_serves_on_localhost_and_stops_voila(planted, tmp_path):
    import signal
    import socket
    import time

    planted.engine.dispose()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "publish", "-p", str(planted.root), "--port",
                             str(port), "--no-browser"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = ""
        while "serving" not in line and proc.poll() is None:
            line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in line and "event #" in line
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # Voila listens there
        busy = subprocess.run([sys.executable, "-m", "workbench", "publish", "-p", str(planted.root), "--port",
                               str(port), "--no-browser"], capture_output=True, text=True)
        assert busy.returncode == 6 and "in use" in busy.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:  # Voila went down with it: the port is free again
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                break
        time.sleep(0.2)
    else:
        raise AssertionError("Voila still listens after workbench publish stopped")


def test_saved_topic_run_is_published_as_aggregates_only(planted):
    import pandas as pd

    from workbench.analysis.topics import KIND

    from .publish_fixtures import PLANTED_DOC as doc

    text = planted.text(doc)
    visit = text.index("Wij gaan met groep 7")
    money = text.index("Tijd en geld")
    e01 = planted.text("E01")
    assignments = pd.DataFrame({
        "document": [doc, doc, "E01", "E01"], "start": [visit, money, 721, 839], "end": [visit + 60, money + 40, 838, 1014],
        "topic": [0, 1, 0, 1], "probability": [0.9, 0.8, 0.7, 0.6], "similarity": [0.5, 0.4, 0.3, 0.2],
        "topic_before_outliers": [0, 1, 0, 1], "speaker": ["Marieke Jansen", "Marieke Jansen", "E01", "E01"],
        "kind": ["interview"] * 4, "case": [doc, doc, "E01", "E01"]})
    topics_table = pd.DataFrame({"topic": [0, 1], "label": ["bezoek, jansen", "tijd, geld"], "size": [2, 2],
                                 "top_words": ["bezoek, jansen, drukkerij", "tijd, geld"],
                                 "representative": [text[visit:visit + 60], e01[721:838]]})
    reps = pd.DataFrame({"topic": [0], "rank": [0], "document": [doc], "start": [visit], "end": [visit + 60],
                         "text": [text[visit:visit + 60]]})
    planted.save_run(KIND, {"unit": "turn", "model": "test"}, {"assignments": assignments, "topics": topics_table,
                                                              "representatives": reps})
    model = snapshot.take(planted).model
    assert "topics" not in {p["section"] for p in model["pending"]}
    published = model["topics"]
    assert [t["label"] for t in published["topics"]] == ["bezoek, Zonneveld", "tijd, geld"]
    assert published["topics"][0]["by_type"]["school"] == 1 and published["topics"][0]["by_type"]["expert"] == 1
    assert published["topics"][0]["best_code"] in {"act-company-visit", "lo-choice-vs-development"}
    blob = json.dumps(published)
    assert "drukkerij" in blob and "Wij gaan met groep 7" not in blob  # top words yes, passages never
    assert_private(snapshot.take(planted).to_json())


def test_whole_transcripts_only_when_opted_in(planted, snap, tmp_path):
    from .publish_fixtures import UNCODED

    assert snap.model["transcripts"] == []
    findings = tmp_path / "findings.yaml"
    findings.write_text(f"publish_transcripts: [{PLANTED_DOC}]\n", encoding="utf-8")
    model = snapshot.take(planted, findings).model
    (published,) = model["transcripts"]
    turns = published["turns"]
    assert [t["speaker"] for t in turns] == ["Interviewer", PSEUDONYM, "Interviewer", PSEUDONYM]
    assert UNCODED in turns[1]["text"] and turns[1]["text"].endswith(UNCODED)  # opted in: uncoded text too
    blob = json.dumps(model)
    assert "marieke" not in blob.lower() and "jansen" not in blob.lower()
    findings.write_text("publish_transcripts: [no-such-doc]\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="no interview 'no-such-doc'"):
        snapshot.take(planted, findings)
