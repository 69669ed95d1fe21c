"""The literature phase: merging search exports, screening, PRISMA flow and inventory."""
