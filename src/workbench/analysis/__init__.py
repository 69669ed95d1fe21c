"""Derived results from the codings: agreement, frequencies and matrices, co-occurrence, networks, topics.

Project in, DataFrame or graph out; no SQL (the store answers), results saved as runs."""
