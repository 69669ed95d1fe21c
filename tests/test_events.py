"""The event log: groups with identity, undo/redo stacks, clear refusals instead of database errors."""

from __future__ import annotations

import random

import pytest

from workbench.codebook.tree import Codebook
from workbench.coding.session import CodingSession
from workbench.errors import ConflictError, NotFound, WorkbenchError
from workbench.store import events as ev
from workbench.store.schema import codings


def test_each_action_is_one_group_row_with_actor_action_and_documents(project):
    s = CodingSession(project, "anna")
    s.code("T01", 0, 11, "visit")
    s.code("T02", 5, 20, "guest")
    groups = project.groups(actor="anna")
    assert list(groups["action"]) == ["coding.add", "coding.add"]
    docs = project.documents().set_index("name")["id"]
    assert groups["documents"].tolist() == [[int(docs["T01"])], [int(docs["T02"])]]
    assert groups["revision"].notna().all()
    # every event points at its group, and the group's actor is the coder
    e = project.events()
    assert set(e.loc[e["entity"] == "codings", "actor"]) == {"anna"}


def test_an_action_that_changes_nothing_leaves_nothing_to_undo(project):
    s = CodingSession(project, "anna")
    cid = s.code("T01", 0, 11, "visit")
    assert s.code("T01", 0, 11, "visit") == cid  # already coded: no new group
    assert len(project.groups(actor="anna")) == 1
    s.undo()
    with pytest.raises(NotFound, match="nothing to undo for anna"):
        s.undo()


def test_a_new_action_clears_the_redo_stack(project):
    s = CodingSession(project, "anna")
    s.code("T01", 0, 11, "visit")
    s.undo()
    assert ev.stacks(project.engine.connect(), "anna")[1]  # something to redo
    s.code("T01", 20, 30, "guest")
    with project.read() as conn:
        assert ev.stacks(conn, "anna")[1] == []
    with pytest.raises(NotFound, match="nothing to redo"):
        s.redo()


def test_undo_step_says_what_it_undid_and_for_whom(project):
    cb = Codebook(project, "lead")
    CodingSession(project, "anna").code("T01", 0, 11, "visit")
    cb.merge("visit", "guest")
    step = project.undo_step("lead")
    assert step["actor"] == "lead" and step["action"] == "code.merge"
    assert step["message"].startswith("undid: merge of visit into guest by lead")
    assert "rows" in step["message"]


def test_undoing_a_code_creation_while_someone_codes_with_it_is_refused_clearly(project):
    Codebook(project, "lead").create("newcode", "Nieuw")
    CodingSession(project, "bob").code("T01", 0, 11, "newcode")
    with pytest.raises(ConflictError) as err:
        project.undo("lead")
    assert "codes newcode is still used by codings of bob" in str(err.value)
    assert "newcode" in set(project.codes()["id"])  # nothing half-undone


def test_redo_of_a_coding_whose_code_is_gone_is_refused_clearly(project):
    cb = Codebook(project, "lead")
    cb.create("tmp", "Tijdelijk")
    s = CodingSession(project, "anna")
    s.code("T01", 0, 11, "tmp")
    s.undo()
    cb.delete("tmp")
    with pytest.raises(ConflictError, match="needs codes 'tmp', which is gone"):
        s.redo()


def test_undo_names_who_changed_the_row_later(project):
    a = CodingSession(project, "anna")
    cid = a.code("T01", 0, 11, "visit")
    Codebook(project, "lead").merge("visit", "guest")
    with pytest.raises(ConflictError, match=rf"codings {cid} was changed later by lead \(code.merge"):
        a.undo()


def test_undo_compares_only_the_columns_the_event_logged(project):
    s = CodingSession(project, "anna")
    cid = s.code("T01", 0, 11, "visit")
    # an image logged before a migration added a column has no such key: not a conflict
    with project.engine.begin() as conn:
        from sqlalchemy import select, update

        e = ev.events.c
        row = conn.execute(select(e.id, e.after).where(e.entity == "codings")).first()
        image = {k: v for k, v in row.after.items() if k != "memo"}
        conn.execute(update(ev.events).where(e.id == row.id).values(after=image))
    s.undo()
    assert cid not in set(project.codings()["id"])


@pytest.mark.parametrize("seed", range(6))
def test_random_undo_redo_sequences_never_end_in_a_database_error(project, seed):
    """120 random steps per seed over three actors: every refusal is a WorkbenchError, never a crash."""
    rng = random.Random(seed)
    cb = Codebook(project, "lead")
    sessions = {name: CodingSession(project, name, snap=False) for name in ("anna", "bob")}
    made = 0
    text_len = len(project.text("T01"))
    for step in range(120):
        actor = rng.choice(["anna", "bob", "lead"])
        op = rng.choice(["code", "code", "uncode", "undo", "undo", "redo", "create", "merge", "delete"])
        try:
            if op == "code" and actor != "lead":
                start = rng.randrange(0, text_len - 10)
                code = rng.choice([c for c in project.codes()["id"] if c not in ("offer", "challenges")])
                sessions[actor].code("T01", start, start + rng.randrange(1, 10), code)
            elif op == "uncode" and actor != "lead":
                mine = project.codings(coder=actor)
                if len(mine):
                    sessions[actor].uncode(int(mine["id"].iloc[rng.randrange(len(mine))]))
            elif op == "undo":
                project.undo(actor)
            elif op == "redo":
                project.redo(actor)
            elif op == "create":
                made += 1
                cb.create(f"c{seed}-{made}", f"Code {made}", parent=rng.choice([None, "offer"]))
            elif op == "merge":
                extra = [c for c in project.codes()["id"] if c.startswith(f"c{seed}-")]
                if extra:
                    cb.merge(rng.choice(extra), "guest")
            elif op == "delete":
                extra = [c for c in project.codes()["id"] if c.startswith(f"c{seed}-")]
                if extra:
                    cb.delete(rng.choice(extra), delete_codings=True)
        except WorkbenchError:
            pass  # a clear refusal is fine; any other exception fails the test
        # the database stays consistent after every step
        with project.read() as conn:
            from sqlalchemy import text

            assert conn.execute(text("PRAGMA foreign_key_check")).all() == [], (step, op, actor)
    codes = set(project.codes()["id"])
    assert set(project.codings()["code"]) <= codes


def test_a_batch_is_one_group_that_one_undo_removes(project):
    rows = [{"document": "T01", "start": i, "end": i + 3, "code": "visit"} for i in range(0, 300, 3)]
    s = CodingSession(project, "anna")
    assert s.code_many(rows) == 100
    assert len(project.groups(actor="anna")) == 1
    assert s.code_many(rows) == 0  # the same again adds nothing
    s.undo()
    assert project.codings(coder="anna").empty
    s.redo()
    assert len(project.codings(coder="anna")) == 100


def test_nested_transactions_join_one_group(project):
    s = CodingSession(project, "anna")
    code_id, cid = s.in_vivo("T01", 120, 135)
    g = project.groups(actor="anna")
    assert len(g) == 1 and g["action"].iloc[0] == "coding.in-vivo"
    s.undo()  # one step removes both the coding and the code it created
    assert code_id not in set(project.codes()["id"]) and cid not in set(project.codings()["id"])


def test_a_failing_nested_block_rolls_back_only_itself(project):
    with project.transaction("anna", "outer") as tx:
        tx.insert(codings, {"document_id": 1, "start": 0, "end": 5, "code_id": "visit", "coder_id": "anna",
                            "memo": None, "quote": project.text(1)[:5], "created": ev.now()})
        with pytest.raises(NotFound), project.transaction("anna", "inner"):
            Codebook(project, "anna").get("no-such-code")
            raise AssertionError("not reached")
    assert len(project.codings(coder="anna")) == 1


def test_one_memo_concept_with_checked_targets(project):
    from workbench.coding.memos import add_memo

    with pytest.raises(NotFound, match="no case 'X9'"):
        add_memo(project, "anna", "over X9", "case", "X9")
    with pytest.raises(NotFound, match="no document"):
        add_memo(project, "anna", "over niets", "document", "nope")
    from workbench.errors import ValidationError

    with pytest.raises(ValidationError, match="set_memo"):
        add_memo(project, "anna", "over een codering", "coding", "1")
    add_memo(project, "anna", "over T01", "case", "T01")
    cb = Codebook(project, "lead")
    add_memo(project, "lead", "bezoek-notitie", "code", "visit")
    cb.merge("visit", "guest")  # the memo follows the merge instead of pointing at nothing
    memos = project.memos()
    assert memos.loc[memos["target_type"] == "code", "target_id"].tolist() == ["guest"]
    cb.create("tmp", "Tijdelijk")
    add_memo(project, "lead", "weg", "code", "tmp")
    cb.delete("tmp")
    assert "tmp" not in set(project.memos()["target_id"])
    cb.undo()  # the code comes back with its memo
    assert "tmp" in set(project.memos()["target_id"])
