"""Suggestions from models: embeddings (cached per passage hash and model) and reviewed suggested codings."""
