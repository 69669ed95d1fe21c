"""Getting sources into a project: canonical text, importers per format, batch import."""
