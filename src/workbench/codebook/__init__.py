"""The conceptual framework as a hierarchical codebook: file format, operations, report."""
