"""Shared PDF building blocks (fonts with Kazakh and Russian glyphs, styles, page furniture)."""
