"""REFI-QDA exchange (.qdpx projects, .qdc codebooks) with NVivo, ATLAS.ti, MAXQDA and QualCoder.

model.py (neutral dataclasses) <- reader.py (zip + XML, hostile-file guards) / writer.py (schema-valid
XML) ; offsets.py (each tool's position units -> our code points) ; export.py and importer.py (project
<-> model, through the public API) ; bridge.py (the entry points).
"""

from .bridge import export_refi, import_refi

__all__ = ["export_refi", "import_refi"]
