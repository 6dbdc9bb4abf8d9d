"""Small text rules that any layer may use (no imports from the rest of untold)."""
