"""The two public entry points: `export_refi(project, path)` and `import_refi(project, path)`.

The suffix chooses the form: `.qdpx` a whole project (project.qde + sources/), `.qdc` the codebook.
Both return a report whose repr says what went across, how faithfully, and what the format lost.
"""

from __future__ import annotations

from .export import export_refi
from .importer import import_refi

__all__ = ["export_refi", "import_refi"]
