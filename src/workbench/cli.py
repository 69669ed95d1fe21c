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
                          create_cases=args.create_cases, copy=args.copy, workers=args.workers)
    counts = report["status"].value_counts()
    for row in report.itertuples(index=False):
        if row.status != "imported" or args.verbose:
            print(f"{row.status:<9} {row.file}: {row.message}", file=sys.stderr if row.status == "failed" else sys.stdout)
    print("summary: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    return 7 if counts.get("failed", 0) else 0


def cmd_info(args) -> int:
    from .demo import summary

    print(summary(_project(args)))
    return 0


def cmd_demo(args) -> int:
    from .demo import activity_table, build_demo, summary

    p = build_demo(args.into, args.source, progress=not args.quiet)
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
    from .codebook import io
    from .codebook.tree import Codebook

    if args.op == "validate":
        book = io.load(args.file)
        print(f"{args.file}: {len(book.codes)} codes, {len(book.research_questions)} research questions, valid")
        return 0
    p = _project(args)
    cb = Codebook(p, args.user)
    if args.op == "report":
        from .codebook.report import write_report

        paths = write_report(p, args.out)
        print("wrote " + ", ".join(str(x) for x in paths))
    elif args.op == "load":
        print(f"loaded {cb.load_yaml(args.file)} codes")
    elif args.op == "list":
        print(cb.frame()[["id", "path", "rq"]].to_string(index=False))
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
    return 0


def cmd_undo(args) -> int:
    p = _project(args)
    group = p.redo(args.user) if args.redo else p.undo(args.user)
    print(f"{'redid' if args.redo else 'undid'} action #{group} of {args.user}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="workbench", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)

    def with_project(p):
        p.add_argument("-p", "--project", default=".", help="project folder (default: current folder)")
        return p

    p = sub.add_parser("init", help="create a project folder (corpus/, coding/, database)")
    p.add_argument("path", nargs="?", default=".")
    p.add_argument("--name")
    p.add_argument("--database", help="SQLAlchemy URL, e.g. postgresql://host/db (default: SQLite in .workbench/)")
    p.set_defaults(func=cmd_init)

    p = with_project(sub.add_parser("import", help="import documents, transcripts, bibliographies, attribute sheets"))
    p.add_argument("paths", nargs="+")
    p.add_argument("--encoding", help="force a text encoding (default: detect)")
    p.add_argument("--create-cases", action="store_true", help="let attribute sheets create unknown cases")
    p.add_argument("--copy", action="store_true", help="copy the files into the project's corpus/")
    p.add_argument("--workers", type=int, help="reader processes (default: one per spare CPU for 64+ files; 0: none)")
    p.add_argument("-q", "--quiet", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_import)

    p = with_project(sub.add_parser("info", help="summarise a project"))
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("demo", help="build the demo project (the career-orientation study)")
    p.add_argument("--into", default="build/demo")
    p.add_argument("--source", help="folder with corpus/ and coding/ (default: this checkout)")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = with_project(sub.add_parser("export-coding", help="write coding/codebook.yaml and coding/codings.csv"))
    p.add_argument("--folder")
    p.set_defaults(func=cmd_export_coding)

    p = with_project(sub.add_parser("import-coding", help="read coding/codebook.yaml and coding/codings.csv"))
    p.add_argument("--folder")
    p.set_defaults(func=cmd_import_coding)

    p = with_project(sub.add_parser("codebook", help="codebook operations"))
    p.add_argument("--user", default="researcher", help="who makes the change (their undo stack)")
    ops = p.add_subparsers(dest="op", required=True)
    o = ops.add_parser("validate", help="check a codebook YAML file")
    o.add_argument("file")
    o = ops.add_parser("load", help="load a codebook YAML file into the project")
    o.add_argument("file")
    o = ops.add_parser("report", help="write the codebook as Markdown and HTML")
    o.add_argument("--out", help="folder (default: coding/)")
    ops.add_parser("list", help="print the code tree")
    o = ops.add_parser("create")
    o.add_argument("id")
    o.add_argument("label")
    o.add_argument("--parent")
    o = ops.add_parser("rename")
    o.add_argument("id")
    o.add_argument("label")
    o = ops.add_parser("move")
    o.add_argument("id")
    o.add_argument("--parent", help="new parent id (omit for top level)")
    o = ops.add_parser("merge")
    o.add_argument("source")
    o.add_argument("target")
    o = ops.add_parser("delete")
    o.add_argument("id")
    o.add_argument("--codings-to")
    o.add_argument("--delete-codings", action="store_true")
    o = ops.add_parser("recolour")
    o.add_argument("id")
    o.add_argument("colour")
    p.set_defaults(func=cmd_codebook)

    p = with_project(sub.add_parser("undo", help="undo (or --redo) a user's last action"))
    p.add_argument("--user", required=True)
    p.add_argument("--redo", action="store_true")
    p.set_defaults(func=cmd_undo)
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
