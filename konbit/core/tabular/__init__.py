"""The one import component every pillar uses for tables of rows (CSV and XLSX files).

- `headers`: header names in the user's own words (synonyms; case, accents, spaces and underscores
  ignored) and the column mapping a person chooses (preview selects, ``--columns`` on the command line);
- `readers`: reading an upload safely into plain text rows (size, encoding, zip-bomb checks);
- `rows`: a file's column spec, the row reader that checks each cell, and `validate` (file → plan);
- `store`: the parsed upload kept on the server between the preview and the import;
- `views`: the upload → preview → import pages, given an app's spec and its commit service.

It imports no pillar app: an app supplies only its column spec, its row checks and its commit service.
"""
