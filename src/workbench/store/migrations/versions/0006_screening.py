"""literature screening: the search-export records behind each work, and screening decisions

Revision ID: 0006_screening
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_screening'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'records_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('database', sa.String(length=100), nullable=False),
        sa.Column('file', sa.Text(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('record', sa.String(length=300), nullable=True),
        sa.Column('matched_by', sa.String(length=20), nullable=False),
        sa.Column('imported', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("matched_by in ('new', 'doi', 'title', 'text')", name=op.f('ck_records_sources_matched_by')),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_records_sources_document_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_records_sources')),
        sa.UniqueConstraint('database', 'file', 'position', name='uq_records_sources_record'),
    )
    op.create_index('ix_records_sources_document', 'records_sources', ['document_id'], unique=False)
    op.create_table(
        'screening',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('screener', sa.String(length=100), nullable=False),
        sa.Column('stage', sa.String(length=10), nullable=False),
        sa.Column('decision', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('rule', sa.String(length=200), nullable=True),
        sa.Column('decided', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("decision in ('include', 'exclude', 'maybe')", name=op.f('ck_screening_decision')),
        sa.CheckConstraint("stage in ('screen', 'final')", name=op.f('ck_screening_stage')),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_screening_document_id_documents'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['screener'], ['coders.id'], name=op.f('fk_screening_screener_coders'),
                                ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('document_id', 'screener', 'stage', name=op.f('pk_screening')),
    )


def downgrade() -> None:
    op.drop_table('screening')
    op.drop_index('ix_records_sources_document', table_name='records_sources')
    op.drop_table('records_sources')
