"""The learning part of the demo programme: a dozen lessons the team wrote down over the programme's
life, linked to partners, phases and (when the results demo made them) interventions, and a
communication plan with its log, two items of which are overdue on the day the demo is loaded.

Lessons are dated against the partner demo's DEMO_TODAY; the communication plan against the real
date, so the overdue items stay overdue (and only those) whenever the demo is loaded."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from konbit.core.demo import DemoContext
from konbit.core.models import Phase, Program
from konbit.partners.demo import DEMO_TODAY
from konbit.partners.models import Organization, OrganizationType

from .models import Audience, Channel, Communication, CommunicationFrequency, CommunicationSending, Lesson
from .services import communication_refresh_all, lesson_index_rebuild, normalize_tags, phase_string, tag_index

# (title, days before DEMO_TODAY, tags, phases, partner types to link, intervention keywords,
#  context, what was done, results and the lesson, how it is applied, recommendation, published)
LESSONS: list[tuple[Any, ...]] = [
    (
        "Partners drift away quietly before they leave",
        40,
        "partner engagement, early warning",
        [Phase.START_UP],
        [OrganizationType.PRODUCER_GROUP],
        ["producer", "aggregation"],
        "Two producer associations stopped coming to the monthly meeting. Nobody noticed for three months "
        "because each facilitator assumed a colleague was still in touch.",
        "We named one facilitator per partner, added a rule that any partner without a one-to-one "
        "conversation for sixty days is called that week, and reviewed the early-warning list at every "
        "team meeting.",
        "One association came back once its committee was visited in person; the other had a new board "
        "that had never heard of the programme. Silence is usually a change inside the partner, not a "
        "decision against us.",
        "The early-warning list is now the first item of the Monday team meeting.",
        "When a partner goes quiet, visit before you write; ask who is now in charge.",
        True,
    ),
    (
        "Round tables work when partners set the agenda",
        120,
        "round tables, partner engagement",
        [Phase.VISIONING, Phase.START_UP],
        [OrganizationType.LEAD_FIRM, OrganizationType.SERVICE_PROVIDER],
        [],
        "Our first round tables were presentations by the programme. Attendance fell from nineteen "
        "organisations to seven in four sessions.",
        "We asked three partners to co-host, each bringing one problem they wanted solved with others in "
        "the room. The programme only facilitated and wrote the follow-ups.",
        "Attendance went back above fifteen and two buying agreements came out of the discussions. "
        "Partners come for each other, not for us.",
        "Every round table now has a partner co-host and a problem statement sent a week ahead.",
        "Hand the agenda to the partners early; keep the programme's slot short and at the end.",
        True,
    ),
    (
        "Ask for co-investment in the first conversation",
        210,
        "co-investment, partner engagement",
        [Phase.START_UP],
        [OrganizationType.LEAD_FIRM],
        ["input", "seed"],
        "An input supplier accepted a fully paid demonstration plot programme, then refused to pay for "
        "the second season.",
        "For new partners we put the cost-share on the table in the first meeting and agreed a rising "
        "share over three seasons, written into the agreement.",
        "Partners who paid from the start kept the activity after support ended; the one that never paid "
        "dropped it. What a partner pays for tells you whether it believes in the business case.",
        "The cost-share ratio is checked before any renewal of support.",
        "Never start at zero contribution; even a small share changes the conversation.",
        True,
    ),
    (
        "Planning the exit from day one",
        330,
        "exit, sustainability",
        [Phase.SCALE_UP, Phase.START_UP],
        [OrganizationType.FINANCIAL],
        ["finance", "credit"],
        "A microfinance institution depended on our staff to train its loan officers in agricultural "
        "lending; after two years the training had not moved in-house.",
        "We agreed exit criteria with the partner (its own trainer, a budget line, two cohorts trained "
        "without us) and tracked them every quarter.",
        "The institution met two of three criteria within nine months once they were explicit. Exit is "
        "a shared plan, not a date the programme announces.",
        "Each intervention now carries exit criteria reviewed with the partner.",
        "Agree exit criteria with the partner when support starts, and review them together.",
        True,
    ),
    (
        "A rule change needs champions outside government",
        260,
        "rules, policy, advocacy",
        [Phase.ANALYSIS, Phase.VISIONING],
        [OrganizationType.GOVERNMENT],
        ["rule", "standard", "certification"],
        "The ministry agreed that seed certification fees were a barrier, but the draft decree stalled "
        "for a year.",
        "We brought the seed producers' association and two exporters to present the cost of delays "
        "themselves, with their own figures.",
        "The decree moved once private actors with a stake spoke for it. Officials respond to the people "
        "who will live with the rule.",
        "Advocacy plans name the private champions first.",
        "Let the actors who gain from a rule change carry the argument; support them with evidence.",
        True,
    ),
    (
        "Phone surveys need a call-back plan",
        150,
        "data collection, monitoring",
        [Phase.START_UP],
        [OrganizationType.PRODUCER_GROUP],
        [],
        "Our first phone survey of farmers reached only forty per cent of the sample, mostly men near town.",
        "We trained association secretaries to book call times, allowed three call-backs at different "
        "hours and sent an SMS the day before.",
        "Response rose to seventy-one per cent and the share of women doubled. Who answers depends on "
        "when you call.",
        "The survey protocol now fixes call windows and call-backs.",
        "Budget for call-backs and ask local partners to arrange times before the survey starts.",
        True,
    ),
    (
        "Attendance lists are not engagement",
        90,
        "partner engagement, monitoring",
        [Phase.START_UP],
        [OrganizationType.SERVICE_PROVIDER],
        [],
        "A service provider attended every event but never followed up on any commitment.",
        "We started recording commitments and follow-ups per partner and reviewing them in one-to-one "
        "conversations rather than counting attendance.",
        "Follow-ups on time turned out to predict continued work better than attendance. Being in the "
        "room is not the same as acting.",
        "The engagement score weighs follow-ups alongside attendance.",
        "Track what partners do after a meeting, not only whether they came.",
        True,
    ),
    (
        "Working with another donor's partner",
        70,
        "coordination, co-investment",
        [Phase.START_UP],
        [OrganizationType.NGO],
        [],
        "A partner was receiving free inputs from another project while we asked it to co-invest.",
        "We met the other project's team, compared support to shared partners and agreed not to offer "
        "free inputs where the other asked for cost-share.",
        "The partner accepted the cost-share once both projects said the same thing. Mixed signals from "
        "donors undo market incentives.",
        "Overlap with other initiatives is reviewed every quarter.",
        "Map who else supports your partners before you set the terms of support.",
        True,
    ),
    (
        "Mapping the system with partners, not for them",
        400,
        "system mapping, round tables",
        [Phase.ANALYSIS],
        [OrganizationType.LEAD_FIRM, OrganizationType.PRODUCER_GROUP],
        [],
        "Our first system map was drawn by the team from interviews; partners did not recognise it.",
        "We ran a mapping workshop where each partner drew its own links, then compared the views.",
        "Disagreements between partners' maps showed where trust was missing. The differences were more "
        "useful than the consensus.",
        "Each new partner records its own perspective on the map.",
        "Collect each actor's view separately before merging; discuss where they disagree.",
        True,
    ),
    (
        "Small buyers copy faster than large ones",
        45,
        "crowding in, scale",
        [Phase.SCALE_UP],
        [OrganizationType.LEAD_FIRM],
        ["aggregation", "buyer"],
        "We expected the two large buyers to spread the new grading practice.",
        "We documented which non-partner buyers adopted grading, and how they heard of it.",
        "Five small buyers copied within a season, the large ones took two years. Imitation starts where "
        "margins are thin and decisions are quick.",
        "Scale-up plans now watch small actors for early copying.",
        "Look for crowding-in among smaller actors first; share their results widely.",
        False,
    ),
    (
        "Women traders need their own meeting times",
        20,
        "gender, round tables, partner engagement",
        [Phase.START_UP],
        [OrganizationType.PRODUCER_GROUP],
        [],
        "Women market traders rarely attended afternoon round tables.",
        "We held short morning sessions on market days in the market itself.",
        "Women's attendance tripled and two traders' groups joined as partners.",
        "",
        "Plan meeting times and places around the people you most need in the room.",
        False,
    ),
    (
        "Quarterly reports land better with one story",
        180,
        "communication, reporting",
        [Phase.START_UP],
        [],
        [],
        "Our quarterly report to the funder was a long list of activities that nobody discussed.",
        "We opened each report with one partner's change told in a page, with its figures, then the "
        "indicators.",
        "The funder started asking about partners by name and shared two stories with its board. A "
        "concrete case carries the numbers.",
        "Each quarterly report starts with a partner story chosen at the team meeting.",
        "Lead with one well-documented change; put the tables after it.",
        True,
    ),
]

# (title, audience kind, audience, purpose, channel, frequency, owner key, first due (days from today),
#  sendings (days before today))
COMMUNICATIONS: list[tuple[Any, ...]] = [
    (
        "Quarterly progress report",
        Audience.FUNDER,
        "Donor programme officer",
        "Progress against the workplan and indicators, with one partner story.",
        Channel.REPORT,
        CommunicationFrequency.QUARTERLY,
        "mel",
        -420,
        [390, 300, 208, 112],  # last sent 112 days ago: overdue
    ),
    (
        "Annual results review",
        Audience.FUNDER,
        "Donor and embassy team",
        "Results of the year, lessons and the plan for next year.",
        Channel.MEETING,
        CommunicationFrequency.YEARLY,
        "owner",
        -330,
        [330],
    ),
    (
        "Partner newsletter",
        Audience.PARTNERS,
        "All engaged partners",
        "Upcoming round tables, new partners and what others are trying.",
        Channel.NEWSLETTER,
        CommunicationFrequency.MONTHLY,
        "facilitator",
        -300,
        [270, 240, 210, 180, 150, 120, 90, 60, 30, 5],
    ),
    (
        "Briefing for the agriculture directorate",
        Audience.GOVERNMENT,
        "Departmental agriculture directorate",
        "Keep the directorate informed of the seed-rules work and invite it to round tables.",
        Channel.MEETING,
        CommunicationFrequency.QUARTERLY,
        "owner",
        -260,
        [250, 150],  # last sent 150 days ago: overdue
    ),
    (
        "Market-system brief",
        Audience.SYSTEM,
        "Buyers, banks and other initiatives",
        "A two-page brief on what is changing in the market and where to invest.",
        Channel.EMAIL,
        CommunicationFrequency.YEARLY,
        "mel",
        30,
        [],
    ),
    (
        "Mid-term review presentation",
        Audience.FUNDER,
        "Mid-term review team",
        "Present the programme's approach and results to the reviewers.",
        Channel.MEETING,
        CommunicationFrequency.ONCE,
        "owner",
        -200,
        [198],
    ),
]


def _date(days_before: int) -> datetime.date:
    return DEMO_TODAY - datetime.timedelta(days=days_before)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def _lessons(program: Program, ctx: DemoContext) -> None:
    from konbit.results.models import Intervention

    partners = list(
        Organization.objects.filter(program=program, partnerships__deleted_at__isnull=True).order_by("name")
    )
    by_type: dict[str, list[Organization]] = {}
    for org in partners:
        by_type.setdefault(org.type, []).append(org)
    interventions = list(Intervention.objects.filter(program=program).order_by("title"))
    authors = [ctx.users[k] for k in ("facilitator", "facilitator2", "mel", "owner")]
    rows: list[Lesson] = []
    links: list[tuple[int, list[Organization], list[Any]]] = []
    for i, (
        title,
        days,
        tags,
        phases,
        types,
        keywords,
        context,
        action,
        lesson,
        application,
        advice,
        published,
    ) in enumerate(LESSONS):
        learned_on = _date(days)
        tags = normalize_tags(tags)
        rows.append(
            Lesson(
                program=program,
                title=title,
                context=context,
                action=action,
                lesson=lesson,
                application=application,
                recommendation=advice,
                tags=tags,
                tag_index=tag_index(tags),
                phases=phase_string(phases),
                author=authors[i % len(authors)],
                learned_on=learned_on,
                status="published" if published else "draft",
                published_on=learned_on + datetime.timedelta(days=ctx.rng.randint(2, 14))
                if published
                else None,
                created_by=authors[i % len(authors)],
                updated_by=authors[i % len(authors)],
                created_at=_at(learned_on),
                updated_at=_at(learned_on),
            )
        )
        organizations: list[Organization] = []
        for kind in types:
            candidates = by_type.get(kind, [])
            if candidates:
                organizations.extend(ctx.rng.sample(candidates, min(2, len(candidates))))
        linked = [
            intervention
            for intervention in interventions
            if any(word in intervention.title.lower() for word in keywords)
        ][:2]
        if not linked and interventions and keywords:
            linked = [ctx.rng.choice(interventions)]
        links.append((i, organizations, linked))
    Lesson.objects.bulk_create(rows)
    through_orgs = Lesson.organizations.through
    through_interventions = Lesson.interventions.through
    through_orgs.objects.bulk_create(
        [through_orgs(lesson_id=rows[i].pk, organization_id=o.pk) for i, orgs, _x in links for o in orgs],
        ignore_conflicts=True,
    )
    through_interventions.objects.bulk_create(
        [
            through_interventions(lesson_id=rows[i].pk, intervention_id=x.pk)
            for i, _o, linked in links
            for x in linked
        ],
        ignore_conflicts=True,
    )
    lesson_index_rebuild(lessons=rows)


def _communications(program: Program, ctx: DemoContext) -> None:
    today = timezone.localdate()
    plan: list[Communication] = []
    sendings: list[CommunicationSending] = []
    for title, kind, audience, purpose, channel, frequency, owner, first_due, sent in COMMUNICATIONS:
        owner_user = ctx.users[owner]
        communication = Communication(
            program=program,
            title=title,
            audience_kind=kind,
            audience=audience,
            purpose=purpose,
            channel=channel,
            frequency=frequency,
            owner=owner_user,
            first_due_on=today + datetime.timedelta(days=first_due),
            created_by=owner_user,
            updated_by=owner_user,
        )
        plan.append(communication)
        for days in sent:
            sent_on = today - datetime.timedelta(days=days)
            sendings.append(
                CommunicationSending(
                    program=program,
                    communication=communication,
                    sent_on=sent_on,
                    sent_by=owner_user,
                    note=ctx.rng.choice(
                        ["Sent as planned.", "Discussed in the meeting.", "Shared with a partner story.", ""]
                    ),
                    link="",
                    created_by=owner_user,
                    updated_by=owner_user,
                    created_at=_at(sent_on),
                    updated_at=_at(sent_on),
                )
            )
    Communication.objects.bulk_create(plan)
    for sending in sendings:
        sending.communication_id = sending.communication.pk
    CommunicationSending.objects.bulk_create(sendings)
    communication_refresh_all(communications=plan)


def build_demo(program: Program, ctx: DemoContext) -> None:
    _lessons(program, ctx)
    _communications(program, ctx)
