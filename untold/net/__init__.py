"""Network building blocks shared by the collector and the probe (no I/O at import)."""
