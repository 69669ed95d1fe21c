"""workbench: code interview transcripts and literature against a conceptual framework, in Jupyter.

The public API, as a notebook uses it:

    import workbench as wb
    project = wb.Project.open("my-study")          # or wb.Project.init(...)
    wb.import_paths(project, ["interviews/"])       # documents, transcripts, bibliographies, sheets
    cb = wb.Codebook(project, "anna")               # the framework: create, move, merge, split ...
    s = wb.CodingSession(project, "anna")           # code / uncode / undo / redo
    wb.segments(project, "act-company-visit")       # retrieval with context, as a DataFrame

Names are imported on first use (PEP 562), so `import workbench` and `workbench --help` stay fast and
heavy pieces (widgets, plotly, BERTopic) load only when asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> (module, attribute). One line per name; keep it sorted by module.
_EXPORTS: dict[str, tuple[str, str]] = {
    "Codebook": ("workbench.codebook.tree", "Codebook"),
    "write_codebook_report": ("workbench.codebook.report", "write_report"),
    "autocode": ("workbench.coding.autocode", ""),  # the module
    "add_codings": ("workbench.coding.bulk", "add_codings"),
    "add_memo": ("workbench.coding.memos", "add_memo"),
    "delete_memo": ("workbench.coding.memos", "delete_memo"),
    "edit_memo": ("workbench.coding.memos", "edit_memo"),
    "export_coding": ("workbench.coding.mirror", "export_coding"),
    "import_coding": ("workbench.coding.mirror", "import_coding"),
    "segments": ("workbench.coding.retrieval", "segments"),
    "segments_html": ("workbench.coding.retrieval", "to_html"),
    "CodingSession": ("workbench.coding.session", "CodingSession"),
    "import_paths": ("workbench.corpus.batch", "import_paths"),
    "units": ("workbench.corpus.units", "units"),
    "units_frame": ("workbench.corpus.units", "units_frame"),
    "activity_table": ("workbench.demo", "activity_table"),
    "build_demo": ("workbench.demo", "build_demo"),
    "ConflictError": ("workbench.errors", "ConflictError"),
    "NotFound": ("workbench.errors", "NotFound"),
    "SourceError": ("workbench.errors", "SourceError"),
    "StorageError": ("workbench.errors", "StorageError"),
    "ValidationError": ("workbench.errors", "ValidationError"),
    "WorkbenchError": ("workbench.errors", "WorkbenchError"),
    "Project": ("workbench.store.project", "Project"),
    "Run": ("workbench.store.runs", "Run"),
    "CodingView": ("workbench.widgets.coding_view", "CodingView"),
    # ---- features add their names below this line (one line each) ----
    "add_pseudonym": ("workbench.publish.pseudonymise", "add_pseudonym"),
    "remove_pseudonym": ("workbench.publish.pseudonymise", "remove_pseudonym"),
    "pseudonyms": ("workbench.publish.pseudonymise", "pseudonyms"),
    "set_private_attributes": ("workbench.publish.pseudonymise", "set_private_attributes"),
    "publish_snapshot": ("workbench.publish.snapshot", "take"),
    "export_html": ("workbench.publish.static", "export_html"),
    "report_widget": ("workbench.publish.app", "report_widget"),
    "TopicRun": ("workbench.analysis.topics", "TopicRun"),
    "topics": ("workbench.analysis.topics", "topics"),
    "topic_runs": ("workbench.analysis.topics", "topic_runs"),
    "topic_run": ("workbench.analysis.topics", "topic_run"),
    "topics_by": ("workbench.analysis.topics", "topics_by"),
    "topic_alignment": ("workbench.analysis.topic_alignment", "topic_alignment"),
    "topic_stability": ("workbench.analysis.topic_alignment", "topic_stability"),
    "get_embedder": ("workbench.suggest.embeddings", "get_embedder"),
    "embed_passages": ("workbench.suggest.embeddings", "embed_passages"),
    "suggestions": ("workbench.suggest.review", "suggestions"),
    "accept_suggestions": ("workbench.suggest.review", "accept"),
    "reject_suggestions": ("workbench.suggest.review", "reject"),
    "SuggestionReview": ("workbench.widgets.suggestion_review", "SuggestionReview"),
    "import_search_exports": ("workbench.literature.dedupe", "import_search_exports"),
    "inventory": ("workbench.literature.inventory", "inventory"),
    "prisma": ("workbench.literature.prisma", "prisma"),
    "prisma_figure": ("workbench.literature.prisma", "prisma_figure"),
    "prisma_svg": ("workbench.literature.prisma", "prisma_svg"),
    "Rule": ("workbench.literature.rules", "Rule"),
    "load_rules": ("workbench.literature.rules", "load_rules"),
    "Screening": ("workbench.literature.screening", "Screening"),
    "record_fields": ("workbench.literature.screening", "record_fields"),
    "screening_agreement": ("workbench.literature.screening", "screening_agreement"),
    "screening_decisions": ("workbench.literature.screening", "screening_decisions"),
    "screening_status": ("workbench.literature.screening", "screening_status"),
    "ScreeningView": ("workbench.widgets.screening_view", "ScreeningView"),
    "export_refi": ("workbench.interop.refi.bridge", "export_refi"),
    "import_refi": ("workbench.interop.refi.bridge", "import_refi"),
    "agreement": ("workbench.analysis.reliability", "agreement"),
    "agreement_html": ("workbench.analysis.reliability", "agreement_html"),
    "disagreements": ("workbench.analysis.reliability", "disagreements"),
    "Adjudication": ("workbench.analysis.adjudication", "Adjudication"),
    "merge_codings": ("workbench.coding.merge", "merge_codings"),
    "AdjudicationView": ("workbench.widgets.adjudication_view", "AdjudicationView"),
    "frequencies": ("workbench.analysis.frequencies", "frequencies"),
    "matrix": ("workbench.analysis.matrices", "matrix"),
    "matrix_html": ("workbench.analysis.matrices", "matrix_html"),
    "source_groups": ("workbench.analysis.selection", "source_groups"),
    "framework_matrix": ("workbench.analysis.framework", "framework_matrix"),
    "cooccurrence": ("workbench.analysis.cooccurrence", "cooccurrence"),
    "theme_network": ("workbench.analysis.networks", "theme_network"),
    "add_link": ("workbench.analysis.networks", "add_link"),
    "remove_link": ("workbench.analysis.networks", "remove_link"),
    "links": ("workbench.analysis.networks", "links"),
    "communities": ("workbench.analysis.networks", "communities"),
    "centralities": ("workbench.analysis.networks", "centralities"),
    "ego_network": ("workbench.analysis.networks", "ego_network"),
    "compare_networks": ("workbench.analysis.networks", "compare_networks"),
    "network_svg": ("workbench.analysis.networks", "network_svg"),
    "search": ("workbench.analysis.textsearch", "search"),
    "kwic": ("workbench.analysis.textsearch", "kwic"),
    "word_frequencies": ("workbench.analysis.textsearch", "word_frequencies"),
    "export_network": ("workbench.interop.graph", "export_network"),
    "NetworkView": ("workbench.widgets.network_view", "NetworkView"),
    "FrameworkView": ("workbench.widgets.framework_view", "FrameworkView"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}") from None
    mod = importlib.import_module(module)
    value = getattr(mod, attr) if attr else mod
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
