"""The tables, in SQLAlchemy Core (`Table` is re-exported for type hints above the store). Nothing outside `store/` writes SQL.

Written for SQLite first and PostgreSQL later: only portable types, explicit names for constraints, no
SQLite-only features in the schema (WAL and foreign keys are switched on per connection in project.py).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Project-wide settings that must travel with the data (e.g. the codebook's name).
settings = Table(
    "settings", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", JSON, nullable=True),
)

cases = Table(
    "cases", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("created", DateTime(timezone=True), nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="SET NULL"), nullable=True),
    Column("source_path", Text, nullable=True),
    Column("source_format", String(20), nullable=False),
    Column("encoding", String(30), nullable=True),
    Column("meta", JSON, nullable=False),
    Column("imported", DateTime(timezone=True), nullable=False),
    CheckConstraint("kind in ('interview', 'literature', 'other')", name="kind"),
)

turns = Table(
    "turns", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("speaker", String(200), nullable=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("speech_start", Integer, nullable=False),
    Column("time_ms", Integer, nullable=True),
    Column("end_time_ms", Integer, nullable=True),
    UniqueConstraint("document_id", "seq", name="uq_turns_document_seq"),
)

attributes = Table(
    "attributes", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("scope", String(10), nullable=False),
    Column("type", String(10), nullable=False),
    UniqueConstraint("scope", "name", name="uq_attributes_scope_name"),
    CheckConstraint("scope in ('case', 'document')", name="scope"),
    CheckConstraint("type in ('text', 'integer', 'float', 'boolean', 'date')", name="type"),
)

case_values = Table(
    "case_values", metadata,
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("attribute_id", Integer, ForeignKey("attributes.id", ondelete="CASCADE"), primary_key=True),
    Column("value", Text, nullable=True),
)

document_values = Table(
    "document_values", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("attribute_id", Integer, ForeignKey("attributes.id", ondelete="CASCADE"), primary_key=True),
    Column("value", Text, nullable=True),
)

research_questions = Table(
    "research_questions", metadata,
    Column("id", String(50), primary_key=True),
    Column("label", Text, nullable=False),
    Column("gloss", Text, nullable=True),
    Column("position", Integer, nullable=False),
)

codes = Table(
    "codes", metadata,
    Column("id", String(100), primary_key=True),
    Column("label", String(300), nullable=False),
    Column("gloss", Text, nullable=True),
    Column("parent_id", String(100), ForeignKey("codes.id", ondelete="RESTRICT"), nullable=True),
    Column("position", Integer, nullable=False),
    Column("colour", String(7), nullable=False),
    Column("definition", Text, nullable=True),
    Column("use_when", Text, nullable=True),
    Column("not_when", Text, nullable=True),
    Column("example", Text, nullable=True),
    Column("keywords", JSON, nullable=False),
    Column("patterns", JSON, nullable=False),
    Column("rq", JSON, nullable=False),
    Column("codable", Boolean, nullable=False),
)

coders = Table(
    "coders", metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(200), nullable=True),
    Column("created", DateTime(timezone=True), nullable=False),
)

codings = Table(
    "codings", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="RESTRICT"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", String(100), ForeignKey("codes.id", ondelete="RESTRICT"), nullable=False),
    Column("coder_id", String(100), ForeignKey("coders.id", ondelete="RESTRICT"), nullable=False),
    Column("memo", Text, nullable=True),
    Column("quote", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    UniqueConstraint("document_id", "start", "end", "code_id", "coder_id", name="uq_codings_span"),
    CheckConstraint('start >= 0 AND "end" > start', name="span"),
)
Index("ix_codings_code", codings.c.code_id)
Index("ix_codings_document", codings.c.document_id, codings.c.start)

memos = Table(
    "memos", metadata,
    Column("id", Integer, primary_key=True),
    Column("target_type", String(20), nullable=False),
    Column("target_id", String(300), nullable=True),
    Column("author", String(100), nullable=False),
    Column("title", String(300), nullable=True),
    Column("text", Text, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    # a coding's memo is its `memo` column: one memo concept per target, checked by coding/memos.py
    CheckConstraint("target_type in ('project', 'document', 'case', 'code')", name="target"),
)

# One user action (one transaction, or one logical batch committed in chunks): who, what, when, under which
# schema revision, and which documents it touched. Created inside the write transaction, so concurrent
# writers never share a group; undo/redo markers point at the group they undo or redo.
groups = Table(
    "groups", metadata,
    Column("id", Integer, primary_key=True),
    Column("actor", String(100), nullable=False),
    Column("action", String(50), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("revision", String(300), nullable=True),
    Column("undoable", Boolean, nullable=False),
    Column("undoes", Integer, ForeignKey("groups.id", ondelete="CASCADE"), nullable=True),  # undo/redo marker
    Column("documents", JSON, nullable=True),  # ids of the documents the group touched
    Column("summary", Text, nullable=True),  # e.g. "merge of chal-x into chal-y"
    Column("meta", JSON, nullable=True),  # e.g. the run a suggestion decision came from
)
Index("ix_groups_actor", groups.c.actor, groups.c.id)

# Append-only: rows are never updated or deleted (except by a purge for withdrawn consent, which blanks
# the purged rows' images). Each event is one row inserted, updated or deleted, with the columns it had
# before and after.
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, ForeignKey("groups.id", ondelete="CASCADE"), nullable=False),
    Column("entity", String(30), nullable=False),
    Column("entity_id", String(300), nullable=True),
    Column("before", JSON, nullable=True),
    Column("after", JSON, nullable=True),
)
Index("ix_events_group", events.c.group_id)
Index("ix_events_entity", events.c.entity, events.c.entity_id)

# Which coder is to code which documents: agreement tells "coded nothing here" from "never looked at it".
assignments = Table(
    "assignments", metadata,
    Column("coder_id", String(100), ForeignKey("coders.id", ondelete="RESTRICT"), primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="RESTRICT"), primary_key=True),
    Column("assigned", DateTime(timezone=True), nullable=False),
    Column("done", Boolean, nullable=False),  # the coder marked the document done (blind coding ends)
)

# Derived results (agreement, matrices, networks, topic runs): recomputable, so saved with their parameters,
# package versions and the last event they saw - not logged as events.
runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(50), nullable=False),
    Column("params", JSON, nullable=False),
    Column("versions", JSON, nullable=False),
    Column("as_of_event", Integer, nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=True),
    Column("path", Text, nullable=True),  # a folder under .workbench/runs/ for files (e.g. a topic model)
    Column("summary", JSON, nullable=True),
)
Index("ix_runs_kind", runs.c.kind, runs.c.id)

run_tables = Table(
    "run_tables", metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("data", Text, nullable=False),  # pandas' JSON table format: the DataFrame with its dtypes
)

# Typed links a researcher draws between codes ("leads to", "contradicts"), shown in theme networks. Codes
# are referred to by id without a foreign key, so codebook merges and deletes never trip over a link; a
# link to a code that is gone is simply not drawn.
links = Table(
    "links", metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", String(100), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("kind", String(50), nullable=False),
    Column("memo", Text, nullable=True),
    Column("actor", String(100), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source_id", "target_id", "kind", name="uq_links_source_target_kind"),
)

# A framework matrix's cells: one researcher-written summary per case and theme, with the codings it
# summarises (ids, JSON). Codes by id without a foreign key, as in `links`.
framework_cells = Table(
    "framework_cells", metadata,
    Column("id", Integer, primary_key=True),
    Column("case_id", Integer, ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("code_id", String(100), nullable=False),
    Column("summary", Text, nullable=False),
    Column("codings", JSON, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "code_id", name="uq_framework_cells_case_code"),
)

# The pseudonym key (issue 12): real name -> pseudonym, applied at publication through an offset map.
# Never published; stored text is never rewritten.
pseudonyms = Table(
    "pseudonyms", metadata,
    Column("real", String(200), primary_key=True),
    Column("pseudonym", String(200), nullable=False),
    Column("kind", String(30), nullable=False),  # person, school, organisation, place, other
)

# Embeddings of passages, keyed by the passage text's SHA-256 and the model id/version: a re-run of a topic
# model with other clustering parameters embeds nothing again. A cache, so its rows are not events.
embeddings = Table(
    "embeddings", metadata,
    Column("hash", String(64), primary_key=True),
    Column("model", String(200), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32, little-endian
)

# Suggested codings (from a promoted topic): shown apart from codings until a researcher accepts or
# rejects each; every change is logged in an event group whose meta names the run.
suggestions = Table(
    "suggestions", metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("code_id", String(100), ForeignKey("codes.id", ondelete="CASCADE"), nullable=False),
    Column("score", Float, nullable=True),  # e.g. the passage's topic probability
    Column("status", String(10), nullable=False),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("run_id", "document_id", "start", "end", "code_id", name="uq_suggestions_span"),
    CheckConstraint("status in ('suggested', 'accepted', 'rejected')", name="status"),
    CheckConstraint('start >= 0 AND "end" > start', name="span"),
)
Index("ix_suggestions_document", suggestions.c.document_id, suggestions.c.start)
Index("ix_suggestions_run", suggestions.c.run_id, suggestions.c.status)

# Literature phase (issue 14). A literature document is one work; every search-export record that was the
# same work points at it, so the PRISMA flow can count records per database and the duplicates removed.
records_sources = Table(
    "records_sources", metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("database", String(100), nullable=False),  # e.g. ERIC, EBSCO, experts
    Column("file", Text, nullable=False),  # the export's file name
    Column("position", Integer, nullable=False),  # 1-based record number in that file
    Column("record", String(300), nullable=True),  # the record's own key in the export, if any
    Column("matched_by", String(20), nullable=False),  # new, or how it matched a work: doi, title, text
    Column("imported", DateTime(timezone=True), nullable=False),
    UniqueConstraint("database", "file", "position", name="uq_records_sources_record"),
    CheckConstraint("matched_by in ('new', 'doi', 'title', 'text')", name="matched_by"),
)
Index("ix_records_sources_document", records_sources.c.document_id)

# One screener's decision on one record (stage 'screen'), or the decision that settles it ('final').
screening = Table(
    "screening", metadata,
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("screener", String(100), ForeignKey("coders.id", ondelete="RESTRICT"), primary_key=True),
    Column("stage", String(10), primary_key=True),
    Column("decision", String(10), nullable=False),
    Column("reason", Text, nullable=True),
    Column("rule", String(200), nullable=True),  # the named rule that decided, or NULL for a person's call
    Column("decided", DateTime(timezone=True), nullable=False),
    CheckConstraint("decision in ('include', 'exclude', 'maybe')", name="decision"),
    CheckConstraint("stage in ('screen', 'final')", name="stage"),
)


TABLES = {t.name: t for t in metadata.sorted_tables}
