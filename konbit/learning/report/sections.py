"""The learning app's own report sections: partners and engagement, the system maps, lessons
learned and communications sent. Each returns plain data in the report contract (see __init__)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from konbit.core import l10n
from konbit.core.access import Access
from konbit.maps import selectors as map_selectors
from konbit.maps.models import Perspective, Snapshot
from konbit.partners import selectors as partner_selectors
from konbit.partners.models import (
    EVENT_KINDS,
    ONE_TO_ONE_KINDS,
    EngagementScore,
    Partnership,
    Segment,
)

from .. import selectors
from ..models import Audience
from . import charts

Section = dict[str, Any]


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _warning_labels() -> dict[str, str]:
    from konbit.partners.engagement import WARNING_LABELS

    return {code: str(label) for code, label in WARNING_LABELS.items()}


def partners_section(*, access: Access, start: datetime.date, end: datetime.date) -> Section:
    partnerships = Partnership.objects.filter(program=access.program)
    by_segment = {
        row["segment"]: row
        for row in partnerships.values("segment").annotate(count=Count("pk"), average=Avg("score")).order_by()
    }
    segment_rows = [
        [str(label), by_segment[value]["count"], _round(by_segment[value]["average"])]
        for value, label in Segment.choices
        if value in by_segment
    ]
    total = sum(row["count"] for row in by_segment.values())
    average = partnerships.aggregate(average=Avg("score"))["average"]
    monthly = list(
        EngagementScore.objects.filter(
            program=access.program,
            partnership__deleted_at__isnull=True,
            month__gte=start.replace(day=1),
            month__lte=end,
            total__isnull=False,
        )
        .values("month")
        .annotate(average=Avg("total"))
        .order_by("month")
    )
    trend = _round(monthly[-1]["average"] - monthly[0]["average"]) if len(monthly) >= 2 else None
    labels = _warning_labels()
    warned = (
        partnerships.exclude(warning_codes="").select_related("organization").order_by("organization__name")
    )
    warning_rows = [
        [p.organization.name, p.get_segment_display(), ", ".join(labels.get(c, c) for c in p.warnings)]
        for p in warned
    ]
    by_kind = partner_selectors.interactions_by_kind(access=access, start=start, end=end)
    counts = {
        "all": sum(by_kind.values()),
        "events": sum(n for kind, n in by_kind.items() if kind in EVENT_KINDS),
        "one_to_one": sum(n for kind, n in by_kind.items() if kind in ONE_TO_ONE_KINDS),
    }
    top_rows = [
        [l10n.day(i.occurred_on), str(i), i.get_kind_display(), attended]
        for i, attended in partner_selectors.best_attended(access=access, start=start, end=end)
    ]
    new_partners = partnerships.filter(since__gte=start, since__lte=end).count()
    chart_list = []
    if segment_rows:
        chart_list.append(
            {
                "title": _("Partners by segment"),
                "svg": charts.bar_chart(_("Partners by segment"), [(r[0], r[1]) for r in segment_rows]),
            }
        )
    line = charts.line_chart(
        _("Average engagement score by month"),
        [(l10n.month(row["month"]), row["average"]) for row in monthly],
    )
    if line:
        chart_list.append({"title": _("Average engagement score by month"), "svg": line})
    return {
        "key": "partners",
        "title": _("Partners and engagement"),
        "intro": _(
            "Who the programme works with, how engaged they are (the engagement score, 0–100) and "
            "which partners show an early warning today."
        ),
        "figures": [
            [_("Partners"), total],
            [_("New partners in the period"), new_partners],
            [_("Average engagement score today"), _round(average)],
            [_("Change in the average score over the period (points)"), trend],
            [_("Partners with an early warning"), len(warning_rows)],
            [_("Interactions in the period"), counts["all"]],
            [_("One-to-one conversations, calls and visits"), counts["one_to_one"]],
            [_("Round tables, workshops and trainings"), counts["events"]],
        ],
        "tables": [
            {
                "title": _("Partners by segment"),
                "headers": [_("Segment"), _("Partners"), _("Average score")],
                "rows": segment_rows,
            },
            {
                "title": _("Early warnings"),
                "headers": [_("Partner"), _("Segment"), _("Warnings")],
                "rows": warning_rows,
            },
            {
                "title": _("Interactions with the most partners attending"),
                "headers": [_("Date"), _("Interaction"), _("Kind"), _("Partners attending")],
                "rows": top_rows,
            },
        ],
        "charts": chart_list,
    }


def maps_section(*, access: Access, start: datetime.date, end: datetime.date) -> Section:
    from konbit.maps.views.common import analysis_for

    maps = list(map_selectors.map_list(access=access))
    perspectives = dict(
        Perspective.objects.filter(program=access.program, map__in=maps)
        .values("map")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("map", "count")
    )
    # Staff see every perspective, so the analysis of all of them is the one cached for the map pages;
    # it is read for all maps at once, and computed only for a map that has none yet.
    cached = {} if access.is_partner else map_selectors.cached_map_figures(maps=maps)
    map_rows = []
    for map in maps:
        figures = cached.get(map.pk)
        if figures is None:
            figures = analysis_for(access=access, map=map, perspective_ids=None).get("map", {})
        map_rows.append(
            [
                map.name,
                getattr(map, "element_count", 0),
                getattr(map, "connection_count", 0),
                _round(figures.get("density"), 3),
                figures.get("components"),
                perspectives.get(map.pk, 0),
            ]
        )
    snapshot_rows = []
    latest: dict[int, list[Snapshot]] = {}
    for snapshot in (
        Snapshot.objects.filter(program=access.program, map__in=maps, taken_on__lte=end)
        .select_related("map")
        .defer("data")
        .order_by("map_id", "-taken_on", "-pk")
    ):
        if len(latest.setdefault(snapshot.map_id, [])) < 2:
            latest[snapshot.map_id].append(snapshot)
    for map in maps:
        for snapshot in latest.get(map.pk, []):
            f = snapshot.figures.get("map", {})
            snapshot_rows.append(
                [
                    map.name,
                    snapshot.name,
                    l10n.day(snapshot.taken_on),
                    f.get("elements"),
                    f.get("connections"),
                    _round(f.get("density"), 3),
                    f.get("components"),
                ]
            )
    return {
        "key": "maps",
        "title": _("The system maps"),
        "intro": _(
            "The programme's maps of the system today, and their latest snapshots (up to two per map) "
            "to show how the network changed."
        ),
        "figures": [
            [_("Maps"), len(maps)],
            [_("Elements (all maps)"), sum(r[1] for r in map_rows)],
            [_("Connections (all maps)"), sum(r[2] for r in map_rows)],
        ],
        "tables": [
            {
                "title": _("Maps today"),
                "headers": [
                    _("Map"),
                    _("Elements"),
                    _("Connections"),
                    _("Density"),
                    _("Components"),
                    _("Perspectives"),
                ],
                "rows": map_rows,
            },
            {
                "title": _("Latest snapshots"),
                "headers": [
                    _("Map"),
                    _("Snapshot"),
                    _("Date"),
                    _("Elements"),
                    _("Connections"),
                    _("Density"),
                    _("Components"),
                ],
                "rows": snapshot_rows,
            },
        ],
        "charts": [],
    }


def lessons_section(*, access: Access, start: datetime.date, end: datetime.date) -> Section:
    lessons = list(selectors.lessons_published_between(access=access, start=start, end=end))
    rows = [
        [
            l10n.day(lesson.published_on) if lesson.published_on else None,
            lesson.title,
            ", ".join(lesson.tag_list),
            ", ".join(lesson.phase_labels),
            lesson.lesson or lesson.action,
        ]
        for lesson in lessons
    ]
    tag_counts: dict[str, int] = {}
    for lesson in lessons:
        for tag in lesson.tag_list:
            tag_counts[tag.lower()] = tag_counts.get(tag.lower(), 0) + 1
    top_tags = sorted(tag_counts.items(), key=lambda item: (-item[1], item[0]))[:8]
    return {
        "key": "lessons",
        "title": _("Lessons learned"),
        "intro": _("Lessons the team published in the period, with what was learned."),
        "figures": [[_("Lessons published"), len(lessons)]],
        "tables": [
            {
                "title": _("Lessons published in the period"),
                "headers": [_("Published"), _("Title"), _("Tags"), _("Phases"), _("The lesson")],
                "rows": rows,
            }
        ],
        "charts": [{"title": _("Lessons by tag"), "svg": charts.bar_chart(_("Lessons by tag"), top_tags)}]
        if top_tags
        else [],
    }


def communications_section(*, access: Access, start: datetime.date, end: datetime.date) -> Section:
    sendings = list(selectors.sendings_between(access=access, start=start, end=end))
    audiences = dict(Audience.choices)
    rows = [
        [
            l10n.day(s.sent_on),
            s.communication.title,
            str(audiences.get(s.communication.audience_kind, s.communication.audience_kind)),
            s.communication.get_channel_display(),
            (s.sent_by.get_full_name() or s.sent_by.email) if s.sent_by else None,
            s.note,
            s.link,
        ]
        for s in sendings
    ]
    plan = list(selectors.communication_list(access=access))
    today = timezone.localdate()
    overdue = [c for c in plan if c.next_due_on is not None and c.next_due_on < today]
    plan_rows = [
        [
            c.title,
            c.get_audience_kind_display(),
            c.get_frequency_display(),
            l10n.day(c.last_sent_on) if c.last_sent_on else None,
            l10n.day(c.next_due_on) if c.next_due_on else None,
        ]
        for c in plan
    ]
    return {
        "key": "communications",
        "title": _("Communications"),
        "intro": _(
            "What the programme told its funders and the wider system in the period, and what is planned."
        ),
        "figures": [
            [_("Communications sent in the period"), len(rows)],
            [_("Planned communications"), len(plan)],
            [_("Overdue today"), len(overdue)],
        ],
        "tables": [
            {
                "title": _("Communications sent"),
                "headers": [
                    _("Date"),
                    _("Communication"),
                    _("Audience"),
                    _("Channel"),
                    _("Sent by"),
                    _("Note"),
                    _("Link"),
                ],
                "rows": rows,
            },
            {
                "title": _("Communication plan"),
                "headers": [_("Communication"), _("Audience"), _("Frequency"), _("Last sent"), _("Next due")],
                "rows": plan_rows,
            },
        ],
        "charts": [],
    }
