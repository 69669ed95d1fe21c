"""Build the demo project (the career-orientation study) from a source tree's corpus/ and coding/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from .codebook.tree import Codebook
from .coding.mirror import import_coding
from .corpus.batch import import_paths
from .errors import ConflictError, NotFound, ValidationError
from .store.project import Project

DEMO_NAME = "Beroepsoriëntatie in het primair onderwijs (demo)"
SCHOOL_ACTIVITIES = ["act-company-visit", "act-guest-lesson-parents", "act-talent-conversation",
                     "act-project-week", "act-social-internship", "act-portfolio"]


def find_source(start: str | Path | None = None) -> Path:
    """The folder holding corpus/ and coding/framework.yaml: given, current, or the package's checkout."""
    candidates = [Path(start)] if start else [Path.cwd(), Path(__file__).resolve().parents[2]]
    for c in candidates:
        if (c / "coding" / "framework.yaml").exists() and (c / "corpus").is_dir():
            return c.resolve()
    raise NotFound("cannot find the demo sources (corpus/ and coding/framework.yaml)",
                   where=", ".join(str(c) for c in candidates), fix="pass --source pointing at the repository")


DEMO_MARKER = ".workbench-demo"  # written into every demo build: only such a folder is replaced without --force


def _is_demo_build(folder: Path) -> bool:
    """An earlier demo build: our marker, or (builds before the marker) a project with the demo's name."""
    if (folder / DEMO_MARKER).is_file():
        return True
    config = folder / "workbench.yaml"
    try:
        return config.is_file() and f"name: {DEMO_NAME}" in config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _clear_target(into: Path, src: Path, force: bool) -> None:
    """Make room for a build at `into`; refuse anything that is not safe to delete."""
    if into.is_symlink() or (into.exists() and not into.is_dir()):
        raise ConflictError("exists and is not a folder", where=str(into), fix="choose another --into")
    if not into.exists() or not any(into.iterdir()):
        return
    resolved = into.resolve()
    if resolved == src or resolved in src.parents or resolved in Path.cwd().resolve().parents \
            or resolved == Path.cwd().resolve() or resolved == Path.home().resolve():
        raise ConflictError("refusing to delete a folder that holds the demo sources, the current folder "
                            "or your home folder", where=str(into), fix="choose another --into")
    if not force and not _is_demo_build(into):
        raise ConflictError("the folder exists and is not an earlier demo build; nothing was changed",
                            where=str(into), fix="choose another --into, or pass --force to delete it first")
    shutil.rmtree(into)


def build_demo(into: str | Path, source: str | Path | None = None, progress: bool = True,
               force: bool = False) -> Project:
    """Create a fresh demo project at `into`: documents, literature, attributes, codebook and codings.

    `into` may be missing, empty or an earlier demo build (which is replaced); any other folder is refused
    unless `force`, so a mistyped path never deletes a study.
    """
    src = find_source(source)
    into = Path(into)
    _clear_target(into, src, force)
    shutil.copytree(src / "corpus", into / "corpus")
    (into / "coding").mkdir(parents=True, exist_ok=True)
    if (src / "coding" / "findings.yaml").exists():  # the report's recommendations and chosen quotes
        shutil.copy2(src / "coding" / "findings.yaml", into / "coding" / "findings.yaml")
    (into / DEMO_MARKER).write_text("built by `workbench demo`; deleted and rebuilt by the next build\n",
                                    encoding="utf-8")
    project = Project.init(into, name=DEMO_NAME)
    report = import_paths(project, [into / "corpus"], progress=progress)
    failed = report[report["status"] == "failed"]
    if len(failed):
        raise ValidationError("demo corpus failed to import:\n" + "\n".join(failed["message"]))
    Codebook(project, "importer").load_yaml(src / "coding" / "framework.yaml")
    result = import_coding(project, src / "coding", codebook_file="framework.yaml")
    if len(result.mismatches):
        raise ValidationError(f"{len(result.mismatches)} demo codings do not match their documents",
                              where=str(src / "coding" / "codings.csv"))
    apply_demo_screening(project)
    return project


def activity_table(project: Project, coder: str = "coder-a") -> pd.DataFrame:
    """Number of schools with at least one coding of each school activity (the study's table), via wb.matrix."""
    from .analysis.matrices import matrix

    by_school = matrix(project, columns="case", value="cases", coder=coder, codes=SCHOOL_ACTIVITIES,
                       where={"respondent_type": "school"}).reindex(SCHOOL_ACTIVITIES)
    labels = Codebook(project).frame().set_index("id")["label"]
    return pd.DataFrame({"code": SCHOOL_ACTIVITIES, "activity": [labels.get(c, c) for c in SCHOOL_ACTIVITIES],
                         "schools": by_school.sum(axis=1).to_numpy(),
                         "which": [", ".join(by_school.columns[row > 0]) for _, row in by_school.iterrows()]})


def summary(project: Project) -> str:
    docs = project.documents()
    codings = project.codings()
    lines = [f"Project: {project.name}  ({project.root})"]
    for kind, n in docs["kind"].value_counts().sort_index().items():
        lines.append(f"  {kind:<11} {n:>4} documents")
    lines.append(f"  cases       {len(project.cases()):>4}   attributes {len(project.attributes())}")
    lines.append(f"  codes       {len(project.codes()):>4}   research questions {len(project.research_questions())}")
    for coder, n in codings["coder"].value_counts().sort_index().items():
        lines.append(f"  codings     {n:>4}   by {coder} in {codings.loc[codings['coder'] == coder, 'document'].nunique()} documents")
    return "\n".join(lines)


# ---- the literature phase (issue 14) -----------------------------------------------------------------
DEMO_SEARCHES = {"ERIC": "eric.ris", "EBSCO": "ebsco.ris", "Springer Link": "springerlink.bib",
                 "Google Scholar": "google-scholar.json"}


def apply_demo_screening(project: Project, screener: str = "screener-a") -> dict:
    """The study's phase 1 on the demo: merge the (constructed) search exports into the works, screen
    every work by the inclusion rules and by hand (corpus/literature/screening.yaml), let a second
    screener disagree now and then, and settle the disagreements. Ends in the study's 23 sources."""
    import re

    import yaml

    from .literature.dedupe import import_search_exports
    from .literature.rules import parse_rules
    from .literature.screening import Screening, record_fields, screening_status

    folder = project.root / "corpus" / "literature"
    spec = yaml.safe_load((folder / "screening.yaml").read_text(encoding="utf-8"))
    rules = parse_rules(spec["rules"], where=str(folder / "screening.yaml"))
    import_search_exports(project, {db: folder / ".searches" / f for db, f in DEMO_SEARCHES.items()})
    fields = record_fields(project)
    notes = fields["notes"].fillna("") if "notes" in fields else pd.Series("", index=fields.index)
    first = Screening(project, screener)
    first.apply_rules(rules)
    for name in first.pending():
        found = re.search(r"inclusion reason: (.*?)(?:; screening:|$)", notes[name])
        why = found.group(1).strip() if found else None
        if fields.loc[name, "inclusion"] == "included":
            first.decide(name, "include", why)
        else:
            first.decide(name, "exclude", spec["background_reason"])
    second_spec = spec["second_screener"]
    second = Screening(project, second_spec["name"])
    second.apply_rules(rules)
    for name, (decision, why) in second_spec["decisions"].items():
        second.decide(name, decision, why)
    status = screening_status(project)
    mine = first.decisions().set_index("document")
    for name in status.loc[status["status"] == "conflict", "record"]:
        first.resolve(name, mine.loc[name, "decision"], mine.loc[name, "reason"])
    return {"rules": [r.name for r in rules], "screeners": [screener, second_spec["name"]]}

