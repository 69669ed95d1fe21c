"""Applying codes to text: span arithmetic, a coder's session, auto-coding, retrieval, the plain-text mirror."""
