"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('type', sa.String(length=10), nullable=False),
    sa.CheckConstraint("scope in ('case', 'document')", name=op.f('ck_attributes_scope')),
    sa.CheckConstraint("type in ('text', 'integer', 'float', 'boolean', 'date')", name=op.f('ck_attributes_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attributes')),
    sa.UniqueConstraint('scope', 'name', name='uq_attributes_scope_name')
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('name', name=op.f('uq_cases_name'))
    )
    op.create_table('coders',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coders'))
    )
    op.create_table('codes',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('gloss', sa.Text(), nullable=True),
    sa.Column('parent_id', sa.String(length=100), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('colour', sa.String(length=7), nullable=False),
    sa.Column('definition', sa.Text(), nullable=True),
    sa.Column('use_when', sa.Text(), nullable=True),
    sa.Column('not_when', sa.Text(), nullable=True),
    sa.Column('example', sa.Text(), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('patterns', sa.JSON(), nullable=False),
    sa.Column('rq', sa.JSON(), nullable=False),
    sa.Column('codable', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['codes.id'], name=op.f('fk_codes_parent_id_codes'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codes'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=50), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.String(length=300), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('undoable', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_actor', ['actor', 'group_id'], unique=False)
        batch_op.create_index('ix_events_group', ['group_id'], unique=False)

    op.create_table('memos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.String(length=300), nullable=True),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("target_type in ('project', 'document', 'case', 'code', 'coding')", name=op.f('ck_memos_target')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memos'))
    )
    op.create_table('research_questions',
    sa.Column('id', sa.String(length=50), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('gloss', sa.Text(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_research_questions'))
    )
    op.create_table('settings',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    op.create_table('case_values',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('attribute_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['attribute_id'], ['attributes.id'], name=op.f('fk_case_values_attribute_id_attributes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_values_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', 'attribute_id', name=op.f('pk_case_values'))
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('source_path', sa.Text(), nullable=True),
    sa.Column('source_format', sa.String(length=20), nullable=False),
    sa.Column('encoding', sa.String(length=30), nullable=True),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('imported', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind in ('interview', 'literature', 'other')", name=op.f('ck_documents_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_documents_case_id_cases'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('content_hash', name=op.f('uq_documents_content_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_documents_name'))
    )
    op.create_table('codings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.String(length=100), nullable=False),
    sa.Column('coder_id', sa.String(length=100), nullable=False),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('quote', sa.Text(), nullable=False),
    sa.Column('created', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f('ck_codings_span')),
    sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_codings_code_id_codes'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_codings_coder_id_coders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_codings_document_id_documents'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_codings')),
    sa.UniqueConstraint('document_id', 'start', 'end', 'code_id', 'coder_id', name='uq_codings_span')
    )
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.create_index('ix_codings_code', ['code_id'], unique=False)
        batch_op.create_index('ix_codings_document', ['document_id', 'start'], unique=False)

    op.create_table('document_values',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('attribute_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['attribute_id'], ['attributes.id'], name=op.f('fk_document_values_attribute_id_attributes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_values_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'attribute_id', name=op.f('pk_document_values'))
    )
    op.create_table('turns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('speaker', sa.String(length=200), nullable=True),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('speech_start', sa.Integer(), nullable=False),
    sa.Column('time_ms', sa.Integer(), nullable=True),
    sa.Column('end_time_ms', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_turns_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turns')),
    sa.UniqueConstraint('document_id', 'seq', name='uq_turns_document_seq')
    )


def downgrade() -> None:
    op.drop_table('turns')
    op.drop_table('document_values')
    with op.batch_alter_table('codings', schema=None) as batch_op:
        batch_op.drop_index('ix_codings_document')
        batch_op.drop_index('ix_codings_code')

    op.drop_table('codings')
    op.drop_table('documents')
    op.drop_table('case_values')
    op.drop_table('settings')
    op.drop_table('research_questions')
    op.drop_table('memos')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_group')
        batch_op.drop_index('ix_events_actor')

    op.drop_table('events')
    op.drop_table('codes')
    op.drop_table('coders')
    op.drop_table('cases')
    op.drop_table('attributes')
