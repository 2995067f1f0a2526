from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dictget(mapping: object, key: object) -> object:
    """{{ counts|dictget:value }} — a dictionary value by a variable key, or None."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.inclusion_tag("results/_organization_change.html", takes_context=True)
def organization_change(context: dict[str, Any], organization: Any) -> dict[str, Any]:
    """The interventions an organisation takes part in and its AAER entries, for the partner page.
    Staff only (the same rule as the Steer change pages); two queries."""
    from konbit.core.roles import Action
    from konbit.results import selectors

    access = context.get("access")
    if access is None or not access.can(Action.CHANGE_VIEW):
        return {"show": False}
    return {
        "show": True,
        "program": access.program,
        "interventions": list(selectors.intervention_list(access=access, organization=organization.pk)),
        "entries": list(selectors.aaer_entries(access=access, organization=organization)[:20]),
    }
