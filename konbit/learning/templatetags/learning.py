"""Template tags that let other apps' pages show learning content with one include line and no
change to their views: the include's template calls these with the page's own context."""

from __future__ import annotations

from typing import Any

from django import template

from konbit.core.access import Access

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def related_lessons(
    context: template.Context,
    organization: Any = None,
    intervention: Any = None,
    phase: str | None = None,
    tags: str = "",
    partnership: Any = None,
) -> list[Any]:
    """Published lessons for this page. A partnership with an early warning (it is drifting away)
    also brings the lessons tagged "partner engagement"."""
    access = context.get("access")
    if not isinstance(access, Access):
        return []
    # A variable the including page does not have arrives as "" (the template engine's default).
    organization, intervention, partnership = organization or None, intervention or None, partnership or None
    tag_list = [t for t in tags.split(",") if t.strip()] if isinstance(tags, str) else list(tags or [])
    if partnership is not None:
        organization = organization or partnership.organization
        if partnership.warnings:
            tag_list.append(selectors.ENGAGEMENT_TAG)
    return selectors.lessons_related(
        access, organization=organization, intervention=intervention, phase=phase or None, tags=tag_list
    )


@register.simple_tag(takes_context=True)
def overdue_communications(context: template.Context) -> list[Any]:
    access = context.get("access")
    if not isinstance(access, Access):
        return []
    return selectors.communication_overdue(access=access)
