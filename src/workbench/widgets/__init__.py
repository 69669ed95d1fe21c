"""Jupyter widgets (anywidget) for the workbench: work in JupyterLab and in Voila alike."""

from .coding_view import CodingView

__all__ = ["CodingView"]
