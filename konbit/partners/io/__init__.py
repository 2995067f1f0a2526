"""Import and export of the partner pillar: CSV/XLSX in (preview, row-level errors, all or nothing)
and out (each list, with the current filter)."""
