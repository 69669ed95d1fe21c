"""workbench: code interview transcripts and literature against a conceptual framework, in Jupyter.

The public API, as a notebook uses it:

    import workbench as wb
    project = wb.Project.open("my-study")          # or wb.Project.init(...)
    wb.import_paths(project, ["interviews/"])       # documents, transcripts, bibliographies, sheets
    cb = wb.Codebook(project, "anna")               # the framework: create, move, merge, split ...
    s = wb.CodingSession(project, "anna")           # code / uncode / undo / redo
    wb.segments(project, "act-company-visit")       # retrieval with context, as a DataFrame
"""

from __future__ import annotations

from .codebook.report import write_report as write_codebook_report
from .codebook.tree import Codebook
from .coding import autocode
from .coding.memos import add_memo, delete_memo, edit_memo
from .coding.mirror import export_coding, import_coding
from .coding.retrieval import segments
from .coding.retrieval import to_html as segments_html
from .coding.session import CodingSession
from .corpus.batch import import_paths
from .demo import activity_table, build_demo
from .errors import ConflictError, NotFound, SourceError, ValidationError, WorkbenchError
from .store.project import Project

__version__ = "0.1.0"

__all__ = [
    "Codebook", "CodingSession", "CodingView", "ConflictError", "NotFound", "Project", "SourceError",
    "ValidationError", "WorkbenchError", "activity_table", "add_memo", "delete_memo", "edit_memo", "autocode", "build_demo", "export_coding",
    "import_coding", "import_paths", "segments", "segments_html", "write_codebook_report",
]


def __getattr__(name: str):
    if name == "CodingView":  # widgets pull in anywidget/ipywidgets: import only when asked
        from .widgets.coding_view import CodingView

        return CodingView
    raise AttributeError(name)
