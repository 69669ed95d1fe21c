"""Every notebook runs headless against a copy of the demo project, and is stored without outputs."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes(path, demo_project, tmp_path, monkeypatch):
    root = tmp_path / "demo"
    demo_project.engine.dispose()
    shutil.copytree(demo_project.root, root)
    monkeypatch.setenv("WORKBENCH_PROJECT", str(root))
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    texts = "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
                    for c in book.cells if c.cell_type == "code" for o in c.outputs)
    if path.name.startswith("02"):
        assert "codings added" in texts and "0 left after undo" in texts
    if path.name.startswith("03"):
        assert "Tinkeren, maken en ontwerpen" in texts
