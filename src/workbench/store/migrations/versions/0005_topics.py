"""topic models: the embedding cache and suggested codings

Revision ID: 0005_topics
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_topics'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'embeddings',
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('model', sa.String(length=200), nullable=False),
        sa.Column('dim', sa.Integer(), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('hash', 'model', name=op.f('pk_embeddings')),
    )
    op.create_table(
        'suggestions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('start', sa.Integer(), nullable=False),
        sa.Column('end', sa.Integer(), nullable=False),
        sa.Column('code_id', sa.String(length=100), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('suggested', 'accepted', 'rejected')", name=op.f('ck_suggestions_status')),
        sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f('ck_suggestions_span')),
        sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_suggestions_run_id_runs'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_suggestions_document_id_documents'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['code_id'], ['codes.id'], name=op.f('fk_suggestions_code_id_codes'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestions')),
        sa.UniqueConstraint('run_id', 'document_id', 'start', 'end', 'code_id', name='uq_suggestions_span'),
    )
    op.create_index('ix_suggestions_document', 'suggestions', ['document_id', 'start'], unique=False)
    op.create_index('ix_suggestions_run', 'suggestions', ['run_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_suggestions_run', table_name='suggestions')
    op.drop_index('ix_suggestions_document', table_name='suggestions')
    op.drop_table('suggestions')
    op.drop_table('embeddings')
