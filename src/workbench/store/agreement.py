"""The reads intercoder agreement needs, lean: spans without quotes, lengths without texts, assignments.

`workbench.analysis.reliability` turns them into numpy arrays; 100,000 codings load in a fraction of a
second because no quote, memo or timestamp is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from .schema import assignments, codings, documents


class AgreementInputs(NamedTuple):
    documents: list[tuple[int, str, int]]  # (id, name, length in code points), in name order
    codings: tuple[tuple, ...]  # columns: document_id, start, end, code, coder (five empty tuples if none)
    assignments: list[tuple[str, int]]  # (coder, document_id), every document


def agreement_inputs(conn: Connection, names: Iterable[str] | None = None,
                     coders: Iterable[str] | None = None) -> AgreementInputs:
    q = select(documents.c.id, documents.c.name, func.length(documents.c.text)).order_by(documents.c.name)
    if names is not None:
        q = q.where(documents.c.name.in_(list(names)))
    docs = [(int(i), str(n), int(length)) for i, n, length in conn.execute(q)]
    c = codings.c
    cq = select(c.document_id, c.start, c.end, c.code_id, c.coder_id)
    aq = select(assignments.c.coder_id, assignments.c.document_id)
    if coders is not None:
        coders = list(coders)
        cq = cq.where(c.coder_id.in_(coders))
        aq = aq.where(assignments.c.coder_id.in_(coders))
    if names is not None:
        cq = cq.where(c.document_id.in_([d[0] for d in docs]))
    result = conn.execute(cq)
    try:  # the driver's plain tuples: no Row objects for 100,000 codings (a third of the time)
        rows = result.cursor.fetchall() if getattr(result, "cursor", None) is not None else result.all()
    finally:
        result.close()
    columns = tuple(zip(*rows, strict=True)) if rows else ((), (), (), (), ())
    assigned = [(str(a), int(d)) for a, d in conn.execute(aq)]  # all of them: "has any" is a rule
    return AgreementInputs(docs, columns, assigned)
