"""Labels → canonical schema, value parsing, checks and flags (no PDF I/O here)."""
