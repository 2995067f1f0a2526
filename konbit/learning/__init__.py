"""learning owns what the programme learns and tells: lessons learned (searchable, surfaced where they
apply), the communication plan with its log, and the funder report (HTML for print, DOCX, XLSX)."""
