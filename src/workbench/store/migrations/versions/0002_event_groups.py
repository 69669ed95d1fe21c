"""event groups with identity, assignments, runs; one memo concept

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Existing history is kept: each old group id becomes a `groups` row (actor, action and time of its first
event; undo/redo markers point at the group they undid), and every event points at its group. Memos on
codings move into the coding's `memo` column.
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    groups = op.create_table(
        'groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('action', sa.String(length=50), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revision', sa.String(length=300), nullable=True),
        sa.Column('undoable', sa.Boolean(), nullable=False),
        sa.Column('undoes', sa.Integer(), nullable=True),
        sa.Column('documents', sa.JSON(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=True),
        sa.Column('meta', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['undoes'], ['groups.id'], name=op.f('fk_groups_undoes_groups'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
    )
    op.create_index('ix_groups_actor', 'groups', ['actor', 'id'], unique=False)

    old = sa.table('events', sa.column('id', sa.Integer), sa.column('group_id', sa.Integer),
                   sa.column('at', sa.DateTime), sa.column('actor', sa.String), sa.column('action', sa.String),
                   sa.column('after', sa.JSON), sa.column('undoable', sa.Boolean), sa.column('entity', sa.String))
    seen: dict[int, dict] = {}
    for row in bind.execute(sa.select(old.c.group_id, old.c.at, old.c.actor, old.c.action, old.c.after,
                                      old.c.undoable, old.c.entity).order_by(old.c.id)).mappings():
        g = row['group_id']
        if g in seen:
            continue
        undoes = None
        if row['action'] in ('undo', 'redo') and row['entity'] == 'group' and isinstance(row['after'], dict):
            undoes = row['after'].get('group')
        seen[g] = {'id': g, 'actor': row['actor'], 'action': row['action'], 'at': row['at'], 'revision': '0001',
                   'undoable': bool(row['undoable']), 'undoes': undoes, 'documents': None, 'summary': None,
                   'meta': None}
    if seen:
        op.bulk_insert(groups, [{**g, 'undoes': None} for g in seen.values()])
        for g in seen.values():
            if g['undoes'] is not None and g['undoes'] in seen:
                bind.execute(groups.update().where(groups.c.id == g['id']).values(undoes=g['undoes']))
    # the old undo/redo markers were events of their own; the group row carries them now
    bind.execute(old.delete().where(old.c.entity == 'group'))
    with op.batch_alter_table('events', schema=None) as batch:
        batch.drop_index('ix_events_actor')
        batch.drop_column('at')
        batch.drop_column('actor')
        batch.drop_column('action')
        batch.drop_column('undoable')
        batch.create_foreign_key(op.f('fk_events_group_id_groups'), 'groups', ['group_id'], ['id'], ondelete='CASCADE')
        batch.create_index('ix_events_entity', ['entity', 'entity_id'], unique=False)

    op.create_table(
        'assignments',
        sa.Column('coder_id', sa.String(length=100), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('assigned', sa.DateTime(timezone=True), nullable=False),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_assignments_coder_id_coders'), ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_assignments_document_id_documents'), ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('coder_id', 'document_id', name=op.f('pk_assignments')),
    )
    op.create_table(
        'runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=50), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('versions', sa.JSON(), nullable=False),
        sa.Column('as_of_event', sa.Integer(), nullable=False),
        sa.Column('created', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=True),
        sa.Column('path', sa.Text(), nullable=True),
        sa.Column('summary', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_runs')),
    )
    op.create_index('ix_runs_kind', 'runs', ['kind', 'id'], unique=False)
    op.create_table(
        'run_tables',
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_run_tables_run_id_runs'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('run_id', 'name', name=op.f('pk_run_tables')),
    )

    # one memo concept: a coding's memo is its column
    memos = sa.table('memos', sa.column('id', sa.Integer), sa.column('target_type', sa.String),
                     sa.column('target_id', sa.String), sa.column('text', sa.Text))
    codings = sa.table('codings', sa.column('id', sa.Integer), sa.column('memo', sa.Text))
    for m in bind.execute(sa.select(memos).where(memos.c.target_type == 'coding').order_by(memos.c.id)).mappings():
        try:
            cid = int(m['target_id'])
        except (TypeError, ValueError):
            continue
        current = bind.execute(sa.select(codings.c.memo).where(codings.c.id == cid)).first()
        if current is not None:
            text = "\n".join(x for x in (current[0], m['text']) if x)
            bind.execute(codings.update().where(codings.c.id == cid).values(memo=text))
    bind.execute(memos.delete().where(memos.c.target_type == 'coding'))
    check = "target_type in ('project', 'document', 'case', 'code')"
    if bind.dialect.name == 'sqlite':  # SQLite cannot alter a CHECK: copy the table with the new one
        new = sa.Table(
            'memos', sa.MetaData(),
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('target_type', sa.String(length=20), nullable=False),
            sa.Column('target_id', sa.String(length=300), nullable=True),
            sa.Column('author', sa.String(length=100), nullable=False),
            sa.Column('title', sa.String(length=300), nullable=True),
            sa.Column('text', sa.Text(), nullable=False),
            sa.Column('created', sa.DateTime(timezone=True), nullable=False),
            sa.CheckConstraint(check, name='ck_memos_target'),
            sa.PrimaryKeyConstraint('id', name='pk_memos'),
        )
        with op.batch_alter_table('memos', copy_from=new, recreate='always'):
            pass
    else:
        op.drop_constraint(op.f('ck_memos_target'), 'memos', type_='check')
        op.create_check_constraint(op.f('ck_memos_target'), 'memos', check)


def downgrade() -> None:
    raise NotImplementedError("0002 is not reversible; restore the backup made before the upgrade")
