"""PDF → pages, ruled tables with merged cells, text lines (no schema knowledge here)."""
