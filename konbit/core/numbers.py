"""Numbers Konbit accepts from outside: finite, and never a boolean.

JSON (Python's parser, the browser's `JSON.stringify` of a layout gone wrong, a hand-made request)
can carry `1e400`, `NaN` or `Infinity`; stored, such a value makes every later JSON answer invalid
(`Infinity` is not JSON) and breaks the page for everyone. Pydantic's lax mode also reads `false` as
0.0. Every float that comes in — API schemas, the map's positions, importers — goes through one of
these; Django's form fields already refuse non-finite values (`FloatField.validate`)."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

# For django-ninja / pydantic schemas: a JSON number (an integer too), finite, not true/false or "1".
FiniteFloat = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def finite_float(value: Any) -> float:
    """`value` as a finite float; ValueError for a boolean, a non-number, NaN or an infinity."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = float(value)
    except OverflowError as error:  # an integer too large for a float
        raise ValueError(f"{value!r} is too large") from error
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def refuse_json_constant(name: str) -> Any:
    """For `json.loads(parse_constant=…)`: NaN, Infinity and -Infinity are not numbers Konbit stores."""
    raise ValueError(f"{name} is not a number Konbit stores")


# In a query string everything is text, so strict mode would refuse "0.5": parsed from text, finite.
QueryFloat = Annotated[float, Field(allow_inf_nan=False)]


MAX_ID = 2**63 - 1  # the database's largest id


def json_int(value: object) -> object:
    """A JSON integer (1 or 1.0, as JSON Schema says), never true/false or "1", which lax pydantic takes."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("Use a whole number.")


Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # in a path or a query string, where all is text
# In a JSON body; constraints before the validator, so that the published schema states them.
BodyId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(json_int)]
