"""Which column of a file holds which field: header names in the user's own words.

Every import (partners, indicators, maps, the `konbit map` command) describes its fields as
``{field: (synonym, …)}`` and lets `match_headers` find them. Names are compared by `header_key`: case,
accents, surrounding and repeated spaces, underscores, hyphens and dots are ignored, so "Participant_ID",
"participant id" and "PARTICIPANT-ID" are one name. A person may also say which column holds a field
(`chosen`, from the preview's selects or the command line's ``--columns from=cause,to=effect``); a
choice always wins over a guess.

Pure functions, no Django: the map formats, which run without a database, use them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from konbit.core.text import fold

_SEPARATORS = str.maketrans({"_": " ", "-": " ", ".": " ", "\u00a0": " "})


def header_key(text: str) -> str:
    """The form under which two header names are the same: "Élément_ID " → "element id"."""
    return " ".join(fold(str(text)).translate(_SEPARATORS).split())


@dataclass
class HeaderMatch:
    """The outcome of matching a file's header row against a set of fields.

    ``fields``: field → column index. ``others``: the columns no field took, as (index, name), each
    name unique (a repeated name is numbered "notes (2)"). ``repeated``: (index, name, new name) for
    each column whose name an earlier column already has. ``missing``: (field, name) for each chosen
    column the file does not have."""

    fields: dict[str, int] = field(default_factory=dict)
    others: list[tuple[int, str]] = field(default_factory=list)
    repeated: list[tuple[int, str, str]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)

    def has(self, *names: str) -> bool:
        return all(name in self.fields for name in names)


def find_column(headers: Sequence[str], name: str) -> int | None:
    """The first column called `name` (exactly, else by header_key); None when there is none."""
    for index, header in enumerate(headers):
        if header == name:
            return index
    key = header_key(name)
    for index, header in enumerate(headers):
        if key and header_key(header) == key:
            return index
    return None


def match_headers(
    headers: Sequence[str],
    synonyms: Mapping[str, Iterable[str]],
    chosen: Mapping[str, str] | None = None,
) -> HeaderMatch:
    """Find each field's column. A chosen column comes first (an empty choice means "not in the
    file": that field is not guessed); then, for each field in order, the first column whose name is
    one of its synonyms (in the synonyms' order of preference, so "label" beats "name"). A column
    takes at most one field; the rest are `others` (custom fields, or columns to ignore)."""
    match = HeaderMatch()
    taken: set[int] = set()
    chosen = dict(chosen or {})
    for name, column in chosen.items():
        if not column:
            continue
        index = find_column(headers, column)
        if index is None:
            match.missing.append((name, column))
        elif index not in taken:
            match.fields[name] = index
            taken.add(index)
    keys = [header_key(h) for h in headers]
    for name, names in synonyms.items():
        if name in chosen:
            continue
        for synonym in names:
            wanted = header_key(synonym)
            index = next((i for i, k in enumerate(keys) if k == wanted and i not in taken), None)
            if index is not None:
                match.fields[name] = index
                taken.add(index)
                break
    seen: set[str] = set()
    for index, header in enumerate(headers):
        if not str(header).strip():
            continue
        key = header_key(header)
        if key in seen:
            number = 2
            while header_key(f"{header} ({number})") in seen:
                number += 1
            renamed = f"{header} ({number})"
            match.repeated.append((index, header, renamed))
            seen.add(header_key(renamed))
            if index not in taken:
                match.others.append((index, renamed))
            continue
        seen.add(key)
        if index not in taken:
            match.others.append((index, header))
    return match


class ColumnsOptionError(ValueError):
    """A ``--columns`` option that cannot be used; the message says why."""


def parse_columns_option(text: str, fields: Iterable[str]) -> dict[str, str]:
    """``"from=cause, to=effect"`` → {"from": "cause", "to": "effect"}; the field names must be among
    `fields` (compared by header_key), each named once."""
    known = {header_key(f): f for f in fields}
    result: dict[str, str] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, equals, column = part.partition("=")
        if not equals or not name.strip() or not column.strip():
            raise ColumnsOptionError(f"{part.strip()!r} is not FIELD=COLUMN (e.g. from=cause).")
        field_name = known.get(header_key(name))
        if field_name is None:
            raise ColumnsOptionError(
                f"Unknown field {name.strip()!r}; the fields are: {', '.join(sorted(known.values()))}."
            )
        if field_name in result:
            raise ColumnsOptionError(f"The field {field_name!r} is named twice.")
        result[field_name] = column.strip()
    if not result:
        raise ColumnsOptionError("No column named; write FIELD=COLUMN pairs, e.g. from=cause,to=effect.")
    return result
