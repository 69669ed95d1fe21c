"""`workbench publish`: serve the report with Voila, or write it as one HTML file (--html OUT_DIR)."""

from __future__ import annotations

import sys


def _warn(warnings) -> None:
    for w in warnings.head(20).itertuples(index=False):
        print(f"warning: {w.word!r} ({w.count}x) looks like a name the pseudonym key does not cover: "
              f"...{w.example.strip()}...", file=sys.stderr)
    if len(warnings) > 20:
        print(f"warning: {len(warnings) - 20} more name-like words; add them to the key "
              "(workbench pseudonyms add) or check them by hand", file=sys.stderr)


def publish(args) -> int:
    from ..store.project import Project

    project = Project.open(args.project)
    if args.html:
        from .static import export_html

        result = export_html(project, args.html, findings=args.findings)
        _warn(result.warnings)
        print(f"wrote {result.path} ({result.bytes / 1e6:.1f} MB, snapshot at event #{result.snapshot.as_of_event})")
        return 0
    from .app import serve

    return serve(project, args.port, open_browser=not args.no_browser, findings=args.findings,
                 out=lambda line: print(line, file=sys.stderr if line.startswith("warning") else sys.stdout,
                                        flush=True))
