"""Konbit: one record for teams that facilitate systems change."""
