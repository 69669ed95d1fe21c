"""the pseudonym key for publication

Revision ID: 0007_publish
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_publish'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'pseudonyms',
        sa.Column('real', sa.String(length=200), nullable=False),
        sa.Column('pseudonym', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.PrimaryKeyConstraint('real', name=op.f('pk_pseudonyms')),
    )


def downgrade() -> None:
    op.drop_table('pseudonyms')
